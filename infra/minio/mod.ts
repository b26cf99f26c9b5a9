/**
 * Local MinIO server tooling: build from source (cached), start/stop on loopback.
 *
 * @module
 */

export {
  cacheDir,
  ensureMinio,
  findMinio,
  hasGo,
  MINIO_BIN_ENV,
  MINIO_MODULE,
  MINIO_VERSION,
  minioBinaryPath,
} from "./build.ts";
export { freePort, startMinio, WEBHOOK_ARN, WEBHOOK_TARGET_ID } from "./server.ts";
export type { MinioServer, MinioServerOptions } from "./server.ts";
