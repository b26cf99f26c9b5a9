import { assert, assertEquals } from "../../testing/assert.ts";
import { describeProgress, formatSeconds, progressView } from "./progress_view.ts";

/** A view in `style` over a fake clock; returns what it wrote and how to move the clock. */
function fake(style: "bar" | "lines") {
  const written: string[] = [];
  let now = 0;
  const view = progressView(style, "train", (t) => written.push(t), () => now);
  return { view, written, advance: (ms: number) => now += ms };
}

Deno.test("without a terminal: a plain line per 10 % of the stage, not one per report", () => {
  const { view, written, advance } = fake("lines");
  for (let i = 1; i <= 1000; i++) {
    advance(1);
    view.update({ unit: "epoch", done: i / 100, total: 10, loss: 0.5 });
  }
  view.end();
  assertEquals(written.length, 10);
  assert(written.every((l) => l.endsWith("\n") && !l.includes("\r") && !l.includes("\x1b")));
  assertEquals(written[0], "train  [##..................] epoch 2/10  loss 0.5000\n");
  assertEquals(written.at(-1), "train  [####################] epoch 10/10  loss 0.5000\n");
});

Deno.test("without a terminal: a slow stage gets a line every 30 s, and one at 10 %", () => {
  const { view, written, advance } = fake("lines");
  for (let i = 1; i <= 100; i++) {
    advance(5_000);
    view.update({ unit: "shapes", done: i, total: 1000 });
  }
  assertEquals(written.length, 16 + 1);
  assertEquals(written[0], "train  [....................] 6/1000 shapes\n");
  assertEquals(written[15], "train  [##..................] 96/1000 shapes\n");
  assertEquals(written[16], "train  [##..................] 100/1000 shapes\n");
});

Deno.test("without a terminal: uneven steps still end with the 100 % line", () => {
  const { view, written } = fake("lines");
  for (let i = 1; i <= 189; i++) view.update({ unit: "epoch", done: (3 * i) / 189, total: 3 });
  assertEquals(written.length, 10);
  assert(written.at(-1)!.includes("[####################] epoch 3/3"));
});

Deno.test("on a terminal: one line redrawn at most 4 times a second, cleared at the end", () => {
  const { view, written, advance } = fake("bar");
  for (let i = 1; i <= 100; i++) {
    advance(10);
    view.update({ unit: "inputs", done: i, total: 100 });
  }
  view.end();
  assertEquals(written.length, 4 + 1 + 1);
  assert(written.slice(0, -1).every((l) => l.startsWith("\rtrain  [") && l.endsWith("\x1b[K")));
  assert(written.at(-2)!.includes("100/100 inputs"));
  assertEquals(written.at(-1), "\r\x1b[K");
});

Deno.test("progress text: bar, count, loss and ETA", () => {
  assertEquals(
    describeProgress({ unit: "epoch", done: 2.5, total: 4, loss: 0.25, eta: 75 }),
    "[#############.......] epoch 3/4  loss 0.2500  ETA 1m15s",
  );
  assertEquals(formatSeconds(3.21), "3.2s");
  assertEquals(formatSeconds(NaN), "?");
});
