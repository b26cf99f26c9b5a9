/**
 * The detached terms of the soft-histogram assignment used by `nn/ops/histogram.ts`: for each
 * value v and bin k of `bins` equal bins on [0, 1] (centres c_k = (k + 0.5) / bins), with u the
 * centre nearest to v, slope_k = (c_k − u) / σ² and mid_k = (u + c_k) / 2.
 * @module
 */
import { kernel, read, readWrite } from "../kernel.ts";
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";

const WG = 64;

const SOFT_BIN_TERMS = kernel({
  name: "soft_bin_terms",
  bindings: { src: read(), slope: readWrite(), mid: readWrite() },
  uniforms: { total: "u32", bins: "u32", inv_var: "f32" },
  key: () => "s",
  body: () =>
    `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let gi = (wid.x + wid.y * nwg.x) * ${WG}u + lid;
  if (gi >= p.total) { return; }
  let v = src[gi / p.bins];
  let kf = f32(p.bins);
  let j = clamp(floor(v * kf), 0.0, kf - 1.0);
  let u = (j + 0.5) / kf;
  let ck = (f32(gi % p.bins) + 0.5) / kf;
  slope[gi] = (ck - u) * p.inv_var;
  mid[gi] = 0.5 * (u + ck);
}`,
});

/**
 * The detached terms of the soft assignment of `values` [N, C]: `slope` and `mid` [N, C, bins]
 * with slope_k = (c_k − u) / σ² and mid_k = (u + c_k) / 2, u the centre nearest to the value
 * (one dispatch).
 */
export function softBinTerms(
  values: Tensor,
  bins: number,
  bandwidth: number,
): { slope: Tensor; mid: Tensor } {
  const gpu = values.gpu;
  const shape = [...values.shape, bins];
  const slope = gpu.empty(shape);
  const mid = gpu.empty(shape);
  const total = values.size * bins;
  if (total === 0) return { slope, mid };
  SOFT_BIN_TERMS.run(gpu, {
    buffers: { src: values, slope, mid },
    uniforms: { total, bins, inv_var: 1 / (bandwidth * bandwidth) },
    workgroups: grid1d(ceilDiv(total, WG)),
  });
  return { slope, mid };
}
