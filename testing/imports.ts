/**
 * The project's import rules, checked on source text: which top-level folders and which worker
 * layers a module may import, and that another folder is entered only through a `mod.ts` (its own
 * or a subfolder's). Test code (`*_test.ts`, `_testing.ts`, `*_ref.ts`, `*_suite.ts`, testdata/)
 * may import anything.
 * `deno task check-imports` prints every violation; `testing/imports_test.ts` fails on one.
 * @module
 */

/** One import that breaks a rule. */
export interface ImportViolation {
  /** Importing file, relative to the repository root. */
  file: string;
  /** 1-based line of the import. */
  line: number;
  /** The specifier as written. */
  specifier: string;
  /** Which rule it breaks. */
  rule: string;
}

/** Worker layers, higher may import lower (and `lib`, the leaf); the same layer only as siblings. */
const WORKER_LAYERS: Readonly<Record<string, number>> = {
  lib: 0,
  gpu: 1,
  nn: 2,
  cgml: 3,
  spectral: 3,
  data: 3,
  eval: 3,
  models: 4,
  report: 5,
  stages: 6,
  runner: 7,
  service: 8,
};

/** The worker's root modules (entry points: `main.ts`, `cli.ts`, `demo.ts`, …) sit above all. */
const ROOT_LAYER = 9;

/** Worker folders that may import the worker's root modules (`cli.ts`, …). */
const ROOT_IMPORTERS: readonly string[] = ["worker", "worker/service"];

/** Top-level folders each top-level folder may import (besides itself and npm packages). */
const TOP_LEVEL: Readonly<Record<string, readonly string[]>> = {
  functions: ["pipelines", "infra"],
  worker: ["pipelines", "infra"],
  pipelines: ["infra"],
  infra: [],
  testing: ["infra", "pipelines", "worker", "functions"],
  bench: ["worker", "infra", "pipelines", "functions"],
};

const IMPORT_RE =
  /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

/** Whether a path is test-only code (tests, their helpers, fixtures), which the rules skip. */
export function isTestCode(path: string): boolean {
  return /(^|\/)(_testing|_ref|[^/]*_test|[^/]*_ref|[^/]*_suite)\.ts$/.test(path) ||
    /(^|\/)testdata\//.test(path) || path.startsWith("testing/");
}

/** The specifiers a module's source imports or re-exports, with their lines. */
export function importsOf(source: string): { specifier: string; line: number }[] {
  const out: { specifier: string; line: number }[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const specifier = m[1] ?? m[2];
    const line = source.slice(0, m.index).split("\n").length;
    out.push({ specifier, line });
  }
  return out;
}

/** The repository path `specifier` names when imported from `from` (both relative to the root). */
function normalise(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of specifier.split("/")) {
    if (seg === "." || seg === "") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return parts.join("/");
}

/** The unit a path belongs to: `worker/<sub>` inside the worker, else its top-level folder. */
function unitOf(path: string): string {
  const [top, sub] = path.split("/");
  if (top === "worker" && sub && !sub.endsWith(".ts")) return `worker/${sub}`;
  return top;
}

/** Checks one module's imports; `file` is relative to the repository root. */
export function checkModule(file: string, source: string): ImportViolation[] {
  const out: ImportViolation[] = [];
  if (isTestCode(file)) return out;
  const fromUnit = unitOf(file);
  const fromTop = file.split("/")[0];
  for (const { specifier, line } of importsOf(source)) {
    if (!specifier.startsWith(".")) continue;
    const target = normalise(file, specifier);
    const toUnit = unitOf(target);
    const toTop = target.split("/")[0];
    const bad = (rule: string) => out.push({ file, line, specifier, rule });
    if (isTestCode(target) && !isTestCode(file)) {
      bad("non-test code imports test code");
      continue;
    }
    if (toTop !== fromTop && !(TOP_LEVEL[fromTop] ?? []).includes(toTop)) {
      bad(`${fromTop}/ may not import ${toTop}/`);
      continue;
    }
    if (toUnit === fromUnit || fromTop === "bench") continue;
    if (toUnit === "worker" && fromTop === "worker") {
      if (!ROOT_IMPORTERS.includes(fromUnit)) bad(`${fromUnit} may not import the worker's root`);
      continue;
    }
    if (fromTop === "worker" && toTop === "worker") {
      const layer = (u: string) => u === "worker" ? ROOT_LAYER : WORKER_LAYERS[u.slice(7)];
      const from = layer(fromUnit);
      const to = layer(toUnit);
      const unknown = [fromUnit, toUnit].find((u) => layer(u) === undefined);
      if (unknown !== undefined) {
        bad(`${unknown} has no place in the worker's layers (add it to WORKER_LAYERS)`);
        continue;
      }
      if (to > from) {
        bad(`worker layers point down: ${fromUnit} may not import ${toUnit}`);
        continue;
      }
    }
    if (!target.endsWith("/mod.ts") || !target.startsWith(`${toUnit}/`)) {
      bad(`other folders only through a mod.ts (${toUnit}/mod.ts)`);
    }
  }
  return out;
}

/** Checks every non-test TypeScript module under `root`. */
export async function checkTree(root: string): Promise<ImportViolation[]> {
  const out: ImportViolation[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        if (e.name.startsWith(".") || e.name === "node_modules") continue;
        await walk(`${dir}/${e.name}`, r);
      } else if (e.name.endsWith(".ts") && !isTestCode(r)) {
        out.push(...checkModule(r, await Deno.readTextFile(`${dir}/${e.name}`)));
      }
    }
  }
  await walk(root, "");
  return out;
}

if (import.meta.main) {
  const found = await checkTree(Deno.args[0] ?? ".");
  for (const v of found) console.log(`${v.file}:${v.line}  ${v.specifier}  ${v.rule}`);
  console.log(
    found.length ? `${found.length} import(s) break the rules` : "imports: all rules hold",
  );
  Deno.exit(found.length ? 1 : 0);
}
