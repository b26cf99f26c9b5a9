/**
 * The MinIO store over `npm:minio` (minio-js 8), with the Deno quirks handled:
 * bodies go as `Buffer`s (a plain `Uint8Array` is refused) with their size, streams only with an
 * explicit size (otherwise minio-js buffers 528 MiB parts), `If-None-Match`/`If-Match` go through
 * putObject's metadata as real headers, and errors are mapped from the S3 `.code` (minio-js has
 * no status field). The client's own retries are off so that a conditional write is never
 * replayed behind the caller's back; idempotent calls are retried here on transient failures.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import { Client, S3Error } from "minio";
import {
  NotFoundError,
  PreconditionFailedError,
  StoreError,
  StoreUnavailableError,
} from "./errors.ts";
import { checkConditions, pageLimit, stripQuotes } from "./options.ts";
import { validateKey, validatePrefix } from "./keys.ts";
import { type BucketNotifications, clientNotifications } from "./notifications.ts";
import type {
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
  StoredObject,
  StreamedObject,
} from "./types.ts";

/** Connection settings of {@link MinioStore.open}. */
export interface MinioStoreOptions {
  /** `http://host:port` or `https://host:port`. */
  endpoint: string;
  /** Bucket holding every object of this store. */
  bucket: string;
  /** S3 access key. */
  accessKey: string;
  /** S3 secret key. */
  secretKey: string;
  /** Create the bucket when it does not exist (default true). */
  createBucket?: boolean;
}

/** S3 error codes that mean "try again later". */
const TRANSIENT_CODES = new Set([
  "SlowDown",
  "InternalError",
  "ServiceUnavailable",
  "RequestTimeout",
  "XMinioServerNotInitialized",
  "XMinioReadQuorum",
  "XMinioWriteQuorum",
]);

const RETRY_DELAYS_MS = [100, 400];

/** {@link ObjectStore} over one MinIO (or other S3-compatible) bucket. */
export class MinioStore implements ObjectStore {
  /** Always `"minio"`. */
  readonly kind = "minio" as const;
  /** The minio-js client. */
  readonly client: Client;
  /** The bucket. */
  readonly bucket: string;
  /** The bucket's notification config. */
  readonly notifications: BucketNotifications;

  private constructor(client: Client, bucket: string) {
    this.client = client;
    this.bucket = bucket;
    this.notifications = clientNotifications(client, bucket);
  }

