/**
 * The embedded filesystem store: objects are plain files under a root directory, so a laptop or
 * the demo needs no server.
 *
 * - Atomic visibility: a write goes to a temporary file that is renamed over the key's path.
 * - Conditional writes: the check and the rename run under a per-key lock (in-process queue plus
 *   `flock`), so several processes sharing the directory get the same compare-and-set as MinIO.
 * - ETags are the MD5 of the bytes (like S3's single-part ETag), computed when read.
 * - The top-level name `.cgml-store` is reserved for temporary files and locks.
 * - A key cannot be both an object and a prefix of another object (`a` and `a/b`): a file
 *   cannot also be a directory. Such a write fails with a `StoreError`.
 * - `presignGet`/`presignPut` return `null`: serve and accept bytes through the store instead.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { InvalidKeyError, NotFoundError, PreconditionFailedError, StoreError } from "./errors.ts";
import { compareKeys, validateKey, validatePrefix } from "./keys.ts";
import { KeyLocks } from "./key_lock.ts";
import { checkConditions, pageLimit, stripQuotes } from "./options.ts";
import type {
  ListEntry,
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

/** Top-level directory of the store's own files (temporary files, lock files). */
export const FS_INTERNAL_DIR = ".cgml-store";

/** {@link ObjectStore} over a local directory. */
export class FsStore implements ObjectStore {
  /** Always `"fs"`. */
  readonly kind = "fs" as const;
  /** No bucket notifications: the worker's inbox scan finds new requests. */
  readonly notifications = null;
  /** Absolute path of the root directory. */
  readonly root: string;
  #locks: KeyLocks;

  private constructor(root: string) {
    this.root = root;
    this.#locks = new KeyLocks(`${root}/${FS_INTERNAL_DIR}/locks`);
  }

  /** Opens (creating when needed) the store rooted at the absolute path `root`. */
  static async open(root: string): Promise<FsStore> {
    if (!root.startsWith("/")) {
      throw new StoreError(`Cannot open the filesystem store: ${root} is not an absolute path`);
    }
    const clean = root.length > 1 ? root.replace(/\/+$/, "") : root;
    await Deno.mkdir(`${clean}/${FS_INTERNAL_DIR}/tmp`, { recursive: true });
    await Deno.mkdir(`${clean}/${FS_INTERNAL_DIR}/locks`, { recursive: true });
    return new FsStore(clean);
  }

