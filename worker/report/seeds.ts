/**
 * Error bars over seeds: the results.json of one run per seed (`deno task cgml run … --seeds
 * 0,1,2`) reduced to mean ± std per number (eval/aggregate.ts), the claims of the experiment
 * decided on those intervals (eval/claims.ts), a text table for the terminal and a small HTML
 * page that links every seed's own report.
 * @module
 */
import {
  aggregateRuns,
  type ClaimStatement,
  formatInterval,
  imageClaims,
  type Interval,
  isInterval,
  type NestedIntervals,
  type NestedNumbers,
  spectralClaims,
} from "../eval/mod.ts";
import { claimsHtml, escape, page } from "./page.ts";

/** The aggregate results.json of a run over seeds. */
export interface SeedResults {
  pipeline: string;
  seeds: number[];
  /** Each seed's results.json, relative to the aggregate's folder. */
  runs: Record<string, string>;
  /** The per-seed results' shape, every number replaced by its interval over the seeds. */
  results: NestedIntervals;
  claims: ClaimStatement[];
}

/** One seed's run: its seed, its results.json and the folder it was written to (relative). */
export interface SeedRun {
  seed: number;
  results: NestedNumbers;
  folder: string;
}

/** True for the results of the map reports (`{title, models}`), false for the image reports. */
function isMapResults(results: NestedNumbers | NestedIntervals): boolean {
  const models = results.models;
  return typeof models === "object" && models !== null && !isInterval(models as Interval);
}

/** Aggregates the seeds' results and states the claims they support. */
export function aggregateSeeds(pipeline: string, runs: readonly SeedRun[]): SeedResults {
  const results = aggregateRuns(runs.map((r) => r.results));
  const claims = isMapResults(results)
    ? spectralClaims(results.models as NestedIntervals)
    : imageClaims(results);
  return {
    pipeline,
    seeds: runs.map((r) => r.seed),
    runs: Object.fromEntries(runs.map((r) => [String(r.seed), `${r.folder}/results.json`])),
    results,
    claims,
  };
}

/** Table rows of aggregated results: model (map results) or model and condition (image results). */
function rows(results: NestedIntervals): [string, NestedIntervals][] {
  const levels = (x: NestedIntervals) =>
    Object.entries(x).filter((e): e is [string, NestedIntervals] => !isInterval(e[1]));
  if (isMapResults(results)) return levels(results.models as NestedIntervals);
  return levels(results).flatMap(([model, conditions]) =>
    levels(conditions)
      .filter(([, metrics]) => Object.values(metrics).some(isInterval))
      .map(([c, metrics]): [string, NestedIntervals] => [`${model} ${c}`, metrics])
  );
}

/**
 * The results table with a `mean ± std` cell per model and metric (the metrics of `keys` that
 * some row has), then one line per claim with its verdict.
 */
export function formatSeedResults(agg: SeedResults, keys: readonly string[]): string {
  const table = rows(agg.results);
  const shown = keys.filter((k) => table.some(([, r]) => isInterval(r[k])));
  const cells = table.map(([, r]) =>
    shown.map((k) => formatInterval(isInterval(r[k]) ? r[k] as Interval : undefined))
  );
  const width = shown.map((k, j) => Math.max(k.length, ...cells.map((c) => c[j].length)) + 2);
  const w = Math.max(5, ...table.map(([m]) => m.length));
  const lines = [
    `${"model".padEnd(w)}${shown.map((k, j) => k.padStart(width[j])).join("")}`,
    ...table.map(([m], i) =>
      `${m.padEnd(w)}${cells[i].map((c, j) => c.padStart(width[j])).join("")}`
    ),
  ];
  const claims = agg.claims.map((c) => `[${c.verdict}] ${c.paper}\n    ${c.ours}\n    ${c.detail}`);
  return `seeds ${agg.seeds.join(", ")}: mean ± std (sample std)\n${lines.join("\n")}\n` +
    formatColourModes(agg.results) +
    (claims.length > 0 ? `claims:\n${claims.join("\n")}\n` : "");
}

/**
 * The colour-mode shares of image results (model → "colour_modes" → class → hue → share), one
 * line per model and class, in percent; "" when there are none.
 */
export function formatColourModes(results: NestedIntervals): string {
  const lines: string[] = [];
  for (const [model, conditions] of Object.entries(results)) {
    const modes = isInterval(conditions) ? undefined : conditions.colour_modes;
    if (modes === undefined || isInterval(modes)) continue;
    for (const [cls, shares] of Object.entries(modes)) {
      if (isInterval(shares)) continue;
      const cells = Object.entries(shares).map(([hue, v]) =>
        `${hue.replace("_", " ")} ${formatInterval(isInterval(v) ? v : undefined, 1, 100)} %`
      );
      lines.push(`${model} ${cls}: ${cells.join(", ")}`);
    }
  }
  return lines.length > 0 ? `colour modes (share of the draws):\n${lines.join("\n")}\n` : "";
}

/**
 * A page with the claims and the intervals of every number, each seed's report linked (as
 * `<folder>/report.html`) where the claims name a figure.
 */
export function seedPage(agg: SeedResults, title: string, keys: readonly string[]): string {
  const links = agg.seeds.map((s) => `<a href="seed-${s}/report.html">seed ${s}</a>`).join(" · ");
  const figures = Object.fromEntries(agg.claims.map((c) => [c.figure, links]));
  const table = rows(agg.results);
  const shown = keys.filter((k) => table.some(([, r]) => isInterval(r[k])));
  const body = table.map(([m, r]) =>
    `<tr><td>${escape(m)}</td>${
      shown.map((k) =>
        `<td>${formatInterval(isInterval(r[k]) ? r[k] as Interval : undefined)}</td>`
      ).join("")
    }</tr>`
  ).join("\n");
  return page(
    `${title}: seeds ${agg.seeds.join(", ")}`,
    `${claimsHtml(agg.claims, figures)}
<h2>Results over seeds</h2><table><tr><th>model</th>${
      shown.map((k) => `<th>${escape(k)}</th>`).join("")
    }</tr>
${body}</table>
<p class="note">mean ± sample std over the seeds; every number of each seed's results.json is in
this folder's results.json as {mean, std, n, values}. Each seed's own report: ${links}.</p>`,
  );
}
