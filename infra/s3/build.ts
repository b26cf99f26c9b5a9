/**
 * Finds or builds the versitygw S3 server (Apache-2.0) that tests, CI and `deno task s3` run.
 *
 * The binary is built from source with `go install` into a versioned cache and reused:
 * `$CGML_S3_BIN` when set, else `<cache>/versitygw/<version>/bin/versitygw` with `<cache>` =
 * `$CGML_CACHE`, `$XDG_CACHE_HOME/cgml` or `~/.cache/cgml`. `deno run -A infra/s3/build.ts`
 * builds it when missing and prints its path (`.ci/run` does this). Build tooling only: runtime
 * code never imports this module.
 *
 * @module
 */

/** Go package of the versitygw command. */
export const VERSITYGW_PACKAGE = "github.com/versity/versitygw/cmd/versitygw";

/** Pinned release (the one the Go module proxy serves; conditional writes verified on it). */
export const VERSITYGW_VERSION = "v1.8.0";

/** Environment variable naming an explicit S3 server binary (overrides the cache path). */
export const S3_BIN_ENV = "CGML_S3_BIN";

/** The project's cache directory: `$CGML_CACHE`, `$XDG_CACHE_HOME/cgml` or `~/.cache/cgml`. */
export function cacheDir(): string {
  const explicit = Deno.env.get("CGML_CACHE");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/cgml`;
  const home = Deno.env.get("HOME");
  if (!home) throw new Error("Cannot locate the cache directory: set CGML_CACHE or HOME");
  return `${home}/.cache/cgml`;
}

/** Where the binary is (or will be built): `$CGML_S3_BIN` or the versioned cache path. */
export function versitygwPath(): string {
  return Deno.env.get(S3_BIN_ENV) ||
    `${cacheDir()}/versitygw/${VERSITYGW_VERSION}/bin/versitygw`;
}

/** The binary's path when it exists and is executable, else `null`. */
export async function findVersitygw(): Promise<string | null> {
  const path = versitygwPath();
  try {
    const st = await Deno.stat(path);
    return st.isFile && (st.mode === null || (st.mode & 0o111) !== 0) ? path : null;
  } catch {
    return null;
  }
}

/** Whether a `go` command is on PATH. */
export async function hasGo(): Promise<boolean> {
  try {
    const out = await new Deno.Command("go", { args: ["version"], stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Returns the binary, building it with `go install` when missing. The build goes to a private
 * directory and is renamed into place, so a half-finished build is never picked up and
 * concurrent builds do not collide. Build output goes to stderr.
 */
export async function ensureVersitygw(): Promise<string> {
  const found = await findVersitygw();
  if (found) return found;
  if (Deno.env.get(S3_BIN_ENV)) {
    throw new Error(`Cannot use ${S3_BIN_ENV}=${versitygwPath()}: no executable file there`);
  }
  if (!(await hasGo())) {
    throw new Error(
      `Cannot build versitygw: no binary at ${versitygwPath()} and no 'go' on PATH ` +
        `(install Go >= 1.25 or set ${S3_BIN_ENV})`,
    );
  }
  const target = versitygwPath();
  const binDir = target.slice(0, target.lastIndexOf("/"));
  const tmpBin = `${binDir}.build-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(tmpBin, { recursive: true });
  const spec = `${VERSITYGW_PACKAGE}@${VERSITYGW_VERSION}`;
  console.error(`Building versitygw (${spec}) into ${target}; a cold build takes about 2 min.`);
  const started = performance.now();
  try {
    const out = await new Deno.Command("go", {
      args: ["install", "-trimpath", spec],
      env: { GOBIN: tmpBin, CGO_ENABLED: "0" },
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!out.success) {
      throw new Error(`Cannot build versitygw: go install ${spec} failed (exit ${out.code})`);
    }
    await Deno.mkdir(binDir, { recursive: true });
    await Deno.rename(`${tmpBin}/versitygw`, target);
  } finally {
    await Deno.remove(tmpBin, { recursive: true }).catch(() => {});
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.error(`Built versitygw in ${seconds} s: ${target}`);
  return target;
}

if (import.meta.main) {
  try {
    console.log(await ensureVersitygw());
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(1);
  }
}
