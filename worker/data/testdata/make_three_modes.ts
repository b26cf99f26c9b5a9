/**
 * Writes `three_modes.csv`: 8 000 fixed pairs of the three-branch toy (A = 4(x, x², x³),
 * B = −A, C = (−4x, 4x² + 1.5, −2x), x uniform on [−1, 1)), with the true branch in `mode`.
 *
 * Run: `deno run -A worker/data/testdata/make_three_modes.ts [out.csv] [seed]`.
 * @module
 */
import { formatMultimodalCsv } from "../csv.ts";
import { sampleToy, THREE_BRANCHES } from "../toy.ts";
import { Rng } from "../../lib/mod.ts";

/** The shipped file's seed and row count. */
export const THREE_MODES = { seed: 20210503, rows: 8000 } as const;

/** The CSV text of the shipped data set (deterministic). */
export function threeModesCsv(
  seed: number = THREE_MODES.seed,
  rows: number = THREE_MODES.rows,
): string {
  return formatMultimodalCsv(sampleToy(THREE_BRANCHES, rows, new Rng(seed)));
}

if (import.meta.main) {
  const out = Deno.args[0] ?? new URL("./three_modes.csv", import.meta.url).pathname;
  const seed = Deno.args[1] === undefined ? THREE_MODES.seed : Number(Deno.args[1]);
  await Deno.writeTextFile(out, threeModesCsv(seed));
  console.log(`wrote ${out}`);
}
