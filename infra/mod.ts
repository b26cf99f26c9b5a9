/**
 * Public face of `infra/` for runtime code: the object store (filesystem and S3), the job
 * queue on it, and the configuration. The local S3 server tooling (build, start, stop) is not
 * exported here: tests, CI and `deno task s3` import `infra/s3/mod.ts` directly.
 *
 * @module
 */

export * from "./store/mod.ts";
export * from "./queue/mod.ts";
export {
  CONFIG_VARIABLES,
  ConfigError,
  DEFAULT_STORE_DIR,
  loadConfig,
  loadS3ServerConfig,
  loadStoreConfig,
  loadWorkerConfig,
  openConfiguredStore,
  processEnv,
} from "./config.ts";
export type {
  Config,
  Env,
  S3ServerConfig,
  StoreConfig,
  TokenScope,
  WorkerConfig,
} from "./config.ts";
export * from "./datasets/mod.ts";
export { GPU_CONFIG_VARIABLES, type GpuConfig, loadGpuConfig } from "./config.ts";
export * from "./models/mod.ts";
