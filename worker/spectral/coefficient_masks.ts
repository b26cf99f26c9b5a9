/**
 * Cell masks of spectral maps chosen by the coefficients' indices, for corruptions that hide a
 * known part of the spectrum (issue 14), and the half-turn symmetry that makes one of them
 * two-modal.
 *
 * A rotation of the shape by γ about the z axis turns the pair of real coefficients (n, l, ±m)
 * by the angle m·γ and leaves m = 0 unchanged; a half turn (γ = π) multiplies every coefficient
 * by (−1)^m. So when every odd-m coefficient is hidden, a shape and its half-turned copy look the
 * same, and with the random yaw of the synthetic shapes both are equally likely: the hidden
 * cells have exactly two modes, v and −v (in raw coefficients).
 * @module
 */
import { shIndices, zernikeIndices } from "./indexing.ts";
import type { MapLayout } from "./layout.ts";

/** Which coefficients a mask hides. */
export type CoefficientRule =
  | { kind: "odd_m" }
  | { kind: "above_degree"; degree: number };

/** Degree (Zernike n, SH l) and azimuthal order m of every coefficient of `layout`. */
function coefficientIndices(layout: MapLayout): { degree: number; m: number }[] {
  return layout.kind === "zernike-raster"
    ? zernikeIndices(layout.order).map(({ n, m }) => ({ degree: n, m }))
    : shIndices(layout.order).map(({ l, m }) => ({ degree: l, m }));
}

/** 1 on the cells whose coefficient `rule` hides, 0 elsewhere (padding is never hidden). */
export function coefficientCellMask(layout: MapLayout, rule: CoefficientRule): Uint8Array {
  const mask = new Uint8Array(layout.height * layout.width);
  coefficientIndices(layout).forEach(({ degree, m }, c) => {
    const hidden = rule.kind === "odd_m" ? Math.abs(m) % 2 === 1 : degree > rule.degree;
    if (hidden) mask[layout.cellOf[c]] = 1;
  });
  return mask;
}

/**
 * The cells `rule` hides, in increasing order; an error naming the rule when it hides no
 * coefficient of `layout` (e.g. `above_degree` at or above the map's order).
 */
export function hiddenCells(layout: MapLayout, rule: CoefficientRule): number[] {
  const hidden: number[] = [];
  coefficientCellMask(layout, rule).forEach((v, c) => v && hidden.push(c));
  if (hidden.length === 0) {
    const what = rule.kind === "odd_m" ? "odd_m" : `above_degree with degree ${rule.degree}`;
    throw new RangeError(
      `Cannot use mask ${what}: it hides no coefficient of a map of order ${layout.order}`,
    );
  }
  return hidden;
}

/** Per cell the factor (−1)^m a half turn about z applies to its coefficient (padding 1). */
export function halfTurnSigns(layout: MapLayout): Float32Array {
  const signs = new Float32Array(layout.height * layout.width).fill(1);
  coefficientIndices(layout).forEach(({ m }, c) => {
    if (Math.abs(m) % 2 === 1) signs[layout.cellOf[c]] = -1;
  });
  return signs;
}

/**
 * The half-turned copies of standardised maps: each map ([N, cells] of (raw − mean) / std,
 * std floored at 1e-6 · max std as the maps stage does) is de-standardised, multiplied by the
 * half-turn `signs` and standardised again, then clipped to ±clip.
 */
export function halfTurnStandardised(
  values: Float32Array,
  stats: { mean: Float32Array; std: Float32Array; clip: number },
  signs: Float32Array,
): Float32Array {
  const cells = signs.length;
  const floor = 1e-6 * Math.max(...stats.std);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % cells;
    if (signs[c] > 0) {
      out[i] = values[i];
      continue;
    }
    const s = Math.max(stats.std[c], floor);
    const turned = (-(values[i] * s + stats.mean[c]) - stats.mean[c]) / s;
    out[i] = Math.max(-stats.clip, Math.min(stats.clip, turned));
  }
  return out;
}