  /** Reads a whole object. */
  async get(key: string): Promise<StoredObject> {
    using file = await this.#open(key, "read");
    const info = await this.#info(key, file);
    await file.seek(0, Deno.SeekMode.Start);
    const body = new Uint8Array(info.size);
    let filled = 0;
    while (filled < body.length) {
      const n = await file.read(body.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return { ...info, body: filled === body.length ? body : body.subarray(0, filled) };
  }

  /** Reads an object as a stream; the file stays open until the stream ends or is cancelled. */
  async getStream(key: string): Promise<StreamedObject> {
    const file = await this.#open(key, "read");
    try {
      const info = await this.#info(key, file);
      await file.seek(0, Deno.SeekMode.Start);
      return { ...info, body: file.readable };
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** Reads an object's metadata (hashes the bytes for the ETag). */
  async head(key: string): Promise<ObjectInfo> {
    using file = await this.#open(key, "read");
    return await this.#info(key, file);
  }

  /** Writes to a temporary file, then checks conditions and renames under the key's lock. */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    this.#path(key);
    checkConditions(key, options);
    const tmp = `${this.root}/${FS_INTERNAL_DIR}/tmp/${crypto.randomUUID()}`;
    try {
      const etag = await writeTemp(tmp, body, key, options.size);
      await this.#locks.withLock(key, async () => {
        if (options.ifNoneMatch !== undefined || options.ifMatch !== undefined) {
          const current = await this.#currentEtag(key);
          if (options.ifNoneMatch === "*" && current !== null) {
            throw new PreconditionFailedError(key, "the object already exists");
          }
          if (options.ifMatch !== undefined && current === null) {
            throw new PreconditionFailedError(key, "the object does not exist");
          }
          if (options.ifMatch !== undefined && current !== stripQuotes(options.ifMatch)) {
            throw new PreconditionFailedError(key, "the ETag does not match");
          }
        }
        await this.#install(key, tmp);
      });
      return { etag };
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  }

  /** Deletes an object and the directories it leaves empty. */
  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    await this.#locks.withLock(key, async () => {
      try {
        const st = await Deno.lstat(path);
        if (!st.isFile) return;
        await Deno.remove(path);
      } catch (e) {
        if (isMissing(e)) return;
        throw e;
      }
      await this.#pruneEmptyParents(key);
    });
  }

  /** Lists keys under `prefix` by walking directories in key order, stopping after one page. */
  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    validatePrefix(prefix);
    const limit = pageLimit(options.limit);
    const items: ListEntry[] = [];
    for await (const entry of this.#walk("", prefix, options.startAfter ?? "")) {
      if (items.length === limit) return { items, next: items[items.length - 1].key };
      items.push(entry);
    }
    return { items };
  }

  /** Always `null`: the filesystem store cannot sign URLs. */
  presignGet(key: string, _expiresSeconds: number): Promise<string | null> {
    this.#path(key);
    return Promise.resolve(null);
  }

  /** Always `null`: the filesystem store cannot sign URLs. */
  presignPut(key: string, _expiresSeconds: number): Promise<string | null> {
    this.#path(key);
    return Promise.resolve(null);
  }

  #path(key: string): string {
    validateKey(key);
    if (key === FS_INTERNAL_DIR || key.startsWith(`${FS_INTERNAL_DIR}/`)) {
      throw new InvalidKeyError(key, `the top-level name ${FS_INTERNAL_DIR} is reserved`);
    }
    return `${this.root}/${key}`;
  }

  async #open(key: string, action: string): Promise<Deno.FsFile> {
    const path = this.#path(key);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      if (isMissing(e)) throw new NotFoundError(key, action);
      throw e;
    }
    const st = await file.stat();
    if (!st.isFile) {
      file.close();
      throw new NotFoundError(key, action);
    }
    return file;
  }

  async #info(key: string, file: Deno.FsFile): Promise<ObjectInfo> {
    const st = await file.stat();
    const hash = createHash("md5");
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      hash.update(buf.subarray(0, n));
    }
    return { key, size: st.size, etag: hash.digest("hex"), lastModified: st.mtime ?? new Date(0) };
  }

  async #currentEtag(key: string): Promise<string | null> {
    try {
      using file = await this.#open(key, "read");
      return (await this.#info(key, file)).etag;
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  async #install(key: string, tmp: string): Promise<void> {
    const path = this.#path(key);
    const parent = path.slice(0, path.lastIndexOf("/"));
    for (let attempt = 0;; attempt++) {
      try {
        await Deno.mkdir(parent, { recursive: true });
        await Deno.rename(tmp, path);
        return;
      } catch (e) {
        // A concurrent delete may remove the parent between mkdir and rename: try again.
        if (e instanceof Deno.errors.NotFound && attempt < 5) continue;
        if (e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotADirectory) {
          throw new StoreError(
            `Cannot write ${key}: a parent of this key is an object (the filesystem store cannot hold both)`,
          );
        }
        if (e instanceof Deno.errors.IsADirectory || isDirectoryNotEmpty(e)) {
          throw new StoreError(
            `Cannot write ${key}: other objects use it as a prefix (the filesystem store cannot hold both)`,
          );
        }
        throw e;
      }
    }
  }

  async #pruneEmptyParents(key: string): Promise<void> {
    const segments = key.split("/");
    for (let i = segments.length - 1; i > 0; i--) {
      try {
        await Deno.remove(`${this.root}/${segments.slice(0, i).join("/")}`);
      } catch {
        return;
      }
    }
  }

  async *#walk(dir: string, prefix: string, startAfter: string): AsyncGenerator<ListEntry> {
    const entries: { name: string; sortKey: string; isDir: boolean }[] = [];
    try {
      for await (const e of Deno.readDir(dir === "" ? this.root : `${this.root}/${dir}`)) {
        if (dir === "" && e.name === FS_INTERNAL_DIR) continue;
        if (e.isSymlink || (!e.isFile && !e.isDirectory)) continue;
        entries.push({
          name: e.name,
          sortKey: e.isDirectory ? `${dir}${e.name}/` : `${dir}${e.name}`,
          isDir: e.isDirectory,
        });
      }
    } catch (e) {
      if (isMissing(e) || e instanceof Deno.errors.NotADirectory) return;
      throw e;
    }
    entries.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
    for (const { sortKey: key, isDir } of entries) {
      if (isDir) {
        if (!key.startsWith(prefix) && !prefix.startsWith(key)) continue;
        if (compareKeys(key, startAfter) < 0 && !startAfter.startsWith(key)) continue;
        yield* this.#walk(key, prefix, startAfter);
      } else {
        if (!key.startsWith(prefix) || compareKeys(key, startAfter) <= 0) continue;
        let st: Deno.FileInfo;
        try {
          st = await Deno.stat(`${this.root}/${key}`);
        } catch (e) {
          if (isMissing(e)) continue;
          throw e;
        }
        yield { key, size: st.size, lastModified: st.mtime ?? new Date(0) };
      }
    }
  }
}

async function writeTemp(
  tmp: string,
  body: PutBody,
  key: string,
  size: number | undefined,
): Promise<string> {
  const hash = createHash("md5");
  let written = 0;
  {
    using file = await Deno.open(tmp, { write: true, createNew: true });
    const write = async (chunk: Uint8Array) => {
      hash.update(chunk);
      written += chunk.length;
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    };
    if (typeof body === "string") await write(new TextEncoder().encode(body));
    else if (body instanceof Uint8Array) await write(body);
    else for await (const chunk of body) await write(chunk);
    await file.syncData();
  }
  if (size !== undefined && size !== written) {
    throw new StoreError(`Cannot put ${key}: the body has ${written} bytes, not the ${size} given`);
  }
  return hash.digest("hex");
}

function isMissing(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
}

function isDirectoryNotEmpty(e: unknown): boolean {
  return e instanceof Error && /directory not empty|ENOTEMPTY/i.test(e.message);
}
