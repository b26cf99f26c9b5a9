/**
 * The one mapping of cGML's stage params (snake_case, `pipelines/catalog/`) onto a
 * `CgmlConfig`: Algorithm 1's settings, the latent regime and the Lipschitz constraints. Every
 * network listed in `spectral_norm` gets spectral normalisation and the output scale L =
 * `output_scale`, so its Lipschitz constant is at most L; the others have neither. `lr_schedule`
 * (absent: constant) sets the learning rates of both optimisers over the epochs.
 * @module
 */
import type { CgmlConfigInput, LrSchedule, NetworkConfig } from "../cgml/mod.ts";

/** cGML's params, as the map, image and toy trainers share them. */
export interface CgmlParams {
  latents: "persistent" | "fresh";
  inner_steps: number;
  beta: number;
  alpha: number;
  hg_once: boolean;
  lr_z: number;
  spectral_norm: readonly ("h" | "g" | "z")[];
  output_scale: number;
  /** Learning-rate schedule of both optimisers (absent: constant). */
  lr_schedule?: LrSchedule;
}

/** Configuration overrides of cGML's params (merged over the networks' widths by `makeConfig`). */
export function cgmlSettings(p: CgmlParams): CgmlConfigInput {
  const net = (name: "h" | "g" | "z"): Partial<NetworkConfig> => {
    const normalised = p.spectral_norm.includes(name);
    return { spectralNorm: normalised, outputScale: normalised ? p.output_scale : 1 };
  };
  return {
    latents: p.latents,
    innerSteps: p.inner_steps,
    beta: p.beta,
    alpha: p.alpha,
    updateHGOnce: p.hg_once,
    optimZ: { lr: p.lr_z },
    ...(p.lr_schedule ? { lrSchedule: p.lr_schedule } : {}),
    H: net("h"),
    G: net("g"),
    Z: net("z"),
  };
}
