/**
 * The tables of an inference: `predictions.csv` (one row per input and draw: `input` — the
 * object key, path or row number —, `draw`, `mode`, then the task's columns: a map model's
 * `change` (RMS difference of the restoration from the input map over its coefficients) and,
 * with a probe, the input's `class` and its softmax `score`; a toy model's `x…` and `y…`),
 * `modes.json` (per input: the modes its draws form, their sizes and spread) and
 * `samples.safetensors` (`samples` [m, k, …], `inputs` [m, …], `modes` [m, k]; the input names
 * and settings in the metadata).
 * @module
 */
import { stringify } from "csv-stringify/sync";
import type { InferenceResult } from "../models/mod.ts";
import { encodeSafetensors } from "../nn/mod.ts";

const fmt = (v: number) => Number(v.toPrecision(7));

/** `predictions.csv`: inputs × k rows. */
export function predictionsCsv(r: InferenceResult): string {
  const m = r.names.length;
  const outDim = r.outputs.length / (m * r.k);
  const inDim = r.inputs.length / m;
  const header = ["input", "draw", "mode"];
  if (r.kind === "map") header.push("change");
  if (r.classes !== null) header.push("class", "score");
  header.push(...r.inputColumns, ...r.columns);
  const rows: (string | number)[][] = [header];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < r.k; j++) {
      const row: (string | number)[] = [r.names[i], j, r.modes[i].mode[j]];
      const out = r.outputs.subarray((i * r.k + j) * outDim, (i * r.k + j + 1) * outDim);
      if (r.kind === "map") {
        row.push(fmt(change(out, r.inputs.subarray(i * inDim, (i + 1) * inDim), r.valid!)));
      }
      if (r.classes !== null) row.push(r.classes[i].label, fmt(r.classes[i].score));
      if (r.kind === "toy") {
        for (let c = 0; c < inDim; c++) row.push(fmt(r.inputs[i * inDim + c]));
        for (const v of out) row.push(fmt(v));
      }
      rows.push(row);
    }
  }
  return stringify(rows);
}

function change(out: Float32Array, input: Float32Array, valid: Float32Array): number {
  let s = 0;
  let n = 0;
  for (let c = 0; c < out.length; c++) {
    if (valid[c] === 0) continue;
    s += (out[c] - input[c]) ** 2;
    n++;
  }
  return Math.sqrt(s / Math.max(n, 1));
}

/** `modes.json`: the settings and, per input, its modes (sizes, spread) and class. */
export function modesJson(r: InferenceResult): string {
  return JSON.stringify(
    {
      kind: r.kind,
      k: r.k,
      steps: r.steps,
      momentum: r.momentum,
      tolerance: r.tolerance,
      inputs: r.names.map((input, i) => ({
        input,
        modes: r.modes[i].sizes.length,
        sizes: r.modes[i].sizes,
        spread: r.modes[i].spread.map(fmt),
        ...(r.classes === null
          ? {}
          : { class: r.classes[i].label, score: fmt(r.classes[i].score) }),
      })),
    },
    null,
    2,
  );
}

/** `samples.safetensors`: the k outputs per input, the inputs and the mode of every draw. */
export function samplesSafetensors(r: InferenceResult): Uint8Array {
  const m = r.names.length;
  const modes = new Float32Array(m * r.k);
  r.modes.forEach((d, i) => modes.set(d.mode, i * r.k));
  return encodeSafetensors([
    ["samples", { shape: [m, r.k, ...r.outShape], data: r.outputs }],
    ["inputs", { shape: [m, ...r.inShape], data: r.inputs }],
    ["modes", { shape: [m, r.k], data: modes }],
  ], {
    inputs: JSON.stringify(r.names),
    kind: r.kind,
    k: String(r.k),
    steps: String(r.steps),
    ...(r.kind === "map" ? { values: "standardised map cells (the model's statistics)" } : {}),
    ...(r.kind === "image" ? { values: "RGB in [0, 1]" } : {}),
  });
}
