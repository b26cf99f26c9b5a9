import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { FsStore } from "../../infra/mod.ts";
import {
  artifactKey,
  compilePipeline,
  lastRunKey,
  type Plan,
  recordKey,
  runRecordKey,
} from "../../pipelines/mod.ts";
import type { StageImpl } from "../stages/mod.ts";
import type { RunProgress } from "./progress.ts";
import { runPlan } from "./run.ts";

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
    "toy.data@1": (ctx) => {
      ctx.progress({ unit: "pairs", done: 16, total: 16 });
      return Promise.resolve({ data: bytes("data") });
    },
    "toy.train@1": async (ctx) => {
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
      "toy.data@1": () => {
        controller.abort(new Error("cancelled"));
        return Promise.resolve({ data: new Uint8Array([1]) });
      },
      "toy.train@1": () => {
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

Deno.test("stages run by name@version: a catalog @2 does not run @1 code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(`${dir}/store`);
    const plan = compileText(TWO_STAGES);
    const data = plan.stages[0];
    const bumped: Plan = {
      ...plan,
      stages: [{ ...data, uses: "toy.data@2", type: { ...data.type, version: 2 } }, plan.stages[1]],
    };
    let ran = false;
    const stages: Record<string, StageImpl> = {
      ...fakeStages(() => {}),
      "toy.data@1": () => {
        ran = true;
        return Promise.resolve({ data: new Uint8Array([1]) });
      },
    };
    const run = () => runPlan(bumped, { store, workDir: dir, log: () => {}, stages });
    await assertRejects(run, Error, 'Cannot run stage "data": no implementation of toy.data@2');
    assertEquals(ran, false);
    const named = { "toy.data": stages["toy.data@1"], "toy.train@1": stages["toy.train@1"] };
    await assertRejects(
      () => runPlan(plan, { store, workDir: dir, log: () => {}, stages: named }),
      Error,
      "no implementation of toy.data@1",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run writes artifacts, cache records and run records where store_keys.ts says", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(`${dir}/store`);
    const run = await runPlan(compileText(TWO_STAGES), {
      store,
      workDir: dir,
      log: () => {},
      stages: fakeStages(() => {}),
    });
    const model = run.record.stages.train.outputs.model;
    assertEquals(model.key, artifactKey(model.hash));
    assertEquals(new TextDecoder().decode((await store.get(model.key)).body), "trained from 0");
    const cached = JSON.parse(
      new TextDecoder().decode((await store.get(recordKey(run.record.stages.train.key))).body),
    );
    assertEquals(cached.outputs.model, model);
    for (const key of [lastRunKey("two-stages"), runRecordKey("two-stages", run.id)]) {
      const stored = JSON.parse(new TextDecoder().decode((await store.get(key)).body));
      assertEquals(stored.id, run.id);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
