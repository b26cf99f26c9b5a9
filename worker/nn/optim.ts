/**
 * Optimisers over parameter groups (each group its own learning rate and weight decay), so
 * the networks of one model can train at different rates. Updates run in place on the GPU,
 * one kernel per parameter; the state (moments, step count) is exported for checkpoints.
 */
import { adamStep, sgdStep } from "../gpu/kernels/mod.ts";
import type { NamedTensor } from "./module.ts";
import type { Tape } from "./tape.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";

/** Parameters sharing hyper-parameters; unset fields take the optimiser's defaults. */
export interface ParamGroup {
  /** The parameters (names are used for the optimiser state in checkpoints). */
  params: readonly NamedTensor[];
  /** Learning rate. */
  lr?: number;
  /** Weight decay (decoupled for Adam, added to the gradient for SGD). */
  weightDecay?: number;
}

/** A group with its hyper-parameters resolved; `lr` may be changed between steps. */
export interface ResolvedGroup {
  /** The parameters. */
  params: readonly NamedTensor[];
  /** Learning rate (mutable, e.g. for schedules). */
  lr: number;
  /** Weight decay (mutable). */
  weightDecay: number;
}

/** What every optimiser offers. */
export abstract class Optimizer {
  /** Parameter groups in order. */
  readonly groups: ResolvedGroup[];
  /** Every parameter tensor, groups concatenated; {@link Optimizer.step} takes grads in this order. */
  readonly parameters: readonly Tensor[];
  /** The parameters' names, in the order of {@link Optimizer.parameters}. */
  readonly names: readonly string[];
  #steps = 0;

  /** Resolves `groups` (or one group of `params`) against the defaults. */
  constructor(
    groups: readonly ParamGroup[] | readonly NamedTensor[],
    defaults: { lr: number; weightDecay: number },
  ) {
    const list: readonly ParamGroup[] = groups.length > 0 && "tensor" in groups[0]
      ? [{ params: groups as readonly NamedTensor[] }]
      : (groups as readonly ParamGroup[]);
    this.groups = list.map((g) => ({
      params: g.params,
      lr: g.lr ?? defaults.lr,
      weightDecay: g.weightDecay ?? defaults.weightDecay,
    }));
    this.parameters = this.groups.flatMap((g) => g.params.map((p) => p.tensor));
    this.names = this.groups.flatMap((g) => g.params.map((p) => p.name));
    const dup = this.names.find((n, i) => this.names.indexOf(n) !== i);
    if (dup !== undefined) {
      throw new Error(`Cannot create optimiser: parameter "${dup}" is listed twice`);
    }
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.#steps;
  }

  /** Records one in-place update of every parameter from `grads` (aligned with `parameters`). */
  step(grads: readonly Tensor[]): void {
    if (grads.length !== this.parameters.length) {
      throw new RangeError(
        `Cannot step optimiser: got ${grads.length} gradients for ${this.parameters.length} parameters`,
      );
    }
    this.#steps++;
    let i = 0;
    for (const g of this.groups) {
      for (const p of g.params) {
        this.update(i, p.tensor, grads[i], g);
        i++;
      }
    }
  }

  /** Takes the gradients of `loss` on `tape` w.r.t. every parameter, steps, frees them. */
  minimize(tape: Tape, loss: Tensor): void {
    const grads = tape.gradient(loss, this.parameters);
    this.step(grads);
    for (const g of grads) g.dispose();
  }

  /** Optimiser tensors (moments) named `prefix + kind + "." + parameter name`. */
  abstract state(prefix?: string): NamedTensor[];

