import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { sampleShapeSet } from "./shape_set.ts";
import type { MeshFiles } from "./shape_set.ts";

const TETRA = "OFF\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 1 2\n3 0 1 3\n3 0 2 3\n3 1 2 3\n";

function files(paths: string[]): MeshFiles {
  const bytes = new TextEncoder().encode(TETRA);
  return new Map(paths.map((p) => [p, { source: p, read: () => Promise.resolve(bytes) }]));
}

Deno.test("a shape set keeps the chosen classes in order and caps their train meshes", async () => {
  const set = await sampleShapeSet(
    files([
      "chair/train/c2.off",
      "chair/train/c1.off",
      "chair/test/c3.off",
      "bed/train/b1.off",
      "bed/test/b2.off",
      "desk/train/d1.off",
    ]),
    { classes: ["chair", "bed"], maxPerClass: 1, points: 64, seed: 1 },
  );
  assertEquals(set.meta.classes, ["bed", "chair"]);
  assertEquals(set.meta.ids, ["bed/test/b2", "bed/train/b1", "chair/test/c3", "chair/train/c1"]);
  assertEquals([...set.labels], [0, 0, 1, 1]);
  assertEquals([...set.split], [1, 0, 1, 0]);
  assertEquals(set.points.length, 4 * 64 * 3);
  for (let i = 0; i < set.points.length; i += 3) {
    assert(Math.hypot(set.points[i], set.points[i + 1], set.points[i + 2]) <= 0.95 + 1e-6);
  }
});

Deno.test("a bad mesh is refused with its path", async () => {
  const read = () => Promise.resolve(new TextEncoder().encode("OFF\n1 1 0\n"));
  const bad: MeshFiles = new Map([["a/train/x.off", { source: "datasets/s/a/train/x.off", read }]]);
  await assertRejects(
    () => sampleShapeSet(bad, { classes: [], maxPerClass: 0, points: 8, seed: 0 }),
    Error,
    "datasets/s/a/train/x.off",
  );
});

Deno.test("meshes in OBJ and point lists join OFF meshes; ids drop any shape extension", async () => {
  const file = (path: string, body: string) =>
    [path, { source: path, read: () => Promise.resolve(new TextEncoder().encode(body)) }] as const;
  const obj = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n";
  const xyz = "0 0 0\n1 0 0\n0 1 0\n0 0 1\n0.5 0.5 0.5\n";
  const set = await sampleShapeSet(
    new Map([
      file("a/train/m.obj", obj),
      file("a/test/p.xyz", xyz),
      file("b/train/t.off", TETRA),
      file("b/test/u.off", TETRA),
    ]),
    { classes: [], maxPerClass: 0, points: 16, seed: 0, labelled: { dataset: "d" } },
  );
  assertEquals(set.meta.ids, ["a/test/p", "a/train/m", "b/test/u", "b/train/t"]);
});

Deno.test("a labelled shape set needs two classes, each with train and test shapes", async () => {
  const opts = {
    classes: [],
    maxPerClass: 0,
    points: 8,
    seed: 0,
    labelled: { dataset: "s3://b/d/" },
  };
  await assertRejects(
    () => sampleShapeSet(files(["chair/train/a.off", "chair/test/b.off"]), opts),
    Error,
    'Cannot use the dataset s3://b/d/: it has one class ("chair"); a classifier needs at least two',
  );
  await assertRejects(
    () => sampleShapeSet(files(["a/train/a.off", "a/test/b.off", "b/train/c.off"]), opts),
    Error,
    'class "b" has no test shapes',
  );
});
