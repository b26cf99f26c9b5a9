/**
 * The fused MLP as one differentiable op (kernels: `gpu/kernels/fused_mlp.ts`): the forward
 * pass records one dispatch (two with spectral norm: σ first, after one power iteration on a
 * training tape), the backward pass two or three.
 */
import {
  fusedMlpBackward,
  fusedMlpForward,
  fusedMlpSigma,
  type FusedMlpSpec,
  type FusedMlpTensors,
} from "../../gpu/kernels/mod.ts";
import type { Tensor } from "../../gpu/mod.ts";
import type { Tape } from "../tape.ts";

/**
 * Applies the fused MLP `spec` with tensors `t` to `xa` [B, na] and `xb` [B, nb] side by side
 * (`xb` null: `xa` alone); gradients flow to `xa`, `xb` and `t.params`.
 */
export function fusedMlp(
  tape: Tape,
  spec: FusedMlpSpec,
  t: FusedMlpTensors,
  xa: Tensor,
  xb: Tensor | null,
): Tensor {
  const gpu = xa.gpu;
  const rows = xa.shape[0];
  const na = xa.shape[1];
  const nb = xb ? xb.shape[1] : 0;
  const n0 = spec.layout.sizes[0];
  if (xa.rank !== 2 || (xb && (xb.rank !== 2 || xb.shape[0] !== rows)) || na + nb !== n0) {
    throw new RangeError(
      `Cannot apply a fused MLP of input size ${n0} to [${xa.shape}]${
        xb ? ` and [${xb.shape}]` : ""
      }`,
    );
  }
  const sigma = tape.own(
    spec.spectralNorm ? fusedMlpSigma(gpu, spec, t, tape.training) : gpu.zeros([1]),
  );
  const saved = fusedMlpForward(gpu, spec, t.params, sigma, xa, xb);
  tape.own(saved.hs);
  tape.own(saved.pre);
  const inputs = xb ? [xa, xb, t.params] : [xa, t.params];
  return tape.record("fusedMlp", inputs, saved.out, (dy, needs) => {
    const g = fusedMlpBackward(gpu, spec, t, saved, sigma, dy, { na, nb }, needs.at(-1)!);
    const keep = (x: Tensor, need: boolean) => {
      if (need) return x;
      x.dispose();
      return null;
    };
    const da = keep(g.dxa, needs[0]);
    if (!xb) {
      g.dxb.dispose();
      return [da, g.params];
    }
    return [da, keep(g.dxb, needs[1]), g.params];
  });
}
