/**
 * Which objects of a dataset are the inputs of an inference, shared by the worker (which reads
 * them) and the functions (which count them to refuse a request that is too large before it is
 * queued): a map model reads meshes and point lists, a toy model CSV tables, an image model
 * images; a split keeps the objects under a `<split>/` folder, and a dataset without split
 * folders is read whole. The size of a published model's outputs comes from its config.json.
 *
 * @module
 */

import { z } from "zod";
import { extensionOf, kindOf, type Split } from "../datasets/mod.ts";

/** Whether the object at `path` (under the dataset prefix) is an input of a `kind` model. */
export function isModelInput(kind: string, path: string, hasClass: boolean): boolean {
  if (kind === "toy") return extensionOf(path) === ".csv";
  const objectKind = kindOf(path, hasClass);
  return kind === "map" ? objectKind === "mesh" || objectKind === "points" : objectKind === "image";
}

/** Whether an object of `split` is kept when `wanted` is asked for, given every object's split. */
export function inSplit(
  split: Split | null,
  wanted: string,
  all: readonly { split: Split | null }[],
): boolean {
  return wanted === "" || split === wanted || all.every((f) => f.split === null);
}

const SizedConfig = z.object({
  kind: z.string(),
  network: z.object({ outDim: z.number().int().positive() }),
  input: z.object({ height: z.number().optional(), width: z.number().optional() }).passthrough(),
}).passthrough();

/**
 * The kind of a published model and the values of one output (a map's cells, a toy row, an
 * RGB image's values), from its config.json; throws "Cannot read …" when it does not say.
 */
export function outputValues(config: unknown): { kind: string; values: number } {
  const parsed = SizedConfig.safeParse(config);
  if (!parsed.success) throw new Error("Cannot read the model's config.json: no kind or network");
  const { kind, network, input } = parsed.data;
  const values = kind === "image" ? (input.height ?? 0) * (input.width ?? 0) * 3 : network.outDim;
  return { kind, values };
}
