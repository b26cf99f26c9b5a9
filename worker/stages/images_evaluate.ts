/**
 * `images.evaluate@1`: k outputs per fixed test input (cGML by Eq. 4 with or without ρ, or with
 * T = 0 steps, i.e. no latent moves; L1 and CE repeat their single output), scored against the
 * clean test images on the scored region: PSNR (squared error pooled over the region's pixels of
 * all k draws, or of the best draw of each input) and SSIM (Gaussian window, averaged over the region); completions are
 * composited first (outputs under the mask, the input's visible pixels elsewhere); for
 * completion the box-mode statistics of Fig. 5; a PNG grid of input, ground truth and samples.
 * @module
 */
import type { imagesEvaluate, StageParams } from "../../pipelines/mod.ts";
import {
  boxRegion,
  type ImageSet,
  LAB_AB_OFFSET,
  LAB_AB_SCALE,
  labToRgb,
  unitToLab,
} from "../data/mod.ts";
import { type BoxModeStats, boxModeStats, psnr, ssim } from "../eval/mod.ts";
import { encodePng } from "../lib/mod.ts";
import { encodeJson } from "./artifacts.ts";
import {
  decodeImageSet,
  decodePairs,
  decodeTask,
  type ImagePairs,
  type ImageTask,
} from "./image_artifacts.ts";
import { decodeMapModel, evaluationDraws, gatherRows } from "./map_model.ts";
import { paramsOf, type StageImpl } from "./types.ts";

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
  seconds: number;
}

/** Unit value of a = b = 0 (grey). */
const NEUTRAL_AB = LAB_AB_OFFSET / LAB_AB_SCALE;

/** Most samples drawn per row of the grid. */
const GRID_DRAWS = 8;

/** Images as RGB in [0, 1] ([n, H, W, 3]) from the network's outputs or inputs. */
function toRgb(
  task: ImageTask,
  values: Float32Array,
  lightness: Float32Array | null,
): Float32Array {
  if (task.kind === "completion") {
    const out = new Float32Array(values.length * 3);
    values.forEach((v, i) => out.fill(Math.min(1, Math.max(0, v)), i * 3, i * 3 + 3));
    return out;
  }
  const cells = values.length / 2;
  const unit = new Float32Array(cells * 3);
  for (let c = 0; c < cells; c++) {
    unit[c * 3] = lightness![c];
    unit[c * 3 + 1] = values[c * 2];
    unit[c * 3 + 2] = values[c * 2 + 1];
  }
  return labToRgb(unitToLab(unit));
}

/** Repeats each of the m images of `images` k times. */
function repeatEach(images: Float32Array, m: number, k: number): Float32Array {
  const size = images.length / m;
  const out = new Float32Array(images.length * k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      out.set(images.subarray(i * size, (i + 1) * size), (i * k + j) * size);
    }
  }
  return out;
}

/** Draws rows of [input, truth, samples…] as an 8-bit PNG, each image scaled up to ≥ 48 px. */
function grid(
  set: ImageSet,
  rows: { input: Float32Array; truth: Float32Array; samples: Float32Array[] }[],
): Uint8Array {
  const { height: h, width: w } = set;
  const scale = Math.max(1, Math.ceil(48 / Math.max(h, w)));
  const gap = 4;
  const cols = 2 + Math.max(0, ...rows.map((r) => r.samples.length));
  const width = Math.max(1, cols * (w * scale + gap) - gap);
  const height = Math.max(1, rows.length * (h * scale + gap) - gap);
  const data = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((r, row) => {
    [r.input, r.truth, ...r.samples].forEach((img, col) => {
      for (let y = 0; y < h * scale; y++) {
        for (let x = 0; x < w * scale; x++) {
          const src = (Math.floor(y / scale) * w + Math.floor(x / scale)) * 3;
          const o = ((row * (h * scale + gap) + y) * width + col * (w * scale + gap) + x) * 3;
          for (let c = 0; c < 3; c++) data[o + c] = Math.round(255 * img[src + c]);
        }
      }
    });
  });
  return encodePng({ width, height, data });
}

