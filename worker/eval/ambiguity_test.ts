import { assert, assertAlmostEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { neighbourAmbiguity } from "./ambiguity.ts";

const HIDDEN = 40;
const CELLS = 2 + HIDDEN + 1;

/** Maps: 2 visible cells (x, y), HIDDEN cells from `hiddenOf`, one padding cell. */
function maps(n: number, rng: Rng, hiddenOf: (x: number, y: number, c: number) => number) {
  const out = new Float32Array(n * CELLS);
  for (let i = 0; i < n; i++) {
    const x = rng.normal(), y = rng.normal();
    out[i * CELLS] = x;
    out[i * CELLS + 1] = y;
    for (let c = 0; c < HIDDEN; c++) out[i * CELLS + 2 + c] = hiddenOf(x, y, c);
  }
  return out;
}

const valid = Float32Array.from({ length: CELLS }, (_, c) => (c < CELLS - 1 ? 1 : 0));
const hiddenMask = (q: number) =>
  Float32Array.from(
    { length: q * CELLS },
    (_, i) => (i % CELLS >= 2 && i % CELLS < CELLS - 1 ? 1 : 0),
  );

Deno.test("a sign the visible cells cannot tell gives a best of k far below the mean", () => {
  const rng = new Rng(1);
  let sign = 1;
  const twoModes = (x: number, _y: number, c: number) => {
    if (c === 0) sign = rng.next() < 0.5 ? 1 : -1;
    return sign * (1 + 0.1 * x) + 0.1 * rng.normal();
  };
  const a = neighbourAmbiguity(
    maps(100, rng, twoModes),
    hiddenMask(100),
    maps(1000, rng, twoModes),
    valid,
    8,
  );
  assert(a.ratio < 0.3, `ratio ${a.ratio}`);
  assertAlmostEquals(a.mean_l1, 1, 0.35);
});

Deno.test("a hidden part that follows the visible one, plus noise, gives no gain to the best of k", () => {
  const rng = new Rng(2);
  const oneMode = (x: number, y: number, c: number) => (c % 2 ? x + y : x - y) + 0.5 * rng.normal();
  const a = neighbourAmbiguity(
    maps(100, rng, oneMode),
    hiddenMask(100),
    maps(1000, rng, oneMode),
    valid,
    8,
  );
  assert(a.ratio > 0.95, `ratio ${a.ratio}`);
  assert(a.single_l1 > a.mean_l1, "a single neighbour is worse than their mean");
});
