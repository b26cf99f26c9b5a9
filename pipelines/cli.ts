/**
 * The `cgml` command line: `validate` and `plan` (this module), and an extension point for
 * commands that need the worker (`run`), which `worker/` adds without `pipelines/` importing it:
 *
 * ```ts
 * import { COMMANDS, main } from "../pipelines/mod.ts";
 * Deno.exit(await main(Deno.args, { commands: { ...COMMANDS, run }, store }));
 * ```
 *
 * Usage: `cgml validate|plan <file.yaml> [-f overrides.yaml]... [--set a.b=v]...` (`run` adds
 * `--out DIR`, `--resume RUN_ID` and `--seeds 0,1,2`).
 *
 * @module
 */

import {
  type CacheReader,
  type Decision,
  type DescribeChange,
  type Fingerprint,
  formatDecisions,
  planRun,
  readRunRecord,
} from "./cache.ts";
import { formatDiagnostics } from "./diagnostics.ts";
import { fingerprintPath } from "./fingerprint.ts";
import { compilePipeline, type CompileResult } from "./plan.ts";

/** Parsed command line. */
export interface CliArgs {
  command: string;
  /** The pipeline file. */
  file: string;
  /** `-f` override files, in order. */
  overrides: string[];
  /** `--set a.b=v` arguments, in order. */
  sets: string[];
  /** `--out DIR`. */
  out?: string;
  /** `--resume RUN_ID`. */
  resume?: string;
  /** `--seeds 0,1,2`: the pipeline's `seed` param of each run, distinct, in the order given. */
  seeds?: number[];
}

/** Options that only some commands take. */
export type CommandOption = "out" | "resume" | "seeds";

const OPTION_USAGE: Record<CommandOption, string> = {
  out: " [--out DIR]",
  resume: " [--resume RUN_ID]",
  seeds: " [--seeds 0,1,2]",
};

/** Parses the value of `--seeds`: distinct non-negative integers separated by commas. */
export function parseSeeds(value: string): number[] | { error: string } {
  const parts = value.split(",").map((p) => p.trim());
  const seeds = parts.map((p) => (/^\d{1,9}$/.test(p) ? Number(p) : NaN));
  if (seeds.some((v) => !Number.isInteger(v))) {
    return {
      error: `Cannot read --seeds "${value}": give non-negative integers separated by commas ` +
        `(e.g. 0,1,2)`,
    };
  }
  const repeated = seeds.find((v, i) => seeds.indexOf(v) !== i);
  if (repeated !== undefined) {
    return { error: `Cannot read --seeds "${value}": seed ${repeated} is given twice` };
  }
  return seeds;
}

/** Terminal and file access, replaceable in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readTextFile(path: string): Promise<string>;
}

/** What a command gets besides its arguments. */
export interface CliContext {
  io: CliIo;
  /** The object store holding the cache and run records; `null` when none is configured. */
  store: CacheReader | null;
  fingerprint: Fingerprint;
  /** Says what changed where a fingerprint differs (`dataset changed: 1 added`). */
  describeChange?: DescribeChange;
}

/** A subcommand. */
export interface Command {
  summary: string;
  /** Options beyond `-f` and `--set` that it accepts. */
  options?: readonly CommandOption[];
  /** Runs the command; resolves to the exit code. */
  run(args: CliArgs, ctx: CliContext): Promise<number>;
}

/** Exit code for a usage error. */
export const EXIT_USAGE = 2;

/**
 * Parses `<command> <file> [-f file]... [--set a=b]... [--out DIR] [--resume ID] [--seeds 0,1]`.
 */
export function parseArgs(argv: readonly string[]): CliArgs | { error: string } {
  const positional: string[] = [];
  const args: CliArgs = { command: "", file: "", overrides: [], sets: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const takeValue = (): string | undefined => eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (
      name === "-f" || name === "--file" || name === "--set" || name === "--out" ||
      name === "--resume" || name === "--seeds"
    ) {
      const value = takeValue();
      if (value === undefined || value === "") {
        return { error: `Cannot read ${name}: it needs a value` };
      }
      if (name === "--set") args.sets.push(value);
      else if (name === "--seeds") {
        const seeds = parseSeeds(value);
        if ("error" in seeds) return seeds;
        args.seeds = seeds;
      } else if (name === "--out") args.out = value;
      else if (name === "--resume") args.resume = value;
      else args.overrides.push(value);
    } else if (arg.startsWith("-") && arg !== "-") {
      return { error: `Cannot read option "${arg}": unknown option` };
    } else {
      positional.push(arg);
    }
  }
  if (positional.length === 0) return { error: "Cannot run: name a command" };
  if (positional.length === 1) {
    return { error: `Cannot run "${positional[0]}": name a pipeline file` };
  }
  if (positional.length > 2) {
    return { error: `Cannot read "${positional[2]}": unexpected argument` };
  }
  [args.command, args.file] = positional;
  return args;
}

