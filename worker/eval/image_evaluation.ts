/**
 * Scores of k outputs per fixed test input of an image task against the clean test images, on
 * the scored region: PSNR (squared error pooled over the region's pixels of all k draws, or of
 * the best draw of each input), SSIM (Gaussian window, averaged over the region) and the spread
 * of the draws; completions are composited first (outputs under the mask, the input's visible
 * pixels elsewhere); for completion the box-mode statistics of Fig. 5; for colorization of
 * generated colour-mode images the colour-mode statistics (colour_modes.ts).
 * @module
 */
import {
  boxRegion,
  gatherRows,
  type ImagePairs,
  type ImageSet,
  type ImageTask,
} from "../data/mod.ts";
import { type BoxModeStats, boxModeStats } from "./box_modes.ts";
import { type ClassModeStats, colourModeStats } from "./colour_modes.ts";
import { psnr, ssim } from "./image_metrics.ts";
import { composite, inputsRgb, repeatEach, toRgb } from "./image_samples.ts";

/** The `image-metrics` artifact. */
export interface ImageMetrics {
  /** cgml, cgml-no-rho, cgml-no-move, l1 or ce. */
  model: string;
  task: ImageTask["kind"];
  /** "p<box rate>" for completion, "colour" for colorization. */
  condition: string;
  psnr: number;
  psnr_best: number;
  ssim: number;
  /** Mean per-pixel std over the k draws on the scored region. */
  diversity: number;
  draws: number;
  inputs: number;
  /** Completion only. */
  modes?: BoxModeStats;
  /** Colorization of generated colour-mode images only: per class, where the k draws land. */
  colour_modes?: Record<string, ClassModeStats>;
  seconds: number;
}

/** Scores and the RGB images they were computed on (for the sample grid). */
export interface ImageEvaluation {
  metrics: Omit<ImageMetrics, "model" | "seconds">;
  rgb: { inputs: Float32Array; truth: Float32Array; predicted: Float32Array };
}

/** Scores `out` ([m·k, H, W, outChannels], k draws per test input, draw-major). */
export function evaluateImageDraws(
  set: ImageSet,
  task: ImageTask,
  test: ImagePairs,
  out: Float32Array,
  k: number,
): ImageEvaluation {
  const m = test.rows.length;
  const cells = set.height * set.width;
  const lightness = task.kind === "colorization" ? repeatEach(test.inputs, m, k) : null;
  const predicted = toRgb(
    task,
    task.kind === "completion" ? composite(out, test, k, cells) : out,
    lightness,
  );
  const truth = task.kind === "completion"
    ? toRgb(task, test.targets, null)
    : gatherRows(set.pixels, cells * 3, test.rows);
  const truthK = repeatEach(truth, m, k);
  const regionK = repeatEach(test.region, m, k);
  const regionRgb = new Float32Array(regionK.length * 3);
  regionK.forEach((v, i) => regionRgb.fill(v, i * 3, i * 3 + 3));
  const metrics: ImageEvaluation["metrics"] = {
    task: task.kind,
    condition: task.kind === "completion" ? `p${task.box_rate}` : "colour",
    psnr: psnr(predicted, truthK, { mask: regionRgb }),
    psnr_best: bestDrawPsnr(predicted, truthK, regionRgb, m, k),
    ssim: ssim(predicted, truthK, {
      count: m * k,
      height: set.height,
      width: set.width,
      channels: 3,
    }, { mask: regionK }),
    diversity: drawSpread(out, test, k, cells),
    draws: k,
    inputs: m,
  };
  if (task.kind === "completion") {
    metrics.modes = boxModeStats(out, test.targets, {
      height: set.height,
      width: set.width,
      box: boxRegion(set.height, set.width),
      draws: k,
    });
  }
  if (task.kind === "colorization" && set.objects) {
    metrics.colour_modes = colourModeStats(out, set.objects, test.rows, {
      draws: k,
      cells,
      width: set.width,
    });
  }
  return { metrics, rgb: { inputs: inputsRgb(task, test, cells), truth, predicted } };
}

/** PSNR (peak 1) of the squared error of the best draw of each input, pooled over the region. */
function bestDrawPsnr(
  predicted: Float32Array,
  truthK: Float32Array,
  regionRgb: Float32Array,
  m: number,
  k: number,
): number {
  const size = predicted.length / (m * k);
  let bestSe = 0, bestCount = 0;
  for (let i = 0; i < m; i++) {
    let lowest = Infinity, n = 0;
    for (let j = 0; j < k; j++) {
      const at = (i * k + j) * size;
      let se = 0;
      n = 0;
      for (let c = 0; c < size; c++) {
        if (regionRgb[at + c] === 0) continue;
        se += (predicted[at + c] - truthK[at + c]) ** 2;
        n++;
      }
      lowest = Math.min(lowest, se);
    }
    if (n > 0) {
      bestSe += lowest;
      bestCount += n;
    }
  }
  return -10 * Math.log10(Math.max(bestSe / Math.max(bestCount, 1), 1e-12));
}

/** Mean per-pixel, per-channel std of the k draws on the scored region. */
function drawSpread(out: Float32Array, test: ImagePairs, k: number, cells: number): number {
  const m = test.rows.length;
  const channels = test.outChannels;
  let spread = 0, counted = 0;
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < cells; c++) {
      if (test.region[i * cells + c] === 0) continue;
      for (let ch = 0; ch < channels; ch++) {
        let mu = 0, sq = 0;
        for (let j = 0; j < k; j++) mu += out[((i * k + j) * cells + c) * channels + ch] / k;
        for (let j = 0; j < k; j++) {
          sq += (out[((i * k + j) * cells + c) * channels + ch] - mu) ** 2 / k;
        }
        spread += Math.sqrt(sq);
        counted++;
      }
    }
  }
  return counted > 0 ? spread / counted : 0;
}
