import { assertEquals } from "../../../testing/assert.ts";
import { generateColourModeImages, type ImageSet } from "../../data/mod.ts";
import { decodeImageSet, encodeImageSet } from "./images.ts";

function set(
  objects?: ImageSet["objects"],
  pixels: Float32Array = new Float32Array(384),
): ImageSet {
  const base: ImageSet = {
    count: 2,
    height: 8,
    width: 8,
    channels: 3,
    pixels,
    labels: new Int32Array(2),
    split: Int32Array.of(0, 1),
    classes: ["image"],
    ids: ["a", "b"],
  };
  return objects ? { ...base, objects } : base;
}

Deno.test("an image set keeps its colour-mode objects through the artifact", () => {
  const { pixels, objects } = generateColourModeImages(2, 8, 1);
  const back = decodeImageSet(encodeImageSet(set(objects, pixels)));
  assertEquals(back.objects!.classes, objects.classes);
  assertEquals(Array.from(back.objects!.regions), Array.from(objects.regions));
  assertEquals(Array.from(back.objects!.hue), Array.from(objects.hue));
  assertEquals(Array.from(back.objects!.cls), Array.from(objects.cls));
  assertEquals(Array.from(back.objects!.image), Array.from(objects.image));
  assertEquals(Array.from(back.pixels), Array.from(pixels));
});

Deno.test("an image set without objects decodes without them", () => {
  const back = decodeImageSet(encodeImageSet(set()));
  assertEquals([back.objects, back.ids, back.count], [undefined, ["a", "b"], 2]);
  assertEquals("colourClasses" in back || "objects" in back, false);
});
