import { assert, assertEquals, assertNotEquals } from "../../testing/assert.ts";
import type { ObjectInfo } from "../store/mod.ts";
import { diffManifests } from "./diff.ts";
import {
  type DatasetManifest,
  manifestFromFile,
  manifestFromListing,
  summarize,
} from "./manifest.ts";
import { formatManifestJson, parseManifestFile } from "./manifest_file.ts";

const P = "datasets/shapes/";

function info(path: string, etag = `e-${path}`, size = 10): ObjectInfo {
  return { key: P + path, size, etag, lastModified: new Date(0) };
}

const LISTING = [
  info("chair/train/a.off"),
  info("chair/test/b.off"),
  info("desk/train/c.off", "etag-c", 30),
  info("desk/test/d.off"),
  info("manifest.csv"),
  info("_READY"),
  info(".DS_Store"),
];

Deno.test("a listing becomes a manifest of its data objects with class and split", () => {
  const m = manifestFromListing(P, LISTING);
  assertEquals(m.source, "listing");
  assertEquals(m.entries.map((e) => e.path), [
    "chair/test/b.off",
    "chair/train/a.off",
    "desk/test/d.off",
    "desk/train/c.off",
  ]);
  assertEquals(m.entries[3], {
    path: "desk/train/c.off",
    key: `${P}desk/train/c.off`,
    size: 30,
    etag: "etag-c",
    class: "desk",
    split: "train",
  });
  const s = summarize(m);
  assertEquals([s.objects, s.bytes], [4, 60]);
  assertEquals(s.classes.map((c) => [c.class, c.train, c.test]), [
    ["chair", { objects: 1, bytes: 10 }, { objects: 1, bytes: 10 }],
    ["desk", { objects: 1, bytes: 30 }, { objects: 1, bytes: 10 }],
  ]);
});

Deno.test("the manifest hash ignores order and name, and sees every change", () => {
  const m = manifestFromListing(P, LISTING);
  const reversed = manifestFromListing(P, [...LISTING].reverse());
  assertEquals(reversed.hash, m.hash);
  const renamed = manifestFromListing(
    "datasets/copy/",
    LISTING.map((o) => ({ ...o, key: o.key.replace(P, "datasets/copy/") })),
  );
  assertEquals(renamed.hash, m.hash);
  const variants: ObjectInfo[][] = [
    LISTING.map((o) => o.key.endsWith("a.off") ? { ...o, etag: "other" } : o),
    LISTING.map((o) => o.key.endsWith("a.off") ? { ...o, size: 11 } : o),
    LISTING.filter((o) => !o.key.endsWith("a.off")),
    [...LISTING, info("desk/test/e.off")],
  ];
  for (const v of variants) assertNotEquals(manifestFromListing(P, v).hash, m.hash);
});

Deno.test("a diff counts added, changed, removed and relabelled objects", () => {
  const before = manifestFromListing(P, LISTING);
  const after = manifestFromListing(P, [
    ...LISTING.filter((o) => !o.key.endsWith("d.off")).map((o) =>
      o.key.endsWith("a.off") ? { ...o, etag: "new" } : o
    ),
    info("desk/test/x.off"),
    info("desk/test/y.off"),
    info("sofa/train/z.off"),
  ]);
  const d = diffManifests(before, after);
  assertEquals(d.reason, "dataset changed: 3 added, 1 changed, 1 removed");
  assertEquals(d.added, ["desk/test/x.off", "desk/test/y.off", "sofa/train/z.off"]);
  assertEquals([d.changed, d.removed], [["chair/train/a.off"], ["desk/test/d.off"]]);
  assertEquals(diffManifests(before, before).reason, "dataset unchanged");
  const relabelled: DatasetManifest = {
    ...before,
    entries: before.entries.map((e) => e.path === "chair/test/b.off" ? { ...e, class: "desk" } : e),
  };
  assertEquals(diffManifests(before, relabelled).reason, "dataset changed: 1 relabelled");
});

