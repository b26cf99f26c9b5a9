import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { checkModule, decoderRef, encoderRef } from "./_ref.ts";
import { Module } from "./module.ts";
import { Tape } from "./tape.ts";
import { UNetDecoder, UNetEncoder } from "./unet.ts";

const rng = new Rng(43);

/** Encoder + decoder as one module, so that one check covers both. */
class Net extends Module {
  constructor(readonly enc: UNetEncoder, readonly dec: UNetDecoder) {
    super();
    this.addModule("enc", enc);
    this.addModule("dec", dec);
  }
}

gpuTest("U-Net: gradients w.r.t. image, bottleneck extra and every weight", async (gpu) => {
  for (const [skips, spectralNorm] of [[true, false], [false, true], [true, true]]) {
    const widths = [3, 4];
    const enc = new UNetEncoder(gpu, rng, { inChannels: 2, widths, spectralNorm });
    const dec = new UNetDecoder(gpu, rng, {
      widths,
      outChannels: 2,
      extraChannels: 2,
      skips,
      spectralNorm,
      outputScale: 2,
    });
    const net = new Net(enc, dec);
    await checkModule(gpu, {
      name: `unet skips=${skips} spectralNorm=${spectralNorm}`,
      module: net,
      inputs: [
        { shape: [2, 8, 8, 2], data: rng.uniformArray(256) },
        { shape: [2, 2, 2, 2], data: rng.uniformArray(16) },
      ],
      forward: (tape, [x, extra]) => dec.forward(tape, enc.forward(tape, x), extra),
      ref: ([x, extra], p) => decoderRef(dec, encoderRef(enc, x, p), extra, p),
      maxChecks: 12,
    });
    net.dispose();
  }
});

gpuTest("U-Net shapes, names and argument checks", async (gpu) => {
  const enc = new UNetEncoder(gpu, rng, { inChannels: 3, widths: [4, 8, 16] });
  const dec = new UNetDecoder(gpu, rng, { widths: [4, 8, 16], outChannels: 3 });
  assertEquals(enc.parameters("H.").map((p) => p.name).slice(0, 2), [
    "H.blocks.0.0.weight",
    "H.blocks.0.0.bias",
  ]);
  const x = gpu.zeros([1, 16, 16, 3]);
  const tape = new Tape(gpu, { record: false });
  const feats = enc.forward(tape, x);
  assertEquals(feats.map((f) => f.shape), [[1, 8, 8, 4], [1, 4, 4, 8], [1, 2, 2, 16]]);
  assertEquals(dec.forward(tape, feats).shape, [1, 16, 16, 3]);
  assertThrows(() => dec.forward(tape, feats.slice(1)), RangeError, "2 feature maps for 3 levels");
  assertThrows(() => dec.forward(tape, feats, x), RangeError, "expects 0 extra");
  assertThrows(
    () => new UNetEncoder(gpu, rng, { inChannels: 1, widths: [2], kernel: 3 }),
    RangeError,
    "must be even",
  );
  tape.dispose();
  x.dispose();
  enc.dispose();
  dec.dispose();
  await gpu.sync();
});
