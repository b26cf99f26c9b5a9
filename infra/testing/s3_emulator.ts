/**
 * A small in-memory S3 emulator on 127.0.0.1 for tests of the MinIO store when no MinIO binary is
 * available. It speaks the subset minio-js uses here (path-style buckets, PutObject with
 * `If-None-Match: *` / `If-Match` evaluated atomically like MinIO, GetObject, HeadObject,
 * DeleteObject, ListObjectsV2 with `start-after`) and answers S3 error XML with MinIO's codes.
 *
 * It is a stand-in, not a peer: signatures are required but not verified, and multipart uploads,
 * copies, ranges and notifications answer 501. The real MinIO suite is the reference.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { compareKeys } from "../store/keys.ts";

/** A running emulator. */
export interface S3Emulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Any access key works; this one is conventional. */
  readonly accessKey: string;
  /** Any secret key works; this one is conventional. */
  readonly secretKey: string;
  /** Number of requests served so far. */
  readonly requests: number;
  /** Stops the server. */
  stop(): Promise<void>;
}

interface Stored {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  lastModified: Date;
  contentType: string;
}

/** Starts the emulator on a free loopback port. */
export function startS3Emulator(): Promise<S3Emulator> {
  const buckets = new Map<string, Map<string, Stored>>();
  let requests = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      requests++;
      try {
        return await handle(req, buckets);
      } catch (e) {
        return s3Error(500, "InternalError", String(e), new URL(req.url).pathname);
      }
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  return Promise.resolve({
    url,
    accessKey: "emulator",
    secretKey: "emulator-secret",
    get requests() {
      return requests;
    },
    stop: () => server.shutdown(),
  });
}

async function handle(req: Request, buckets: Map<string, Map<string, Stored>>): Promise<Response> {
  const url = new URL(req.url);
  const resource = url.pathname;
  if (!req.headers.has("authorization") && !url.searchParams.has("X-Amz-Signature")) {
    return s3Error(403, "AccessDenied", "Request is not signed", resource);
  }
  const slash = resource.indexOf("/", 1);
  const bucketName = decodeURIComponent(slash < 0 ? resource.slice(1) : resource.slice(1, slash));
  const key = slash < 0 ? "" : decodeURIComponent(resource.slice(slash + 1));
  const bucket = buckets.get(bucketName);
  const unsupported = ["uploads", "uploadId", "partNumber", "delete", "versionId", "notification"];
  if (unsupported.some((p) => url.searchParams.has(p)) || req.headers.has("x-amz-copy-source")) {
    return s3Error(501, "NotImplemented", "Not supported by the test emulator", resource);
  }
  if (key === "") {
    if (req.method === "PUT") {
      if (bucket) return s3Error(409, "BucketAlreadyOwnedByYou", "Bucket exists", resource);
      buckets.set(bucketName, new Map());
      return new Response(null, { status: 200 });
    }
    if (!bucket) return s3Error(404, "NoSuchBucket", "The bucket does not exist", resource);
    if (req.method === "HEAD") return new Response(null, { status: 200 });
    if (req.method === "GET" && url.searchParams.has("location")) {
      return xml(200, "<LocationConstraint>us-east-1</LocationConstraint>");
    }
    if (req.method === "GET" && url.searchParams.get("list-type") === "2") {
      return list(bucketName, bucket, url.searchParams, resource);
    }
    return s3Error(501, "NotImplemented", "Not supported by the test emulator", resource);
  }
  if (!bucket) return s3Error(404, "NoSuchBucket", "The bucket does not exist", resource);
  const current = bucket.get(key);
  switch (req.method) {
    case "GET":
    case "HEAD": {
      if (!current) {
        return req.method === "HEAD"
          ? new Response(null, { status: 404 })
          : s3Error(404, "NoSuchKey", "The specified key does not exist.", resource);
      }
      return new Response(req.method === "HEAD" ? null : current.body, {
        status: 200,
        headers: {
          "content-length": String(current.body.length),
          "content-type": current.contentType,
          etag: `"${current.etag}"`,
          "last-modified": current.lastModified.toUTCString(),
        },
      });
    }
    case "PUT": {
      if (req.headers.has("x-amz-decoded-content-length")) {
        return s3Error(501, "NotImplemented", "Streaming signatures are not supported", resource);
      }
      const body = new Uint8Array(await req.arrayBuffer());
      // Everything below runs without awaiting, so the check and the write are atomic.
      const latest = bucket.get(key);
      const ifNoneMatch = req.headers.get("if-none-match");
      const ifMatch = req.headers.get("if-match");
      if (ifNoneMatch === "*" && latest) {
        return s3Error(
          412,
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold",
          resource,
        );
      }
      if (ifMatch !== null) {
        if (!latest) {
          return s3Error(404, "NoSuchKey", "The specified key does not exist.", resource);
        }
        if (ifMatch.replace(/^"(.*)"$/, "$1") !== latest.etag) {
          return s3Error(
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
            resource,
          );
        }
      }
      const etag = createHash("md5").update(body).digest("hex");
      bucket.set(key, {
        body,
        etag,
        lastModified: new Date(),
        contentType: req.headers.get("content-type") ?? "application/octet-stream",
      });
      return new Response(null, { status: 200, headers: { etag: `"${etag}"` } });
    }
    case "DELETE":
      bucket.delete(key);
      return new Response(null, { status: 204 });
    default:
      return s3Error(501, "NotImplemented", "Not supported by the test emulator", resource);
  }
}

function list(
  name: string,
  bucket: Map<string, Stored>,
  params: URLSearchParams,
  resource: string,
): Response {
  if (params.get("delimiter")) {
    return s3Error(
      501,
      "NotImplemented",
      "Delimiters are not supported by the test emulator",
      resource,
    );
  }
  const prefix = params.get("prefix") ?? "";
  const after = params.get("continuation-token") || params.get("start-after") || "";
  const maxKeys = Math.min(Number(params.get("max-keys") ?? 1000) || 1000, 1000);
  const keys = [...bucket.keys()]
    .filter((k) => k.startsWith(prefix) && compareKeys(k, after) > 0)
    .sort(compareKeys);
  const page = keys.slice(0, maxKeys);
  const truncated = keys.length > maxKeys;
  const enc = params.get("encoding-type") === "url" ? encodeURIComponent : (s: string) => s;
  const contents = page.map((k) => {
    const o = bucket.get(k)!;
    return `<Contents><Key>${
      escapeXml(enc(k))
    }</Key><LastModified>${o.lastModified.toISOString()}</LastModified>` +
      `<ETag>"${o.etag}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  }).join("");
  return xml(
    200,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${
      escapeXml(name)
    }</Name>` +
      `<Prefix>${
        escapeXml(enc(prefix))
      }</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
      `<IsTruncated>${truncated}</IsTruncated>${
        truncated
          ? `<NextContinuationToken>${escapeXml(page[page.length - 1])}</NextContinuationToken>`
          : ""
      }${contents}</ListBucketResult>`,
  );
}

function xml(status: number, body: string): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { "content-type": "application/xml" },
  });
}

function s3Error(status: number, code: string, message: string, resource: string): Response {
  return xml(
    status,
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><Resource>${
      escapeXml(resource)
    }</Resource><RequestId>emulator</RequestId></Error>`,
  );
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
