import { assertAllClose, assertEquals } from "../../testing/assert.ts";
import { CgmlModel } from "../cgml/mod.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { Tape } from "../nn/mod.ts";
import { INPUT_CHANNELS } from "../data/mod.ts";
import { backboneConfig } from "./backbone_config.ts";
import { BackboneModel, pyramidPool } from "./backbone_model.ts";

/** float64 reference: every level [B, h, w, c] block-averaged to the last grid, channels concatenated. */
function pyramidRef(levels: { data: Float32Array; shape: number[] }[]): number[] {
  const [B, hb, wb] = levels[levels.length - 1].shape;
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let Y = 0; Y < hb; Y++) {
      for (let X = 0; X < wb; X++) {
        for (const { data, shape: [, h, w, c] } of levels) {
          const fh = h / hb, fw = w / wb;
          for (let k = 0; k < c; k++) {
            let s = 0;
            for (let dy = 0; dy < fh; dy++) {
              for (let dx = 0; dx < fw; dx++) {
                s += data[((b * h + Y * fh + dy) * w + X * fw + dx) * c + k];
              }
            }
            out.push(s / (fh * fw));
          }
        }
      }
    }
  }
  return out;
}

gpuTest(
  "pyramidPool averages every level to the bottleneck grid and concatenates channels",
  async (gpu) => {
    const rng = new Rng(5);
    const shapes = [[2, 8, 12, 3], [2, 4, 6, 5], [2, 2, 3, 4]];
    const levels = shapes.map((shape) => ({
      data: rng.normalArray(shape.reduce((a, b) => a * b, 1)),
      shape,
    }));
    const out = await gpu.scopeAsync(async () => {
      const tape = new Tape(gpu, { record: false });
      try {
        const y = pyramidPool(tape, levels.map((l) => gpu.tensor(l.data, l.shape)));
        assertEquals(y.shape, [2, 2, 3, 12]);
        return await y.read();
      } finally {
        tape.dispose();
      }
    });
    assertAllClose(out, pyramidRef(levels), { atol: 1e-5 });
  },
);

gpuTest(
  "bottleneck features: flatten = the deepest level, pyramid = every level pooled",
  async (gpu) => {
    const config = backboneConfig("l1", 8, 8, {
      width: 4,
      depth: 2,
      epochs: 1,
      batch: 1,
      lr: 1e-3,
      seed: 1,
      latent_dim: 2,
      lift: 0,
    });
    const m = new BackboneModel(
      { kind: "l1", config, target: "clean" },
      new CgmlModel(gpu, config),
    );
    try {
      const n = 3;
      const inputs = new Rng(7).normalArray(n * 8 * 8 * INPUT_CHANNELS);
      const levels = await gpu.scopeAsync(async () => {
        const tape = new Tape(gpu, { record: false });
        try {
          const fs = m.model.nets.encode(tape, gpu.tensor(inputs, [n, config.inDim])).features;
          const read = [];
          for (const f of fs) read.push({ data: await f.read(), shape: [...f.shape] });
          return read;
        } finally {
          tape.dispose();
        }
      });
      assertEquals(levels.map((l) => l.shape), [[n, 4, 4, 4], [n, 2, 2, 8]]);
      const flat = await m.features(inputs, "flatten");
      assertEquals(flat.dim, 2 * 2 * 8);
      assertAllClose(flat.features, levels[1].data, { atol: 1e-6 });
      const pyr = await m.features(inputs, "pyramid");
      assertEquals(pyr.dim, 2 * 2 * (4 + 8));
      assertAllClose(pyr.features, pyramidRef(levels), { atol: 1e-5 });
    } finally {
      m.dispose();
    }
  },
);

