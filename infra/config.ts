/**
 * The one place environment variables are read and validated (zod), in sections: the store
 * (every entry point that opens one: functions, worker, `deno task cgml`, bench), the functions,
 * the worker and the local S3 server. An invalid setting is a {@link ConfigError} whose message
 * names every offending variable; entry points print it and exit with status 2. Empty values
 * count as unset.
 *
 * | variable                  | default                     | section   |
 * |---------------------------|-----------------------------|-----------|
 * | `CGML_STORE`              | `file://<cwd>/.cache/store` | store     |
 * | `CGML_BUCKET`             | `cgml`                      | store     |
 * | `CGML_S3_ACCESS_KEY`      | — (required with S3)        | store, s3 |
 * | `CGML_S3_SECRET_KEY`      | — (required with S3)        | store, s3 |
 * | `CGML_API_TOKENS`         | none (API open, loopback)   | functions |
 * | `CGML_WEBHOOK_TOKEN`      | none (webhook refused)      | functions, s3 |
 * | `PORT`                    | `8000`                      | functions |
 * | `CGML_HOST`               | `127.0.0.1`                 | functions |
 * | `CGML_WORKER_CONCURRENCY` | `1`                         | worker    |
 * | `CGML_INBOX_SCAN_SECONDS` | `30` (0 disables)           | worker    |
 * | `CGML_LEASE_SECONDS`      | `30`                        | worker    |
 * | `CGML_WORK_DIR`           | `<cwd>/.cache/worker`       | worker    |
 * | `CGML_OBJECT_CACHE_DIR`   | `<work dir>/objects`        | worker    |
 *
 * @module
 */

import { z } from "zod";
import { createStore } from "./store/create.ts";
import type { ObjectStore } from "./store/types.ts";

/** Environment as a plain record (tests pass their own). */
export type Env = Record<string, string | undefined>;

/** Folder of the embedded store when `CGML_STORE` is unset, relative to the working directory. */
export const DEFAULT_STORE_DIR = ".cache/store";

/** Scope of an API token: `write` also allows reading. */
export type TokenScope = "read" | "write";

/** Where objects live. */
export interface StoreConfig {
  /** `file:///abs/path` or `http(s)://host:port`. */
  url: string;
  /** Backend the URL selects: the embedded filesystem store or an S3 server (MinIO, …). */
  kind: "fs" | "minio";
  /** Bucket (S3). */
  bucket: string;
  /** Access key (S3). */
  accessKey?: string;
  /** Secret key (S3). */
  secretKey?: string;
}

/** Configuration of the HTTP functions (with the store they serve). */
export interface Config {
  /** Where objects live. */
  store: StoreConfig;
  /** API bearer tokens and their scopes. */
  apiTokens: { token: string; scope: TokenScope }[];
  /** Token the bucket webhook must present; absent: the webhook route refuses every call. */
  webhookToken?: string;
  /** HTTP port (0: any free port). */
  port: number;
  /** Listen address; anything but loopback requires API tokens. */
  host: string;
}

/** Configuration of the worker (with the store it works on). */
export interface WorkerConfig {
  /** Where objects live. */
  store: StoreConfig;
  /** Jobs run at once, sharing the GPU. */
  concurrency: number;
  /** Period of the inbox reconcile scan, in seconds (0: off). */
  scanSeconds: number;
  /** Lease of a claimed job, in seconds. */
  leaseSeconds: number;
  /** Local folder of stage checkpoints. */
  workDir: string;
  /** Local folder of dataset objects read from the bucket, named by ETag (shared by jobs). */
  objectCacheDir: string;
}

/** Settings of `deno task s3`. */
export interface S3ServerConfig {
  /** Root access key of the server. */
  accessKey: string;
  /** Root secret key of the server. */
  secretKey: string;
  /** Secret the server's notifications carry to the webhook. */
  webhookToken?: string;
}