Deno.test("manifest.json lists exactly the objects and labels; errors name line and column", () => {
  const text = JSON.stringify(
    {
      objects: [
        { path: "chair/train/a.off" },
        { path: "desk/train/c.off", class: "table", split: "test" },
        { path: "chair/test/b.off", class: null },
      ],
    },
    null,
    2,
  );
  const parsed = parseManifestFile("manifest.json", `${P}manifest.json`, text);
  assert("file" in parsed, JSON.stringify(parsed));
  const { manifest, problems } = manifestFromFile(P, parsed.file, LISTING);
  assertEquals(problems, []);
  assertEquals(manifest.source, "manifest.json");
  assertEquals(manifest.entries.map((e) => [e.path, e.class, e.split]), [
    ["chair/test/b.off", null, "test"],
    ["chair/train/a.off", "chair", "train"],
    ["desk/train/c.off", "table", "test"],
  ]);

  const bad =
    '{\n  "objects": [\n    {"path": "a.off"},\n    {"path": "b.off", "split": "tset"},\n' +
    '    {"path": "../x.off"},\n    {"path": "a.off"},\n    {"path": "manifest.json"}\n  ]\n}';
  const problems2 = parseManifestFile("manifest.json", `${P}manifest.json`, bad);
  assert("problems" in problems2);
  assertEquals(problems2.problems.length, 1);
  assert(
    /^manifest\.json line 4, column 32: objects\[1\]\.split: /.test(problems2.problems[0].message),
    problems2.problems[0].message,
  );
  const fixed = bad.replace('"tset"', '"test"');
  const problems3 = parseManifestFile("manifest.json", `${P}manifest.json`, fixed);
  assert("problems" in problems3);
  assertEquals(problems3.problems.map((p) => [p.key, p.message]), [
    [
      `${P}manifest.json`,
      `manifest.json line 5, column 5: path "../x.off": it contains a '..' segment`,
    ],
    [
      `${P}manifest.json`,
      "manifest.json line 6, column 5: path a.off is listed twice (first at manifest.json line 3, column 5)",
    ],
    [
      `${P}manifest.json`,
      "manifest.json line 7, column 5: path manifest.json is a manifest, hidden or marker file, not data",
    ],
  ]);
  const syntax = parseManifestFile("manifest.json", `${P}manifest.json`, '{\n  "objects": [\n}');
  assert(
    "problems" in syntax && /^manifest\.json line 3, column 1: /.test(syntax.problems[0].message),
  );
  const extra = parseManifestFile("manifest.json", `${P}manifest.json`, '{"objects": [], "x": 1}');
  assert(
    "problems" in extra &&
      /column 1: \(the document\): Unrecognized key/.test(extra.problems[0].message),
  );
});

Deno.test("manifest.csv: a header, one object per row; errors name the line", () => {
  const csv = "path,class,split\r\nchair/train/a.off,,\r\ndesk/train/c.off,lamp,test\n";
  const parsed = parseManifestFile("manifest.csv", `${P}manifest.csv`, csv);
  assert("file" in parsed, JSON.stringify(parsed));
  assertEquals(parsed.file.objects.map((o) => [o.path, o.class, o.split, o.where]), [
    ["chair/train/a.off", undefined, undefined, "manifest.csv line 2"],
    ["desk/train/c.off", "lamp", "test", "manifest.csv line 3"],
  ]);
  const cases: [string, string][] = [
    ["name,class\na.off,x\n", "manifest.csv line 1: the header must name path"],
    ["path,colour\na.off,red\n", 'unknown column "colour"'],
    ["path,split\na.off,train\nb.off,dev\n", "manifest.csv line 3, column split: "],
    ["path,size\na.off,-1\n", "manifest.csv line 2, column size: "],
    ['path\n"a.off\n', "manifest.csv line "],
  ];
  for (const [text, message] of cases) {
    const r = parseManifestFile("manifest.csv", `${P}manifest.csv`, text);
    assert("problems" in r, text);
    assert(r.problems[0].message.includes(message), `${r.problems[0].message} lacks ${message}`);
  }
});

Deno.test("a manifest file's missing or changed objects are problems keyed by the object", () => {
  const text = JSON.stringify({
    objects: [
      { path: "chair/train/a.off", etag: "e-chair/train/a.off", size: 10 },
      { path: "chair/test/b.off", etag: "stale" },
      { path: "desk/test/d.off", size: 99 },
      { path: "gone/train/x.off" },
    ],
  });
  const parsed = parseManifestFile("manifest.json", `${P}manifest.json`, text);
  assert("file" in parsed);
  const { manifest, problems } = manifestFromFile(P, parsed.file, LISTING);
  assertEquals(manifest.entries.map((e) => e.path), ["chair/train/a.off"]);
  assertEquals(problems.map((p) => p.key), [
    `${P}chair/test/b.off`,
    `${P}desk/test/d.off`,
    `${P}gone/train/x.off`,
  ]);
  assert(problems[0].message.includes("pins ETag stale, the object has e-chair/test/b.off"));
  assert(problems[1].message.includes("says 99 bytes, the object has 10"));
  assert(problems[2].message.includes("lists it, but there is no such object"));
});

Deno.test("a stored manifest.json reads back as the same manifest and hash", () => {
  const m = manifestFromListing(P, LISTING);
  const text = formatManifestJson(m, new Date(0));
  const parsed = parseManifestFile("manifest.json", `${P}manifest.json`, text);
  assert("file" in parsed);
  const back = manifestFromFile(P, parsed.file, LISTING);
  assertEquals(back.problems, []);
  assertEquals(back.manifest.entries, m.entries);
  assertEquals(back.manifest.hash, m.hash);
});
