/**
 * Writing a {@link SpectralResult} to a folder: coefficients.json, invariants.json, map.json,
 * map.png, reconstruction.ply, reconstruction.png and metrics.json.
 */
import { radialPairs, shIndices, zernikeIndices } from "./indexing.ts";
import type { SpectralResult } from "./pipeline.ts";
import { renderComparison, renderHeatmap } from "./render.ts";
import { formatPly } from "./io/write_ply.ts";

/** The file names written by {@link writeResult}. */
export const OUTPUT_FILES = [
  "coefficients.json",
  "invariants.json",
  "map.json",
  "map.png",
  "reconstruction.ply",
  "reconstruction.png",
  "metrics.json",
] as const;

/** The coefficient list: `{n,l,m,value}` (Zernike) or `{l,m,value}` (SH), canonical order. */
export function coefficientRecords(r: SpectralResult): Record<string, number>[] {
  if (r.basis === "zernike") {
    return zernikeIndices(r.order).map(({ n, l, m }, i) => ({ n, l, m, value: r.coefficients[i] }));
  }
  return shIndices(r.order).map(({ l, m }, i) => ({ l, m, value: r.coefficients[i] }));
}

/** The invariants: `{n,l,value}` (F_nl) or `{l,value}` (E_l). */
export function invariantRecords(r: SpectralResult): Record<string, number>[] {
  if (r.basis === "zernike") {
    return radialPairs(r.order).map(({ n, l }, i) => ({ n, l, value: r.invariants[i] }));
  }
  return Array.from(r.invariants, (value, l) => ({ l, value }));
}

/** The map as JSON: layout, size, channel names, values and validity mask as rows. */
export function mapRecord(r: SpectralResult): Record<string, unknown> {
  const { layout, values, mask } = r.map;
  const rows = <T>(a: ArrayLike<T>) =>
    Array.from(
      { length: layout.height },
      (_, i) => Array.from({ length: layout.width }, (_, j) => a[i * layout.width + j]),
    );
  return {
    layout: layout.kind,
    basis: r.basis,
    order: r.order,
    height: layout.height,
    width: layout.width,
    channels: ["value", "mask"],
    values: rows(values),
    mask: rows(mask),
  };
}

/** Writes every output file of `r` into `dir` (created if needed). */
export async function writeResult(
  dir: string,
  r: SpectralResult,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const json = (name: string, value: unknown) =>
    Deno.writeTextFile(`${dir}/${name}`, JSON.stringify(value, null, 1) + "\n");
  await json("coefficients.json", coefficientRecords(r));
  await json("invariants.json", invariantRecords(r));
  await json("map.json", mapRecord(r));
  await Deno.writeFile(`${dir}/map.png`, renderHeatmap(r.map));
  const rec = r.reconstruction;
  await Deno.writeTextFile(
    `${dir}/reconstruction.ply`,
    formatPly(
      rec.vertices,
      rec.triangles,
      `${r.basis} order ${r.order} reconstruction of ${r.name}`,
    ),
  );
  await Deno.writeFile(
    `${dir}/reconstruction.png`,
    renderComparison(r.input.surface, rec.vertices),
  );
  await json("metrics.json", {
    name: r.name,
    basis: r.basis,
    order: r.order,
    ...r.metrics,
    ...extra,
  });
}
