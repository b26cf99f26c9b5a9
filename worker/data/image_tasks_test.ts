import { assert, assertAllClose, assertEquals, assertThrows } from "../../testing/assert.ts";
import { labToUnit, rgbToLab } from "./color.ts";
import { generateColorImages } from "./images.ts";
import type { ImageSet } from "./image_set.ts";
import {
  type ImageTask,
  imageTask,
  labPlanes,
  taskBoxFlags,
  taskPairSource,
  taskTestPairs,
} from "./image_tasks.ts";

function imageSet(channels: number, count: number, side: number): ImageSet {
  const pixels = channels === 3
    ? generateColorImages(count, side, 1)
    : Float32Array.from({ length: count * side * side }, (_, k) => (k % 7) / 7);
  return {
    count,
    height: side,
    width: side,
    channels,
    pixels,
    labels: new Int32Array(count),
    split: Int32Array.from({ length: count }, (_, i) => (i % 4 === 3 ? 1 : 0)),
    classes: ["x"],
    ids: Array.from({ length: count }, (_, i) => `i${i}`),
  };
}

const COMPLETION: ImageTask = {
  kind: "completion",
  seed: 3,
  overlap_rate: 0.2,
  box_rate: 0.5,
  mask_min: 0.5,
};

Deno.test("colorization pairs: L in, (a, b) out in the unit LAB scaling, the same every epoch", () => {
  const set = imageSet(3, 8, 6);
  const source = taskPairSource(set, { kind: "colorization", seed: 0 }, 0.1);
  assertEquals([source.n, source.inDim, source.outDim, source.weighted], [6, 36, 72, false]);
  const a = source.draw(0), b = source.draw(5);
  assertEquals(a.x, b.x);
  const unit = labToUnit(rgbToLab(set.pixels.subarray(0, 36 * 3)));
  assertAllClose(a.x.subarray(0, 36), unit.filter((_, k) => k % 3 === 0), { atol: 1e-6 });
  assertAllClose(a.y.subarray(0, 72), unit.filter((_, k) => k % 3 !== 0), { atol: 1e-6 });
  const test = taskTestPairs(set, { kind: "colorization", seed: 0 });
  assertEquals(test.rows, [3, 7]);
  assert(test.region.every((v) => v === 1), "every pixel is scored");
  assertThrows(() => labPlanes(imageSet(1, 2, 4), [0]), RangeError, "3");
});

Deno.test("completion pairs: weights 1 under the mask, region_weight elsewhere; box flags fixed", () => {
  const set = imageSet(1, 16, 16);
  const source = taskPairSource(set, COMPLETION, 0.25);
  const e0 = source.draw(0), e0again = source.draw(0), e1 = source.draw(1);
  assertEquals(e0.x, e0again.x);
  assert(e0.x.some((v, k) => v !== e1.x[k]), "another epoch draws other masks");
  const masked = (k: number) => e0.x[k * 2 + 1] === 1;
  assert(e0.w!.every((w, k) => w === (masked(k) ? 1 : 0.25)));
  assertEquals(taskBoxFlags(COMPLETION, 12), taskBoxFlags(COMPLETION, 12));
  const test = taskTestPairs(set, COMPLETION);
  assertEquals(test.rows, [3, 7, 11, 15]);
  assertEquals([test.inChannels, test.outChannels], [2, 1]);
  assert(test.region.some((v) => v === 1) && test.region.some((v) => v === 0));
});

Deno.test("imageTask refuses images whose channels do not fit the task", () => {
  assertThrows(() => imageTask(imageSet(3, 4, 16), { ...COMPLETION }), Error, "needs grey ones");
  assertThrows(
    () => imageTask(imageSet(1, 4, 16), { ...COMPLETION, kind: "colorization" }),
    Error,
    "needs RGB",
  );
  assertEquals(imageTask(imageSet(1, 4, 16), { ...COMPLETION }), COMPLETION);
});
