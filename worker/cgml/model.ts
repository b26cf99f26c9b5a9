/**
 * A cGML model (or the plain L1 regressor): its configuration and networks, named tensors for
 * checkpoints, and saving/loading the weights alone.
 * @module
 */
import {
  decodeCheckpoint,
  decodeSafetensors,
  type NamedTensor,
  saveCheckpoint,
} from "../nn/mod.ts";
import { type CgmlConfig, validateConfig } from "./config.ts";
import { buildNetworks, type CgmlNetworks } from "./networks.ts";
import { type Gpu } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";

const CONFIG_KEY = "cgml.config";

/** H, G, Z built from a configuration. */
export class CgmlModel {
  /** The device. */
  readonly gpu: Gpu;
  /** The configuration it was built from. */
  readonly config: CgmlConfig;
  /** The networks. */
  readonly nets: CgmlNetworks;

  /** Builds the networks; weights are drawn from an RNG seeded with `config.seed`. */
  constructor(gpu: Gpu, config: CgmlConfig) {
    validateConfig(config);
    this.gpu = gpu;
    this.config = config;
    this.nets = buildNetworks(gpu, new Rng(config.seed), config);
  }

  /** Trainable parameters of H and G (names `H.…`, `G.…`). */
  parametersHG(): NamedTensor[] {
    return [...this.nets.H.parameters("H."), ...this.nets.G.parameters("G.")];
  }

  /** Trainable parameters of Z (names `Z.…`; none for the L1 regressor). */
  parametersZ(): NamedTensor[] {
    return this.nets.Z?.parameters("Z.") ?? [];
  }

  /** Every tensor a checkpoint must hold: parameters and spectral-norm vectors. */
  state(): NamedTensor[] {
    return [
      ...this.nets.H.state("H."),
      ...this.nets.G.state("G."),
      ...(this.nets.Z?.state("Z.") ?? []),
    ];
  }

  /** Saves the weights and the configuration (safetensors). */
  async save(path: string): Promise<void> {
    await saveCheckpoint(path, this.gpu, this.state(), {
      [CONFIG_KEY]: JSON.stringify(this.config),
    });
  }

  /** Loads a model saved by {@link CgmlModel.save}. */
  static async load(gpu: Gpu, path: string): Promise<CgmlModel> {
    const bytes = await Deno.readFile(path);
    const raw = decodeSafetensors(bytes).metadata[CONFIG_KEY];
    if (raw === undefined) {
      throw new Error(`Cannot load cGML model ${path}: the file has no "${CONFIG_KEY}" metadata`);
    }
    return CgmlModel.fromWeights(gpu, bytes, JSON.parse(raw) as CgmlConfig);
  }

  /** A model built from `config` with the weights of safetensors `bytes` (freed on a mismatch). */
  static fromWeights(gpu: Gpu, bytes: Uint8Array, config: CgmlConfig): CgmlModel {
    const model = new CgmlModel(gpu, config);
    try {
      decodeCheckpoint(bytes, model.state());
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** Frees every tensor of the networks. */
  dispose(): void {
    this.nets.H.dispose();
    this.nets.G.dispose();
    this.nets.Z?.dispose();
  }
}
