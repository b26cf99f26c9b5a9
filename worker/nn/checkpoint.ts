/**
 * Checkpoints of named GPU tensors (module parameters and state, optimiser moments) in the
 * safetensors format, with string metadata (optimiser steps, epoch, config hash, ...).
 *
 * Saving gathers every tensor into one staging buffer on the GPU and reads it back once.
 * Loading validates the file against the tensors it fills: every expected name present, no
 * unknown names, identical shapes; nothing is written unless everything matches.
 */
import type { NamedTensor } from "./module.ts";
import { decodeSafetensors, encodeSafetensors, type TensorData } from "./safetensors.ts";
import type { Gpu } from "../gpu/mod.ts";

/** A checkpoint that does not fit the tensors it should fill. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** Serialises `tensors` and `metadata` to safetensors bytes (one GPU readback). */
export async function encodeCheckpoint(
  gpu: Gpu,
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): Promise<Uint8Array> {
  const total = tensors.reduce((n, t) => n + t.tensor.size, 0);
  const values = new Float32Array(total);
  if (total > 0) {
    const staging = gpu.empty([total]);
    try {
      const enc = gpu.encoderForCopy();
      let at = 0;
      for (const { tensor } of tensors) {
        if (tensor.size > 0) {
          enc.copyBufferToBuffer(tensor.buffer, 0, staging.buffer, at * 4, tensor.size * 4);
        }
        at += tensor.size;
      }
      values.set(await staging.read());
    } finally {
      staging.dispose();
    }
  }
  const entries: [string, TensorData][] = [];
  let at = 0;
  for (const { name, tensor } of tensors) {
    entries.push([name, { shape: tensor.shape, data: values.subarray(at, at + tensor.size) }]);
    at += tensor.size;
  }
  return encodeSafetensors(entries, metadata);
}

/**
 * Validates safetensors `bytes` against `tensors` and writes the stored values into them
 * (ordered after the work recorded so far). Returns the metadata.
 */
export function decodeCheckpoint(
  bytes: Uint8Array,
  tensors: readonly NamedTensor[],
): Record<string, string> {
  const file = decodeSafetensors(bytes);
  const expected = new Map(tensors.map((t) => [t.name, t.tensor]));
  const problems: string[] = [];
  if (expected.size !== tensors.length) problems.push("the expected tensors repeat a name");
  const missing = [...expected.keys()].filter((n) => !file.tensors.has(n));
  if (missing.length > 0) problems.push(`missing ${list(missing)}`);
  const unknown = [...file.tensors.keys()].filter((n) => !expected.has(n));
  if (unknown.length > 0) problems.push(`unexpected ${list(unknown)}`);
  for (const [name, t] of expected) {
    const stored = file.tensors.get(name);
    if (stored && !sameShape(stored.shape, t.shape)) {
      problems.push(`"${name}" has shape [${stored.shape}] in the file, expected [${t.shape}]`);
    }
  }
  if (problems.length > 0) {
    throw new CheckpointError(`Cannot load checkpoint: ${problems.join("; ")}`);
  }
  for (const [name, t] of expected) t.write(file.tensors.get(name)!.data);
  return file.metadata;
}

/** Writes a checkpoint file atomically (temporary file, then rename). */
export async function saveCheckpoint(
  path: string,
  gpu: Gpu,
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): Promise<void> {
  const bytes = await encodeCheckpoint(gpu, tensors, metadata);
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}

/** Reads a checkpoint file into `tensors`; returns its metadata. */
export async function loadCheckpoint(
  path: string,
  tensors: readonly NamedTensor[],
): Promise<Record<string, string>> {
  return decodeCheckpoint(await Deno.readFile(path), tensors);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function list(names: string[]): string {
  const shown = names.slice(0, 8).map((n) => `"${n}"`).join(", ");
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}