gpuTest(
  "a backbone model's artifact rebuilds it: card from the metadata or from a config.json",
  async (gpu) => {
    const config = backboneConfig("cgml", 8, 8, {
      width: 4,
      depth: 2,
      epochs: 1,
      batch: 1,
      lr: 1e-3,
      seed: 3,
      latent_dim: 3,
      lift: 0,
    });
    const original = new CgmlModel(gpu, config);
    const input = {
      kind: "images" as const,
      task: "completion" as const,
      height: 8,
      width: 8,
    };
    const bytes = await BackboneModel.encode(original, { kind: "cgml", target: "residual", input });
    const inputs = new Rng(4).normalArray(2 * config.inDim);
    const draws = { draws: 3, steps: 2, momentum: true };
    const a = BackboneModel.decode(gpu, bytes);
    const b = BackboneModel.decode(gpu, bytes, JSON.parse(JSON.stringify(a.card)));
    try {
      assertEquals([a.kind, a.target, a.card.input], ["cgml", "residual", input]);
      assertEquals(a.card.config, config);
      const ya = await a.infer(inputs, { ...draws, rng: new Rng(9) });
      const yb = await b.infer(inputs, { ...draws, rng: new Rng(9) });
      assertEquals(ya.length, 2 * 3 * config.outDim);
      assertAllClose(ya, yb, { atol: 0 });
      assertEquals(a.predictorName({ steps: 0, momentum: true }), "cgml-no-move");
      assertEquals(a.predictorName({ steps: 5, momentum: false }), "cgml-no-rho");
    } finally {
      a.dispose();
      b.dispose();
      original.dispose();
    }
  },
);

gpuTest(
  "L1 draws repeat one output per input; residual models add the input value",
  async (gpu) => {
    const config = backboneConfig("l1", 8, 8, {
      width: 4,
      depth: 2,
      epochs: 1,
      batch: 1,
      lr: 1e-3,
      seed: 1,
      latent_dim: 2,
      lift: 0,
    });
    const net = new CgmlModel(gpu, config);
    const clean = new BackboneModel({ kind: "l1", config, target: "clean" }, net);
    const residual = new BackboneModel({ kind: "l1", config, target: "residual" }, net);
    try {
      const inputs = new Rng(2).normalArray(2 * config.inDim);
      const o = { draws: 2, steps: 0, momentum: true, rng: new Rng(1) };
      const y = await clean.infer(inputs, o);
      const r = await residual.infer(inputs, o);
      const cells = config.outDim;
      assertAllClose(y.subarray(0, cells), y.subarray(cells, 2 * cells), { atol: 0 });
      for (let c = 0; c < cells; c++) {
        assertAllClose([r[3 * cells + c]], [
          y[3 * cells + c] + inputs[(cells + c) * INPUT_CHANNELS],
        ], {
          atol: 1e-6,
        });
      }
    } finally {
      net.dispose();
    }
  },
);

gpuTest(
  "cGML inference is batched: k draws of 32 inputs and all T z-steps in one submit",
  async (gpu) => {
    const config = backboneConfig("cgml", 8, 8, {
      width: 4,
      depth: 2,
      epochs: 1,
      batch: 1,
      lr: 1e-3,
      seed: 2,
      latent_dim: 3,
      lift: 0,
    });
    const m = new BackboneModel(
      { kind: "cgml", config, target: "clean" },
      new CgmlModel(gpu, config),
    );
    try {
      const n = 40;
      const k = 8;
      const inputs = new Rng(6).normalArray(n * config.inDim);
      const o = (rng: Rng) => ({ draws: k, steps: 20, momentum: true, rng });
      await m.infer(inputs.subarray(0, config.inDim), o(new Rng(1)));
      const before = gpu.counters.submits;
      const batched = await m.infer(inputs, o(new Rng(1)));
      // 256 rows per batch: 32 inputs × 8 draws, then the other 8 inputs.
      assertEquals(gpu.counters.submits - before, 2);
      const rng = new Rng(1);
      const one = [];
      for (let i = 0; i < n; i++) {
        one.push(
          ...await m.infer(inputs.subarray(i * config.inDim, (i + 1) * config.inDim), o(rng)),
        );
      }
      assertAllClose(batched, one, { atol: 1e-4 });
    } finally {
      m.dispose();
    }
  },
);
