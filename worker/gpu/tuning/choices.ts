/**
 * Which kernel variant a device runs for each kernel family and shape class: the adapter's
 * tuned table where it has an entry, else the default of the fixed profile.
 * @module
 */
import type { KernelProfile } from "../device.ts";

/** Kernel families with variants (see `gpu/tuning/families.ts` for their candidates). */
export type KernelFamily = "matmul" | "conv_fwd" | "conv_dx" | "conv_dw" | "reduce_rows";

/** A tuned table: family → shape class → variant name. */
export type TunedTable = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The default variant of each family under a fixed profile. */
export const PROFILE_DEFAULTS: Readonly<
  Record<KernelProfile, Readonly<Record<KernelFamily, string>>>
> = {
  cpu: { matmul: "cpu", conv_fwd: "cpu", conv_dx: "cpu", conv_dw: "cpu", reduce_rows: "wg64" },
  gpu: { matmul: "gpu", conv_fwd: "gpu", conv_dx: "gpu", conv_dw: "gpu", reduce_rows: "wg64" },
};

/** The variant choices of one device. */
export class KernelChoices {
  /** The profile whose defaults fill what the table lacks. */
  readonly profile: KernelProfile;
  /** The tuned table, or null for a fixed profile. */
  readonly tuned: TunedTable | null;

  /** Choices from a fixed profile, optionally overridden by a tuned table. */
  constructor(profile: KernelProfile, tuned: TunedTable | null = null) {
    this.profile = profile;
    this.tuned = tuned;
  }

  /** The variant to run for `family` on a problem of `shapeClass`. */
  pick(family: KernelFamily, shapeClass: string): string {
    return this.tuned?.[family]?.[shapeClass] ?? PROFILE_DEFAULTS[this.profile][family];
  }
}
