/**
 * `report.images@1`: results.json and the HTML report of the image experiments
 * (`imageReport`), one row per evaluated run of the `runs` table.
 * @module
 */
import { reportImages } from "../../pipelines/mod.ts";
import type { ImageMetrics, LossCurves } from "../eval/mod.ts";
import { imageReport, type RunReport } from "../report/mod.ts";
import { decodeJson, encodeJson } from "./formats/mod.ts";
import { implement, tableRows } from "./stage.ts";

/** Builds the report. */
export default implement(reportImages, async (ctx, p) => {
  const runs: RunReport[] = [];
  for (const name of tableRows(ctx, "runs")) {
    const read = (column: string) => {
      const path = `runs.${name}.${column}`;
      return ctx.inputs.includes(path) ? ctx.input(path) : Promise.resolve(undefined);
    };
    const curves = await read("curves");
    runs.push({
      name,
      metrics: decodeJson<ImageMetrics>(await ctx.input(`runs.${name}.metrics`)),
      curves: curves && decodeJson<LossCurves>(curves),
      grid: await read("grid"),
    });
  }
  const { html, results } = await imageReport(p, runs);
  return { html: new TextEncoder().encode(html), results: encodeJson(results) };
});
