import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { InvalidKeyError } from "./errors.ts";
import { compareKeys, validateKey, validatePrefix } from "./keys.ts";

Deno.test("validateKey accepts ordinary keys and explains refusals", () => {
  for (const key of ["a", "inbox/run.yaml", "jobs/2025/x y+z.json", "é/ü", "a..b/.hidden"]) {
    assertEquals(validateKey(key), key);
  }
  const refused: [string, string][] = [
    ["", "empty"],
    ["../x", "'..' segment"],
    ["a/../b", "'..' segment"],
    ["./a", "'.' segment"],
    ["/abs", "absolute"],
    ["C:/x", "absolute"],
    ["a\\b", "backslash"],
    ["a\u0000b", "NUL"],
    ["a\tb", "control"],
    ["a//b", "empty segment"],
    ["a/", "ends with '/'"],
    ["x".repeat(1025), "longer than 1024 bytes"],
  ];
  for (const [key, why] of refused) assertThrows(() => validateKey(key), InvalidKeyError, why);
  assertEquals(validatePrefix(""), "");
  assertEquals(validatePrefix("jobs/"), "jobs/");
  assertThrows(() => validatePrefix("../"), InvalidKeyError);
});

Deno.test("compareKeys orders by UTF-8 bytes like S3", () => {
  const keys = ["b", "a/b", "a-b", "a", "é", "z", "\u{1F600}", "\uFFFD"];
  assertEquals(keys.sort(compareKeys), ["a", "a-b", "a/b", "b", "z", "é", "\uFFFD", "\u{1F600}"]);
});
