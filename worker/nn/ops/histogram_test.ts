import { assert, assertAllClose, assertThrows } from "../../../testing/assert.ts";
import type { Gpu } from "../../gpu/device.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { checkGradients } from "../_testing.ts";
import { Sgd } from "../optim.ts";
import { Tape } from "../tape.ts";
import { histogramKl } from "./histogram.ts";
import { histogramKlRef } from "./histogram_ref.ts";

const rng = new Rng(2021);

/** The loss of `data` [n, c] on the GPU (forward only). */
async function lossOf(
  gpu: Gpu,
  data: ArrayLike<number>,
  n: number,
  c: number,
  bins: number,
  bandwidth?: number,
): Promise<number> {
  const x = gpu.tensor(data, [n, c]);
  const tape = new Tape(gpu, { record: false });
  try {
    const y = histogramKl(tape, x, { bins, bandwidth });
    assert(y.rank === 1 && y.size === 1, `histogramKl must return [1], got [${y.shape}]`);
    return (await y.read())[0];
  } finally {
    tape.dispose();
    x.dispose();
  }
}

/** `n` values evenly spaced on [0, 1] for each of `c` channels. */
function evenlySpaced(n: number, c: number): Float32Array {
  return Float32Array.from({ length: n * c }, (_, i) => (Math.floor(i / c) + 0.5) / n);
}

gpuTest("histogramKl: forward matches the float64 reference on awkward sizes", async (gpu) => {
  for (const n of [1, 7, 33, 1000]) {
    for (const c of [1, 2]) {
      for (const bins of [8, 16]) {
        const data = rng.uniformArray(n * c, -0.2, 1.2);
        const want = histogramKlRef(data, n, c, bins);
        const got = await lossOf(gpu, data, n, c, bins);
        assertAllClose([got], [want], { atol: 2e-5, rtol: 1e-4, msg: `N=${n} C=${c} K=${bins}` });
      }
    }
  }
  for (const bw of [0.01, 0.05, 0.3, 2]) {
    const data = rng.uniformArray(33 * 2, -0.3, 1.3);
    const want = histogramKlRef(data, 33, 2, 10, bw);
    const got = await lossOf(gpu, data, 33, 2, 10, bw);
    assertAllClose([got], [want], { atol: 2e-5, rtol: 1e-4, msg: `bandwidth ${bw}` });
  }
});

gpuTest("histogramKl: flat data gives ≈ 0, concentrated data ≈ log(bins)", async (gpu) => {
  const n = 4096;
  for (const bins of [8, 16]) {
    const flat = await lossOf(gpu, evenlySpaced(n, 2), n, 2, bins);
    const conc = await lossOf(gpu, new Float32Array(n * 2).fill(0.3), n, 2, bins);
    assert(flat >= -1e-5 && flat < 0.01, `flat data: loss ${flat} should be ≈ 0`);
    assert(conc > 0.3 * 2 * Math.log(bins), `concentrated data: loss ${conc} too small`);
    assert(conc < 2 * Math.log(bins), `concentrated data: loss ${conc} above 2·log(${bins})`);
    assert(flat < 0.02 * conc, `flat ${flat} should be far below concentrated ${conc}`);
    // A Gaussian one bin wide costs ½·log(2πe) nats of entropy per channel.
    const gauss = 2 * (Math.log(bins) - 0.5 * Math.log(2 * Math.PI * Math.E));
    assert(Math.abs(conc - gauss) < 0.1 * 2, `concentrated: loss ${conc}, expected ≈ ${gauss}`);
    // A narrow kernel puts all the mass in one bin: KL = log(bins).
    const sharp = await lossOf(gpu, new Float32Array(n).fill(0.3), n, 1, bins, 0.1 / bins);
    assertAllClose([sharp], [Math.log(bins)], { atol: 1e-4, msg: "one-hot histogram" });
  }
});

