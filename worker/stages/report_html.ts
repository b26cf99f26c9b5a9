/**
 * `report.html@1`: results.json and the HTML report of the map experiments (`mapReport`), one
 * row per model of the `models` table.
 * @module
 */
import { reportHtml } from "../../pipelines/mod.ts";
import type { ClassifierMetrics, DenoiseMetrics, LossCurves } from "../eval/mod.ts";
import { mapReport, type ModelReport } from "../report/mod.ts";
import { decodeJson, decodeMapSet, decodeSamples, encodeJson } from "./formats/mod.ts";
import { implement, tableRows } from "./stage.ts";

/** Builds the report. */
export default implement(reportHtml, async (ctx, p) => {
  const names = tableRows(ctx, "models");
  const models: ModelReport[] = [];
  for (const name of names) {
    const read = async (column: string) => {
      const path = `models.${name}.${column}`;
      return ctx.inputs.includes(path) ? await ctx.input(path) : undefined;
    };
    const json = async <T>(column: string) => {
      const bytes = await read(column);
      return bytes && decodeJson<T>(bytes);
    };
    const samples = await read("samples");
    models.push({
      name,
      curves: await json<LossCurves>("curves"),
      denoise: await json<DenoiseMetrics>("denoise"),
      linear: await json<ClassifierMetrics>("linear"),
      samples: samples && decodeSamples(samples),
    });
  }
  const maps = ctx.inputs.includes("maps") ? decodeMapSet(await ctx.input("maps")) : undefined;
  const { html, results } = await mapReport(p, models, maps);
  return { html: new TextEncoder().encode(html), results: encodeJson(results) };
});