  /** Connects, and creates the bucket when it is missing (idempotent, race-safe). */
  static async open(options: MinioStoreOptions): Promise<MinioStore> {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new StoreError(`Cannot open the MinIO store: ${options.endpoint} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new StoreError(`Cannot open the MinIO store: ${options.endpoint} is not http(s)`);
    }
    const useSSL = url.protocol === "https:";
    const client = new Client({
      endPoint: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: "us-east-1",
      pathStyle: true,
      partSize: 16 << 20,
      retryOptions: { disableRetry: true },
    });
    const store = new MinioStore(client, options.bucket);
    if (options.createBucket ?? true) await store.#ensureBucket();
    return store;
  }

  /** Reads a whole object. */
  async get(key: string): Promise<StoredObject> {
    validateKey(key);
    return await this.#retry(async () => {
      const res = await this.#call(key, "read", () => this.client.getObject(this.bucket, key));
      const chunks: Uint8Array[] = [];
      for await (const chunk of res) chunks.push(chunk as Uint8Array);
      const body = concat(chunks);
      return { ...infoFromHeaders(key, res, body.length), body };
    });
  }

  /** Reads an object as a web stream. */
  async getStream(key: string): Promise<StreamedObject> {
    validateKey(key);
    const res = await this.#retry(() =>
      this.#call(key, "read", () => this.client.getObject(this.bucket, key))
    );
    const size = Number(headersOf(res)["content-length"] ?? NaN);
    const body = Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
    return { ...infoFromHeaders(key, res, size), body };
  }

  /** Reads an object's metadata. */
  async head(key: string): Promise<ObjectInfo> {
    validateKey(key);
    const st = await this.#retry(() =>
      this.#call(key, "read", () => this.client.statObject(this.bucket, key))
    );
    return { key, size: st.size, etag: stripQuotes(st.etag), lastModified: st.lastModified };
  }

  /** Writes an object in one request; conditional writes are never retried here. */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    validateKey(key);
    checkConditions(key, options);
    const meta: Record<string, string> = {
      "Content-Type": options.contentType ?? "application/octet-stream",
    };
    if (options.ifNoneMatch) meta["If-None-Match"] = "*";
    if (options.ifMatch !== undefined) meta["If-Match"] = `"${stripQuotes(options.ifMatch)}"`;
    const conditional = options.ifNoneMatch !== undefined || options.ifMatch !== undefined;
    const write = async () => {
      let data: Buffer | Readable;
      let size: number;
      if (typeof body === "string") {
        data = Buffer.from(body, "utf8");
        size = data.length;
      } else if (body instanceof Uint8Array) {
        data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
        size = body.byteLength;
      } else {
        if (options.size === undefined) {
          throw new TypeError(`Cannot put ${key}: a stream body needs its size`);
        }
        // deno-lint-ignore no-explicit-any
        data = Readable.fromWeb(body as any);
        size = options.size;
      }
      try {
        const res = await this.client.putObject(this.bucket, key, data, size, meta);
        return { etag: stripQuotes(res.etag) };
      } catch (e) {
        if (
          options.ifMatch !== undefined && (codeOf(e) === "NoSuchKey" || codeOf(e) === "NotFound")
        ) {
          throw new PreconditionFailedError(key, "the object does not exist");
        }
        throw mapError(e, key, "write");
      }
    };
    const replayable = !conditional && !(body instanceof ReadableStream);
    return replayable ? await this.#retry(write) : await write();
  }

  /** Deletes an object; a missing key is not an error. */
  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.#retry(() =>
      this.#call(key, "delete", () => this.client.removeObject(this.bucket, key))
    );
  }

  /** Lists one page with ListObjectsV2 (`start-after` paging, no delimiter). */
  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    validatePrefix(prefix);
    const limit = pageLimit(options.limit);
    const res = await this.#retry(() =>
      this.#call(
        prefix,
        "list",
        () =>
          this.client.listObjectsV2Query(
            this.bucket,
            prefix,
            "",
            "",
            limit,
            options.startAfter ?? "",
          ),
      )
    );
    const items = res.objects.flatMap((o) =>
      o.name === undefined ? [] : [{
        key: o.name,
        size: o.size,
        etag: stripQuotes(o.etag),
        lastModified: o.lastModified,
      }]
    );
    const truncated = String(res.isTruncated) === "true";
    return truncated && items.length > 0 ? { items, next: items[items.length - 1].key } : { items };
  }

  /** A presigned GET URL valid for `expiresSeconds`. */
  async presignGet(key: string, expiresSeconds: number): Promise<string> {
    validateKey(key);
    return await this.#call(
      key,
      "presign",
      () => this.client.presignedGetObject(this.bucket, key, expiresSeconds),
    );
  }

  /** A presigned PUT URL valid for `expiresSeconds`. */
  async presignPut(key: string, expiresSeconds: number): Promise<string> {
    validateKey(key);
    return await this.#call(
      key,
      "presign",
      () => this.client.presignedPutObject(this.bucket, key, expiresSeconds),
    );
  }

  async #ensureBucket(): Promise<void> {
    await this.#retry(async () => {
      const exists = await this.#call(
        this.bucket,
        "open bucket",
        () => this.client.bucketExists(this.bucket),
      );
      if (exists) return;
      try {
        await this.client.makeBucket(this.bucket);
      } catch (e) {
        const code = codeOf(e);
        if (code === "BucketAlreadyOwnedByYou" || code === "BucketAlreadyExists") return;
        throw mapError(e, this.bucket, "create bucket");
      }
    });
  }

  async #call<T>(key: string, action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapError(e, key, action);
    }
  }

  async #retry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0;; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof StoreUnavailableError) || attempt >= RETRY_DELAYS_MS.length) throw e;
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      }
    }
  }
}

/** Maps a minio-js or network error onto the store's typed errors. */
function mapError(e: unknown, key: string, action: string): Error {
  if (e instanceof StoreError) return e;
  const code = codeOf(e);
  if (code === "NoSuchKey" || code === "NotFound") return new NotFoundError(key, action);
  if (code === "PreconditionFailed") return new PreconditionFailedError(key, "the ETag changed");
  if (code === "ConditionalRequestConflict") {
    return new PreconditionFailedError(key, "a concurrent conditional write won");
  }
  const message = e instanceof Error ? e.message : String(e);
  if (code === "NoSuchBucket") return new StoreError(`Cannot ${action} ${key}: no such bucket`);
  if (
    code === "AccessDenied" || code === "InvalidAccessKeyId" || code === "SignatureDoesNotMatch"
  ) {
    return new StoreError(
      `Cannot ${action} ${key}: access denied (${code}); check the credentials`,
    );
  }
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || isNetworkError(e)) {
    return new StoreUnavailableError(
      `Cannot ${action} ${key}: the store is unavailable (${message})`,
    );
  }
  if (e instanceof TypeError && code === undefined) return e;
  return new StoreError(`Cannot ${action} ${key}: ${code ? `${code}: ` : ""}${message}`);
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Connection-level failures: refused, reset, timed out, DNS (errors without an S3 code). */
function isNetworkError(e: unknown): boolean {
  if (e instanceof S3Error) return false;
  const code = codeOf(e);
  if (code !== undefined && /^(E[A-Z]+|UND_ERR.*)$/.test(code)) return true;
  return e instanceof Error &&
    /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up|connection (refused|reset|closed)/i
      .test(e.message);
}

function headersOf(res: unknown): Record<string, string | undefined> {
  return (res as { headers?: Record<string, string | undefined> }).headers ?? {};
}

function infoFromHeaders(key: string, res: unknown, size: number): ObjectInfo {
  const h = headersOf(res);
  return {
    key,
    size,
    etag: stripQuotes(h["etag"] ?? ""),
    lastModified: new Date(h["last-modified"] ?? 0),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) {
    return new Uint8Array(chunks[0].buffer, chunks[0].byteOffset, chunks[0].length);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
