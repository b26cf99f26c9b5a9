/**
 * The `loss-curves` artifact: one point per epoch (mean of the loss readings of that epoch),
 * with seconds and samples per second.
 * @module
 */

/** One epoch of a loss curve. */
export interface EpochPoint {
  epoch: number;
  /** Main training loss (L1 fit for cGML, L1, CE; the ELBO's L1 term for the cVAE). */
  loss: number;
  /** Other terms (cGML: mover, start, rho; cVAE: kl; CE: adv, disc). */
  terms: Record<string, number>;
  seconds: number;
}

/** A loss-curves artifact. */
export interface LossCurves {
  model: string;
  epochs: EpochPoint[];
  samplesPerSecond: number;
  trainSeconds: number;
}
