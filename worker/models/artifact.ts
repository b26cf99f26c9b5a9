/**
 * The artifact codec of trained models: the model's tensors as safetensors, with its card — a
 * JSON object holding the `CgmlConfig` it was built from and whatever else rebuilds and runs it
 * (kind, target, what its inputs are) — as one metadata entry. A published model keeps the
 * same two parts as two files: `model.safetensors` and the card as `config.json`; loading
 * takes the card from either place.
 * @module
 */
import { type CgmlConfig, CgmlModel } from "../cgml/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { decodeSafetensors, encodeCheckpoint } from "../nn/mod.ts";

/** The least a model card holds: the configuration its networks are built from. */
export interface ModelCard {
  config: CgmlConfig;
}

/** Safetensors bytes of `model`'s state with `card` as JSON under the metadata key `key`. */
export function encodeModelFile(
  model: CgmlModel,
  key: string,
  card: ModelCard,
): Promise<Uint8Array> {
  return encodeCheckpoint(model.gpu, model.state(), { [key]: JSON.stringify(card) });
}

/**
 * The card stored under `key` in safetensors `bytes`; `what` names the artifact in the error
 * when it has none.
 */
export function readModelCard<C extends ModelCard>(
  bytes: Uint8Array,
  key: string,
  what: string,
): C {
  const raw = decodeSafetensors(bytes).metadata[key];
  if (raw === undefined) throw new Error(`Cannot load the ${what}: no "${key}" metadata`);
  return JSON.parse(raw) as C;
}

/** A model built from `config` on the device with the weights of safetensors `bytes`. */
export function loadModelWeights(gpu: Gpu, bytes: Uint8Array, config: CgmlConfig): CgmlModel {
  return CgmlModel.fromWeights(gpu, bytes, config);
}

/** The card stored under `key` in safetensors `bytes`, or `undefined` when there is none. */
export function findModelCard<C>(bytes: Uint8Array, key: string): C | undefined {
  const raw = decodeSafetensors(bytes).metadata[key];
  return raw === undefined ? undefined : JSON.parse(raw) as C;
}
