/**
 * Engine demo: trains a small convolutional autoencoder on synthetic images (coloured
 * rectangles and discs) and prints the loss falling per epoch, with a one-line progress display.
 *
 * Every training step (forward, backward, Adam) is recorded into one command encoder and
 * submitted once; the loss is accumulated on the GPU and read back once per epoch.
 *
 * Run: `deno task demo` (or `deno run -A worker/nn/demo.ts`).
 * @module
 */
import { slice } from "../gpu/kernels/mod.ts";
import { LossMeter } from "./metrics.ts";
import { l1Loss } from "./ops/loss.ts";
import { Adam } from "./optim.ts";
import { Tape } from "./tape.ts";
import { UNetDecoder, UNetEncoder } from "./unet.ts";
import { Gpu } from "../gpu/mod.ts";
import { loadGpuConfig } from "../../infra/mod.ts";
import { Rng } from "../lib/mod.ts";

/** Demo settings. */
export interface DemoOptions {
  /** Number of synthetic images (default 512). */
  images?: number;
  /** Image side in pixels, a multiple of 8 (default 32). */
  size?: number;
  /** Minibatch size (default 32). */
  batch?: number;
  /** Epochs (default 15). */
  epochs?: number;
  /** Seed of the data and the weights (default 1). */
  seed?: number;
  /** Where progress goes (default: stdout); null silences it. */
  write?: ((text: string) => void) | null;
  /** Redraw a progress line within each epoch (default: when stdout is a terminal). */
  live?: boolean;
}

/** Synthetic NHWC RGB images: 1–3 coloured rectangles or discs on a dark background. */
export function syntheticImages(rng: Rng, count: number, size: number): Float32Array {
  const out = new Float32Array(count * size * size * 3);
  for (let i = 0; i < count; i++) {
    for (let s = 0; s < 1 + rng.int(3); s++) {
      const disc = rng.next() < 0.5;
      const cy = rng.uniform(0, size);
      const cx = rng.uniform(0, size);
      const r = rng.uniform(size / 8, size / 3);
      const colour = [rng.uniform(0.2, 1), rng.uniform(0.2, 1), rng.uniform(0.2, 1)];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const inside = disc
            ? (y - cy) ** 2 + (x - cx) ** 2 <= r * r
            : Math.abs(y - cy) <= r && Math.abs(x - cx) <= r * 0.7;
          if (!inside) continue;
          const at = ((i * size + y) * size + x) * 3;
          for (let c = 0; c < 3; c++) out[at + c] = colour[c];
        }
      }
    }
  }
  return out;
}

/** Trains the autoencoder; returns the mean L1 loss of every epoch. */
export async function runDemo(gpu: Gpu, opts: DemoOptions = {}): Promise<number[]> {
  const { images = 512, size = 32, batch = 32, epochs = 15, seed = 1 } = opts;
  const live = opts.live ?? Deno.stdout.isTerminal();
  const write = opts.write === undefined
    ? (t: string) => Deno.stdout.writeSync(encode(t))
    : opts.write;
  const rng = new Rng(seed);
  const data = gpu.tensor(syntheticImages(rng, images, size), [images, size, size, 3]);
  const widths = [16, 32, 64];
  const enc = new UNetEncoder(gpu, rng, { inChannels: 3, widths });
  const dec = new UNetDecoder(gpu, rng, { widths, outChannels: 3, skips: false });
  const opt = new Adam(gpu, [...enc.parameters("enc."), ...dec.parameters("dec.")], { lr: 2e-3 });
  const meter = new LossMeter();
  const steps = Math.floor(images / batch);
  const losses: number[] = [];
  write?.(
    `conv autoencoder ${size}x${size}x3 -> ${size / 8}x${size / 8}x${widths.at(-1)}, ` +
      `${images} images, batch ${batch}, ${steps} steps/epoch\n`,
  );
  const t0 = performance.now();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const te = performance.now();
      for (let step = 0; step < steps; step++) {
        const x = slice(data, 0, step * batch, batch);
        const tape = new Tape(gpu);
        const loss = l1Loss(tape, dec.forward(tape, enc.forward(tape, x)), x);
        opt.minimize(tape, loss);
        meter.add(loss);
        tape.dispose();
        x.dispose();
        gpu.submit();
        if (write && live && (step + 1) % 4 === 0 && step + 1 < steps) {
          await gpu.device.queue.onSubmittedWorkDone();
          write(`\r${progress(epoch, epochs, step + 1, steps, batch, te)}`);
        }
      }
      const loss = await meter.read();
      losses.push(loss);
      const line = progress(epoch, epochs, steps, steps, batch, te);
      write?.(`${live ? "\r" : ""}${line}  loss ${loss.toFixed(4)}\n`);
    }
    const secs = (performance.now() - t0) / 1000;
    write?.(
      `loss ${losses[0].toFixed(4)} -> ${losses.at(-1)!.toFixed(4)} ` +
        `(${(losses[0] / losses.at(-1)!).toFixed(1)}x lower) in ${secs.toFixed(1)} s\n`,
    );
    return losses;
  } finally {
    meter.dispose();
    opt.dispose();
    enc.dispose();
    dec.dispose();
    data.dispose();
  }
}

function progress(
  epoch: number,
  epochs: number,
  step: number,
  steps: number,
  batch: number,
  t0: number,
) {
  const width = 20;
  const done = Math.round((width * step) / steps);
  const rate = (step * batch) / ((performance.now() - t0) / 1000);
  return `epoch ${String(epoch).padStart(2)}/${epochs} [${"#".repeat(done)}${
    ".".repeat(width - done)
  }] ` +
    `${step}/${steps} steps, ${rate.toFixed(0).padStart(5)} samples/s`;
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

if (import.meta.main) {
  const gpu = await Gpu.create(loadGpuConfig());
  await runDemo(gpu);
  gpu.destroy();
}
