/**
 * Pieces of the self-contained HTML reports: vega-lite charts rendered to inline SVG, HTML
 * escaping, PNG data URIs and the claims section.
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { ClaimStatement } from "../eval/mod.ts";

/** Renders a vega-lite spec to an SVG string (no browser, no network). */
export async function svg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Escapes text for HTML content and attribute values. */
export function escape(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/** A PNG as a data URI. */
export function dataUri(png: Uint8Array): string {
  let text = "";
  for (let i = 0; i < png.length; i += 0x8000) {
    text += String.fromCharCode(...png.subarray(i, i + 0x8000));
  }
  return `data:image/png;base64,${btoa(text)}`;
}

/** Paragraphs of a notes text (blank-line separated) as escaped HTML. */
export function notesHtml(notes: string): string {
  return notes
    ? `<h2>Notes</h2>${notes.split(/\n\s*\n/).map((t) => `<p>${escape(t)}</p>`).join("\n")}`
    : "";
}

/** The page shell shared by the reports. */
export function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}
.note{color:#555;font-size:90%}img{image-rendering:pixelated;margin:4px 0}</style></head><body>
<h1>${escape(title)}</h1>
${body}
</body></html>`;
}

/**
 * The "Claims" section: one row per claim (the paper's claim and number, ours, whether it holds
 * and why, the seeds behind it) with the figure that shows it beside (from `figures` by the
 * claim's figure name; none when absent). Empty when there is no claim.
 */
export function claimsHtml(
  claims: readonly ClaimStatement[],
  figures: Readonly<Record<string, string>>,
): string {
  if (claims.length === 0) return "";
  const rows = claims.map((c) =>
    `<tr><td>${escape(c.paper)}${
      c.paperNumber ? `<br><span class="note">paper: ${escape(c.paperNumber)}</span>` : ""
    }</td><td>${escape(c.ours)}<br><span class="note">${c.seeds} seed${
      c.seeds === 1 ? "" : "s"
    }</span></td><td><b>${escape(c.verdict)}</b><br><span class="note">${
      escape(c.detail)
    }</span></td><td>${figures[c.figure] ?? ""}</td></tr>`
  );
  return `<h2>Claims</h2><table><tr><th>the paper says</th><th>we measure</th><th>holds?</th>
<th>figure</th></tr>${rows.join("\n")}</table>
<p class="note">holds: every seed meets the claim's bound, or the margin between the means
exceeds the larger seed-to-seed std; with one seed a comparison stays untested
(<code>deno task cgml run … --seeds 0,1,2</code> gives the intervals).</p>`;
}
