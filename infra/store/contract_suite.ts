/**
 * The object store contract: one suite of behaviours that every {@link ObjectStore} backend must
 * pass. Backend test files call {@link runStoreContract} inside one `Deno.test`.
 *
 * @module
 */

import { assert, assertEquals, assertNotEquals, assertRejects } from "../../testing/assert.ts";
import { InvalidKeyError, NotFoundError, PreconditionFailedError } from "./errors.ts";
import type { ObjectStore } from "./types.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

/** Bad keys every backend must refuse before any I/O. */
export const BAD_KEYS = [
  "",
  "../escape",
  "a/../../b",
  "a/./b",
  "/etc/passwd",
  "C:/windows",
  "a\\b",
  "nul\u0000byte",
  "line\nbreak",
  "a//b",
  "trailing/",
  "..",
];

/** Runs every contract step against `store`, each under its own random prefix. */
export async function runStoreContract(t: Deno.TestContext, store: ObjectStore): Promise<void> {
  const p = `contract-${crypto.randomUUID().slice(0, 8)}/`;

  await t.step("put then get and head agree on bytes, size and etag", async () => {
    const put = await store.put(`${p}a.txt`, "héllo wörld", { contentType: "text/plain" });
    const got = await store.get(`${p}a.txt`);
    assertEquals(text(got.body), "héllo wörld");
    assertEquals(got.size, bytes("héllo wörld").length);
    assertEquals(got.etag, put.etag);
    const head = await store.head(`${p}a.txt`);
    assertEquals(head.etag, put.etag);
    assertEquals(head.size, got.size);
    assertEquals(head.key, `${p}a.txt`);
    assert(!head.etag.startsWith('"'), "etags are unquoted");
    assert(Math.abs(head.lastModified.getTime() - Date.now()) < 120_000, "lastModified is now");
  });

  await t.step("bytes, empty bodies and larger objects round-trip", async () => {
    const data = new Uint8Array(3 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 255;
    await store.put(`${p}big.bin`, data.subarray(1));
    assertEquals((await store.get(`${p}big.bin`)).body, data.subarray(1));
    await store.put(`${p}empty`, new Uint8Array(0));
    const empty = await store.get(`${p}empty`);
    assertEquals(empty.size, 0);
    assertEquals(empty.body.length, 0);
  });

  await t.step("overwriting with other bytes changes the etag", async () => {
    const a = await store.put(`${p}over`, "one");
    const b = await store.put(`${p}over`, "two");
    assertNotEquals(a.etag, b.etag);
    assertEquals(text((await store.get(`${p}over`)).body), "two");
  });

  await t.step(
    "missing objects: get/head/getStream throw NotFoundError, delete succeeds",
    async () => {
      await assertRejects(() => store.get(`${p}missing`), NotFoundError);
      await assertRejects(() => store.head(`${p}missing`), NotFoundError);
      await assertRejects(() => store.getStream(`${p}missing`), NotFoundError);
      await store.delete(`${p}missing`);
      await store.put(`${p}gone`, "x");
      await store.delete(`${p}gone`);
      await assertRejects(() => store.get(`${p}gone`), NotFoundError);
    },
  );

  await t.step("ifNoneMatch '*' creates once and never overwrites", async () => {
    const first = await store.put(`${p}once`, "first", { ifNoneMatch: "*" });
    await assertRejects(
      () => store.put(`${p}once`, "second", { ifNoneMatch: "*" }),
      PreconditionFailedError,
    );
    const got = await store.get(`${p}once`);
    assertEquals(text(got.body), "first");
    assertEquals(got.etag, first.etag);
  });

  await t.step("ifMatch replaces only the expected version", async () => {
    const v1 = await store.put(`${p}cas`, "v1");
    const v2 = await store.put(`${p}cas`, "v2", { ifMatch: v1.etag });
    await assertRejects(
      () => store.put(`${p}cas`, "stale", { ifMatch: v1.etag }),
      PreconditionFailedError,
    );
    assertEquals(text((await store.get(`${p}cas`)).body), "v2");
    const v3 = await store.put(`${p}cas`, "v3", { ifMatch: `"${v2.etag}"` });
    assertEquals((await store.head(`${p}cas`)).etag, v3.etag);
  });

  await t.step("ifMatch on a missing key fails and creates nothing", async () => {
    await assertRejects(
      () => store.put(`${p}nokey`, "x", { ifMatch: "0123456789abcdef0123456789abcdef" }),
      PreconditionFailedError,
    );
    await assertRejects(() => store.head(`${p}nokey`), NotFoundError);
  });

  await t.step("concurrent conditional writes: exactly one winner", async () => {
    const creates = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.put(`${p}race`, `w${i}`, { ifNoneMatch: "*" })),
    );
    assertEquals(creates.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of creates) {
      if (r.status === "rejected") {
        assert(r.reason instanceof PreconditionFailedError, String(r.reason));
      }
    }
    const base = await store.head(`${p}race`);
    const updates = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.put(`${p}race`, `u${i}`, { ifMatch: base.etag })),
    );
    assertEquals(updates.filter((r) => r.status === "fulfilled").length, 1);
  });

  await t.step("list pages through keys in byte order under a prefix", async () => {
    const keys = [`${p}l/a-b`, `${p}l/a/b`, `${p}l/a/c/d`, `${p}l/b`, `${p}l/z`, `${p}l/é`];
    await Promise.all([...keys].reverse().map((k) => store.put(k, k)));
    await store.put(`${p}lz-outside`, "x");
    const seen: string[] = [];
    let startAfter: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(`${p}l/`, { limit: 2, startAfter });
      seen.push(...page.items.map((i) => i.key));
      startAfter = page.next;
      pages++;
      assert(pages < 10, "paging ends");
    } while (startAfter);
    assertEquals(seen, keys);
    const all = await store.list(`${p}l/`);
    assertEquals(all.next, undefined);
    assertEquals(all.items.map((i) => i.size), keys.map((k) => bytes(k).length));
    for (const item of all.items) {
      if (item.etag !== undefined) assertEquals(item.etag, (await store.head(item.key)).etag);
    }
    assertEquals((await store.list(`${p}l/a/`)).items.map((i) => i.key), [
      `${p}l/a/b`,
      `${p}l/a/c/d`,
    ]);
    assertEquals((await store.list(`${p}l/a`)).items.length, 3);
    assertEquals((await store.list(`${p}nothing/`)).items, []);
  });

  await t.step("getStream and stream puts", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes("chunk-1;"));
        c.enqueue(bytes("chunk-2"));
        c.close();
      },
    });
    const put = await store.put(`${p}stream`, body, { size: 15 });
    const got = await store.getStream(`${p}stream`);
    assertEquals(got.etag, put.etag);
    assertEquals(got.size, 15);
    assertEquals(await new Response(got.body).text(), "chunk-1;chunk-2");
  });

  await t.step("writes are atomic: readers see whole versions only", async () => {
    const a = new Uint8Array(256 << 10).fill(97);
    const b = new Uint8Array(300 << 10).fill(98);
    await store.put(`${p}atomic`, a);
    let stop = false;
    const writer = (async () => {
      for (let i = 0; i < 12; i++) await store.put(`${p}atomic`, i % 2 ? a : b);
      stop = true;
    })();
    let reads = 0;
    while (!stop) {
      const got = await store.get(`${p}atomic`);
      const first = got.body[0];
      assert(got.body.length === (first === 97 ? a.length : b.length), "length matches version");
      assert(got.body.every((x) => x === first), "no mixed bytes");
      reads++;
    }
    await writer;
    assert(reads > 0);
  });

  await t.step("presigned URLs work where supported, else null", async () => {
    await store.put(`${p}signed.txt`, "signed body", { contentType: "text/plain" });
    const get = await store.presignGet(`${p}signed.txt`, 60);
    const put = await store.presignPut(`${p}upload.txt`, 60);
    if (store.kind === "fs") {
      assertEquals([get, put], [null, null]);
      return;
    }
    assert(get !== null && put !== null);
    const res = await fetch(get);
    assertEquals(await res.text(), "signed body");
    const up = await fetch(put, { method: "PUT", body: "uploaded" });
    await up.body?.cancel();
    assertEquals(up.status, 200);
    assertEquals(text((await store.get(`${p}upload.txt`)).body), "uploaded");
  });

  await t.step("invalid keys are refused before any I/O", async () => {
    for (const key of BAD_KEYS) {
      await assertRejects(() => store.get(key), InvalidKeyError);
      await assertRejects(() => store.put(key, "x"), InvalidKeyError);
      await assertRejects(() => store.head(key), InvalidKeyError);
      await assertRejects(() => store.delete(key), InvalidKeyError);
      await assertRejects(() => store.presignGet(key, 60), InvalidKeyError);
    }
    await assertRejects(() => store.list("../"), InvalidKeyError);
    await assertRejects(() => store.list("/abs/"), InvalidKeyError);
  });

  await t.step("malformed options are TypeErrors or RangeErrors", async () => {
    await assertRejects(() => store.put(`${p}x`, "x", { ifMatch: "" }), TypeError);
    await assertRejects(
      () => store.put(`${p}x`, "x", { ifMatch: "abc", ifNoneMatch: "*" }),
      TypeError,
    );
    await assertRejects(() => store.list(p, { limit: 0 }), RangeError);
    await assertRejects(() => store.list(p, { limit: 1001 }), RangeError);
  });
}
