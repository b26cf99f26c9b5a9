/**
 * Checking bytes against an S3 ETag while they stream by.
 *
 * - A single-part upload's ETag is the MD5 of the bytes (the filesystem store's always is):
 *   checked exactly.
 * - A multipart upload's ETag is `md5(md5(part 1) … md5(part N))-N`, which depends on the part
 *   size the uploader chose and S3 does not record. The common part sizes (5 to 512 MiB: ours is
 *   16 MiB, the AWS CLI's 8 MiB) that give N parts for this size are all tried at once; one that
 *   reproduces the ETag checks the bytes exactly. When none does (another part size), only the
 *   byte count is checked, and the result says so (`"size"`).
 * - Any other ETag (servers that encrypt, or do not use MD5): the byte count only.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash, type Hash } from "node:crypto";

/** How bytes were matched to their ETag. */
export type EtagCheck = "md5" | "multipart-md5" | "size";

/** Part sizes tried for multipart ETags, in MiB. */
export const MULTIPART_PART_SIZES_MIB = [5, 8, 10, 15, 16, 25, 32, 50, 64, 100, 128, 256, 512];

const SINGLE = /^[0-9a-f]{32}$/i;
const MULTI = /^([0-9a-f]{32})-(\d{1,5})$/i;

interface Candidate {
  partSize: number;
  hash: Hash;
  filled: number;
  digests: Buffer[];
}

/** Feed the bytes of one object in order, then {@link EtagVerifier.finish}. */
export class EtagVerifier {
  readonly #etag: string;
  readonly #size: number;
  readonly #md5: Hash | null;
  readonly #candidates: Candidate[];
  readonly #parts: number;
  #received = 0;

  /** A verifier for an object listed with `etag` and `size` bytes. */
  constructor(etag: string, size: number) {
    this.#etag = etag.toLowerCase();
    this.#size = size;
    this.#md5 = SINGLE.test(etag) ? createHash("md5") : null;
    const multi = MULTI.exec(etag);
    this.#parts = multi ? Number(multi[2]) : 0;
    this.#candidates = multi === null ? [] : MULTIPART_PART_SIZES_MIB.map((mib) => mib << 20)
      .filter((p) => Math.max(1, Math.ceil(size / p)) === this.#parts)
      .map((partSize) => ({ partSize, hash: createHash("md5"), filled: 0, digests: [] }));
  }

  /** Bytes received so far. */
  get received(): number {
    return this.#received;
  }

  /** Hashes the next chunk. */
  update(chunk: Uint8Array): void {
    this.#received += chunk.length;
    this.#md5?.update(chunk);
    for (const c of this.#candidates) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(chunk.length - off, c.partSize - c.filled);
        c.hash.update(chunk.subarray(off, off + n));
        c.filled += n;
        off += n;
        if (c.filled === c.partSize) {
          c.digests.push(c.hash.digest());
          c.hash = createHash("md5");
          c.filled = 0;
        }
      }
    }
  }

  /** Whether the bytes fed match the ETag and size, and how that was checked; or why not. */
  finish(): { ok: true; check: EtagCheck } | { ok: false; reason: string } {
    if (this.#received !== this.#size) {
      return {
        ok: false,
        reason: `received ${this.#received} bytes, the listing says ${this.#size}`,
      };
    }
    if (this.#md5 !== null) {
      const md5 = this.#md5.digest("hex");
      return md5 === this.#etag
        ? { ok: true, check: "md5" }
        : { ok: false, reason: `the bytes' MD5 is ${md5}, the ETag is ${this.#etag}` };
    }
    for (const c of this.#candidates) {
      const digests = c.filled > 0 || c.digests.length === 0
        ? [...c.digests, c.hash.digest()]
        : c.digests;
      const etag = `${
        createHash("md5").update(Buffer.concat(digests)).digest("hex")
      }-${digests.length}`;
      if (etag === this.#etag) return { ok: true, check: "multipart-md5" };
    }
    return { ok: true, check: "size" };
  }
}

/** The kind of check an ETag allows: `md5` (single part), `multipart-md5` or `size` (other). */
export function etagKind(etag: string): "md5" | "multipart" | "opaque" {
  return SINGLE.test(etag) ? "md5" : MULTI.test(etag) ? "multipart" : "opaque";
}
