/**
 * `cgml infer --model <dir | s3://<bucket>/models/<name>/<version>> --input <folder | file.csv
 * | s3://<bucket>/datasets/<name>/…> [--k 8] [--steps T] [--split test] [--seed 0] [--show 4]
 * [--out DIR]`: the inference job's work on this machine, writing the same files into DIR
 * (default `out/infer`): `predictions.csv`, `samples.safetensors`, `modes.json`, `report.html`
 * and `reconstructions/`. A model folder holds a published version's files (`config.json`,
 * `model.safetensors`, `probe.safetensors` when there is a probe), e.g. downloaded from
 * `GET /v1/models/{name}/{version}/files/{path}`; an `s3://` model or input is read from the
 * configured store (`CGML_STORE`, `CGML_BUCKET`), whose bucket it must name.
 * @module
 */
import { join } from "node:path";
import {
  MODEL_FILES,
  type ObjectStore,
  parseModelRef,
  readModelFile,
  resolveModel,
  sha256Hex,
} from "../infra/mod.ts";
import { Gpu } from "./gpu/mod.ts";
import { PublishedModel, readInferenceInputs, runInference } from "./models/mod.ts";
import { inferenceArtifacts } from "./report/mod.ts";

/** What `cgml infer` works with. */
export interface InferCliContext {
  /** The configured store (opened on first use). */
  store: () => Promise<ObjectStore>;
  bucket: string;
  /** Folder of downloaded dataset objects. */
  objectCache: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Usage of `cgml infer`. */
export const INFER_USAGE =
  "Usage: cgml infer --model <dir | s3://<bucket>/models/<name>/<version>> " +
  "--input <folder | file.csv | s3://<bucket>/datasets/<name>/> [--k 8] [--steps T] " +
  "[--split test] [--seed 0] [--show 4] [--out DIR]\n";

interface InferArgs {
  model: string;
  input: string;
  k: number;
  steps: number;
  split: string;
  seed: number;
  show: number;
  out: string;
}

const NUMBERS = { k: [1, 1024], steps: [0, 1000], seed: [0, 2 ** 31 - 1], show: [0, 64] } as const;

function parseInferArgs(argv: readonly string[]): InferArgs | { error: string } {
  const args: InferArgs = {
    model: "",
    input: "",
    k: 8,
    steps: -1,
    split: "test",
    seed: 0,
    show: 4,
    out: join("out", "infer"),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = (eq < 0 ? arg : arg.slice(0, eq)).replace(/^--/, "");
    if (!arg.startsWith("--") || !Object.hasOwn(args, name)) {
      return { error: `Cannot read "${arg}": unknown option or argument` };
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) return { error: `Cannot read --${name}: it needs a value` };
    if (name in NUMBERS) {
      const [min, max] = NUMBERS[name as keyof typeof NUMBERS];
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        return { error: `Cannot read --${name} ${value}: give an integer from ${min} to ${max}` };
      }
      (args as unknown as Record<string, number>)[name] = n;
    } else {
      (args as unknown as Record<string, string>)[name] = value;
    }
  }
  if (args.model === "" || args.input === "") {
    return { error: "Cannot infer: give --model and --input" };
  }
  return args;
}

/** A published version's files: from a folder, or from the store by `s3://` key. */
async function modelFiles(
  model: string,
  ctx: InferCliContext,
): Promise<{ files: Map<string, Uint8Array>; label: string }> {
  const s3 = /^s3:\/\/([^/]+)\/models\/([^/]+)(?:\/([^/]+))?\/?$/.exec(model);
  if (model.startsWith("s3://")) {
    if (s3 === null || s3[1] !== ctx.bucket) {
      throw new Error(
        `Cannot read --model ${model}: expected s3://${ctx.bucket}/models/<name>/<version> in ` +
          `the configured bucket "${ctx.bucket}"`,
      );
    }
    const store = await ctx.store();
    const record = await resolveModel(store, parseModelRef(`${s3[2]}@${s3[3] ?? "latest"}`));
    const files = new Map<string, Uint8Array>();
    for (const f of record.files) {
      const bytes = await readModelFile(store, record, f.path);
      if (sha256Hex(bytes) !== f.sha256) {
        throw new Error(`Cannot read ${f.path} of ${model}: its sha256 does not match`);
      }
      files.set(f.path, bytes);
    }
    return { files, label: `${record.name}@${record.version}` };
  }
  const files = new Map<string, Uint8Array>();
  for (const name of [MODEL_FILES.config, MODEL_FILES.model, MODEL_FILES.probe]) {
    try {
      files.set(name, await Deno.readFile(join(model, name)));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) || name !== MODEL_FILES.probe) {
        throw new Error(`Cannot read --model ${model}: ${name}: ${(e as Error).message}`);
      }
    }
  }
  return { files, label: model };
}

/** Runs `cgml infer` with `argv` after the word `infer`; resolves to the exit code. */
export async function inferCommand(argv: readonly string[], ctx: InferCliContext): Promise<number> {
  const args = parseInferArgs(argv);
  if ("error" in args) {
    ctx.stderr(`${args.error}\n${INFER_USAGE}`);
    return 2;
  }
  let gpu: Gpu | undefined;
  let model: PublishedModel | undefined;
  try {
    const { files, label } = await modelFiles(args.model, ctx);
    gpu = await Gpu.create({ log: null });
    model = PublishedModel.load(gpu, files);
    const store = args.input.startsWith("s3://") ? await ctx.store() : null;
    const inputs = await readInferenceInputs(
      model.config,
      { dataset: args.input, inputs: [], split: args.split },
      { store, bucket: ctx.bucket, objectCache: ctx.objectCache, log: ctx.stderr },
      args.seed,
    );
    ctx.stderr(`${label}: ${inputs.names.length} inputs × k = ${args.k}\n`);
    const result = await runInference(gpu, model, inputs, { ...args, tolerance: 0 });
    const a = inferenceArtifacts(result, {
      title: `Inference: ${label}`,
      show: args.show,
      maps: model.mapStats,
      about: [
        `Model ${label} (${model.config.kind}, ${model.config.method}).`,
        `Inputs: ${args.input}.`,
      ],
    });
    await Deno.mkdir(join(args.out, "reconstructions"), { recursive: true });
    const out = new Map<string, Uint8Array>([
      ["predictions.csv", a.predictions],
      ["samples.safetensors", a.samples],
      ["modes.json", a.modes],
      ["report.html", a.report],
      ...[...a.reconstructions].map(([p, b]): [string, Uint8Array] => [`reconstructions/${p}`, b]),
    ]);
    for (const [path, bytes] of out) {
      await Deno.mkdir(join(args.out, path, ".."), { recursive: true });
      await Deno.writeFile(join(args.out, path), bytes);
    }
    const modes = result.modes.map((m) => m.sizes.length);
    ctx.stdout(
      `${inputs.names.length} inputs × ${args.k} draws (T = ${result.steps}): ` +
        `${Math.min(...modes)} to ${Math.max(...modes)} modes per input; outputs in ${args.out}\n`,
    );
    return 0;
  } catch (e) {
    ctx.stderr(`${(e as Error).message}\n`);
    return 1;
  } finally {
    model?.dispose();
    gpu?.destroy();
  }
}
