/**
 * `cgml dataset push <folder> <name> [--jobs N]` and `cgml dataset ls [<name>]`, on the store
 * configured as for the worker (`CGML_STORE`, `CGML_BUCKET`, credentials).
 *
 * - `push` uploads the folder to `datasets/<name>/` (see `dataset_push.ts`: parallel,
 *   resumable, unchanged files skipped) with a progress bar on a terminal, plain lines otherwise,
 *   and prints the `dataset.root` to use.
 * - `ls` lists the datasets (objects, bytes, manifest); `ls <name>` shows one dataset's objects
 *   and bytes per class and split, its manifest hash and any problems of its manifest file.
 *
 * @module
 */

import {
  DatasetError,
  datasetOverview,
  describeDataset,
  formatProblems,
  listDatasetNames,
  type ObjectStore,
} from "../../infra/mod.ts";
import { pushFolder } from "./dataset_push.ts";
import { formatBytes, progressDisplay } from "./progress.ts";

/** Terminal access of the dataset commands (tests pass their own). */
export interface DatasetCliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (then the progress bar redraws in place). */
  stderrIsTerminal: boolean;
}

/** What the dataset commands work on. */
export interface DatasetCliContext {
  store: ObjectStore;
  /** The configured bucket, for the `s3://` roots printed. */
  bucket: string;
  io: DatasetCliIo;
}

/** Usage of the dataset commands. */
export const DATASET_USAGE = "Usage: cgml dataset push <folder> <name> [--jobs N]\n" +
  "       cgml dataset ls [<name>]\n";

/** Runs `cgml dataset …` with `argv` after the word `dataset`; resolves to the exit code. */
export async function datasetCommand(
  argv: readonly string[],
  ctx: DatasetCliContext,
): Promise<number> {
  const [sub, ...rest] = argv;
  const usage = (message: string) => {
    ctx.io.stderr(`${message}\n${DATASET_USAGE}`);
    return 2;
  };
  try {
    if (sub === "push") {
      const parsed = parsePushArgs(rest);
      if ("error" in parsed) return usage(parsed.error);
      return await push(ctx, parsed.folder, parsed.name, parsed.jobs);
    }
    if (sub === "ls") {
      if (rest.length > 1) return usage(`Cannot read "${rest[1]}": unexpected argument`);
      return rest.length === 0 ? await listAll(ctx) : await listOne(ctx, rest[0]);
    }
    return usage(sub === undefined ? "Cannot run: name push or ls" : `Cannot run "${sub}"`);
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e;
    ctx.io.stderr(`${e.message}\n`);
    return 1;
  }
}

function parsePushArgs(
  args: readonly string[],
): { folder: string; name: string; jobs: number } | { error: string } {
  const positional: string[] = [];
  let jobs = 8;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--jobs" || arg.startsWith("--jobs=")) {
      const value = arg === "--jobs" ? args[++i] : arg.slice("--jobs=".length);
      jobs = Number(value);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
        return { error: `Cannot read --jobs ${value}: give an integer from 1 to 64` };
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      return { error: `Cannot read option "${arg}": unknown option` };
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 2) {
    return { error: "Cannot push: name a folder and a dataset name" };
  }
  return { folder: positional[0], name: positional[1], jobs };
}

async function push(ctx: DatasetCliContext, folder: string, name: string, jobs: number) {
  const display = progressDisplay({
    write: ctx.io.stderr,
    terminal: ctx.io.stderrIsTerminal,
    label: `push ${name}`,
  });
  let report;
  try {
    report = await pushFolder(ctx.store, folder, name, {
      concurrency: jobs,
      onProgress: display.update,
    });
  } finally {
    display.finish();
  }
  ctx.io.stdout(
    `pushed ${folder} to ${report.prefix}: ${report.uploaded} uploaded (${
      formatBytes(report.uploadedBytes)
    }), ${report.skipped} unchanged${
      report.extra > 0 ? `, ${report.extra} other objects already there (kept)` : ""
    }\ndataset.root=s3://${ctx.bucket}/${report.prefix}\n`,
  );
  return 0;
}

async function listAll(ctx: DatasetCliContext): Promise<number> {
  const rows: string[][] = [];
  let after: string | undefined;
  do {
    const page = await listDatasetNames(ctx.store, { after, limit: 1000 });
    for (const name of page.names) {
      const o = await datasetOverview(ctx.store, name);
      if (o === null) continue;
      rows.push([
        o.name,
        String(o.objects),
        formatBytes(o.bytes),
        o.manifest ?? "-",
        o.lastModified,
      ]);
    }
    after = page.next;
  } while (after !== undefined);
  if (rows.length === 0) {
    ctx.io.stdout("no datasets (push one: cgml dataset push <folder> <name>)\n");
    return 0;
  }
  ctx.io.stdout(table(["dataset", "objects", "bytes", "manifest", "updated"], rows));
  return 0;
}

async function listOne(ctx: DatasetCliContext, name: string): Promise<number> {
  const d = await describeDataset(ctx.store, name);
  if (d === null) {
    ctx.io.stderr(`Cannot find dataset ${name}: nothing is stored under datasets/${name}/\n`);
    return 1;
  }
  const cell = (t: { objects: number; bytes: number }) =>
    t.objects === 0 ? "-" : `${t.objects} (${formatBytes(t.bytes)})`;
  const rows = d.classes.map((c) => [c.class, cell(c.train), cell(c.test), cell(c.none)]);
  if (d.unclassified.objects > 0) rows.push(["(no class)", "-", "-", cell(d.unclassified)]);
  ctx.io.stdout(
    `dataset ${d.name}: s3://${ctx.bucket}/${d.prefix}\n` +
      `objects ${d.objects} (${formatBytes(d.bytes)}), from ${d.source}, hash ${d.hash ?? "-"}\n` +
      (rows.length > 0 ? table(["class", "train", "test", "no split"], rows) : ""),
  );
  if (d.problems.length > 0) {
    ctx.io.stderr(`problems with the manifest:\n${formatProblems(d.problems)}\n`);
    return 1;
  }
  return 0;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [format(header), ...rows.map(format)].join("\n") + "\n";
}

/** The process's stdout and stderr as {@link DatasetCliIo}. */
export function terminalIo(): DatasetCliIo {
  const encoder = new TextEncoder();
  const writeAll = (out: typeof Deno.stdout, text: string) => {
    const bytes = encoder.encode(text);
    for (let off = 0; off < bytes.length;) off += out.writeSync(bytes.subarray(off));
  };
  return {
    stdout: (text) => writeAll(Deno.stdout, text),
    stderr: (text) => writeAll(Deno.stderr, text),
    stderrIsTerminal: Deno.stderr.isTerminal(),
  };
}
