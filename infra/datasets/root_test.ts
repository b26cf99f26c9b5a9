import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { DatasetError } from "./errors.ts";
import { isDataPath, kindOf, layoutOf } from "./layout.ts";
import { datasetPrefix, isBucketRoot, parseDatasetRoot } from "./root.ts";

Deno.test("dataset.root: a local folder, or s3:// in the service's bucket under datasets/", () => {
  assertEquals(parseDatasetRoot("/data/ModelNet10", "cgml"), {
    kind: "local",
    path: "/data/ModelNet10",
  });
  assertEquals(parseDatasetRoot("s3://cgml/datasets/shapes", "cgml"), {
    kind: "bucket",
    bucket: "cgml",
    prefix: "datasets/shapes/",
  });
  assertEquals(parseDatasetRoot("S3://cgml/datasets/shapes/chair/", "cgml").kind, "bucket");
  assertEquals(isBucketRoot("s3://x/y"), true);
  assertEquals(isBucketRoot("relative/s3://x"), false);
});

Deno.test("another bucket is an error naming both buckets", () => {
  assertThrows(
    () => parseDatasetRoot("s3://other/datasets/shapes/", "cgml"),
    DatasetError,
    'Cannot read dataset.root "s3://other/datasets/shapes/": it names bucket "other", but this ' +
      'service reads only its own bucket "cgml"',
  );
  assertThrows(
    () => parseDatasetRoot("s3://other", "cgml", "dataset"),
    DatasetError,
    'Cannot read dataset "s3://other": it names bucket "other"',
  );
});

Deno.test("hostile or misplaced prefixes are refused before any I/O", () => {
  const cases: [string, string][] = [
    ["s3://cgml/datasets/../jobs/", "'..' segment"],
    ["s3://cgml/datasets/a/./b", "'.' segment"],
    ["s3://cgml/datasets/a//b", "empty segment"],
    ["s3://cgml/datasets/a\\b/", "backslash"],
    ["s3://cgml/datasets/a\u0000b/", "control character"],
    ["s3://cgml/datasets/a\nb/", "control character"],
    ["s3://cgml/jobs/x/", "is not under datasets/"],
    ["s3://cgml/datasets/", "is not under datasets/"],
    ["s3://cgml/", "is not under datasets/"],
    ["s3://cgml//datasets/a/", "is not under datasets/"],
    ["s3://cgml/datasets/bad name/", 'the dataset name "bad name"'],
    ["gs://cgml/datasets/a/", "not gs://"],
    ["file:///etc/", "not file://"],
  ];
  for (const [root, message] of cases) {
    assertThrows(() => parseDatasetRoot(root, "cgml"), DatasetError, message);
  }
  assertEquals(datasetPrefix("ModelNet10.v2_a-b"), "datasets/ModelNet10.v2_a-b/");
  for (const bad of ["", ".", "..", "a/b", "a b", "x".repeat(129), "é"]) {
    assertThrows(() => datasetPrefix(bad), DatasetError, "Cannot use dataset name");
  }
});

Deno.test("the folder layout gives class and split; manifests, hidden files and markers are not data", () => {
  assertEquals(layoutOf("chair/train/chair_0001.off"), { class: "chair", split: "train" });
  assertEquals(layoutOf("chair/test/sub/x.off"), { class: "chair", split: "test" });
  assertEquals(layoutOf("train/cat/001.png"), { class: "cat", split: "train" });
  assertEquals(layoutOf("test/x.png"), { class: null, split: "test" });
  assertEquals(layoutOf("cat/001.png"), { class: "cat", split: null });
  assertEquals(layoutOf("rows.csv"), { class: null, split: null });
  for (const path of ["manifest.json", "manifest.csv", ".DS_Store", "a/.git/x", "_READY", "a/_x"]) {
    assertEquals(isDataPath(path), false, path);
  }
  assertEquals(isDataPath("chair/manifest.json"), true);
  assertEquals(kindOf("a/b.OFF", true), "mesh");
  assertEquals(kindOf("a/b.csv", true), "points");
  assertEquals(kindOf("b.csv", false), "table");
  assertEquals(kindOf("a/b.jpeg", true), "image");
  assertEquals(kindOf("a/b.stl", true), "other");
  assertEquals(kindOf("a/noext", true), "other");
});
