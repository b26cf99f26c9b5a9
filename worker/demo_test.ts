import { assert, assertEquals } from "../testing/assert.ts";
import { formatJobProgress, paramsFromSets, runDemo } from "./demo.ts";

const TINY = [
  "dataset.classes=3",
  "dataset.train_per_class=4",
  "dataset.test_per_class=2",
  "dataset.points=256",
  "order=6",
  "backbone.width=8",
  "backbone.epochs=2",
  "backbone.batch=8",
];

Deno.test("--set overrides become nested params", () => {
  assertEquals(paramsFromSets(["a.b=3", "a.c=x y", "d=true", "e="]), {
    a: { b: 3, c: "x y" },
    d: true,
    e: "",
  });
});

Deno.test("the progress line shows stage, epoch, loss and ETA", () => {
  const line = formatJobProgress({
    id: "j",
    status: "running",
    progress: {
      fraction: 0.5,
      stage: "cgml",
      index: 4,
      stages: 20,
      epoch: 3,
      epochs: 15,
      loss: 0.25,
      eta: 65,
    },
  });
  assertEquals(
    line,
    "[###############...............]  50%  running  cgml (5/20)  epoch 3/15  loss 0.2500  ETA 1m05s",
  );
});

Deno.test({
  name: "the demo serves, submits over HTTP, follows SSE and prints the results (tiny config)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-demo-" });
    try {
      let text = "";
      const code = await runDemo({
        sets: TINY,
        dir: `${dir}/demo`,
        out: `${dir}/out`,
        tty: false,
        write: (t) => text += t,
      });
      assertEquals(code, 0, text);
      assert(/POST \/v1\/jobs → 202 queued/.test(text), text);
      assert(text.includes(`[${"#".repeat(30)}] 100%  succeeded`), text);
      assert(text.split("\n").filter((l) => l.startsWith("[")).length >= 2, "progress is drawn");
      assert(/^model\s+psnr/m.test(text), "the results table is printed");
      assert(text.includes(`report     ${dir}/out/report.html`), text);
      assert((await Deno.stat(`${dir}/out/report.html`)).size > 0);
      assert((await Deno.stat(`${dir}/out/results.json`)).size > 0);

      let again = "";
      assertEquals(
        await runDemo({
          sets: TINY,
          dir: `${dir}/demo`,
          out: `${dir}/out`,
          tty: false,
          write: (t) => again += t,
        }),
        0,
      );
      assert(again.includes(`report     ${dir}/out/report.html`), again);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
