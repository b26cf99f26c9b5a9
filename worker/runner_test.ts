import { assert, assertEquals, assertRejects } from "../testing/assert.ts";
import { FsStore } from "../infra/mod.ts";
import { compilePipeline, type Plan } from "../pipelines/mod.ts";
import { runPlan, type RunProgress } from "./runner.ts";
import type { StageImpl } from "./stages/types.ts";
import type { Results } from "./stages/report_html.ts";

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

async function compile(sets: string[]): Promise<Plan> {
  const file = new URL("../pipelines/modelnet-zernike.yaml", import.meta.url).pathname;
  const result = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

Deno.test({
  name: "the ModelNet pipeline runs end to end, reruns from cache, and reruns only downstream",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const store = await FsStore.open(`${dir}/store`);
      const log = () => {};
      const first = await runPlan(await compile(TINY), { store, workDir: dir, log });
      assert(first.decisions.every((d) => d.action === "MISS"));
      const results = JSON.parse(
        new TextDecoder().decode(await first.artifact("report", "results")),
      ) as Results;
      assertEquals(Object.keys(results.models), ["cgml", "l1", "cvae", "ce", "raw"]);
      for (const m of ["cgml", "l1", "cvae", "ce"]) {
        assert(Number.isFinite(results.models[m].psnr), `${m} psnr`);
        assert(results.models[m].linear_accuracy >= 0, `${m} accuracy`);
      }
      const html = new TextDecoder().decode(await first.artifact("report", "html"));
      assert(html.includes("<h2>3-D reconstructions</h2>") && html.includes("<h2>Notes</h2>"));
      const csv = new TextDecoder().decode(await first.artifact("features.cgml", "features"));
      assertEquals(csv.split("\n")[0].split(",").slice(0, 4), ["id", "split", "label", "f0"]);
      assertEquals(csv.trim().split("\n").length, 1 + 3 * 6);

      const second = await runPlan(await compile(TINY), { store, workDir: dir, log });
      assert(second.decisions.every((d) => d.action === "HIT"));

      const changed = await runPlan(await compile([...TINY, "corruption.sigma=0.25"]), {
        store,
        workDir: dir,
        log,
      });
      const missed = changed.decisions.filter((d) => d.action !== "HIT").map((d) => d.stage);
      assertEquals(missed, [
        "corrupt",
        "train.cgml",
        "train.l1",
        "train.cvae",
        "train.ce",
        "eval.cgml",
        "eval.l1",
        "eval.cvae",
        "eval.ce",
        "features.cgml",
        "features.l1",
        "features.cvae",
        "features.ce",
        "linear.cgml",
        "linear.l1",
        "linear.cvae",
        "linear.ce",
        "report",
      ]);
      assertEquals(
        changed.decisions.find((d) => d.stage === "corrupt")!.reason,
        "param sigma 0.5 → 0.25",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the toy pipeline trains cGML and L1 and evaluates the four predictors",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const file = new URL("../pipelines/toy-multimodal.yaml", import.meta.url).pathname;
      const sets = ["epochs=1", "data.pairs=256", "data.truth=50"];
      const result = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
      if (result.plan === undefined) throw new Error(result.errors[0].message);
      const store = await FsStore.open(`${dir}/store`);
      const run = await runPlan(result.plan, { store, workDir: dir, log: () => {} });
      const metrics = JSON.parse(
        new TextDecoder().decode(await run.artifact("evaluate", "metrics")),
      ) as { predictors: Record<string, { phantom: number; coverage: Record<string, number> }> };
      assertEquals(Object.keys(metrics.predictors), ["cgml", "cgml-no-rho", "no-move", "l1"]);
      for (const m of Object.values(metrics.predictors)) {
        assert(m.phantom >= 0 && m.phantom <= 1);
        assertEquals(Object.keys(m.coverage).length, 2);
      }
      const svg = new TextDecoder().decode(await run.artifact("evaluate", "figure"));
      assert(svg.startsWith("<svg"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const TWO_STAGES = `version: 1
name: two-stages
params:
  epochs: { type: int, default: 4, min: 1 }
stages:
  data:
    uses: toy.data@1
    with: { pairs: 16, truth: 4 }
  train:
    uses: toy.train@1
    with:
      data: \${{ stages.data.outputs.data }}
      model: l1
      epochs: \${{ params.epochs }}
outputs:
  model: \${{ stages.train.outputs.model }}
`;

/** Fake stages: `data` counts pairs; `train` checkpoints every epoch and checks the signal. */
function fakeStages(afterEpoch: (epoch: number) => void): Record<string, StageImpl> {
  const bytes = (text: string) => new TextEncoder().encode(text);
  return {
    "toy.data": (ctx) => {
      ctx.progress({ unit: "pairs", done: 16, total: 16 });
      return Promise.resolve({ data: bytes("data") });
    },
    "toy.train": async (ctx) => {
      const epochs = ctx.params.epochs as number;
      let first = 0;
      try {
        first = Number(await Deno.readTextFile(ctx.checkpoint));
      } catch {
        first = 0;
      }
      for (let epoch = first; epoch < epochs; epoch++) {
        ctx.signal?.throwIfAborted();
        ctx.progress({ unit: "epoch", done: epoch + 0.5, total: epochs, eta: NaN });
        ctx.progress({ unit: "epoch", done: epoch + 1, total: epochs, loss: 1 / (epoch + 1) });
        await Deno.writeTextFile(ctx.checkpoint, String(epoch + 1));
        afterEpoch(epoch + 1);
      }
      return { model: bytes(`trained from ${first}`), curves: bytes("{}") };
    },
  };
}

function compileText(text: string): Plan {
  const result = compilePipeline({ file: "two-stages.yaml", text });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

Deno.test("runPlan reports structured progress: stages, epochs, loss, ETA, fraction", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(`${dir}/store`);
    const seen: RunProgress[] = [];
    await runPlan(compileText(TWO_STAGES), {
      store,
      workDir: dir,
      log: () => {},
      stages: fakeStages(() => {}),
      progress: (p) => seen.push(p),
    });
    assertEquals(
      seen.map((p) => `${p.stage}:${p.phase}`).filter((s, i, all) => s !== all[i - 1]),
      ["data:start", "data:running", "data:done", "train:start", "train:running", "train:done"],
    );
    const fractions = seen.map((p) => p.fraction);
    assert(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), `${fractions}`);
    assertEquals([fractions[0], fractions.at(-1)], [0, 1]);
    const epochs = seen.filter((p) => p.unit === "epoch");
    assertEquals(epochs.map((p) => p.epoch), [1, 1, 2, 2, 3, 3, 4, 4]);
    assertEquals(epochs[1], {
      stage: "train",
      index: 1,
      stages: 2,
      phase: "running",
      unit: "epoch",
      done: 1,
      total: 4,
      epoch: 1,
      epochs: 4,
      loss: 1,
      eta: undefined,
      fraction: 0.625,
    });

    const again: RunProgress[] = [];
    await runPlan(compileText(TWO_STAGES), {
      store,
      workDir: dir,
      log: () => {},
      stages: fakeStages(() => {}),
      progress: (p) => again.push(p),
    });
    assertEquals(again.map((p) => `${p.stage}:${p.phase}:${p.fraction}`), [
      "data:cached:0.5",
      "train:cached:1",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an aborted run stops inside the epoch loop, keeps its checkpoint and resumes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(`${dir}/store`);
    const controller = new AbortController();
    const reason = new Error("stop now");
    const stages = fakeStages((epoch) => epoch === 2 && controller.abort(reason));
    const aborted = await runPlan(compileText(TWO_STAGES), {
      store,
      workDir: dir,
      resume: "r_abort",
      log: () => {},
      stages,
      signal: controller.signal,
    }).then(() => null, (e) => e);
    assertEquals(aborted, reason);
    assertEquals(await Deno.readTextFile(`${dir}/runs/r_abort/train.ckpt`), "2");

    const resumed = await runPlan(compileText(TWO_STAGES), {
      store,
      workDir: dir,
      resume: "r_abort",
      log: () => {},
      stages,
    });
    assertEquals(
      new TextDecoder().decode(await resumed.artifact("train", "model")),
      "trained from 2",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an aborted signal stops the run before the next stage, without retrying", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(`${dir}/store`);
    const controller = new AbortController();
    let trained = false;
    const stages = {
      ...fakeStages(() => {}),
      "toy.data": () => {
        controller.abort(new Error("cancelled"));
        return Promise.resolve({ data: new Uint8Array([1]) });
      },
      "toy.train": () => {
        trained = true;
        return Promise.reject(new Error("unreachable"));
      },
    };
    await assertRejects(
      () =>
        runPlan(compileText(TWO_STAGES), {
          store,
          workDir: dir,
          log: () => {},
          stages,
          signal: controller.signal,
        }),
      Error,
      "cancelled",
    );
    assertEquals(trained, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
