/**
 * Optimizer updates applied in place, one dispatch per parameter tensor over vec4 items.
 */
import { kernel, read, readWrite, type StorageBinding } from "../kernel.ts";
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

const V4 = "vec4<f32>";

const ADAM = kernel({
  name: "adam_step",
  bindings: { param: readWrite(V4), grad: read(V4), m1: readWrite(V4), m2: readWrite(V4) },
  uniforms: {
    n: "u32",
    lr: "f32",
    beta1: "f32",
    beta2: "f32",
    eps: "f32",
    c1: "f32",
    c2: "f32",
    decay: "f32",
  },
  key: () => "v4",
  body: () => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let g = grad[gi];
  let m = p.beta1 * m1[gi] + (1.0 - p.beta1) * g;
  let v = p.beta2 * m2[gi] + (1.0 - p.beta2) * g * g;
  m1[gi] = m;
  m2[gi] = v;
  param[gi] = param[gi] * p.decay - p.lr * (m * p.c1) / (sqrt(v * p.c2) + p.eps);
}`,
});

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
  ADAM.run(param.gpu, {
    buffers: { param, grad, m1: m, m2: v },
    uniforms: {
      n,
      lr: opts.lr,
      beta1: opts.beta1,
      beta2: opts.beta2,
      eps: opts.eps,
      c1,
      c2,
      decay: 1 - opts.lr * (opts.weightDecay ?? 0),
    },
    workgroups: linearGrid(n),
  });
}

const SGD = kernel({
  name: "sgd_step",
  bindings: (momentum: boolean): Record<string, StorageBinding> => ({
    param: readWrite(V4),
    grad: read(V4),
    ...(momentum ? { vel: readWrite(V4) } : {}),
  }),
  uniforms: { n: "u32", lr: "f32", momentum: "f32", decay: "f32" },
  key: (momentum) => (momentum ? "momentum" : "plain"),
  body: (momentum) => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let w = param[gi];
  ${
    momentum
      ? "let g = p.momentum * vel[gi] + grad[gi] + p.decay * w;\n  vel[gi] = g;"
      : "let g = grad[gi] + p.decay * w;"
  }
  param[gi] = w - p.lr * g;
}`,
});

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
  SGD.run(param.gpu, {
    variant: vel !== null,
    buffers: vel ? { param, grad, vel } : { param, grad },
    uniforms: { n, lr: opts.lr, momentum, decay: opts.weightDecay ?? 0 },
    workgroups: linearGrid(n),
  });
}
