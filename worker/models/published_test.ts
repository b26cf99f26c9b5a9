import { assert, assertAllClose, assertEquals, assertThrows } from "../../testing/assert.ts";
import { MODEL_FILES } from "../../infra/mod.ts";
import { CgmlModel } from "../cgml/mod.ts";
import { encodeRgbPng } from "../data/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { Rng } from "../lib/mod.ts";
import { backboneConfig } from "./backbone_config.ts";
import { BackboneModel } from "./backbone_model.ts";
import { readInferenceInputs } from "./inference_inputs.ts";
import { runInference } from "./inference.ts";
import { parsePublishedConfig, publishedFiles, PublishedModel } from "./published.ts";

const P = { width: 4, depth: 2, epochs: 1, batch: 1, lr: 1e-3, seed: 1, latent_dim: 3, lift: 0 };
const ENV = { store: null, bucket: "cgml", objectCache: "/nonexistent" };

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

gpuTest(
  "an image model publishes, rebuilds from config.json and completes or colours inline images",
  async (gpu) => {
    const rng = new Rng(3);
    const images = [0, 1].map(() => ({
      width: 8,
      height: 8,
      data: rng.uniformArray(8 * 8 * 3, 0, 1),
    }));
    const inline = images.map((img, i) => ({
      name: `img${i}.png`,
      base64: base64(encodeRgbPng(img)),
    }));
    for (const task of ["completion", "colorization"] as const) {
      const io = task === "completion"
        ? { inChannels: 2, outChannels: 1 }
        : { inChannels: 1, outChannels: 2 };
      const net = new CgmlModel(gpu, backboneConfig("cgml", 8, 8, P, {}, io));
      const input = { kind: "images" as const, task, height: 8, width: 8 };
      const artifact = await BackboneModel.encode(net, { kind: "cgml", target: "clean", input });
      net.dispose();
      const { files, config } = publishedFiles({
        model: artifact,
        inference: { k: 3, steps: 4, momentum: true },
        pool: "flatten",
      });
      assertEquals([config.kind, config.method, config.latent_dim], ["image", "cgml", 3]);
      assertEquals(config.input, input);
      assertEquals(parsePublishedConfig(files.get(MODEL_FILES.config)!).inference.steps, 4);
      const model = PublishedModel.load(gpu, files);
      try {
        const inputs = await readInferenceInputs(model.config, {
          dataset: "",
          inputs: inline,
          split: "",
        }, ENV);
        assertEquals(inputs.names, ["img0.png", "img1.png"]);
        const r = await runInference(gpu, model, inputs, {
          k: 3,
          steps: -1,
          seed: 0,
          tolerance: 0,
        });
        assertEquals([r.steps, r.tolerance, r.outShape], [4, 0.05, [8, 8, 3]]);
        assertEquals(r.outputs.length, 2 * 3 * 8 * 8 * 3);
        assert(r.outputs.every((v) => v >= 0 && v <= 1));
        if (task === "completion") {
          // The visible bottom half is the input's grey value in every draw.
          const px = (7 * 8 + 2) * 3;
          const grey = (inputs.values[px] + inputs.values[px + 1] + inputs.values[px + 2]) / 3;
          const q = Math.round(grey * 255) / 255;
          assertAllClose([r.outputs[2 * 192 + px]], [q], { atol: 0.01 });
        }
        assertEquals(r.modes.length, 2);
      } finally {
        model.dispose();
      }
    }
  },
);

gpuTest("publishing refuses what cannot be rebuilt or run", async (gpu) => {
  const net = new CgmlModel(gpu, backboneConfig("cgml", 8, 8, P));
  try {
    const old = await BackboneModel.encode(net, { kind: "cgml", target: "clean" });
    const inference = { k: 8, steps: 20, momentum: true };
    assertThrows(
      () => publishedFiles({ model: old, inference, pool: "flatten" }),
      Error,
      "does not record what its inputs are",
    );
    assertThrows(
      () => publishedFiles({ model: new Uint8Array(16), inference, pool: "flatten" }),
      Error,
    );
    assertThrows(
      () => parsePublishedConfig(new TextEncoder().encode('{"format":"cgml-model"}')),
      Error,
      "Cannot read config.json: format_version",
    );
  } finally {
    net.dispose();
  }
});