/** Invalid configuration; the message names every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const TOKEN = /^[A-Za-z0-9._~+/=-]{16,}$/;
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

const int = (min: number, fallback: number) =>
  z.string().default(String(fallback)).refine(
    (v) => /^\d{1,9}$/.test(v) && Number(v) >= min,
    `must be an integer >= ${min}`,
  ).transform(Number);

const AccessKey = z.string().min(3, "must have at least 3 characters");
const SecretKey = z.string().min(8, "must have at least 8 characters");
const WebhookToken = z.string().regex(
  TOKEN,
  "must be at least 16 characters from [A-Za-z0-9._~+/=-]",
);

const StoreEnv = z.object({
  CGML_STORE: z.string().refine((v) => {
    try {
      const u = new URL(v);
      if (u.protocol === "file:") return u.host === "" && u.pathname.length > 1;
      return (u.protocol === "http:" || u.protocol === "https:") && u.pathname === "/" &&
        u.username === "" && u.search === "";
    } catch {
      return false;
    }
  }, "must be file:///absolute/path or http(s)://host:port"),
  CGML_BUCKET: z.string().default("cgml").pipe(
    z.string().regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      "must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
    ),
  ),
  CGML_S3_ACCESS_KEY: AccessKey.optional(),
  CGML_S3_SECRET_KEY: SecretKey.optional(),
}).superRefine((e, ctx) => {
  if (new URL(e.CGML_STORE).protocol === "file:") return;
  for (const name of ["CGML_S3_ACCESS_KEY", "CGML_S3_SECRET_KEY"] as const) {
    if (!e[name]) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: "required when CGML_STORE is http(s)",
      });
    }
  }
});

const FunctionsEnv = z.object({
  CGML_API_TOKENS: z.string().default("").transform((v, ctx) => {
    const tokens: Config["apiTokens"] = [];
    for (const [i, part] of v.split(",").map((p) => p.trim()).entries()) {
      if (part === "") continue;
      const colon = part.lastIndexOf(":");
      const token = colon < 0 ? part : part.slice(0, colon);
      const scope = colon < 0 ? "" : part.slice(colon + 1);
      if (!TOKEN.test(token) || (scope !== "read" && scope !== "write")) {
        ctx.addIssue({
          code: "custom",
          message: `entry ${i + 1} must be token:read or token:write with a token of at least ` +
            "16 characters from [A-Za-z0-9._~+/=-]",
        });
        return z.NEVER;
      }
      tokens.push({ token, scope });
    }
    return tokens;
  }),
  CGML_WEBHOOK_TOKEN: WebhookToken.optional(),
  PORT: z.string().default("8000").refine(
    (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535,
    "must be a port number 0..65535",
  ).transform(Number),
  CGML_HOST: z.string().default("127.0.0.1").pipe(
    z.string().regex(/^[A-Za-z0-9.:-]+$/, "must be a host name or an IP address"),
  ),
}).superRefine((e, ctx) => {
  if (e.CGML_API_TOKENS.length === 0 && !LOOPBACK.has(e.CGML_HOST)) {
    ctx.addIssue({
      code: "custom",
      path: ["CGML_HOST"],
      message: `${e.CGML_HOST} is not loopback, and CGML_API_TOKENS is empty (the API would be ` +
        "open): set API tokens or listen on 127.0.0.1",
    });
  }
});

const WorkerEnv = z.object({
  CGML_WORKER_CONCURRENCY: int(1, 1),
  CGML_INBOX_SCAN_SECONDS: int(0, 30),
  CGML_LEASE_SECONDS: int(1, 30),
  CGML_WORK_DIR: z.string().optional(),
  CGML_OBJECT_CACHE_DIR: z.string().optional(),
});

const S3ServerEnv = z.object({
  CGML_S3_ACCESS_KEY: z.string({ error: "required (the server's root access key)" }).pipe(
    AccessKey,
  ),
  CGML_S3_SECRET_KEY: z.string({ error: "required (the server's root secret key)" }).pipe(
    SecretKey,
  ),
  CGML_WEBHOOK_TOKEN: WebhookToken.optional(),
});

/** Parses the variables `schema` names from `env`; throws {@link ConfigError} naming them. */
function parse<S extends z.ZodType>(schema: S, names: readonly string[], env: Env): z.output<S> {
  const picked = Object.fromEntries(
    names.map((n) => [n, env[n] === "" ? undefined : env[n]]).filter(([, v]) => v !== undefined),
  );
  const parsed = schema.safeParse(picked);
  if (parsed.success) return parsed.data as z.output<S>;
  const lines = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
  throw new ConfigError(`Cannot start: invalid configuration\n  ${lines.join("\n  ")}`);
}

/** The process environment restricted to the variables of this module. */
export function processEnv(): Env {
  return Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, Deno.env.get(name)]));
}

/** Reads the store section: `CGML_STORE` (default the embedded store), bucket, credentials. */
export function loadStoreConfig(env: Env = processEnv(), cwd = Deno.cwd()): StoreConfig {
  const fallback = new URL(`file://${cwd}/${DEFAULT_STORE_DIR}`).href;
  const e = parse(StoreEnv, STORE_VARIABLES, { ...env, CGML_STORE: env.CGML_STORE || fallback });
  return {
    url: e.CGML_STORE,
    kind: new URL(e.CGML_STORE).protocol === "file:" ? "fs" : "minio",
    bucket: e.CGML_BUCKET,
    accessKey: e.CGML_S3_ACCESS_KEY,
    secretKey: e.CGML_S3_SECRET_KEY,
  };
}

/** Reads the functions' configuration (store section included). */
export function loadConfig(env: Env = processEnv(), cwd = Deno.cwd()): Config {
  const store = loadStoreConfig(env, cwd);
  const e = parse(FunctionsEnv, FUNCTIONS_VARIABLES, env);
  return {
    store,
    apiTokens: e.CGML_API_TOKENS,
    webhookToken: e.CGML_WEBHOOK_TOKEN,
    port: e.PORT,
    host: e.CGML_HOST,
  };
}

