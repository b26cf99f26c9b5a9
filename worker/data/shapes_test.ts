import { assert, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { parseOff, triangleCount } from "../spectral/mod.ts";
import { buildShape, formatOff, SHAPE_CLASSES, syntheticMeshes } from "./shapes.ts";

Deno.test("every class builds an upright, valid OFF mesh", () => {
  assert(SHAPE_CLASSES.length >= 10);
  const rng = new Rng(5);
  SHAPE_CLASSES.forEach((c, i) => {
    const mesh = parseOff(
      `${c.name}.off`,
      formatOff(buildShape(i, rng, { noise: 0.02, anisotropy: 0.2, dropParts: 0.5 })),
    );
    assert(triangleCount(mesh) > 10, c.name);
    let minZ = Infinity;
    for (let k = 2; k < mesh.vertices.length; k += 3) minZ = Math.min(minZ, mesh.vertices[k]);
    assert(Math.abs(minZ) < 1e-3, `${c.name} stands on z = 0 (min z ${minZ})`);
  });
});

Deno.test("instances of a class differ (yaw, proportions)", () => {
  const rng = new Rng(1);
  const still = { noise: 0, anisotropy: 0, dropParts: 0 };
  const a = buildShape(0, rng, still), b = buildShape(0, rng, still);
  assertEquals(a.vertices.length === b.vertices.length && a.vertices[0] === b.vertices[0], false);
});

Deno.test("parts are dropped, never all of them", () => {
  const rng = new Rng(3);
  const whole = buildShape(0, rng, { noise: 0, anisotropy: 0, dropParts: 0 });
  const sizes = Array.from(
    { length: 20 },
    () => buildShape(0, rng, { noise: 0, anisotropy: 0, dropParts: 0.5 }).triangles.length,
  );
  assert(sizes.every((t) => t > 0));
  assert(sizes.some((t) => t < whole.triangles.length / 2), `${sizes}`);
});

Deno.test("syntheticMeshes writes the ModelNet layout, reproducibly per seed", () => {
  const o = {
    classes: 2,
    trainPerClass: 2,
    testPerClass: 1,
    seed: 3,
    noise: 0.01,
    anisotropy: 0.03,
    dropParts: 0,
  };
  const files = syntheticMeshes(o);
  const a = SHAPE_CLASSES[0].name;
  assertEquals([...files.keys()].slice(0, 3), [
    `${a}/train/${a}_0001.off`,
    `${a}/train/${a}_0002.off`,
    `${a}/test/${a}_0003.off`,
  ]);
  assertEquals(files.size, 6);
  assertEquals(syntheticMeshes(o), files);
  assert(
    syntheticMeshes({ ...o, seed: 4 }).get(`${a}/train/${a}_0001.off`) !==
      files.get(`${a}/train/${a}_0001.off`),
  );
});
