import { assertAllClose, assertThrows } from "../../testing/assert.ts";
import type { Gpu } from "../gpu/device.ts";
import { fusedLayout } from "../gpu/kernels/fused_mlp.ts";
import { fusedMlpRef, type FusedMlpRefOptions } from "../gpu/kernels/fused_mlp_ref.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { FusedMlp, type FusedMlpOptions } from "./fused_mlp.ts";
import { Tape } from "./tape.ts";

async function check(gpu: Gpu, opts: FusedMlpOptions) {
  const sizes = [5, 9, 7, 4];
  const rng = new Rng(21);
  const net = new FusedMlp(gpu, rng, sizes, opts);
  const rows = 6;
  const xa = rng.uniformArray(rows * 3);
  const xb = rng.uniformArray(rows * 2);
  const dy = rng.uniformArray(rows * 4);
  const w = Float64Array.from(await net.params.read());
  const u = net.u ? Float64Array.from(await net.u.read()) : undefined;
  const v = net.v ? Float64Array.from(await net.v.read()) : undefined;
  const ro: FusedMlpRefOptions = {
    slope: opts.slope ?? 0.2,
    scale: opts.outputScale ?? 1,
    softplusLast: opts.softplusLast ?? false,
    u,
    v,
  };
  const joined = new Float64Array(rows * 5);
  for (let r = 0; r < rows; r++) {
    joined.set(xa.subarray(r * 3, r * 3 + 3), r * 5);
    joined.set(xb.subarray(r * 2, r * 2 + 2), r * 5 + 3);
  }
  const [out, gxa, gxb, gw] = await gpu.scopeAsync(async () => {
    const a = gpu.tensor(xa, [rows, 3]);
    const b = gpu.tensor(xb, [rows, 2]);
    const tape = new Tape(gpu, { training: false });
    const y = net.forwardPair(tape, a, b);
    const grads = tape.gradient(y, [a, b, net.params], { dy: gpu.tensor(dy, [rows, 4]) });
    const res = [await y.read(), ...await Promise.all(grads.map((g) => g.read()))];
    tape.dispose();
    return res;
  });
  assertAllClose(out, fusedMlpRef(sizes, w, joined, rows, ro), { atol: 1e-5, msg: "forward" });
  const objective = (wv: ArrayLike<number>, xv: ArrayLike<number>) =>
    fusedMlpRef(sizes, wv, xv, rows, ro).reduce((s, y, i) => s + y * dy[i], 0);
  const eps = 1e-6;
  const fd = (base: Float64Array, f: (t: Float64Array) => number) =>
    base.map((_, i) => {
      const p = base.slice(), m = base.slice();
      p[i] += eps;
      m[i] -= eps;
      return (f(p) - f(m)) / (2 * eps);
    });
  const fx = fd(joined, (t) => objective(w, t));
  assertAllClose(
    gxa,
    Array.from({ length: rows * 3 }, (_, i) => fx[Math.floor(i / 3) * 5 + (i % 3)]),
    { atol: 1e-4, msg: "∂xa" },
  );
  assertAllClose(
    gxb,
    Array.from({ length: rows * 2 }, (_, i) => fx[Math.floor(i / 2) * 5 + 3 + (i % 2)]),
    { atol: 1e-4, msg: "∂xb" },
  );
  assertAllClose(gw, fd(w, (t) => objective(t, joined)), {
    atol: 2e-4,
    rtol: 1e-3,
    msg: "∂params",
  });
  net.dispose();
}

gpuTest("fused MLP forward and gradients match float64 finite differences", async (gpu) => {
  await check(gpu, { slope: 0.2, outputScale: 3, softplusLast: true });
});

gpuTest("fused MLP with spectral norm: gradient through σ with u, v held constant", async (gpu) => {
  await check(gpu, { spectralNorm: true, outputScale: 10 });
});

gpuTest("a training forward runs one power iteration per layer on u and v", async (gpu) => {
  const sizes = [3, 5, 2];
  const net = new FusedMlp(gpu, new Rng(2), sizes, { spectralNorm: true, warmup: 0 });
  const lay = fusedLayout(sizes);
  const w = await net.params.read();
  const u0 = await net.u!.read();
  const tape = new Tape(gpu, { record: false, training: true });
  net.forward(tape, gpu.tensor(new Float32Array(3), [1, 3]));
  const u1 = await net.u!.read();
  const v1 = await net.v!.read();
  tape.dispose();
  for (let l = 0; l < 2; l++) {
    const [r, c] = [sizes[l], sizes[l + 1]];
    const W = (i: number, j: number) => w[lay.wOff[l] + i * c + j];
    const v = Array.from({ length: c }, (_, j) => {
      let s = 0;
      for (let i = 0; i < r; i++) s += W(i, j) * u0[lay.uOff[l] + i];
      return s;
    });
    const vn = Math.hypot(...v);
    const u = Array.from({ length: r }, (_, i) => v.reduce((s, vj, j) => s + W(i, j) * vj / vn, 0));
    const un = Math.hypot(...u);
    assertAllClose(v1.subarray(lay.vOff[l], lay.vOff[l] + c), v.map((x) => x / vn), { atol: 1e-5 });
    assertAllClose(u1.subarray(lay.uOff[l], lay.uOff[l] + r), u.map((x) => x / un), { atol: 1e-5 });
  }
  net.dispose();
});

gpuTest("fused MLP validates sizes and inputs", (gpu) => {
  assertThrows(() => fusedLayout([3]), RangeError, "1 to 4 layers");
  const net = new FusedMlp(gpu, new Rng(1), [2, 4, 1]);
  const tape = new Tape(gpu);
  const x = gpu.tensor([1, 2, 3], [1, 3]);
  assertThrows(() => net.forward(tape, x), RangeError, "input size 2");
  x.dispose();
  tape.dispose();
  net.dispose();
});
