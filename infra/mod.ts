/**
 * Public face of `infra/`: the object store (filesystem and MinIO), the job queue on it, the
 * service configuration, and the local MinIO tooling.
 *
 * @module
 */

export * from "./store/mod.ts";
export * from "./queue/mod.ts";
export * from "./minio/mod.ts";
export { CONFIG_VARIABLES, ConfigError, loadConfig, openConfiguredStore } from "./config.ts";
export type { Config, TokenScope } from "./config.ts";
export { GPU_CONFIG_VARIABLES, type GpuConfig, loadGpuConfig } from "./config.ts";
