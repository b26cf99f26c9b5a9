import { assertEquals, assertNotEquals } from "../testing/assert.ts";
import { fingerprintPath } from "./fingerprint.ts";

Deno.test("fingerprintPath changes when a file under the folder is added or resized", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/chair/train`, { recursive: true });
    await Deno.writeTextFile(`${root}/chair/train/a.off`, "OFF\n");
    const first = await fingerprintPath(root);
    assertEquals(first.length, 64);
    assertEquals(await fingerprintPath(root), first);
    await Deno.writeTextFile(`${root}/chair/train/b.off`, "OFF\n");
    const second = await fingerprintPath(root);
    assertNotEquals(second, first);
    await Deno.writeTextFile(`${root}/chair/train/b.off`, "OFF\n3 1 0\n");
    assertNotEquals(await fingerprintPath(root), second);
    assertNotEquals(await fingerprintPath(`${root}/chair/train/a.off`), first);
    assertEquals(await fingerprintPath(`${root}/nope`), "missing");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
