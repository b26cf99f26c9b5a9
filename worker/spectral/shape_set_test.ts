import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { sampleShapeSet } from "./shape_set.ts";
import type { MeshFiles } from "./shape_set.ts";

const TETRA = "OFF\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 1 2\n3 0 1 3\n3 0 2 3\n3 1 2 3\n";

function files(paths: string[]): MeshFiles {
  return new Map(paths.map((p) => [p, () => Promise.resolve(TETRA)]));
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
  const bad: MeshFiles = new Map([["a/train/x.off", () => Promise.resolve("OFF\n1 1 0\n")]]);
  await assertRejects(
    () => sampleShapeSet(bad, { classes: [], maxPerClass: 0, points: 8, seed: 0 }),
    Error,
    "a/train/x.off",
  );
});
