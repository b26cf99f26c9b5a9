import { assertAllClose, assertEquals } from "../../testing/assert.ts";
import { CgmlModel } from "../cgml/mod.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { Tape } from "../nn/mod.ts";
import { INPUT_CHANNELS } from "./corrupt.ts";
import { backboneConfig, bottleneck, type MapModel, pyramidPool } from "./map_model.ts";

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
    const m: MapModel = { kind: "l1", model: new CgmlModel(gpu, config), target: "clean" };
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
      const flat = await bottleneck(m, inputs, "flatten");
      assertEquals(flat.dim, 2 * 2 * 8);
      assertAllClose(flat.features, levels[1].data, { atol: 1e-6 });
      const pyr = await bottleneck(m, inputs, "pyramid");
      assertEquals(pyr.dim, 2 * 2 * (4 + 8));
      assertAllClose(pyr.features, pyramidRef(levels), { atol: 1e-5 });
    } finally {
      m.model.dispose();
    }
  },
);
