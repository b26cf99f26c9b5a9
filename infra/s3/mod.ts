/**
 * The S3 server for tests, CI and development: versitygw built from source (cached), started
 * and stopped on loopback. Build tooling, never imported by runtime code (`infra/mod.ts` does
 * not re-export it).
 *
 * @module
 */

export {
  cacheDir,
  ensureVersitygw,
  findVersitygw,
  hasGo,
  S3_BIN_ENV,
  VERSITYGW_PACKAGE,
  VERSITYGW_VERSION,
  versitygwPath,
} from "./build.ts";
export { DEFAULT_EVENTS, freePort, startS3Server, webhookUrl } from "./server.ts";
export type { S3Server, S3ServerOptions } from "./server.ts";
