/**
 * Reverse-mode automatic differentiation over GPU tensors.
 *
 * A {@link Tape} records the differentiable ops applied through it (see `ops/`) and returns
 * gradients of a result with respect to ANY tensors: parameters, inputs such as a latent code,
 * or intermediate results. Which gradients are needed is decided at {@link Tape.gradient} time,
 * so one recorded forward pass serves e.g. a gradient w.r.t. the input only (weight gradients
 * are then never computed). Several tapes, or several `gradient` calls on one tape, give
 * independent graphs within one training step.
 *
 * Ownership: every tensor an op returns and everything saved for the backward pass belongs to
 * the tape and is freed by {@link Tape.dispose} (or by an enclosing `gpu.scope`); call
 * {@link Tape.keep} to take a result out of the tape's hands. Gradients returned by
 * {@link Tape.gradient} belong to the caller. Inputs that the tape did not create (parameters,
 * data) are only borrowed and must stay alive, unmodified, until the last `gradient` call.
 */
import { binary, fill } from "../gpu/kernels/mod.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";

/**
 * Computes the gradients of an op's inputs from the gradient `dy` of its output. `needs[i]`
 * says whether input i wants a gradient; return `null` for those that do not. Returned tensors
 * are new (a view made with `reshape` counts as new) and pass to the tape.
 */
export type Backward = (dy: Tensor, needs: readonly boolean[]) => readonly (Tensor | null)[];

interface Node {
  name: string;
  inputs: readonly Tensor[];
  output: Tensor;
  backward: Backward;
}

/** Options for a {@link Tape}. */
export interface TapeOptions {
  /** Record ops for {@link Tape.gradient} (default true); false runs forward only. */
  record?: boolean;
  /**
   * Training forward pass (default: same as `record`): layers update their training-time state,
   * i.e. spectral normalisation runs its power-iteration step.
   */
  training?: boolean;
}

/** Options for {@link Tape.gradient}. */
export interface GradientOptions {
  /** Gradient of the result to start from (default: ones; then the result must be a scalar). */
  dy?: Tensor;
}

/** Records differentiable ops and computes gradients (see the module documentation). */
export class Tape {
  /** The device the tensors live on. */
  readonly gpu: Gpu;
  /** Whether ops are recorded for gradients. */
  readonly recording: boolean;
  /** Whether this is a training forward pass (see {@link TapeOptions.training}). */
  readonly training: boolean;
  readonly #nodes: Node[] = [];
  readonly #owned = new Set<Tensor>();
  #disposed = false;

  /** Creates an empty tape on `gpu`. */
  constructor(gpu: Gpu, opts: TapeOptions = {}) {
    this.gpu = gpu;
    this.recording = opts.record ?? true;
    this.training = opts.training ?? this.recording;
  }

  /**
   * Registers an op: the tape takes ownership of `output` and, when recording, remembers how to
   * send gradients back to `inputs`. Returns `output`.
   */
  record(name: string, inputs: readonly Tensor[], output: Tensor, backward: Backward): Tensor {
    this.own(output);
    if (this.recording) this.#nodes.push({ name, inputs, output, backward });
    return output;
  }

  /** Takes ownership of a tensor saved for the backward pass; it is freed with the tape. */
  own<T extends Tensor>(t: T): T {
    if (this.#disposed) {
      t.dispose();
      throw new Error("Cannot record on a disposed tape");
    }
    this.#owned.add(t);
    return t;
  }

  /** Hands a tensor the tape owns to the caller; it stays valid after {@link Tape.dispose}. */
  keep<T extends Tensor>(t: T): T {
    this.#owned.delete(t);
    return t;
  }

  /** A view of `x` that gradients do not flow through (a new leaf owned by the tape). */
  stopGradient(x: Tensor): Tensor {
    return this.own(x.reshape(x.shape));
  }

  /**
   * Gradients of `y` with respect to each tensor of `wrt` (same order and shapes), new tensors
   * owned by the caller. A tensor `y` does not depend on gets zeros. Only the gradients needed
   * for `wrt` are computed. The tape stays usable for further `gradient` calls.
   */
  gradient(y: Tensor, wrt: readonly Tensor[], opts: GradientOptions = {}): Tensor[] {
    if (!this.recording) throw new Error("Cannot compute gradients: the tape does not record");
    if (this.#disposed) throw new Error("Cannot compute gradients: the tape is disposed");
    const wanted = new Set(wrt);
    const needs = new Set<Tensor>(wrt);
    const active = this.#nodes.map((n) => {
      const on = n.inputs.some((t) => needs.has(t));
      if (on) needs.add(n.output);
      return on;
    });
    const grads = new Map<Tensor, Tensor>();
    grads.set(y, seedGradient(this.gpu, y, opts.dy));
    for (let i = this.#nodes.length - 1; i >= 0; i--) {
      const node = this.#nodes[i];
      const dy = grads.get(node.output);
      if (!active[i] || !dy) continue;
      const inNeeds = node.inputs.map((t) => needs.has(t));
      const dxs = node.backward(dy, inNeeds);
      if (!wanted.has(node.output)) {
        grads.delete(node.output);
        dy.dispose();
      }
      node.inputs.forEach((input, j) => {
        const dx = dxs[j];
        if (!dx) return;
        if (!inNeeds[j]) {
          dx.dispose();
          return;
        }
        checkGradientShape(node.name, input, dx);
        const prev = grads.get(input);
        if (!prev) {
          grads.set(input, dx);
          return;
        }
        grads.set(input, binary("add", prev, dx));
        prev.dispose();
        dx.dispose();
      });
    }
    const handed = new Set<Tensor>();
    const out = wrt.map((t) => {
      const g = grads.get(t);
      if (!g) return fill(this.gpu, t.shape, 0);
      if (handed.has(g)) return g.reshape(g.shape);
      handed.add(g);
      return g;
    });
    for (const [t, g] of grads) if (!wanted.has(t)) g.dispose();
    return out;
  }

  /** Number of recorded ops. */
  get size(): number {
    return this.#nodes.length;
  }

  /** Frees every tensor the tape owns and forgets the recorded ops. */
  dispose(): void {
    for (const t of this.#owned) t.dispose();
    this.#owned.clear();
    this.#nodes.length = 0;
    this.#disposed = true;
  }
}

function seedGradient(gpu: Gpu, y: Tensor, dy: Tensor | undefined): Tensor {
  if (dy) {
    if (dy.size !== y.size) {
      throw new RangeError(
        `Cannot compute gradients: dy of shape [${dy.shape}] does not match the result [${y.shape}]`,
      );
    }
    return dy.reshape(y.shape);
  }
  if (y.size !== 1) {
    throw new RangeError(
      `Cannot compute gradients of a non-scalar result of shape [${y.shape}] without dy`,
    );
  }
  return fill(gpu, y.shape, 1);
}

function checkGradientShape(op: string, input: Tensor, dx: Tensor): void {
  if (dx.shape.length !== input.shape.length || dx.shape.some((d, i) => d !== input.shape[i])) {
    throw new Error(
      `Cannot backpropagate through ${op}: gradient of shape [${dx.shape}] for an input of shape [${input.shape}]`,
    );
  }
}
