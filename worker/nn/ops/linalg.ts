/**
 * Differentiable matrix products: `matmul` (with transposes, batched) and `linear`.
 */
import { matmul as kmatmul } from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import { add } from "./elementwise.ts";
import { reshape } from "./shape.ts";
import type { Tensor } from "../../gpu/mod.ts";

/** Transpose flags of {@link matmul}. */
export interface MatmulOptions {
  /** Use aᵀ: a is [K, M] (or [B, K, M]). */
  transA?: boolean;
  /** Use bᵀ: b is [N, K] (or [B, N, K]). */
  transB?: boolean;
}

/**
 * op(a) · op(b): a [M, K] with b [K, N] -> [M, N]; batched a [B, M, K] with b [B, K, N] or a
 * shared b [K, N] -> [B, M, N] (the shared form without `transA`).
 */
export function matmul(tape: Tape, a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  if (a.rank === 3 && b.rank === 2) {
    if (transA) {
      throw new RangeError(
        `Cannot matmul [${a.shape}] with a shared [${b.shape}]: transA needs a batched b`,
      );
    }
    const [batch, m, k] = a.shape;
    const flat = matmul(tape, reshape(tape, a, [batch * m, k]), b, { transB });
    return reshape(tape, flat, [batch, m, flat.shape[1]]);
  }
  const y = kmatmul(a, b, { transA, transB });
  return tape.record("matmul", [a, b], y, (dy, needs) => [
    needs[0]
      ? transA
        ? kmatmul(b, dy, { transA: transB, transB: true })
        : kmatmul(dy, b, { transB: !transB })
      : null,
    needs[1]
      ? transB
        ? kmatmul(dy, a, { transA: true, transB: transA })
        : kmatmul(a, dy, { transA: !transA })
      : null,
  ]);
}

/** x · w + b for x [..., in], w [in, out], optional bias b [out] -> [..., out]. */
export function linear(tape: Tape, x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  if (w.rank !== 2 || x.rank < 1 || x.shape[x.rank - 1] !== w.shape[0]) {
    throw new RangeError(
      `Cannot apply linear: input [${x.shape}] does not fit weight [${w.shape}]`,
    );
  }
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((p, d) => p * d, 1);
  const x2 = x.rank === 2 ? x : reshape(tape, x, [rows, w.shape[0]]);
  let y = matmul(tape, x2, w);
  if (b) y = add(tape, y, b);
  return x.rank === 2 ? y : reshape(tape, y, [...lead, w.shape[1]]);
}
