/**
 * The base of every layer and network: named trainable parameters, named non-trainable state
 * (e.g. spectral-norm vectors) and child modules, collected recursively with dotted names for
 * optimisers and checkpoints.
 */
import type { Tape } from "./tape.ts";
import type { Tensor } from "../gpu/mod.ts";

/** A tensor with its dotted name (e.g. `enc.0.weight`). */
export interface NamedTensor {
  /** Dotted path of the tensor inside its module tree. */
  name: string;
  /** The tensor. */
  tensor: Tensor;
}

/** Owns parameters, state tensors and child modules. */
export class Module {
  readonly #params = new Map<string, Tensor>();
  readonly #state = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  /** Registers a trainable parameter (owned by the module). */
  protected addParameter(name: string, t: Tensor): Tensor {
    this.#claim(name);
    this.#params.set(name, t);
    return t;
  }

  /** Registers non-trainable persistent state (owned by the module, saved in checkpoints). */
  protected addState(name: string, t: Tensor): Tensor {
    this.#claim(name);
    this.#state.set(name, t);
    return t;
  }

  /** Registers a child module; its tensors appear under `name.`. */
  protected addModule<M extends Module>(name: string, m: M): M {
    this.#claim(name);
    this.#children.set(name, m);
    return m;
  }

  /** The direct child modules, in registration order. */
  children(): Module[] {
    return [...this.#children.values()];
  }

  /** Trainable parameters of this module and its children, in registration order. */
  parameters(prefix = ""): NamedTensor[] {
    const out: NamedTensor[] = [];
    for (const [n, t] of this.#params) out.push({ name: prefix + n, tensor: t });
    for (const [n, m] of this.#children) out.push(...m.parameters(`${prefix}${n}.`));
    return out;
  }

  /** Everything a checkpoint must hold: parameters followed by non-trainable state. */
  state(prefix = ""): NamedTensor[] {
    return [...this.parameters(prefix), ...this.#stateOnly(prefix)];
  }

  /** Frees every tensor of this module and its children. */
  dispose(): void {
    for (const t of this.#params.values()) t.dispose();
    for (const t of this.#state.values()) t.dispose();
    for (const m of this.#children.values()) m.dispose();
  }

  #stateOnly(prefix: string): NamedTensor[] {
    const out: NamedTensor[] = [];
    for (const [n, t] of this.#state) out.push({ name: prefix + n, tensor: t });
    for (const [n, m] of this.#children) out.push(...m.#stateOnly(`${prefix}${n}.`));
    return out;
  }

  #claim(name: string): void {
    if (this.#params.has(name) || this.#state.has(name) || this.#children.has(name)) {
      throw new Error(`Cannot register "${name}": the module already has a member of that name`);
    }
  }
}

/** A module mapping one tensor to one tensor. */
export abstract class Layer extends Module {
  /** Applies the layer, recording on `tape`. */
  abstract forward(tape: Tape, x: Tensor): Tensor;
}
