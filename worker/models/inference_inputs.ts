/**
 * The inputs of an inference, read as the published model needs them: shapes (meshes or point
 * lists → normalised point clouds of the model's size), CSV rows (the model's x… columns) or
 * images (resized and centre-cropped to the model's size). They come from
 * - a bucket dataset `s3://<bucket>/datasets/<name>/…` (its manifest, only the objects kept
 *   downloaded, verified and cached by ETag: `worker/data/dataset_reader.ts`),
 * - a local folder (searched recursively) or file,
 * - or inline values: toy rows `[x…]`, shapes `{name, text}` / `{name, points}`, images
 *   `{name, base64}`.
 *
 * A `split` keeps the objects under a `<split>/` folder (the ModelNet layout); a dataset without
 * split folders is read whole. Names are object keys, relative paths, or row numbers.
 * @module
 */
import { basename, join, relative } from "node:path";
import {
  DatasetError,
  inSplit,
  isModelInput,
  layoutOf,
  MAX_INFERENCE_INPUTS,
  type ObjectStore,
  parseDatasetRoot,
  readDatasetManifest,
  type Split,
} from "../../infra/mod.ts";
import { decodeImage, fetchDataset, parseInputCsv, resizeAndCrop } from "../data/mod.ts";
import {
  applyNormalization,
  parseShape,
  pointNormalization,
  shapePoints,
} from "../spectral/mod.ts";
import type { PublishedConfig, PublishedMapInput, RowsInput } from "./published.ts";
import type { ImageInput } from "./backbone_model.ts";

/** Where inputs come from. */
export interface InferenceSource {
  /** `s3://…`, a local folder or file; empty: `inputs`. */
  dataset: string;
  inputs: readonly unknown[];
  /** `train`, `test` or empty (all). */
  split: string;
}

/** What reading a bucket dataset needs. */
export interface InputEnv {
  store: ObjectStore | null;
  bucket: string;
  /** Folder of downloaded objects, kept by ETag. */
  objectCache: string;
  log?: (text: string) => void;
}

/** Inputs ready for the model. */
export interface InferenceInputs {
  /** The object key, relative path or row number of each input. */
  names: string[];
  /** Shapes: point clouds [m, points, 3]; rows: [m, x columns]; images: RGB [m, H, W, 3]. */
  values: Float32Array;
}

/** A file among the inputs: its name, its split (from its folders) and its bytes. */
interface InputFile {
  name: string;
  path: string;
  split: Split | null;
  read(): Promise<Uint8Array>;
}

type Accept = (path: string, hasClass: boolean) => boolean;

/** Reads the inputs of `source` for the model `config` describes. */
export async function readInferenceInputs(
  config: PublishedConfig,
  source: InferenceSource,
  env: InputEnv,
  seed = 0,
): Promise<InferenceInputs> {
  if (source.dataset === "") return inlineInputs(config, source.inputs, seed);
  const accept: Accept = (p, c) => isModelInput(config.kind, p, c);
  const files = await inputFiles(source, accept, env);
  if (files.length > MAX_INFERENCE_INPUTS) {
    throw new Error(
      `Cannot infer on ${files.length} files of ${source.dataset}: at most ${MAX_INFERENCE_INPUTS}`,
    );
  }
  if (config.kind === "toy") return await csvRows(config.input as RowsInput, files);
  const names = files.map((f) => f.name);
  if (config.kind === "map") {
    const input = config.input as PublishedMapInput;
    const clouds: Float32Array[] = [];
    for (const [i, f] of files.entries()) {
      const bytes = await f.read();
      clouds.push(named(f, () => cloudOf(parseShape(f.path, bytes), input.points, seed + i)));
    }
    return { names, values: concat(clouds) };
  }
  const input = config.input as ImageInput;
  const images: Float32Array[] = [];
  for (const f of files) {
    const bytes = await f.read();
    images.push(named(f, () => imageOf(decodeImage(bytes, f.name), input)));
  }
  return { names, values: concat(images) };
}

/** `read()`, its errors prefixed with the input's name (an object key or a path). */
function named<T>(f: InputFile, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new Error(`Cannot read input ${f.name}: ${(e as Error).message}`);
  }
}

/** The files of a bucket prefix, folder or file that `accept` takes, in the split asked for. */
async function inputFiles(
  source: InferenceSource,
  accept: Accept,
  env: InputEnv,
): Promise<InputFile[]> {
  const root = parseDatasetRoot(source.dataset, env.bucket, "dataset");
  let files: InputFile[];
  if (root.kind === "bucket") {
    if (env.store === null) {
      throw new DatasetError(`Cannot read ${source.dataset}: no object store is configured`);
    }
    const manifest = await readDatasetManifest(env.store, root.prefix);
    const entries = manifest.entries.filter((e) =>
      accept(e.path, e.class !== null) && inSplit(e.split, source.split, manifest.entries)
    );
    const fetched = await fetchDataset(env.store, { ...manifest, entries }, {
      cacheDir: env.objectCache,
    });
    env.log?.(
      `inputs: ${entries.length} objects of ${root.prefix} (${fetched.downloaded} downloaded, ` +
        `${fetched.cached} from the worker's cache)\n`,
    );
    files = fetched.objects.map((o) => ({
      name: o.entry.key,
      path: o.entry.path,
      split: o.entry.split,
      read: () => Deno.readFile(o.file),
    }));
  } else {
    files = await localFiles(root.path, accept);
    files = files.filter((f) => inSplit(f.split, source.split, files));
  }
  if (files.length === 0) {
    const where = source.split === "" ? "" : ` in split "${source.split}"`;
    throw new Error(`Cannot infer: ${source.dataset} holds no input files${where}`);
  }
  return files;
}

