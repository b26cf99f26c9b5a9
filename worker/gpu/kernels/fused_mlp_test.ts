import { assertAllClose } from "../../../testing/assert.ts";
import type { Gpu } from "../device.ts";
import { gpuTest } from "../_testing.ts";
import { assertDiffers, rngFor } from "./_testing.ts";
import {
  fusedLayout,
  fusedMlpBackward,
  fusedMlpForward,
  fusedMlpSigma,
  type FusedMlpSpec,
} from "./fused_mlp.ts";
import { fusedMlpRef } from "./fused_mlp_ref.ts";

/** Random parameters, inputs and unit u, v for `sizes`; uploads them. */
function setup(gpu: Gpu, name: string, sizes: number[], rows: number, na: number) {
  const rng = rngFor(name);
  const layout = fusedLayout(sizes);
  const w = rng.uniformArray(layout.paramCount, -0.6, 0.6);
  const x = rng.uniformArray(rows * sizes[0]);
  const unit = (n: number) => {
    const v = rng.normalArray(n);
    const norm = Math.hypot(...v);
    return v.map((s) => s / norm);
  };
  const u = new Float32Array(layout.uCount);
  const v = new Float32Array(layout.vCount);
  layout.uOff.forEach((o, l) => u.set(unit(sizes[l]), o));
  layout.vOff.forEach((o, l) => v.set(unit(sizes[l + 1]), o));
  const xa = new Float32Array(rows * na);
  const xb = new Float32Array(rows * (sizes[0] - na));
  for (let r = 0; r < rows; r++) {
    xa.set(x.subarray(r * sizes[0], r * sizes[0] + na), r * na);
    xb.set(x.subarray(r * sizes[0] + na, (r + 1) * sizes[0]), r * (sizes[0] - na));
  }
  return {
    layout,
    w,
    x,
    u,
    v,
    t: {
      params: gpu.tensor(w, [layout.paramCount]),
      u: gpu.tensor(u, [layout.uCount]),
      v: gpu.tensor(v, [layout.vCount]),
      xa: gpu.tensor(xa, [rows, na]),
      xb: gpu.tensor(xb, [rows, sizes[0] - na]),
    },
  };
}

gpuTest("fused MLP forward kernel matches the float64 reference on awkward shapes", async (gpu) => {
  const cases = [
    { sizes: [3, 17, 2], rows: 1, spectralNorm: false, softplusLast: true },
    { sizes: [5, 9, 7, 4], rows: 65, spectralNorm: true, softplusLast: false },
    { sizes: [33, 16, 20, 13, 6], rows: 130, spectralNorm: true, softplusLast: true },
  ];
  for (const c of cases) {
    const name = `forward ${c.sizes}`;
    const s = setup(gpu, name, c.sizes, c.rows, 2);
    const spec: FusedMlpSpec = { layout: s.layout, slope: 0.2, outputScale: 3, ...c };
    const tensors = { params: s.t.params, u: s.t.u, v: s.t.v };
    // Power iterations first, so that σ is the largest singular value, not an ill-conditioned
    // small one of random u, v.
    for (let i = 0; c.spectralNorm && i < 5; i++) fusedMlpSigma(gpu, spec, tensors, true).dispose();
    const [u, v] = [await s.t.u.read(), await s.t.v.read()];
    const sigma = c.spectralNorm ? fusedMlpSigma(gpu, spec, tensors, false) : gpu.zeros([1]);
    const fwd = fusedMlpForward(gpu, spec, s.t.params, sigma, s.t.xa, s.t.xb);
    const ref = fusedMlpRef(c.sizes, s.w, s.x, c.rows, {
      slope: 0.2,
      scale: 3,
      softplusLast: c.softplusLast,
      ...(c.spectralNorm ? { u, v } : {}),
    });
    const out = await fwd.out.read();
    assertAllClose(out, ref, { atol: 2e-5, rtol: 1e-5, msg: name });
    const unnormalised = fusedMlpRef(c.sizes, s.w, s.x, c.rows, {
      slope: 0.2,
      scale: 3,
      softplusLast: c.softplusLast,
    });
    if (c.spectralNorm) assertDiffers(out, unnormalised, 1e-3, "σ must divide the weights");
    for (const t of [...Object.values(s.t), sigma, fwd.out, fwd.hs, fwd.pre]) t.dispose();
  }
});

gpuTest("fused MLP backward kernels give the gradients of Σ y·dy", async (gpu) => {
  const sizes = [4, 18, 3];
  const rows = 5;
  const s = setup(gpu, "backward", sizes, rows, 3);
  const spec: FusedMlpSpec = {
    layout: s.layout,
    slope: 0.2,
    outputScale: 2,
    softplusLast: true,
    spectralNorm: true,
  };
  const rng = rngFor("backward dy");
  const dyData = rng.uniformArray(rows * 3);
  const dy = gpu.tensor(dyData, [rows, 3]);
  const tensors = { params: s.t.params, u: s.t.u, v: s.t.v };
  const sigma = fusedMlpSigma(gpu, spec, tensors, false);
  const fwd = fusedMlpForward(gpu, spec, s.t.params, sigma, s.t.xa, s.t.xb);
  const g = fusedMlpBackward(gpu, spec, tensors, fwd, sigma, dy, { na: 3, nb: 1 }, true);
  const opts = { slope: 0.2, scale: 2, softplusLast: true, u: s.u, v: s.v };
  const objective = (w: ArrayLike<number>, x: ArrayLike<number>) =>
    fusedMlpRef(sizes, w, x, rows, opts).reduce((acc, y, i) => acc + y * dyData[i], 0);
  const fd = (base: Float32Array, f: (t: Float64Array) => number) =>
    Array.from(base, (_, i) => {
      const p = Float64Array.from(base), m = Float64Array.from(base);
      p[i] += 1e-6;
      m[i] -= 1e-6;
      return (f(p) - f(m)) / 2e-6;
    });
  const dx = fd(s.x, (x) => objective(s.w, x));
  const dxa = await g.dxa.read();
  const dxb = await g.dxb.read();
  const joined = Array.from({ length: rows * 4 }, (_, i) => {
    const r = Math.floor(i / 4), c = i % 4;
    return c < 3 ? dxa[r * 3 + c] : dxb[r];
  });
  assertAllClose(joined, dx, { atol: 1e-4, msg: "∂x" });
  assertAllClose(await g.params!.read(), fd(s.w, (w) => objective(w, s.x)), {
    atol: 2e-4,
    rtol: 1e-3,
    msg: "∂params",
  });
  for (const t of [...Object.values(s.t), dy, sigma, fwd.out, fwd.hs, fwd.pre, g.dxa, g.dxb]) {
    t.dispose();
  }
  g.params!.dispose();
});
