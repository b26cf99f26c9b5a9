/**
 * What the demo prints besides plain lines: a job's progress bar, the published model's version
 * line and, per shown test shape, its key, true class, the modes of its k restorations and the
 * probe's class (from the inference job's `modes.json`).
 *
 * @module
 */

import type { JobView } from "./demo_api.ts";
import { formatSeconds } from "./runner/mod.ts";

/** One input of an inference job's `modes.json` (a map model with a probe). */
export interface InferredShape {
  /** The object key. */
  input: string;
  /** Modes the k draws form, and the draws in each. */
  modes: number;
  sizes: number[];
  /** RMS spread of each mode. */
  spread: number[];
  /** The probe's class and softmax probability, when the model has a probe. */
  class?: string;
  score?: number;
}

/** An inference job's `modes.json`. */
export interface ModesFile {
  kind: string;
  k: number;
  steps: number;
  inputs: InferredShape[];
}

/** A version of a published model, as `GET /v1/models/{name}` lists it (fields shown). */
export interface ModelVersionView {
  version: number;
  created: string;
  source: { pipeline: string; job?: string };
  metrics?: {
    evaluation?: { psnr?: number };
    probe?: { accuracy?: number };
  };
}

/** One progress-bar line for a job. */
export function formatJobProgress(job: JobView): string {
  const p = job.progress ?? {};
  const fraction = Math.min(1, Math.max(0, p.fraction ?? 0));
  const cells = 30;
  const full = Math.round(fraction * cells);
  const parts = [
    `[${"#".repeat(full)}${".".repeat(cells - full)}] ${(fraction * 100).toFixed(0).padStart(3)}%`,
    job.status,
  ];
  if (p.stage !== undefined) {
    parts.push(
      p.index !== undefined && p.stages !== undefined
        ? `${p.stage} (${p.index + 1}/${p.stages})`
        : p.stage,
    );
  }
  if (p.epoch !== undefined && p.epochs !== undefined) parts.push(`epoch ${p.epoch}/${p.epochs}`);
  else if (p.unit !== undefined && p.done !== undefined && p.total !== undefined) {
    parts.push(`${Math.floor(p.done)}/${p.total} ${p.unit}`);
  }
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.eta !== undefined) parts.push(`ETA ${formatSeconds(p.eta)}`);
  return parts.join("  ");
}

/**
 * Prints a job's progress: one line redrawn in place on a terminal, otherwise one line per
 * status, stage and epoch.
 */
export function jobProgressPrinter(
  write: (text: string) => void,
  tty: boolean,
): (job: JobView) => void {
  let shown = "";
  return (job) => {
    const line = formatJobProgress(job);
    if (tty) return write(`\r${line}\x1b[K`);
    const key = `${job.status} ${job.progress?.stage} ${job.progress?.epoch}`;
    if (key !== shown) write(`${line}\n`);
    shown = key;
  };
}

/** `shapes v2 (created 2026-…, job …): PSNR 24.43 dB, probe accuracy 92.0 %`. */
export function formatModelVersion(name: string, v: ModelVersionView, created: boolean): string {
  const psnr = v.metrics?.evaluation?.psnr;
  const accuracy = v.metrics?.probe?.accuracy;
  const facts = [
    ...(psnr === undefined ? [] : [`PSNR ${psnr.toFixed(2)} dB`]),
    ...(accuracy === undefined ? [] : [`probe accuracy ${(accuracy * 100).toFixed(1)} %`]),
  ];
  return `${name} v${v.version} (${created ? "published by this run" : "already published"}, ` +
    `${v.created} by ${v.source.pipeline} job ${v.source.job ?? "?"})` +
    (facts.length > 0 ? `: ${facts.join(", ")}` : "");
}

/** The class of a `<prefix><class>/<split>/<file>` key. */
export function classOfKey(key: string, prefix: string): string {
  return key.slice(prefix.length).split("/")[0];
}

/** Up to `count` inputs, one of each class in turn (classes in key order). */
export function pickShapes(
  inputs: readonly InferredShape[],
  prefix: string,
  count: number,
): InferredShape[] {
  const byClass = new Map<string, InferredShape[]>();
  for (const shape of [...inputs].sort((a, b) => a.input < b.input ? -1 : 1)) {
    const cls = classOfKey(shape.input, prefix);
    byClass.set(cls, [...byClass.get(cls) ?? [], shape]);
  }
  const picked: InferredShape[] = [];
  for (let round = 0; picked.length < Math.min(count, inputs.length); round++) {
    for (const shapes of byClass.values()) {
      if (round < shapes.length && picked.length < count) picked.push(shapes[round]);
    }
  }
  return picked;
}

/**
 * The shapes' table (key, true class, modes among the k restorations with their sizes, the
 * probe's class and score) and a summary line over every input.
 */
export function formatInferredShapes(
  modes: ModesFile,
  prefix: string,
  count: number,
): string {
  const rows = [["shape", "true class", `modes of k = ${modes.k} (sizes)`, "probe"]];
  for (const s of pickShapes(modes.inputs, prefix, count)) {
    const truth = classOfKey(s.input, prefix);
    rows.push([
      s.input,
      truth,
      `${s.modes} (${s.sizes.join(" + ")})`,
      s.class === undefined
        ? "–"
        : `${s.class} ${s.score!.toFixed(2)} ${s.class === truth ? "right" : "wrong"}`,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((v, c) => v.padEnd(widths[c])).join("  ").trimEnd());
  const n = modes.inputs.length;
  const right = modes.inputs.filter((s) => s.class === classOfKey(s.input, prefix)).length;
  const multi = modes.inputs.filter((s) => s.modes > 1).length;
  const mean = modes.inputs.reduce((sum, s) => sum + s.modes, 0) / Math.max(n, 1);
  const probe = modes.inputs.some((s) => s.class !== undefined)
    ? `; the probe's class is right for ${right} (${(100 * right / Math.max(n, 1)).toFixed(1)} %)`
    : "";
  return `${table.join("\n")}\n` +
    `all ${n} shapes: ${mean.toFixed(2)} modes per shape, ${multi} with more than one${probe}\n`;
}