async function localFiles(path: string, accept: Accept): Promise<InputFile[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    throw new Error(`Cannot read dataset "${path}": ${(e as Error).message}`);
  }
  if (info.isFile) {
    return [{ name: basename(path), path, split: null, read: () => Deno.readFile(path) }];
  }
  const out: InputFile[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth > 16) throw new Error(`Cannot read dataset "${path}": folders nest too deep`);
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
    for (const e of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
      if (e.name.startsWith(".") || e.name.startsWith("_")) continue;
      const full = join(dir, e.name);
      const rel = relative(path, full).split("\\").join("/");
      if (e.isDirectory) await walk(full, depth + 1);
      else if (e.isFile && accept(rel, layoutOf(rel).class !== null)) {
        out.push({
          name: rel,
          path: rel,
          split: layoutOf(rel).split,
          read: () => Deno.readFile(full),
        });
      }
    }
  };
  await walk(path, 0);
  return out;
}

/** A normalised cloud of `points` points from a mesh (area-weighted) or a point list. */
function cloudOf(shape: ReturnType<typeof parseShape>, points: number, seed: number): Float32Array {
  const raw = shapePoints(shape, points, seed);
  return Float32Array.from(applyNormalization(raw, pointNormalization(raw)));
}

function imageOf(img: ReturnType<typeof decodeImage>, input: ImageInput): Float32Array {
  if (input.height !== input.width) {
    throw new Error(`Cannot read images for a ${input.height}×${input.width} model: not square`);
  }
  return resizeAndCrop(img, input.height).data;
}

async function csvRows(input: RowsInput, files: readonly InputFile[]): Promise<InferenceInputs> {
  const names: string[] = [];
  const parts: Float32Array[] = [];
  for (const f of files) {
    const { rows, x } = parseInputCsv(new TextDecoder().decode(await f.read()), f.name, input.x);
    for (let r = 0; r < rows; r++) {
      names.push(files.length === 1 ? `${r + 1}` : `${f.name}#${r + 1}`);
    }
    parts.push(x);
  }
  return { names, values: concat(parts) };
}

function inlineInputs(
  config: PublishedConfig,
  inputs: readonly unknown[],
  seed: number,
): InferenceInputs {
  if (inputs.length > MAX_INFERENCE_INPUTS) {
    throw new Error(
      `Cannot infer on ${inputs.length} inline inputs: at most ${MAX_INFERENCE_INPUTS}`,
    );
  }
  const names: string[] = [];
  const parts: Float32Array[] = [];
  inputs.forEach((item, i) => {
    const where = `inputs[${i}]`;
    const o = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    const name = typeof o.name === "string" && o.name !== "" ? o.name : `${i + 1}`;
    if (config.kind === "toy") {
      const x = (config.input as RowsInput).x;
      if (!Array.isArray(item) || item.length !== x.length || !item.every(Number.isFinite)) {
        throw new Error(`Cannot read ${where}: expected ${x.length} numbers (${x.join(", ")})`);
      }
      names.push(`${i + 1}`);
      parts.push(Float32Array.from(item as number[]));
    } else if (config.kind === "map") {
      names.push(name);
      parts.push(inlineCloud(o, where, (config.input as PublishedMapInput).points, seed + i));
    } else {
      if (typeof o.base64 !== "string") {
        throw new Error(`Cannot read ${where}: expected {name, base64}`);
      }
      const bytes = Uint8Array.from(atob(o.base64), (c) => c.charCodeAt(0));
      names.push(name);
      parts.push(imageOf(decodeImage(bytes, name), config.input as ImageInput));
    }
  });
  if (names.length === 0) throw new Error('Cannot infer: set "dataset" or give "inputs"');
  return { names, values: concat(parts) };
}

function inlineCloud(o: Record<string, unknown>, where: string, points: number, seed: number) {
  if (typeof o.text === "string") {
    const name = typeof o.name === "string" && o.name !== "" ? o.name : "input.off";
    return cloudOf(parseShape(name, new TextEncoder().encode(o.text)), points, seed);
  }
  const list = o.points;
  if (
    !Array.isArray(list) || list.length < 4 ||
    !list.every((p) => Array.isArray(p) && p.length === 3 && p.every(Number.isFinite))
  ) {
    throw new Error(
      `Cannot read ${where}: expected {name, text} (a mesh or point file's text) or ` +
        "{name, points: [[x, y, z], …]} with at least 4 points",
    );
  }
  const shape = parseShape(
    "inline.xyz",
    new TextEncoder().encode(list.map((p) => p.join(" ")).join("\n")),
  );
  return cloudOf(shape, points, seed);
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