  /** Scalar state for checkpoint metadata (`prefix + "steps"`). */
  metadata(prefix = ""): Record<string, string> {
    return { [`${prefix}steps`]: String(this.#steps) };
  }

  /** Restores the scalar state written by {@link Optimizer.metadata}. */
  restoreMetadata(meta: Record<string, string>, prefix = ""): void {
    const raw = meta[`${prefix}steps`];
    const n = Number(raw);
    if (raw === undefined || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(
        `Cannot restore optimiser: metadata "${prefix}steps" is ${JSON.stringify(raw)}`,
      );
    }
    this.#steps = n;
  }

  /** Frees the optimiser's tensors (not the parameters). */
  abstract dispose(): void;

  /** Records the update of parameter `index`; `steps` already counts this step. */
  protected abstract update(index: number, param: Tensor, grad: Tensor, group: ResolvedGroup): void;
}

/** Adam hyper-parameters. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Denominator epsilon (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay as in AdamW (default 0). */
  weightDecay?: number;
}

/** Adam (Kingma & Ba) with bias correction; AdamW with weight decay. */
export class Adam extends Optimizer {
  /** First-moment decay. */
  readonly beta1: number;
  /** Second-moment decay. */
  readonly beta2: number;
  /** Denominator epsilon. */
  readonly eps: number;
  readonly #m: Tensor[];
  readonly #v: Tensor[];

  /** Creates zeroed moments for every parameter. */
  constructor(
    gpu: Gpu,
    groups: readonly ParamGroup[] | readonly NamedTensor[],
    opts: AdamOptions = {},
  ) {
    super(groups, { lr: opts.lr ?? 1e-3, weightDecay: opts.weightDecay ?? 0 });
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.#m = this.parameters.map((p) => zerosLike(gpu, p));
    this.#v = this.parameters.map((p) => zerosLike(gpu, p));
  }

  /** The moments, named `prefix + "m." | "v." + parameter name`. */
  state(prefix = ""): NamedTensor[] {
    return [
      ...this.names.map((n, i) => ({ name: `${prefix}m.${n}`, tensor: this.#m[i] })),
      ...this.names.map((n, i) => ({ name: `${prefix}v.${n}`, tensor: this.#v[i] })),
    ];
  }

  /** Frees the moments. */
  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
  }

  /** One Adam kernel per parameter. */
  protected update(i: number, param: Tensor, grad: Tensor, g: ResolvedGroup): void {
    adamStep(param, grad, this.#m[i], this.#v[i], {
      lr: g.lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      step: this.steps,
      weightDecay: g.weightDecay,
    });
  }
}

/** SGD hyper-parameters. */
export interface SgdOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Heavy-ball momentum (default 0: no velocity state). */
  momentum?: number;
  /** L2 weight decay (default 0). */
  weightDecay?: number;
}

/** Stochastic gradient descent with optional momentum. */
export class Sgd extends Optimizer {
  /** Momentum factor. */
  readonly momentum: number;
  readonly #velocity: Tensor[] | null;

  /** Creates the optimiser (velocity buffers only with momentum). */
  constructor(
    gpu: Gpu,
    groups: readonly ParamGroup[] | readonly NamedTensor[],
    opts: SgdOptions = {},
  ) {
    super(groups, { lr: opts.lr ?? 1e-2, weightDecay: opts.weightDecay ?? 0 });
    this.momentum = opts.momentum ?? 0;
    this.#velocity = this.momentum > 0 ? this.parameters.map((p) => zerosLike(gpu, p)) : null;
  }

  /** The velocities, named `prefix + "velocity." + parameter name` (none without momentum). */
  state(prefix = ""): NamedTensor[] {
    const vel = this.#velocity;
    if (!vel) return [];
    return this.names.map((n, i) => ({ name: `${prefix}velocity.${n}`, tensor: vel[i] }));
  }

  /** Frees the velocities. */
  dispose(): void {
    for (const t of this.#velocity ?? []) t.dispose();
  }

  /** One SGD kernel per parameter. */
  protected update(i: number, param: Tensor, grad: Tensor, g: ResolvedGroup): void {
    sgdStep(param, grad, this.#velocity?.[i] ?? null, {
      lr: g.lr,
      momentum: this.momentum,
      weightDecay: g.weightDecay,
    });
  }
}

function zerosLike(gpu: Gpu, t: Tensor): Tensor {
  return gpu.tensor(new Float32Array(t.size), t.shape);
}