/** Reads the worker's configuration (store section included). */
export function loadWorkerConfig(env: Env = processEnv(), cwd = Deno.cwd()): WorkerConfig {
  const store = loadStoreConfig(env, cwd);
  const e = parse(WorkerEnv, WORKER_VARIABLES, env);
  const workDir = e.CGML_WORK_DIR ?? `${cwd}/.cache/worker`;
  return {
    store,
    concurrency: e.CGML_WORKER_CONCURRENCY,
    scanSeconds: e.CGML_INBOX_SCAN_SECONDS,
    leaseSeconds: e.CGML_LEASE_SECONDS,
    workDir,
    objectCacheDir: e.CGML_OBJECT_CACHE_DIR ?? `${workDir}/objects`,
  };
}

/** Reads the settings of `deno task s3`: root credentials (required) and the webhook token. */
export function loadS3ServerConfig(env: Env = processEnv()): S3ServerConfig {
  const e = parse(S3ServerEnv, S3_SERVER_VARIABLES, env);
  return {
    accessKey: e.CGML_S3_ACCESS_KEY,
    secretKey: e.CGML_S3_SECRET_KEY,
    webhookToken: e.CGML_WEBHOOK_TOKEN,
  };
}

/** Opens the store the configuration names (creating the bucket of an S3 store when missing). */
export function openConfiguredStore(config: StoreConfig | { store: StoreConfig }): Promise<
  ObjectStore
> {
  const store = "store" in config ? config.store : config;
  return createStore(store.url, {
    bucket: store.bucket,
    accessKey: store.accessKey,
    secretKey: store.secretKey,
  });
}

const STORE_VARIABLES = [
  "CGML_STORE",
  "CGML_BUCKET",
  "CGML_S3_ACCESS_KEY",
  "CGML_S3_SECRET_KEY",
] as const;
const FUNCTIONS_VARIABLES = ["CGML_API_TOKENS", "CGML_WEBHOOK_TOKEN", "PORT", "CGML_HOST"] as const;
const WORKER_VARIABLES = [
  "CGML_WORKER_CONCURRENCY",
  "CGML_INBOX_SCAN_SECONDS",
  "CGML_LEASE_SECONDS",
  "CGML_WORK_DIR",
  "CGML_OBJECT_CACHE_DIR",
] as const;
/** Names of the variables {@link loadGpuConfig} reads. */
export const GPU_CONFIG_VARIABLES = [
  "CGML_GPU_PROFILE",
  "CGML_REQUIRE_GPU",
  "CGML_CACHE",
  "XDG_CACHE_HOME",
  "HOME",
] as const;
const S3_SERVER_VARIABLES = ["CGML_S3_ACCESS_KEY", "CGML_S3_SECRET_KEY", "CGML_WEBHOOK_TOKEN"];

/** Names of every variable the loaders of this module read. */
export const CONFIG_VARIABLES: readonly string[] = [
  ...new Set([
    ...STORE_VARIABLES,
    ...FUNCTIONS_VARIABLES,
    ...WORKER_VARIABLES,
    ...GPU_CONFIG_VARIABLES,
  ]),
];

// --- GPU engine configuration (a self-contained section: the worker's device settings) ---

/** Settings of the WebGPU engine. */
export interface GpuConfig {
  /** `auto`: kernels tuned on the adapter (cached); `cpu`/`gpu`: a fixed kernel profile. */
  profile: "auto" | "cpu" | "gpu";
  /** Refuse to start on a fallback (software) adapter. */
  requireGpu: boolean;
  /** Folder of the tuning cache (the `CGML_CACHE` folder). */
  tuneCacheDir: string;
}

const GpuEnv = z.object({
  CGML_GPU_PROFILE: z.enum(["auto", "cpu", "gpu"], { message: "must be auto, cpu or gpu" }),
  CGML_REQUIRE_GPU: z.enum(["1", "true", "0", "false"], { message: "must be 1, true, 0 or false" })
    .transform((v) => v === "1" || v === "true"),
  CGML_CACHE: z.string().refine((v) => v.startsWith("/"), "must be an absolute path"),
});

/**
 * Reads the GPU engine's settings from `env` (default: the process environment): CGML_GPU_PROFILE
 * (`auto`, the default, or `cpu`/`gpu`), CGML_REQUIRE_GPU (`1`/`true`) and CGML_CACHE (default
 * `$XDG_CACHE_HOME/cgml`, else `~/.cache/cgml`). Empty values count as unset. Throws
 * {@link ConfigError} naming every invalid variable.
 */
export function loadGpuConfig(env: Env = processEnv()): GpuConfig {
  const value = (name: string) => (env[name] === "" ? undefined : env[name]);
  const xdg = value("XDG_CACHE_HOME");
  const home = value("HOME") ?? "/tmp";
  const parsed = GpuEnv.safeParse({
    CGML_GPU_PROFILE: value("CGML_GPU_PROFILE") ?? "auto",
    CGML_REQUIRE_GPU: value("CGML_REQUIRE_GPU")?.toLowerCase() ?? "0",
    CGML_CACHE: value("CGML_CACHE") ?? (xdg ? `${xdg}/cgml` : `${home}/.cache/cgml`),
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`Cannot start: invalid configuration\n  ${lines.join("\n  ")}`);
  }
  return {
    profile: parsed.data.CGML_GPU_PROFILE,
    requireGpu: parsed.data.CGML_REQUIRE_GPU,
    tuneCacheDir: parsed.data.CGML_CACHE,
  };
}
