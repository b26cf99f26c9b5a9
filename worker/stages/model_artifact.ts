/**
 * Trained-model artifacts: a cGML model's tensors as safetensors with a JSON metadata entry that
 * holds (at least) the configuration it was built from.
 * @module
 */
import { type CgmlConfig, CgmlModel } from "../cgml/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { decodeCheckpoint, decodeSafetensors, encodeCheckpoint } from "../nn/mod.ts";

/** Serialises `model` with `meta` stored as JSON under the metadata key `key`. */
export function encodeModelArtifact(
  model: CgmlModel,
  key: string,
  meta: { config: CgmlConfig },
): Promise<Uint8Array> {
  return encodeCheckpoint(model.gpu, model.state(), { [key]: JSON.stringify(meta) });
}

/**
 * Loads an artifact written by {@link encodeModelArtifact} onto the device; `what` names the
 * artifact in the error when the metadata entry is missing.
 */
export function decodeModelArtifact<M extends { config: CgmlConfig }>(
  gpu: Gpu,
  bytes: Uint8Array,
  key: string,
  what: string,
): { model: CgmlModel; meta: M } {
  const raw = decodeSafetensors(bytes).metadata[key];
  if (raw === undefined) throw new Error(`Cannot load the ${what}: no "${key}" metadata`);
  const meta = JSON.parse(raw) as M;
  const model = new CgmlModel(gpu, meta.config);
  try {
    decodeCheckpoint(bytes, model.state());
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, meta };
}