/** Reads the pipeline and override files and compiles them; `undefined` after reporting a read error. */
export async function compileFiles(args: CliArgs, io: CliIo): Promise<CompileResult | undefined> {
  const read = async (path: string) => {
    try {
      return await io.readTextFile(path);
    } catch (e) {
      io.stderr(`Cannot read "${path}": ${e instanceof Error ? e.message : String(e)}\n`);
      return undefined;
    }
  };
  const text = await read(args.file);
  if (text === undefined) return undefined;
  const overrides = [];
  for (const file of args.overrides) {
    const overrideText = await read(file);
    if (overrideText === undefined) return undefined;
    overrides.push({ file, text: overrideText });
  }
  return compilePipeline({ file: args.file, text, overrides, sets: args.sets });
}

/** `validate`: exits 1 on any error, listing them all. */
export const validateCommand: Command = {
  summary: "check a pipeline file and its overrides; exit 1 on any error",
  async run(args, ctx) {
    const result = await compileFiles(args, ctx.io);
    if (result === undefined) return 1;
    if (result.plan === undefined) {
      ctx.io.stderr(formatDiagnostics(result.errors, result.sources));
      return 1;
    }
    ctx.io.stdout(
      `${args.file}: ok (pipeline "${result.plan.name}", ${
        stageCount(result.plan.stages.length)
      })\n`,
    );
    return 0;
  },
};

/** `plan`: prints the resolved params and HIT / MISS / RUN with a reason for every stage. */
export const planCommand: Command = {
  summary: "show what a run would do: HIT, MISS or RUN for every stage, with the reason",
  async run(args, ctx) {
    const result = await compileFiles(args, ctx.io);
    if (result === undefined) return 1;
    const plan = result.plan;
    if (plan === undefined) {
      ctx.io.stderr(formatDiagnostics(result.errors, result.sources));
      return 1;
    }
    let decisions: Decision[];
    try {
      const previous = ctx.store === null ? null : await readRunRecord(ctx.store, plan.name);
      decisions = await planRun(plan, {
        store: ctx.store,
        previous,
        fingerprint: ctx.fingerprint,
        describeChange: ctx.describeChange,
      });
    } catch (e) {
      ctx.io.stderr(`Cannot plan "${args.file}": ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    const params = Object.entries(plan.params).map(([k, v]) => `  ${k} = ${JSON.stringify(v)}`);
    ctx.io.stdout(
      `pipeline ${plan.name} (${stageCount(plan.stages.length)})\nparams\n${params.join("\n")}\n` +
        formatDecisions(plan, decisions) + summary(decisions),
    );
    return 0;
  },
};

/** The commands this module provides. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  validate: validateCommand,
  plan: planCommand,
};

/** Usage text for a set of commands. */
export function usage(commands: Readonly<Record<string, Command>>): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => {
    const extra = (c.options ?? []).map((o) => OPTION_USAGE[o]).join("");
    return `  ${name.padEnd(width)}  ${c.summary}${
      extra ? `\n  ${"".padEnd(width)}  options:${extra}` : ""
    }`;
  });
  return `Usage: cgml <command> <pipeline.yaml> [-f overrides.yaml]... [--set name.key=value]...\n` +
    `Commands:\n${lines.join("\n")}\n`;
}

/** Runs the command line; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  opts: Partial<CliContext> & { commands?: Readonly<Record<string, Command>> } = {},
): Promise<number> {
  const commands = opts.commands ?? COMMANDS;
  const io = opts.io ?? denoIo;
  if (argv.length === 0 || argv.includes("-h") || argv.includes("--help")) {
    (argv.length === 0 ? io.stderr : io.stdout)(usage(commands));
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  const args = parseArgs(argv);
  const fail = (message: string) => {
    io.stderr(`${message}\n${usage(commands)}`);
    return EXIT_USAGE;
  };
  if ("error" in args) return fail(args.error);
  const command = commands[args.command];
  if (command === undefined) return fail(`Cannot run "${args.command}": unknown command`);
  for (const option of ["out", "resume", "seeds"] as const) {
    if (args[option] !== undefined && !(command.options ?? []).includes(option)) {
      return fail(`Cannot use --${option} with "${args.command}"`);
    }
  }
  const ctx: CliContext = {
    io,
    store: opts.store ?? null,
    fingerprint: opts.fingerprint ?? fingerprintPath,
    describeChange: opts.describeChange,
  };
  return await command.run(args, ctx);
}

const denoIo: CliIo = {
  stdout: (text) => void Deno.stdout.writeSync(new TextEncoder().encode(text)),
  stderr: (text) => void Deno.stderr.writeSync(new TextEncoder().encode(text)),
  readTextFile: (path) => Deno.readTextFile(path),
};

function stageCount(n: number): string {
  return `${n} stage${n === 1 ? "" : "s"}`;
}

function summary(decisions: readonly Decision[]): string {
  const count = (a: Decision["action"]) => decisions.filter((d) => d.action === a).length;
  return `${count("HIT")} HIT, ${count("MISS")} MISS, ${count("RUN")} RUN\n`;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
