import { assertAlmostEquals } from "../../testing/assert.ts";
import { retrievalMap } from "./denoise.ts";

Deno.test("retrieval mAP is 1 for perfectly separated classes and averages precision otherwise", () => {
  const valid = Float32Array.of(1, 1);
  const db = Float32Array.of(0, 0, 0, 1, 10, 10, 10, 11);
  assertAlmostEquals(retrievalMap(Float32Array.of(0, 0.5), [0], db, [0, 0, 1, 1], valid), 1);
  // ranking: relevant, irrelevant, relevant, irrelevant → AP = (1 + 2/3) / 2
  const db2 = Float32Array.of(0, 0, 1, 0, 2, 0, 3, 0);
  assertAlmostEquals(
    retrievalMap(Float32Array.of(0, 0), [0], db2, [0, 1, 0, 1], valid),
    (1 + 2 / 3) / 2,
  );
});
