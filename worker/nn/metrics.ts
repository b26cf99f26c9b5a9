/**
 * Device-side loss accumulation: add a loss every step without any GPU wait, read the mean
 * every N steps with one readback (DESIGN §2b: each wait costs >= 11 ms).
 */
import { axpby } from "../gpu/kernels/mod.ts";
import type { Tensor } from "../gpu/mod.ts";

/** Sums scalar losses on the GPU and reads back their mean on demand. */
export class LossMeter {
  #sum: Tensor | null = null;
  #count = 0;

  /** Number of losses added since the last read. */
  get count(): number {
    return this.#count;
  }

  /** Adds a one-element loss (recorded; no wait). */
  add(loss: Tensor): void {
    if (loss.size !== 1) {
      throw new RangeError(`Cannot add a loss of shape [${loss.shape}]: expected one element`);
    }
    const l = loss.reshape([1]);
    const next = axpby(this.#sum ?? l, l, 1, this.#sum ? 1 : 0);
    l.dispose();
    this.#sum?.dispose();
    this.#sum = next;
    this.#count++;
  }

  /** Mean of the losses added since the last read (NaN if none), then resets. */
  async read(): Promise<number> {
    const sum = this.#sum;
    const n = this.#count;
    this.#sum = null;
    this.#count = 0;
    if (!sum) return NaN;
    try {
      return (await sum.read())[0] / n;
    } finally {
      sum.dispose();
    }
  }

  /** Frees the accumulator. */
  dispose(): void {
    this.#sum?.dispose();
    this.#sum = null;
    this.#count = 0;
  }
}
