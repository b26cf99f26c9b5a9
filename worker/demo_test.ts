import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { FsStore, listObjects } from "../infra/mod.ts";
import { runDemo } from "./demo.ts";
import { paramsFromSets, prepareJob } from "./demo_job.ts";
import { startFunctions } from "./demo_functions.ts";
import {
  formatInferredShapes,
  formatJobProgress,
  type ModesFile,
  pickShapes,
} from "./demo_view.ts";

const TINY = [
  "dataset.classes=3",
  "dataset.train_per_class=4",
  "dataset.test_per_class=2",
  "dataset.points=256",
  "order=6",
  "backbone.width=8",
  "backbone.epochs=1",
  "backbone.batch=8",
  "probe.l2=[0.01]",
  "probe.epochs=20",
];

/** Whether process `pid` still exists (Linux). */
async function alive(pid: number): Promise<boolean> {
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The functions child's PID from the demo's output. */
function functionsPid(text: string): number {
  const pid = /child process (\d+)/.exec(text)?.[1];
  assert(pid !== undefined, text);
  return Number(pid);
}

Deno.test("--set overrides become nested params", () => {
  assertEquals(paramsFromSets(["a.b=3", "a.c=x y", "d=true", "e="]), {
    a: { b: 3, c: "x y" },
    d: true,
    e: "",
  });
});

Deno.test("the demo's job: its dataset root, publish, its settings under --set", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgml-demo-job-" });
  try {
    const store = await FsStore.open(dir);
    const job = await prepareJob(store, "modelnet-zernike", ["backbone.epochs=2"]);
    assert(!("error" in job), JSON.stringify(job));
    assertEquals(job.model, "shapes");
    const params = job.params as {
      dataset: { root: string };
      backbone: { epochs: number };
      probe: { rounds: number };
      publish: string;
    };
    assertEquals(
      [params.dataset.root, params.publish, params.backbone.epochs, params.probe.rounds],
      ["s3://cgml/datasets/shapes/", "shapes", 2, 1],
    );
    assert(job.plan.stages.some((s) => s.uses === "dataset.synthetic_shapes@1"));
    const named = await prepareJob(store, "modelnet-zernike", ["publish=chairs"]);
    assertEquals("model" in named && named.model, "chairs");
    for (
      const [sets, error] of [
        [["dataset.root=/data"], "Cannot use --set dataset.root"],
        [["publish="], "Cannot run the demo without a model name"],
        [["backbone.epochs=0"], "backbone"],
      ] as const
    ) {
      const refused = await prepareJob(store, "modelnet-zernike", sets);
      assert("error" in refused && refused.error.includes(error), JSON.stringify(refused));
    }
    const missing = await prepareJob(store, "no-such-pipeline", []);
    assert("error" in missing && missing.error.includes("no pipeline no-such-pipeline"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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

Deno.test("the shapes shown take one of each class in turn, with modes and the probe", () => {
  const shape = (input: string, sizes: number[], cls: string) => ({
    input: `datasets/s/${input}`,
    modes: sizes.length,
    sizes,
    spread: sizes.map(() => 0),
    class: cls,
    score: 0.5,
  });
  const modes: ModesFile = {
    kind: "map",
    k: 4,
    steps: 20,
    inputs: [
      shape("b/test/b2.off", [4], "b"),
      shape("a/test/a1.off", [3, 1], "b"),
      shape("b/test/b1.off", [2, 2], "b"),
      shape("a/test/a2.off", [4], "a"),
    ],
  };
  assertEquals(pickShapes(modes.inputs, "datasets/s/", 3).map((s) => s.input), [
    "datasets/s/a/test/a1.off",
    "datasets/s/b/test/b1.off",
    "datasets/s/a/test/a2.off",
  ]);
  assertEquals(
    formatInferredShapes(modes, "datasets/s/", 2),
    "shape                     true class  modes of k = 4 (sizes)  probe\n" +
      "datasets/s/a/test/a1.off  a           2 (3 + 1)               b 0.50 wrong\n" +
      "datasets/s/b/test/b1.off  b           2 (2 + 2)               b 0.50 right\n" +
      "all 4 shapes: 1.50 modes per shape, 2 with more than one; the probe's class is right " +
      "for 3 (75.0 %)\n",
  );
});

Deno.test({
  name: "a functions child that cannot start is an error carrying its output",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-demo-fn-" });
    try {
      const error = await assertRejects(() =>
        startFunctions({
          store: "file://not-absolute",
          bucket: "cgml",
          token: "demo-0123456789abcdef",
          logPath: `${dir}/functions.log`,
        })
      );
      const message = (error as Error).message;
      assert(message.startsWith("Cannot start the HTTP functions"), message);
      assert(message.includes("exited with code 2"), message);
      assert(message.includes("CGML_STORE"), message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the demo pushes shapes, trains and publishes over HTTP, infers, and ends its child",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-demo-" });
    const run = async () => {
      let text = "";
      const code = await runDemo({
        sets: TINY,
        dir: `${dir}/demo`,
        out: `${dir}/out`,
        k: 4,
        tty: false,
        write: (t) => text += t,
      });
      assertEquals(code, 0, text);
      assert(!(await alive(functionsPid(text))), "the functions child is gone");
      return text;
    };
    try {
      const text = await run();
      assert(text.includes("18 uploaded"), text);
      const store = await FsStore.open(`${dir}/demo/store`);
      const objects = (await listObjects(store, "datasets/shapes/")).map((o) => o.key);
      assertEquals(objects.length, 18);
      assert(objects.every((k) => /^datasets\/shapes\/\w+\/(train|test)\/\w+\.off$/.test(k)));
      const versions = (await listObjects(store, "models/shapes/")).map((o) => o.key);
      assert(versions.includes("models/shapes/1/version.json"), versions.join(" "));

      assert(/POST \/v1\/jobs → 202 queued/.test(text), text);
      assert(text.includes(`[${"#".repeat(30)}] 100%  succeeded  publish`), text);
      assert(/^model\s+psnr/m.test(text), "the results table is printed");
      assert(text.includes(`report     ${dir}/out/report.html`), text);
      assert(text.includes("model      shapes v1 (published by this run"), text);
      assert(text.includes("POST /v1/models/shapes/infer → 202 queued"), text);
      assert(text.includes("100%  succeeded  infer"), text);
      assert(text.includes("rows = 6 test shapes × k = 4 draws"), text);
      const shown = text.match(
        /^datasets\/shapes\/(\w+)\/test\/\w+\.off +\1 +\d+ \(\d+( \+ \d+)*\) +\w+ [01]\.\d\d (right|wrong)$/gm,
      );
      assertEquals(shown?.length, 5, text);
      const csv = (await Deno.readTextFile(`${dir}/out/infer/predictions.csv`)).trim().split("\n");
      assertEquals(csv.length, 1 + 6 * 4);

      const again = await run();
      assert(again.includes("0 uploaded (0 B), 18 unchanged"), again);
      assert(/stages {5}23 HIT, 1 RUN\n/.test(again), again);
      assert(again.includes("model      shapes v1 (already published"), again);
      assert(!(await listObjects(store, "models/shapes/2/")).length, "nothing new is published");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a stopped demo gives the job back and ends its functions child",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-demo-stop-" });
    try {
      const stop = new AbortController();
      let text = "";
      const code = await runDemo({
        sets: TINY,
        dir: `${dir}/demo`,
        out: `${dir}/out`,
        tty: false,
        signal: stop.signal,
        write: (t) => {
          text += t;
          if (t.includes("%  running")) stop.abort();
        },
      });
      assertEquals(code, 130, text);
      assert(text.includes("demo stopped; the job goes back to the queue"), text);
      assert(!(await alive(functionsPid(text))), "the functions child is gone");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
