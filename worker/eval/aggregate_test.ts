import { assertAlmostEquals, assertEquals } from "../../testing/assert.ts";
import {
  aggregateRuns,
  compareIntervals,
  formatInterval,
  intervalAt,
  meanStd,
  thresholdVerdict,
} from "./aggregate.ts";

Deno.test("mean and sample std over seeds; non-finite values are left out", () => {
  const i = meanStd([1, 2, 3, NaN]);
  assertEquals([i.mean, i.n], [2, 3]);
  assertAlmostEquals(i.std, 1);
  assertEquals(meanStd([5]).std, 0);
  assertEquals(Number.isNaN(meanStd([]).mean), true);
});

Deno.test("runs are aggregated key by key at every depth; strings are dropped", () => {
  const agg = aggregateRuns([
    { title: "x", models: { cgml: { psnr: 24, map: 0.3 } } },
    { title: "x", models: { cgml: { psnr: 26 }, l1: { psnr: 20 } } },
  ]);
  assertEquals(intervalAt(agg, ["models", "cgml", "psnr"])!.mean, 25);
  assertEquals(intervalAt(agg, ["models", "cgml", "map"])!.n, 1);
  assertEquals(intervalAt(agg, ["models", "l1", "psnr"])!.values, [20]);
  assertEquals(intervalAt(agg, ["title"]), undefined);
  assertEquals(intervalAt(agg, ["models", "cgml"]), undefined);
  assertEquals(formatInterval(intervalAt(agg, ["models", "cgml", "psnr"]), 1), "25.0 ± 1.4");
  assertEquals(formatInterval(intervalAt(agg, ["models", "l1", "psnr"]), 1), "20.0");
  assertEquals(formatInterval(undefined), "–");
});

Deno.test("a comparison is ahead only when the margin exceeds the larger seed std", () => {
  const a = meanStd([10, 11, 12]), b = meanStd([8, 8.5, 9]), c = meanStd([10.5, 11, 11.5]);
  assertEquals(compareIntervals(a, b, "higher").verdict, "ahead");
  assertEquals(compareIntervals(a, b, "lower").verdict, "behind");
  assertEquals(compareIntervals(a, c, "higher").verdict, "tied");
  assertAlmostEquals(compareIntervals(b, a, "lower").margin, 2.5);
  assertEquals(compareIntervals(meanStd([3]), meanStd([1]), "higher").verdict, "untested");
});

Deno.test("threshold claims hold when every seed meets the bound", () => {
  assertEquals(thresholdVerdict(meanStd([0.3, 0.25, 0.4]), { atLeast: 0.2 }), "holds");
  assertEquals(thresholdVerdict(meanStd([0.3, 0.15, 0.4]), { atLeast: 0.2 }), "mixed");
  assertEquals(thresholdVerdict(meanStd([0.1, 0.15, 0.3]), { atLeast: 0.2 }), "fails");
  assertEquals(thresholdVerdict(meanStd([0.1]), { atMost: 0.2 }), "holds");
  assertEquals(thresholdVerdict(undefined, { atMost: 0.2 }), "untested");
});
