/**
 * Mode statistics of Fig. 5 (the white box): for every generated image, the mean intensity s
 * inside the box region, placed between the two modes by t = (s − s₀) / (b − s₀), where s₀ is
 * the mean of the clean image there (no box) and b = 1 the box. A sample is near "box" when
 * t ≥ 1 − τ, near "no box" when t ≤ τ, and "between" otherwise (τ = 0.25 by default).
 * @module
 */

/** Shares of the samples near each mode, and between them. */
export interface BoxModeStats {
  box: number;
  no_box: number;
  between: number;
  /** Samples counted. */
  samples: number;
  /** Mean t over the samples. */
  mean_t: number;
  /** Share of inputs whose k samples include both a "box" and a "no box" sample. */
  both_modes: number;
}

/** Options of {@link boxModeStats}. */
export interface BoxModeOptions {
  /** Image side lengths. */
  height: number;
  width: number;
  /** The box: rows [top, top + size), columns [left, left + size). */
  box: { top: number; left: number; size: number };
  /** Samples per input (draw-major within an input). */
  draws: number;
  /** Distance to a mode that still counts as near it (default 0.25). */
  tolerance?: number;
  /** Box intensity (default 1). */
  boxValue?: number;
}

/** Mean intensity of the box region of image `i` of `images` ([n, H, W]). */
export function boxMean(
  images: Float32Array,
  i: number,
  o: Pick<BoxModeOptions, "height" | "width" | "box">,
): number {
  const { top, left, size } = o.box;
  const base = i * o.height * o.width;
  let s = 0;
  for (let y = top; y < top + size; y++) {
    for (let x = left; x < left + size; x++) s += images[base + y * o.width + x];
  }
  return s / (size * size);
}

/**
 * Statistics of `samples` ([m·k, H, W]) against the clean images `clean` ([m, H, W]); inputs
 * whose clean box region is already bright (s₀ > 0.5) are skipped, as the two modes there
 * cannot be told apart.
 */
export function boxModeStats(
  samples: Float32Array,
  clean: Float32Array,
  opts: BoxModeOptions,
): BoxModeStats {
  const tol = opts.tolerance ?? 0.25;
  const b = opts.boxValue ?? 1;
  const k = opts.draws;
  const m = clean.length / (opts.height * opts.width);
  let box = 0, none = 0, between = 0, count = 0, sumT = 0, both = 0, inputs = 0;
  for (let i = 0; i < m; i++) {
    const s0 = boxMean(clean, i, opts);
    if (s0 > 0.5) continue;
    inputs++;
    let sawBox = false, sawNone = false;
    for (let j = 0; j < k; j++) {
      const t = (boxMean(samples, i * k + j, opts) - s0) / (b - s0);
      sumT += t;
      count++;
      if (t >= 1 - tol) {
        box++;
        sawBox = true;
      } else if (t <= tol) {
        none++;
        sawNone = true;
      } else {
        between++;
      }
    }
    if (sawBox && sawNone) both++;
  }
  const share = (x: number) => (count > 0 ? x / count : NaN);
  return {
    box: share(box),
    no_box: share(none),
    between: share(between),
    samples: count,
    mean_t: share(sumT),
    both_modes: inputs > 0 ? both / inputs : NaN,
  };
}
