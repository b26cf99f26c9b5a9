import { assert, assertEquals } from "../../testing/assert.ts";
import { aggregateRuns } from "./aggregate.ts";
import { colorizationClaims, completionClaims, imageClaims, spectralClaims } from "./claims.ts";

const odds = { disc: { red: 0.5, blue: 0.5 }, triangle: { purple: 1 } };

function colourRun(red: number, blue: number, psnr: number) {
  return {
    cgml: {
      colour: { psnr },
      colour_modes: {
        disc: { red, blue, between: 1 - red - blue, all_modes: 0.8 },
        triangle: { purple: 1, between: 0, all_modes: 1 },
      },
    },
    l1: { colour: { psnr: 13 } },
  };
}

Deno.test("colour modes hold on every seed; PSNR needs an interval", () => {
  const runs = [colourRun(0.45, 0.45, 12), colourRun(0.4, 0.5, 12.2), colourRun(0.5, 0.42, 12.1)];
  const claims = colorizationClaims(aggregateRuns(runs), odds);
  assertEquals(claims.map((c) => c.id), ["colour-modes-disc", "colorization-psnr"]);
  assertEquals(claims[0].verdict, "holds");
  assertEquals(claims[0].seeds, 3);
  assert(claims[0].ours.includes("red 45.0 ± 5.0 %"), claims[0].ours);
  assertEquals(claims[1].verdict, "fails");
  const one = colorizationClaims(aggregateRuns([colourRun(0.9, 0.05, 14)]), odds);
  assertEquals(one.map((c) => c.verdict), ["fails", "untested"]);
});

Deno.test("spectral claims: reconstruction mAP, best of k, features", () => {
  const run = (shift: number) => ({
    cgml: { map_reconstruction: 0.8 + shift, l1_best: 0.3 + shift, l1: 0.5, linear_accuracy: 0.9 },
    l1: { map_reconstruction: 0.5, l1: 0.45 + shift, linear_accuracy: 0.91 + shift },
    ce: { map_reconstruction: 0.4 + shift, linear_accuracy: 0.9 },
    cvae: { map_reconstruction: 0.795, linear_accuracy: 0.8 },
  });
  const claims = spectralClaims(aggregateRuns([run(0), run(0.01), run(-0.01)]));
  const byId = Object.fromEntries(claims.map((c) => [c.id, c]));
  assertEquals(byId["reconstruction-map"].verdict, "fails"); // tied with cVAE
  assert(
    byId["reconstruction-map"].detail.includes("vs cvae: tied"),
    byId["reconstruction-map"].detail,
  );
  assertEquals(byId["best-of-k"].verdict, "holds");
  assertEquals(byId["features"].verdict, "holds"); // tied with L1 and CE, ahead of cVAE
});

Deno.test("box modes follow the rate at every rate", () => {
  const run = (box: number) => ({
    cgml: { "p0.1": { box: 0.12, between: 0.01 }, "p0.3": { box, between: 0.02 } },
  });
  assertEquals(completionClaims(aggregateRuns([run(0.31), run(0.28)]))[0].verdict, "holds");
  assertEquals(completionClaims(aggregateRuns([run(0.31), run(0.15)]))[0].verdict, "mixed");
  assertEquals(completionClaims(aggregateRuns([{ l1: { psnr: 1 } }])), []);
});

Deno.test("a spectral claim without its comparison models is left out", () => {
  const claims = spectralClaims(
    aggregateRuns([{ cgml: { map_reconstruction: 0.5, linear_accuracy: 0.9 }, l1: { l1: 0.4 } }]),
  );
  assertEquals(claims, []);
});

Deno.test("image claims pick the experiment, and the generator's odds for colour modes", () => {
  const runs = aggregateRuns([colourRun(0.45, 0.45, 12), colourRun(0.4, 0.5, 12.2)]);
  const claims = imageClaims(runs);
  assertEquals(claims.map((c) => c.id), [
    "colour-modes-disc",
    "colour-modes-square",
    "colorization-psnr",
  ]);
  assert(claims[0].ours.includes("(odds 50 %)"), claims[0].ours);
  assertEquals(claims[1].verdict, "untested", "no square in these results");
  const plain = aggregateRuns([{ cgml: { colour: { psnr: 12 } }, l1: { colour: { psnr: 13 } } }]);
  assertEquals(imageClaims(plain).map((c) => c.id), ["colorization-psnr"]);
  const boxes = aggregateRuns([{ cgml: { "p0.3": { box: 0.3, between: 0.05 } } }]);
  assertEquals(imageClaims(boxes).map((c) => c.id), ["box-modes"]);
});
