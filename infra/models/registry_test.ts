/** Published models on both backends: the filesystem store and a real S3 server (versitygw). */
import { assert, assertEquals, assertRejects, assertThrows } from "../../testing/assert.ts";
import { bothStores } from "../datasets/_testing.ts";
import {
  LATEST,
  MODEL_FILES,
  ModelError,
  modelFileKey,
  parseModelRef,
  parseVersion,
} from "./names.ts";
import {
  listModelNames,
  listVersions,
  publishModel,
  readModelFile,
  resolveModel,
} from "./registry.ts";
import type { ObjectStore } from "../store/mod.ts";

const text = (s: string) => new TextEncoder().encode(s);

function files(weights: string): Map<string, Uint8Array> {
  return new Map([
    [MODEL_FILES.config, text('{"kind":"toy"}')],
    [MODEL_FILES.model, text(weights)],
    [MODEL_FILES.metrics, text("{}")],
  ]);
}

function publish(store: ObjectStore, name: string, weights: string) {
  return publishModel(store, {
    name,
    files: files(weights),
    kind: "toy",
    method: "cgml",
    source: { pipeline: "toy-multimodal", run: "r_1" },
  });
}

bothStores(
  "versions count up, equal files publish nothing, latest is the newest",
  async (store) => {
    const first = await publish(store, "curves", "w1");
    assertEquals([first.record.version, first.created], [1, true]);
    const again = await publish(store, "curves", "w1");
    assertEquals([again.record.version, again.created], [1, false]);
    const second = await publish(store, "curves", "w2");
    assertEquals([second.record.version, second.created], [2, true]);
    assertEquals((await resolveModel(store, { name: "curves", version: LATEST })).version, 2);
    assertEquals((await resolveModel(store, { name: "curves", version: 1 })).version, 1);
    const one = await resolveModel(store, parseModelRef("curves@1"));
    assertEquals(
      new TextDecoder().decode(await readModelFile(store, one, MODEL_FILES.model)),
      "w1",
    );
    assertEquals(one.source, { pipeline: "toy-multimodal", run: "r_1" });
    assertEquals(one.files.map((f) => f.path), [
      "config.json",
      "metrics.json",
      "model.safetensors",
    ]);
    await assertRejects(
      () => resolveModel(store, { name: "curves", version: 7 }),
      ModelError,
      'Cannot find version 7 of model "curves": its versions are 1, 2',
    );
    await assertRejects(
      () => resolveModel(store, { name: "nothing", version: LATEST }),
      ModelError,
      'Cannot find model "nothing"',
    );
    await assertRejects(
      () => readModelFile(store, one, MODEL_FILES.probe),
      ModelError,
      "its files",
    );
  },
);

bothStores("a version is immutable: its files are created once, never replaced", async (store) => {
  await publish(store, "m", "w1");
  // Someone else claimed version 2 (its config exists, no record yet): the next publish skips it.
  await store.put(modelFileKey("m", 2, MODEL_FILES.config), "{}", { ifNoneMatch: "*" });
  const next = await publish(store, "m", "w2");
  assertEquals(next.record.version, 3);
  assertEquals((await listVersions(store, "m")).versions.map((v) => v.version), [1, 3]);
  assertEquals((await listVersions(store, "m")).highest, 3);
  await assertRejects(
    () => store.put(modelFileKey("m", 1, MODEL_FILES.record), "{}", { ifNoneMatch: "*" }),
  );
  // Racing publishers of different files each get their own version.
  const raced = await Promise.all(["a", "b", "c"].map((w) => publish(store, "race", w)));
  assertEquals(raced.map((r) => r.record.version).sort(), [1, 2, 3]);
});

bothStores("model names are listed without reading every file", async (store) => {
  for (const name of ["b", "a", "a.b", "a0"]) await publish(store, name, name);
  await store.put("models/Bad Name/1/config.json", "{}").catch(() => {});
  // Key order: "models/a.b/" sorts before "models/a/" ("." < "/").
  assertEquals((await listModelNames(store)).names, ["a.b", "a", "a0", "b"]);
  const page = await listModelNames(store, { limit: 2 });
  assertEquals(page, { names: ["a.b", "a"], next: "a" });
  assertEquals((await listModelNames(store, { after: page.next })).names, ["a0", "b"]);
});

Deno.test("model references and versions are parsed with errors that name the field", () => {
  assertEquals(parseModelRef("chairs"), { name: "chairs", version: LATEST });
  assertEquals(parseModelRef("chairs@3"), { name: "chairs", version: 3 });
  assertEquals(parseModelRef("chairs@latest"), { name: "chairs", version: LATEST });
  assertEquals(parseVersion("12"), 12);
  for (const bad of ["", "Chairs", "a@0", "a@01", "a@x", "../a", "a/b@1"]) {
    assertThrows(() => parseModelRef(bad), ModelError, "Cannot read model");
  }
  const e = assertThrows(() => parseVersion("v2", "version"), ModelError);
  assert(e.message.includes('version "v2"'));
  assertEquals((e as ModelError).kind, "invalid");
});

bothStores("publishing refuses files that are not model files", async (store) => {
  await assertRejects(
    () =>
      publishModel(store, {
        name: "m",
        files: new Map([["../x", text("")]]),
        kind: "toy",
        method: "cgml",
        source: { pipeline: "p", run: "r" },
      }),
    ModelError,
    'Cannot publish file "../x"',
  );
  await assertRejects(
    () =>
      publishModel(store, {
        name: "m",
        files: new Map([[MODEL_FILES.config, text("{}")]]),
        kind: "toy",
        method: "cgml",
        source: { pipeline: "p", run: "r" },
      }),
    ModelError,
    "model.safetensors is missing",
  );
});
