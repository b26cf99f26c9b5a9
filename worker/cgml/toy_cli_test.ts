import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { parseToyArgs, progressLine } from "./toy_cli.ts";

Deno.test("parseToyArgs reads the four options in both spellings", () => {
  assertEquals(parseToyArgs([]), { out: "out/toy", seed: 1 });
  assertEquals(parseToyArgs(["--csv", "a.csv", "--out=o", "--epochs", "3", "--seed=7"]), {
    csv: "a.csv",
    out: "o",
    epochs: 3,
    seed: 7,
  });
  assertEquals(parseToyArgs(["--help"]), "help");
  assertThrows(
    () => parseToyArgs(["--epochs", "x"]),
    Error,
    "--epochs needs a non-negative integer",
  );
  assertThrows(() => parseToyArgs(["--seed"]), Error, "--seed needs a value");
  assertThrows(() => parseToyArgs(["--what", "1"]), Error, 'unknown option "--what"');
});

Deno.test("progressLine shows bar, epoch, rate, ETA and losses", () => {
  const line = progressLine("cGML", {
    phase: "step",
    epoch: 2,
    epochs: 4,
    step: 50,
    totalSteps: 100,
    losses: { fit: 0.5, mover: 0.25, start: 1, rho: 0.125 },
    samplesPerSecond: 1000.4,
    etaSeconds: 75,
    elapsedSeconds: 10,
  }, 10);
  assert(line.includes("█████░░░░░  50% epoch 2/4 1000 samples/s ETA 1:15"), line);
  assert(line.includes("fit 0.500 Z 0.250 Ê₀ 1.000 ρ 0.125"), line);
});
