/**
 * Optimizer updates applied in place, one dispatch per parameter tensor over vec4 items.
 */
import { params } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import {
  LINEAR_MAIN,
  linearGrid,
  requireSameShape,
  requireUnaliased,
  vec4Count,
} from "./_common.ts";

/** Hyper-parameters of {@link adamStep}. */
export interface AdamOptions {
  /** Learning rate. */
  lr: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Added to the root of the corrected second moment. */
  eps: number;
  /** 1-based step number, for bias correction. */
  step: number;
  /** Decoupled weight decay (AdamW); default 0. */
  weightDecay?: number;
}

/** Hyper-parameters of {@link sgdStep}. */
export interface SgdOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor; needs a velocity tensor when positive. Default 0. */
  momentum?: number;
  /** L2 weight decay added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * One Adam step, in place on `param`, `m` and `v` (zero-initialised moments):
 * `m = β1 m + (1-β1) g`, `v = β2 v + (1-β2) g²`,
 * `param = param (1 - lr·wd) - lr · m̂ / (√v̂ + eps)` with bias-corrected `m̂`, `v̂`.
 */
export function adamStep(
  param: Tensor,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  opts: AdamOptions,
): void {
  requireSameShape("take an Adam step", param, grad, m, v);
  requireUnaliased("take an Adam step", [param, m, v], [param, grad, m, v]);
  if (!Number.isInteger(opts.step) || opts.step < 1) {
    throw new RangeError(`Cannot take an Adam step: step ${opts.step} must be an integer >= 1`);
  }
  if (param.size === 0) return;
  const n = vec4Count(param.size);
  const c1 = 1 / (1 - opts.beta1 ** opts.step);
  const c2 = 1 / (1 - opts.beta2 ** opts.step);
  param.gpu.run({
    name: "adam_step",
    key: "v4",
    source: () => `
@group(0) @binding(0) var<storage, read_write> param: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> grad: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> m1: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> m2: array<vec4<f32>>;
struct P { n: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, c1: f32, c2: f32, decay: f32 }
@group(0) @binding(4) var<uniform> p: P;
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let g = grad[gi];
  let m = p.beta1 * m1[gi] + (1.0 - p.beta1) * g;
  let v = p.beta2 * m2[gi] + (1.0 - p.beta2) * g * g;
  m1[gi] = m;
  m2[gi] = v;
  param[gi] = param[gi] * p.decay - p.lr * (m * p.c1) / (sqrt(v * p.c2) + p.eps);
}`,
    buffers: [param, grad, m, v],
    params: params().u32(n).f32(opts.lr).f32(opts.beta1).f32(opts.beta2).f32(opts.eps).f32(c1)
      .f32(c2).f32(1 - opts.lr * (opts.weightDecay ?? 0)).build(),
    workgroups: linearGrid(n),
  });
}

/**
 * One SGD step, in place on `param` (and `velocity`, zero-initialised, when momentum > 0):
 * `g = grad + wd·param`, `velocity = μ·velocity + g`, `param -= lr·velocity` (or `lr·g`).
 */
export function sgdStep(
  param: Tensor,
  grad: Tensor,
  velocity: Tensor | null,
  opts: SgdOptions,
): void {
  const momentum = opts.momentum ?? 0;
  if (momentum !== 0 && !velocity) {
    throw new RangeError("Cannot take an SGD step: momentum needs a velocity tensor");
  }
  const vel = momentum !== 0 ? velocity : null;
  requireSameShape("take an SGD step", param, grad, ...(vel ? [vel] : []));
  requireUnaliased("take an SGD step", vel ? [param, vel] : [param], [param, grad, vel]);
  if (param.size === 0) return;
  const n = vec4Count(param.size);
  param.gpu.run({
    name: "sgd_step",
    key: vel ? "momentum" : "plain",
    source: () => `
@group(0) @binding(0) var<storage, read_write> param: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> grad: array<vec4<f32>>;
${vel ? "@group(0) @binding(2) var<storage, read_write> vel: array<vec4<f32>>;" : ""}
struct P { n: u32, lr: f32, momentum: f32, decay: f32 }
@group(0) @binding(${vel ? 3 : 2}) var<uniform> p: P;
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let w = param[gi];
  ${
      vel
        ? "let g = p.momentum * vel[gi] + grad[gi] + p.decay * w;\n  vel[gi] = g;"
        : "let g = grad[gi] + p.decay * w;"
    }
  param[gi] = w - p.lr * g;
}`,
    buffers: vel ? [param, grad, vel] : [param, grad],
    params: params().u32(n).f32(opts.lr).f32(momentum).f32(opts.weightDecay ?? 0).build(),
    workgroups: linearGrid(n),
  });
}
