import { assert, assertEquals } from "../testing/assert.ts";
import { type KeyPattern, matchPattern, parsePattern } from "./glob.ts";

function pattern(text: string): KeyPattern {
  const p = parsePattern(text);
  if ("message" in p) throw new Error(`${text}: ${p.message}`);
  return p;
}

function matches(text: string, key: string): boolean {
  return matchPattern(pattern(text), key);
}

Deno.test("* matches within one segment, never across a /", () => {
  assert(matches("datasets/*/_READY", "datasets/shapes/_READY"));
  assert(!matches("datasets/*/_READY", "datasets/a/b/_READY"));
  assert(!matches("datasets/*/_READY", "datasets/_READY"));
  assert(matches("uploads/run-*.csv/x", "uploads/run-.csv/x"));
  assert(matches("uploads/*-batch-*/in.csv", "uploads/2026-batch-7/in.csv"));
  assert(!matches("uploads/*-batch-*/in.csv", "uploads/2026-batch/in.csv"));
  assert(matches("d/a*b*c/m", "d/abc/m"));
  assert(matches("d/a*b*c/m", "d/aXbYbc/m"));
  assert(!matches("d/a*b*c/m", "d/acb/m"));
  assert(!matches("d/ab*ba/m", "d/aba/m"), "the two literal ends may not overlap");
});

Deno.test("** matches zero or more whole segments", () => {
  const p = "datasets/**/_READY";
  for (const k of ["datasets/_READY", "datasets/a/_READY", "datasets/a/b/c/_READY"]) {
    assert(matches(p, k), k);
  }
  for (const k of ["datasets/a/_READY.bak", "other/a/_READY", "datasets/a/x_READY"]) {
    assert(!matches(p, k), k);
  }
  const two = "d/**/x/**/_READY";
  assert(matches(two, "d/x/_READY"));
  assert(matches(two, "d/1/x/2/3/_READY"));
  assert(matches(two, "d/x/x/x/_READY"));
  assert(!matches(two, "d/1/2/_READY"));
  assert(matches("d/**/*.json/m", "d/a/b/c.json/m"));
});

Deno.test("every character but * is literal: no regular expression is built", () => {
  const p = "d/a.b+c(1)|$^/_READY";
  assert(matches(p, "d/a.b+c(1)|$^/_READY"));
  assert(!matches(p, "d/aXb+c(1)|$^/_READY"));
  assert(!matches(p, "d/a.bbc(1)|$^/_READY"));
  assert(!matches("d/x/_READY", "d/X/_READY"), "case-sensitive");
  assert(!matches("d/caf\u00e9/m", "d/cafe\u0301/m"), "no Unicode normalisation");
});

Deno.test("patterns that read as another glob dialect, or escape the store, are refused where they go wrong", () => {
  const cases: [string, string, number][] = [
    ["", "the pattern is empty", 0],
    ["d/a?/m", '"?" is not allowed', 3],
    ["d/[ab]/m", '"[" is not allowed', 2],
    ["d/{a,b}/m", '"{" is not allowed', 2],
    ["d\\x/m", '"\\" is not allowed', 1],
    ["/d/m", "a pattern is relative", 0],
    ["d//m", 'empty segment ("//")', 1],
    ["d/m/", "not a folder", 3],
    ["d/../m", '".." segment', 2],
    ["d/./m", '"." segment', 2],
    ["d/a**/m", '"**" must be a whole segment', 3],
    ["d/***/m", '"**" must be a whole segment', 2],
    ["d/a\u0000/m", "control character", 3],
    [`d/${"x".repeat(1100)}/m`, "longer than 1024 bytes", 0],
  ];
  for (const [text, message, start] of cases) {
    const p = parsePattern(text);
    assert("message" in p, `${JSON.stringify(text)} should be refused`);
    assert(p.message.includes(message), `${JSON.stringify(text)}: ${p.message}`);
    assertEquals(p.start, start, text);
  }
});

Deno.test("the literal prefix is the text before the first *", () => {
  assertEquals(pattern("datasets/*/_READY").literalPrefix, "datasets/");
  assertEquals(pattern("datasets/sh*/_READY").literalPrefix, "datasets/sh");
  assertEquals(pattern("datasets/**/_READY").literalPrefix, "datasets/");
  assertEquals(pattern("datasets/shapes/_READY").literalPrefix, "datasets/shapes/_READY");
});

/** The definition: exponential, for small inputs only. */
function reference(segments: readonly string[], key: readonly string[]): boolean {
  if (segments.length === 0) return key.length === 0;
  const [head, ...rest] = segments;
  if (head === "**") {
    for (let i = 0; i <= key.length; i++) if (reference(rest, key.slice(i))) return true;
    return false;
  }
  return key.length > 0 && chars(head, key[0]) && reference(rest, key.slice(1));
}

function chars(p: string, s: string): boolean {
  if (p === "") return s === "";
  if (p[0] === "*") {
    for (let i = 0; i <= s.length; i++) if (chars(p.slice(1), s.slice(i))) return true;
    return false;
  }
  return s.length > 0 && p[0] === s[0] && chars(p.slice(1), s.slice(1));
}

Deno.test("the matcher agrees with the recursive definition on 20 000 random pattern/key pairs", () => {
  let state = 12345;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const segment = (wild: boolean) => {
    if (wild && next(4) === 0) return "**";
    let s = "";
    const len = 1 + next(4);
    for (let i = 0; i < len; i++) s += wild && next(3) === 0 ? "*" : "ab"[next(2)];
    return s.replace(/\*+/g, "*");
  };
  let agreed = 0;
  let positive = 0;
  for (let i = 0; i < 20_000; i++) {
    const segments = Array.from({ length: 1 + next(4) }, () => segment(true));
    const key = Array.from({ length: 1 + next(5) }, () => segment(false));
    const p = parsePattern(segments.join("/"));
    if ("message" in p) continue;
    const want = reference(segments, key);
    assertEquals(matchPattern(p, key.join("/")), want, `${segments.join("/")} vs ${key.join("/")}`);
    agreed++;
    if (want) positive++;
  }
  assert(agreed > 15_000 && positive > 1_000, `${agreed} compared, ${positive} matches`);
});

Deno.test("adversarial patterns and keys match in bounded time", () => {
  const stars = pattern(`d/${"*a".repeat(40)}*b/m`);
  const many = pattern(`d/${"**/".repeat(40)}x/m`);
  const longKey = `d/${"a".repeat(1000)}/m`;
  const deepKey = `d/${"a/".repeat(400)}m`;
  const t0 = performance.now();
  assert(!matchPattern(stars, longKey));
  assert(!matchPattern(many, deepKey));
  assert(matchPattern(many, `d/${"a/".repeat(400)}x/m`));
  const ms = performance.now() - t0;
  assert(ms < 2000, `took ${ms.toFixed(0)} ms`);
});