/** Evaluates one model. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof imagesEvaluate>>(ctx);
  const set = decodeImageSet(await ctx.input("images"));
  const task = decodeTask(await ctx.input("task"));
  const test: ImagePairs = decodePairs(await ctx.input("test"));
  const gpu = await ctx.gpu();
  const model = decodeMapModel(gpu, await ctx.input("model"));
  const start = performance.now();
  try {
    const k = p.k;
    const m = test.rows.length;
    const cells = set.height * set.width;
    const out = await evaluationDraws(ctx, model, test.inputs, m, p);
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
    let bestSe = 0, bestCount = 0;
    for (let i = 0; i < m; i++) {
      let lowest = Infinity, n = 0;
      for (let j = 0; j < k; j++) {
        const at = (i * k + j) * cells * 3;
        let se = 0;
        n = 0;
        for (let c = 0; c < cells * 3; c++) {
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
    let spread = 0, counted = 0;
    const channels = test.outChannels;
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
    const metrics: ImageMetrics = {
      model: model.kind !== "cgml"
        ? model.kind
        : p.steps === 0
        ? "cgml-no-move"
        : p.momentum
        ? "cgml"
        : "cgml-no-rho",
      task: task.kind,
      condition: task.kind === "completion" ? `p${task.box_rate}` : "colour",
      psnr: psnr(predicted, truthK, { mask: regionRgb }),
      psnr_best: -10 * Math.log10(Math.max(bestSe / Math.max(bestCount, 1), 1e-12)),
      ssim: ssim(predicted, truthK, {
        count: m * k,
        height: set.height,
        width: set.width,
        channels: 3,
      }, { mask: regionK }),
      diversity: counted > 0 ? spread / counted : 0,
      draws: k,
      inputs: m,
      seconds: (performance.now() - start) / 1000,
    };
    if (task.kind === "completion") {
      metrics.modes = boxModeStats(out, test.targets, {
        height: set.height,
        width: set.width,
        box: boxRegion(set.height, set.width),
        draws: k,
      });
    }
    const shown = Math.min(p.show, m);
    const drawn = Math.min(k, GRID_DRAWS);
    const inputs = task.kind === "completion"
      ? maskedInputs(test, cells)
      : toRgb(task, new Float32Array(test.inputs.length * 2).fill(NEUTRAL_AB), test.inputs);
    const rows = Array.from({ length: shown }, (_, i) => ({
      input: inputs.subarray(i * cells * 3, (i + 1) * cells * 3),
      truth: truth.subarray(i * cells * 3, (i + 1) * cells * 3),
      samples: Array.from(
        { length: drawn },
        (_, j) => predicted.subarray((i * k + j) * cells * 3, (i * k + j + 1) * cells * 3),
      ),
    }));
    return { metrics: encodeJson(metrics), grid: grid(set, rows) };
  } finally {
    model.model.dispose();
  }
};

/**
 * Completed images ([m·k, H·W]): the outputs under the mask, the input's visible pixels
 * elsewhere (the loss only constrains the masked pixels when `region_weight` is 0).
 */
function composite(out: Float32Array, test: ImagePairs, k: number, cells: number): Float32Array {
  const done = new Float32Array(out.length);
  for (let r = 0; r < out.length / cells; r++) {
    const i = Math.floor(r / k);
    for (let c = 0; c < cells; c++) {
      const masked = test.region[i * cells + c] !== 0;
      done[r * cells + c] = masked ? out[r * cells + c] : test.inputs[(i * cells + c) * 2];
    }
  }
  return done;
}

/** Completion inputs as RGB: visible pixels grey, masked pixels dark blue. */
function maskedInputs(test: ImagePairs, cells: number): Float32Array {
  const n = test.rows.length * cells;
  const out = new Float32Array(n * 3);
  for (let c = 0; c < n; c++) {
    const v = test.inputs[c * 2], masked = test.inputs[c * 2 + 1] !== 0;
    out.set(masked ? [0.15, 0.2, 0.45] : [v, v, v], c * 3);
  }
  return out;
}
