/** Float64 CPU references of the optimizer steps (they return new arrays). */
import type { AdamOptions, SgdOptions } from "./optim.ts";

/** One Adam(W) step in float64; returns the updated parameter and moments. */
export function adamStepRef(
  param: ArrayLike<number>,
  grad: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  o: AdamOptions,
): { param: Float64Array; m: Float64Array; v: Float64Array } {
  const p = Float64Array.from(param);
  const m2 = Float64Array.from(m);
  const v2 = Float64Array.from(v);
  const wd = o.weightDecay ?? 0;
  for (let i = 0; i < p.length; i++) {
    m2[i] = o.beta1 * m2[i] + (1 - o.beta1) * grad[i];
    v2[i] = o.beta2 * v2[i] + (1 - o.beta2) * grad[i] ** 2;
    const mh = m2[i] / (1 - o.beta1 ** o.step);
    const vh = v2[i] / (1 - o.beta2 ** o.step);
    p[i] = p[i] * (1 - o.lr * wd) - (o.lr * mh) / (Math.sqrt(vh) + o.eps);
  }
  return { param: p, m: m2, v: v2 };
}

/** One SGD step in float64; returns the updated parameter and velocity. */
export function sgdStepRef(
  param: ArrayLike<number>,
  grad: ArrayLike<number>,
  velocity: ArrayLike<number> | null,
  o: SgdOptions,
): { param: Float64Array; velocity: Float64Array | null } {
  const p = Float64Array.from(param);
  const mu = o.momentum ?? 0;
  const vel = velocity && mu !== 0 ? Float64Array.from(velocity) : null;
  for (let i = 0; i < p.length; i++) {
    let g = grad[i] + (o.weightDecay ?? 0) * p[i];
    if (vel) g = vel[i] = mu * vel[i] + g;
    p[i] -= o.lr * g;
  }
  return { param: p, velocity: vel };
}
