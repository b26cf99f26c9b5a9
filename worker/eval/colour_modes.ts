/**
 * Colour-mode statistics of k colorizations per input (issue 14), the colour analogue of the
 * box-mode statistics of Fig. 5: every object region of every draw is scored by the mean (a, b)
 * in CIE L*a*b* of its interior pixels (those whose four neighbours belong to the same object, so
 * that the blur a network leaves along an object's edge does not count; the whole region when
 * fewer than `minPixels` are interior). It is on a hue of its class when within `tolerance` (ΔE in the
 * (a, b) plane; default {@link COLOUR_MODE_TOLERANCE}) of that hue's (a, b), and "between"
 * otherwise (between the class's hues, grey, or any other colour). Lightness is the network's
 * input and is not scored. Per class: the share of draws on each hue (to set against the hue's
 * odds), the share between, and `all_modes`: the share of objects whose k draws put at least one
 * draw on every hue of the class.
 * @module
 */
import { type ColourObjects, hueAb, LAB_AB_OFFSET, LAB_AB_SCALE } from "../data/mod.ts";

/** Default ΔE_ab within which a draw counts for a hue (the hues of a class are ≥ 45 apart). */
export const COLOUR_MODE_TOLERANCE = 15;

/** Statistics of one class. */
export interface ClassModeStats {
  /** Share of the scored draws on each hue, by hue name. */
  shares: Record<string, number>;
  /** Share of the scored draws on none of the class's hues. */
  between: number;
  /** Share of the objects whose k draws reach every hue of the class. */
  all_modes: number;
  /** The class's hue odds, by hue name (the ground truth the shares are set against). */
  odds: Record<string, number>;
  /** Objects scored. */
  objects: number;
}

/** Options of {@link colourModeStats}. */
export interface ColourModeStatsOptions {
  /** Draws per input (draw-major within an input). */
  draws: number;
  /** Pixels per image (H·W). */
  cells: number;
  /** Image width W. */
  width: number;
  /** ΔE_ab within which a draw counts for a hue (default {@link COLOUR_MODE_TOLERANCE}). */
  tolerance?: number;
  /** Objects with fewer pixels are not scored (default 4). */
  minPixels?: number;
}

/** Object indices of each image, in region-id order (region id = 1 + position). */
function objectsByImage(objects: ColourObjects): Map<number, number[]> {
  const out = new Map<number, number[]>();
  objects.image.forEach((img, o) => {
    const list = out.get(img) ?? [];
    list.push(o);
    out.set(img, list);
  });
  return out;
}

/**
 * Pixels of region `id` in image `row` of `regions`: the interior ones (all four neighbours in
 * the region; the image border counts as outside) when at least `minPixels`, else all of them.
 */
function objectPixels(
  regions: Int32Array,
  row: number,
  id: number,
  cells: number,
  width: number,
  minPixels: number,
): number[] {
  const at = (c: number) => regions[row * cells + c] === id;
  const all: number[] = [], interior: number[] = [];
  for (let c = 0; c < cells; c++) {
    if (!at(c)) continue;
    all.push(c);
    const x = c % width;
    const inside = x > 0 && x < width - 1 && c >= width && c < cells - width &&
      at(c - 1) && at(c + 1) && at(c - width) && at(c + width);
    if (inside) interior.push(c);
  }
  return interior.length >= minPixels ? interior : all;
}

/** Mean (a, b) in L*a*b* units of the pixels of `ab` (unit scale, [cells, 2]) in `region`. */
function regionMeanAb(ab: Float32Array, at: number, pixels: readonly number[]): [number, number] {
  let a = 0, b = 0;
  for (const c of pixels) {
    a += ab[(at + c) * 2];
    b += ab[(at + c) * 2 + 1];
  }
  const n = pixels.length;
  return [(a / n) * LAB_AB_SCALE - LAB_AB_OFFSET, (b / n) * LAB_AB_SCALE - LAB_AB_OFFSET];
}

/**
 * Scores `predicted` ([m·k, H, W, 2]: unit-scale (a, b) of the k draws of each of the m inputs)
 * for the test images `rows` (indices into `objects`' images, in input order).
 */
export function colourModeStats(
  predicted: Float32Array,
  objects: ColourObjects,
  rows: readonly number[],
  opts: ColourModeStatsOptions,
): Record<string, ClassModeStats> {
  const { draws: k, cells } = opts;
  const tol = opts.tolerance ?? COLOUR_MODE_TOLERANCE;
  const minPixels = opts.minPixels ?? 4;
  if (predicted.length !== rows.length * k * cells * 2) {
    throw new RangeError(
      `Cannot score ${predicted.length} values as ${rows.length} inputs × ${k} draws × ${cells} pixels × 2`,
    );
  }
  const counts = objects.classes.map((c) => ({
    hits: new Array<number>(c.hues.length).fill(0),
    between: 0,
    draws: 0,
    objects: 0,
    all: 0,
  }));
  const byImage = objectsByImage(objects);
  rows.forEach((row, i) => {
    const list = byImage.get(row) ?? [];
    list.forEach((o, position) => {
      const pixels = objectPixels(objects.regions, row, position + 1, cells, opts.width, minPixels);
      if (pixels.length < minPixels) return;
      const cls = objects.classes[objects.cls[o]];
      const centres = cls.hues.map(hueAb);
      const tally = counts[objects.cls[o]];
      const seen = new Set<number>();
      for (let j = 0; j < k; j++) {
        const [a, b] = regionMeanAb(predicted, (i * k + j) * cells, pixels);
        const d = centres.map(([ha, hb]) => Math.hypot(a - ha, b - hb));
        const nearest = d.indexOf(Math.min(...d));
        if (d[nearest] <= tol) {
          tally.hits[nearest]++;
          seen.add(nearest);
        } else {
          tally.between++;
        }
        tally.draws++;
      }
      tally.objects++;
      if (seen.size === cls.hues.length) tally.all++;
    });
  });
  const out: Record<string, ClassModeStats> = {};
  objects.classes.forEach((c, ci) => {
    const t = counts[ci];
    const share = (x: number) => (t.draws > 0 ? x / t.draws : NaN);
    out[c.name] = {
      shares: Object.fromEntries(c.hues.map((h, hi) => [h.name, share(t.hits[hi])])),
      between: share(t.between),
      all_modes: t.objects > 0 ? t.all / t.objects : NaN,
      odds: Object.fromEntries(c.hues.map((h) => [h.name, h.odds])),
      objects: t.objects,
    };
  });
  return out;
}

/**
 * The results.json form of the statistics: class → {hue: share, …, between, all_modes}.
 */
export function colourModeResults(
  stats: Record<string, ClassModeStats>,
): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(stats).map((
      [name, s],
    ) => [name, { ...s.shares, between: s.between, all_modes: s.all_modes }]),
  );
}
