/**
 * Finds or builds the MinIO server binary used by tests and `deno task minio`.
 *
 * The binary is built from source with `go install` (MinIO ships source only) into a cache
 * directory and reused: `$CGML_MINIO_BIN` when set, else
 * `<cache>/minio/<version>/bin/minio` with `<cache>` = `$CGML_CACHE`, `$XDG_CACHE_HOME/cgml` or
 * `~/.cache/cgml`. Run `deno run -A infra/minio/build.ts` to build it when missing (prints the path).
 *
 * @module
 */

/** Go module of the MinIO server. */
export const MINIO_MODULE = "github.com/minio/minio";

/**
 * Pinned version: the pseudo-version of tag RELEASE.2025-10-15T17-29-55Z, the first release whose
 * conditional writes (`If-None-Match: *`, `If-Match` on a missing key) are all correct.
 */
export const MINIO_VERSION = "v0.0.0-20251015172955-9e49d5e7a648";

/** Environment variable naming an explicit MinIO binary (overrides the cache path). */
export const MINIO_BIN_ENV = "CGML_MINIO_BIN";

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

/** Where the MinIO binary is (or will be built): `$CGML_MINIO_BIN` or the versioned cache path. */
export function minioBinaryPath(): string {
  return Deno.env.get(MINIO_BIN_ENV) || `${cacheDir()}/minio/${MINIO_VERSION}/bin/minio`;
}

/** The MinIO binary's path when it exists and is executable, else `null`. */
export async function findMinio(): Promise<string | null> {
  const path = minioBinaryPath();
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
 * Returns the MinIO binary, building it with `go install` when missing. The build goes to a
 * private directory and is renamed into place, so a half-finished build is never picked up and
 * concurrent builds do not collide. Build output is streamed to stderr.
 */
export async function ensureMinio(): Promise<string> {
  const found = await findMinio();
  if (found) return found;
  if (!(await hasGo())) {
    throw new Error(
      `Cannot build MinIO: no binary at ${minioBinaryPath()} and no 'go' on PATH (install Go >= 1.24 or set ${MINIO_BIN_ENV})`,
    );
  }
  const target = minioBinaryPath();
  const binDir = target.slice(0, target.lastIndexOf("/"));
  const tmpBin = `${binDir}.build-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(tmpBin, { recursive: true });
  const spec = `${MINIO_MODULE}@${MINIO_VERSION}`;
  console.error(`Building MinIO (${spec}) into ${target}; a cold build takes minutes.`);
  const started = performance.now();
  try {
    const child = new Deno.Command("go", {
      args: ["install", "-trimpath", spec],
      env: {
        GOBIN: tmpBin,
        GOFLAGS: "-mod=mod",
        CGO_ENABLED: "0",
        GOTOOLCHAIN: Deno.env.get("GOTOOLCHAIN") || "local",
      },
      stdout: "inherit",
      stderr: "piped",
    }).spawn();
    const tail = await teeTail(child.stderr);
    const status = await child.status;
    if (!status.success) {
      const refused = /403 Forbidden|not available|410 Gone/.test(tail);
      throw new Error(
        `Cannot build MinIO: go install ${spec} failed (exit ${status.code})${
          refused ? "; the Go module proxy refused the module" : ""
        }; its output is above`,
      );
    }
    await Deno.mkdir(binDir, { recursive: true });
    await Deno.rename(`${tmpBin}/minio`, target);
  } finally {
    await Deno.remove(tmpBin, { recursive: true }).catch(() => {});
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.error(`Built MinIO in ${seconds} s: ${target}`);
  return target;
}

/** Copies a byte stream to stderr and returns its last 4 KiB as text (to classify failures). */
async function teeTail(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let tail = "";
  for await (const chunk of stream) {
    await Deno.stderr.write(chunk);
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
  }
  return tail;
}

if (import.meta.main) {
  try {
    console.log(await ensureMinio());
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(1);
  }
}
