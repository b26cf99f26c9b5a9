import { assertEquals } from "../testing/assert.ts";
import { closest, didYouMean, editDistance } from "./suggest.ts";

Deno.test("editDistance counts insertions, deletions, substitutions and transpositions", () => {
  assertEquals(editDistance("", ""), 0);
  assertEquals(editDistance("abc", ""), 3);
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(editDistance("retry", "rerty"), 1);
});

Deno.test("closest picks the nearest candidate within the limit", () => {
  assertEquals(closest("retires", ["uses", "with", "retry", "cache"]), "retry");
  assertEquals(closest("Seed", ["seed", "steps"]), "seed");
  assertEquals(closest("model", ["uses", "with"]), undefined);
  assertEquals(closest("k", ["T", "l"]), undefined);
  assertEquals(closest("same", ["same"]), undefined);
});

Deno.test("didYouMean formats the hint or nothing", () => {
  assertEquals(didYouMean("cahce", ["cache"]), ' (did you mean "cache"?)');
  assertEquals(didYouMean("zzz", ["cache"]), "");
});
