/**
 * Validators of the deploy files, for `deploy_test.ts` and CI. Compose: `composecheck/`, a small
 * Go program over compose-go (the library Docker Compose loads files with: schema,
 * interpolation, references, profiles), built with `go build` into a cache keyed by its sources
 * and reused. Kubernetes: the `kubernetes-models` npm package, whose validators are the
 * Kubernetes OpenAPI schemas (the same ones kubeconform uses). Build tooling only:
 * `deno run -A infra/deploy/validators.ts` builds the compose checker when missing and prints
 * its path (`.ci/run` does this).
 *
 * @module
 */

import { cacheDir, hasGo } from "../s3/build.ts";

const SOURCE_DIR = new URL("./composecheck/", import.meta.url).pathname;
const SOURCES = ["go.mod", "go.sum", "main.go"];

/** Where the compose checker built from the current sources is (or will be). */
export async function composeCheckPath(): Promise<string> {
  const hash = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(
        (await Promise.all(SOURCES.map((f) => Deno.readTextFile(`${SOURCE_DIR}${f}`)))).join("\0"),
      ),
    ),
  );
  const id = Array.from(hash.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${cacheDir()}/composecheck/${id}/composecheck`;
}

/** The compose checker's path when it is built, else `null`. */
export async function findComposeCheck(): Promise<string | null> {
  const path = await composeCheckPath();
  try {
    return (await Deno.stat(path)).isFile ? path : null;
  } catch {
    return null;
  }
}

/** Returns the compose checker, building it with `go build` when missing (about 40 s cold). */
export async function ensureComposeCheck(): Promise<string> {
  const found = await findComposeCheck();
  if (found) return found;
  const target = await composeCheckPath();
  if (!(await hasGo())) {
    throw new Error(`Cannot build the compose checker: no 'go' on PATH (install Go >= 1.24)`);
  }
  const tmp = `${target}.build-${Deno.pid}`;
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
  console.error(`Building the compose checker (compose-go) into ${target}`);
  const out = await new Deno.Command("go", {
    args: ["build", "-trimpath", "-o", tmp, "."],
    cwd: SOURCE_DIR,
    env: { CGO_ENABLED: "0" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot build the compose checker: go build failed (exit ${out.code})`);
  }
  await Deno.rename(tmp, target);
  return target;
}

/** Result of {@link checkCompose}: the resolved project, or why the file is invalid. */
export type ComposeResult =
  // deno-lint-ignore no-explicit-any
  | { ok: true; project: any }
  | { ok: false; error: string };

/** Loads `file` with the compose checker under `profiles`, seeing only `env`. */
export async function checkCompose(
  binary: string,
  file: string,
  profiles: string[],
  env: Record<string, string>,
): Promise<ComposeResult> {
  const args = ["-f", file];
  for (const p of profiles) args.push("-profile", p);
  for (const [k, v] of Object.entries(env)) args.push("-env", `${k}=${v}`);
  const out = await new Deno.Command(binary, { args, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return out.success
    ? { ok: true, project: JSON.parse(text(out.stdout)) }
    : { ok: false, error: text(out.stderr).trim() };
}

if (import.meta.main) {
  try {
    console.log(await ensureComposeCheck());
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(1);
  }
}
