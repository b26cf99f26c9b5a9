/**
 * Service configuration from environment variables, validated with zod. A missing or invalid
 * setting stops the process at start with a message naming the variable.
 *
 * | variable             | default                         | meaning                                   |
 * |----------------------|---------------------------------|-------------------------------------------|
 * | `CGML_STORE`         | `file://<cwd>/.cache/store`     | `file:///abs/path` or `http(s)://host:port` |
 * | `CGML_BUCKET`        | `cgml`                          | bucket of the MinIO store                 |
 * | `CGML_S3_ACCESS_KEY` | — (required for MinIO)          | MinIO access key                          |
 * | `CGML_S3_SECRET_KEY` | — (required for MinIO)          | MinIO secret key                          |
 * | `CGML_API_TOKENS`    | none                            | `token:scope,...`, scope `read` or `write` |
 * | `CGML_WEBHOOK_TOKEN` | none (webhook refused)          | bearer token MinIO's webhook must send    |
 * | `PORT`               | `8000`                          | HTTP port of the functions                |
 *
 * @module
 */

import { z } from "zod";
import { createStore } from "./store/create.ts";
import type { ObjectStore } from "./store/types.ts";

/** Names of the variables {@link loadConfig} reads. */
export const CONFIG_VARIABLES = [
  "CGML_STORE",
  "CGML_BUCKET",
  "CGML_S3_ACCESS_KEY",
  "CGML_S3_SECRET_KEY",
  "CGML_API_TOKENS",
  "CGML_WEBHOOK_TOKEN",
  "PORT",
] as const;

/** Scope of an API token: `write` also allows reading. */
export type TokenScope = "read" | "write";

/** The validated configuration. */
export interface Config {
  /** Where objects live. */
  store: {
    /** `file:///abs/path` or `http(s)://host:port`. */
    url: string;
    /** Backend the URL selects. */
    kind: "fs" | "minio";
    /** Bucket (MinIO). */
    bucket: string;
    /** Access key (MinIO). */
    accessKey?: string;
    /** Secret key (MinIO). */
    secretKey?: string;
  };
  /** API bearer tokens and their scopes. */
  apiTokens: { token: string; scope: TokenScope }[];
  /** Token the MinIO webhook must present; absent: the webhook route refuses every call. */
  webhookToken?: string;
  /** HTTP port (0: any free port). */
  port: number;
}

/** Invalid configuration; the message names every offending variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const TOKEN = /^[A-Za-z0-9._~+/=-]{16,}$/;

const Env = z.object({
  CGML_STORE: z.string().refine((v) => {
    try {
      const u = new URL(v);
      if (u.protocol === "file:") return u.host === "" && u.pathname.length > 1;
      return (u.protocol === "http:" || u.protocol === "https:") && u.pathname === "/";
    } catch {
      return false;
    }
  }, "must be file:///absolute/path or http(s)://host:port"),
  CGML_BUCKET: z.string().regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    "must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
  ),
  CGML_S3_ACCESS_KEY: z.string().min(3, "must have at least 3 characters").optional(),
  CGML_S3_SECRET_KEY: z.string().min(8, "must have at least 8 characters").optional(),
  CGML_API_TOKENS: z.string().transform((v, ctx) => {
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
  CGML_WEBHOOK_TOKEN: z.string().regex(
    TOKEN,
    "must be at least 16 characters from [A-Za-z0-9._~+/=-]",
  )
    .optional(),
  PORT: z.string().regex(/^\d{1,5}$/, "must be a port number 0..65535").transform(Number)
    .refine((p) => p <= 65535, "must be a port number 0..65535"),
});

/**
 * Reads and validates the configuration from `env` (default: the process environment, only the
 * variables in {@link CONFIG_VARIABLES}); empty values count as unset. Throws {@link ConfigError}.
 */
export function loadConfig(
  env: Record<string, string | undefined> = readEnv(),
  cwd = Deno.cwd(),
): Config {
  const value = (name: string) => (env[name] === "" ? undefined : env[name]);
  const parsed = Env.safeParse({
    CGML_STORE: value("CGML_STORE") ?? new URL(`file://${cwd}/.cache/store`).href,
    CGML_BUCKET: value("CGML_BUCKET") ?? "cgml",
    CGML_S3_ACCESS_KEY: value("CGML_S3_ACCESS_KEY"),
    CGML_S3_SECRET_KEY: value("CGML_S3_SECRET_KEY"),
    CGML_API_TOKENS: value("CGML_API_TOKENS") ?? "",
    CGML_WEBHOOK_TOKEN: value("CGML_WEBHOOK_TOKEN"),
    PORT: value("PORT") ?? "8000",
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`Cannot start: invalid configuration\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const kind = new URL(e.CGML_STORE).protocol === "file:" ? "fs" : "minio";
  if (kind === "minio") {
    const missing = (["CGML_S3_ACCESS_KEY", "CGML_S3_SECRET_KEY"] as const).filter((n) => !e[n]);
    if (missing.length > 0) {
      throw new ConfigError(
        `Cannot start: invalid configuration\n  ${
          missing.map((n) => `${n}: required when CGML_STORE is a MinIO URL`).join("\n  ")
        }`,
      );
    }
  }
  return {
    store: {
      url: e.CGML_STORE,
      kind,
      bucket: e.CGML_BUCKET,
      accessKey: e.CGML_S3_ACCESS_KEY,
      secretKey: e.CGML_S3_SECRET_KEY,
    },
    apiTokens: e.CGML_API_TOKENS,
    webhookToken: e.CGML_WEBHOOK_TOKEN,
    port: e.PORT,
  };
}

/** Opens the store the configuration names (creating the MinIO bucket when missing). */
export function openConfiguredStore(config: Config): Promise<ObjectStore> {
  return createStore(config.store.url, {
    bucket: config.store.bucket,
    accessKey: config.store.accessKey,
    secretKey: config.store.secretKey,
  });
}

function readEnv(): Record<string, string | undefined> {
  return Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, Deno.env.get(name)]));
}

// --- GPU engine configuration (a self-contained section: the worker's device settings) ---

/** Names of the variables {@link loadGpuConfig} reads. */
export const GPU_CONFIG_VARIABLES = [
  "CGML_GPU_PROFILE",
  "CGML_REQUIRE_GPU",
  "CGML_CACHE",
  "XDG_CACHE_HOME",
  "HOME",
] as const;

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
export function loadGpuConfig(
  env: Record<string, string | undefined> = readGpuEnv(),
): GpuConfig {
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

function readGpuEnv(): Record<string, string | undefined> {
  return Object.fromEntries(GPU_CONFIG_VARIABLES.map((name) => [name, Deno.env.get(name)]));
}