gpuTest(
  "histogramKl: values far outside [0, 1] go to the edge bin, finite gradients",
  async (gpu) => {
    for (const v of [-3, 7, -1e4, 1e6]) {
      const loss = await lossOf(gpu, [v], 1, 1, 8);
      assertAllClose([loss], [Math.log(8)], { atol: 1e-5, msg: `value ${v}` });
    }
    const data = [-1e4, -3, -0.4, 0.2, 0.7, 1.6, 9, 1e6];
    const x = gpu.tensor(data, [4, 2]);
    const tape = new Tape(gpu);
    try {
      const y = histogramKl(tape, x, { bins: 16 });
      const [g] = tape.gradient(y, [x]);
      const grad = await g.read();
      g.dispose();
      const loss = (await y.read())[0];
      assert(Number.isFinite(loss), `loss ${loss} is not finite`);
      assert(grad.every(Number.isFinite), `gradient [${grad}] is not finite`);
      assertAllClose([loss], [histogramKlRef(data, 4, 2, 16)], { atol: 1e-5, msg: "far values" });
    } finally {
      tape.dispose();
      x.dispose();
    }
  },
);

gpuTest("histogramKl: gradient w.r.t. the values (finite differences)", async (gpu) => {
  const cases = [[1, 1, 8], [7, 2, 8], [33, 1, 16], [13, 2, 16]] as const;
  for (const [n, c, bins] of cases) {
    await checkGradients(gpu, {
      name: `histogramKl N=${n} C=${c} K=${bins}`,
      inputs: [{ shape: [n, c], data: rng.uniformArray(n * c, -0.3, 1.3) }],
      op: (t, [x]) => histogramKl(t, x, { bins }),
      ref: ([x]) => [histogramKlRef(x, n, c, bins)],
    });
  }
  await checkGradients(gpu, {
    name: "histogramKl bandwidth 0.2",
    inputs: [{ shape: [9, 2], data: rng.uniformArray(18, -0.5, 1.5) }],
    op: (t, [x]) => histogramKl(t, x, { bins: 6, bandwidth: 0.2 }),
    ref: ([x]) => [histogramKlRef(x, 9, 2, 6, 0.2)],
  });
});

gpuTest("histogramKl: SGD on the loss alone spreads concentrated values", async (gpu) => {
  const n = 256;
  const bins = 16;
  const x = gpu.tensor(rng.uniformArray(n * 2, 0.29, 0.31), [n, 2]);
  const opt = new Sgd(gpu, [{ name: "values", tensor: x }], { lr: 0.5 * n / (bins * bins) });
  const losses: number[] = [];
  try {
    for (let step = 0; step < 100; step++) {
      const tape = new Tape(gpu);
      const loss = histogramKl(tape, x, { bins });
      if (step === 0) losses.push((await loss.read())[0]);
      opt.minimize(tape, loss);
      tape.dispose();
      gpu.submit();
    }
    losses.push(await lossOf(gpu, await x.read(), n, 2, bins));
    const [first, last] = losses;
    assert(last < 0.5 * first, `loss went from ${first} to ${last}: expected a drop > 50%`);
    const v = await x.read();
    assert(v.every(Number.isFinite), "values became non-finite");
  } finally {
    opt.dispose();
    x.dispose();
  }
});

gpuTest("histogramKl: rejects bad shapes and options, naming the field", async (gpu) => {
  const x = gpu.tensor([0.1, 0.2, 0.3], [3]);
  const y = gpu.tensor([0.1, 0.2], [1, 2]);
  const tape = new Tape(gpu);
  try {
    assertThrows(() => histogramKl(tape, x, { bins: 8 }), RangeError, "values must have shape");
    assertThrows(() => histogramKl(tape, y, { bins: 0 }), RangeError, "bins");
    assertThrows(() => histogramKl(tape, y, { bins: 2.5 }), RangeError, "bins");
    assertThrows(() => histogramKl(tape, y, { bins: 8, bandwidth: 0 }), RangeError, "bandwidth");
    assertThrows(() => histogramKl(tape, y, { bins: 8, bandwidth: NaN }), RangeError, "bandwidth");
  } finally {
    tape.dispose();
    x.dispose();
    y.dispose();
  }
  await gpu.sync();
});
