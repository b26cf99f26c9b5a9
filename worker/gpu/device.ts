/**
 * The WebGPU device: adapter selection, limits, error surfacing, command recording
 * (one encoder and one open compute pass until {@link Gpu.submit}), pipeline cache and
 * readbacks. Its parts live beside it: the uniform arenas (`uniforms.ts`), the tensor scopes
 * (`scopes.ts`), the buffer pool (`pool.ts`) and the adapter (`adapter.ts`).
 */
import { openDevice } from "./adapter.ts";
import { GpuError } from "./errors.ts";
import { BufferPool, type PoolStats } from "./pool.ts";
import { TensorScopes } from "./scopes.ts";
import { Tensor } from "./tensor.ts";
import { tuneKernels, type TuneOutcome } from "./tuning/autotune.ts";
import { driverVersion } from "./tuning/cache.ts";
import { KernelChoices } from "./tuning/choices.ts";
import { tuneFamilies } from "./tuning/families.ts";
import { UniformArenas } from "./uniforms.ts";

export { GpuError };

/** Which family of kernel shapes suits the adapter (README: "The WebGPU engine"). */
export type KernelProfile = "cpu" | "gpu";

/** What we know about the adapter in use. */
export interface AdapterSummary {
  description: string;
  vendor: string;
  architecture: string;
  /** Device id as the adapter reports it. */
  device: string;
  /** Driver version where the platform reveals it, else "". */
  driver: string;
  isFallback: boolean;
  /** The fixed profile in force, or whose defaults fill what the tuning left out. */
  profile: KernelProfile;
  /** Whether the kernel choices were tuned on this adapter (`profile: "auto"`). */
  tuned: boolean;
}

/**
 * How kernels are chosen: `auto` tunes them on the adapter (cached per adapter and driver),
 * `cpu`/`gpu` fix a profile. Left out: the profile that fits the adapter's kind, untuned
 * (deterministic: what tests and libraries get).
 */
export type ProfileSetting = "auto" | KernelProfile;

/** Options for {@link Gpu.create}; `loadGpuConfig()` of `infra` gives the configured ones. */
export interface GpuOptions {
  /** Kernel choice (see {@link ProfileSetting}). */
  profile?: ProfileSetting;
  /** Folder of the tuning cache (with `profile: "auto"`); left out: tune without caching. */
  tuneCacheDir?: string;
  /** Time budget of the tuning in milliseconds (default 10 000). */
  tuneBudgetMs?: number;
  /** Refuse a fallback (software) adapter: a start-up error instead of a slow worker. */
  requireGpu?: boolean;
  /** Where the adapter summary and tuning report go; `null` silences them. Default: stderr. */
  log?: ((line: string) => void) | null;
}

/**
 * One compute dispatch as the device records it. Bindings 0..n-1 are `buffers`; binding n is
 * `params` when given. Kernels build these from their declaration (`Kernel.run`), which keeps
 * the WGSL header and the parameter bytes in agreement; nothing else should.
 */
export interface Dispatch {
  /** Kernel name, used as label and in error messages. */
  name: string;
  /** Structural cache key of the pipeline (WGSL source variant). */
  key: string;
  /** Produces the WGSL source the first time the key is seen. */
  source: () => string;
  /** Storage buffers bound in order. */
  buffers: readonly (Tensor | GPUBuffer)[];
  /** Uniform parameter bytes, bound after the buffers. */
  params?: ArrayBuffer;
  /** Workgroup counts. */
  workgroups: readonly [number, number?, number?];
}

/** The device plus everything needed to record and run kernels on it. */
export class Gpu {
  /** The WebGPU device. */
  readonly device: GPUDevice;
  /** Adapter facts and the chosen kernel profile. */
  readonly adapter: AdapterSummary;
  /** Storage buffer pool. */
  readonly pool: BufferPool;
  /** The kernel variant to run per family and shape class (tuned, or the profile's). */
  kernels: KernelChoices;
  /** The tuning in force (measured now or read from the cache), or null for a fixed profile. */
  tuning: TuneOutcome | null = null;

  readonly #pipelines = new Map<string, GPUComputePipeline>();
  readonly #errors: string[] = [];
  readonly #recentKernels: string[] = [];
  readonly #scopes = new TensorScopes();
  readonly #uniforms: UniformArenas;
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #staging: GPUBuffer[] = [];
  #dispatches = 0;
  #submits = 0;
  #lost: string | null = null;

  private constructor(device: GPUDevice, adapter: AdapterSummary) {
    this.device = device;
    this.adapter = adapter;
    this.pool = new BufferPool(device);
    this.kernels = new KernelChoices(adapter.profile);
    this.#uniforms = new UniformArenas(device);
    const onError: EventListener = (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      this.#errors.push(`${err.constructor.name}: ${err.message}`);
    };
    device.addEventListener("uncapturederror", onError);
    device.lost.then((info) => {
      if (info.reason !== "destroyed") this.#lost = info.message || String(info.reason);
    });
  }

  /**
   * Acquires an adapter and a device with the adapter's large limits, logs what it got, and
   * chooses the kernels: a fixed profile, or (`profile: "auto"`) the adapter's tuned table,
   * measured at the first start and cached. Throws a clear, actionable {@link GpuError} when
   * there is no WebGPU adapter, or when `requireGpu` meets a fallback adapter.
   */
  static async create(opts: GpuOptions = {}): Promise<Gpu> {
    const { device, description, isFallback, info } = await openDevice();
    if (opts.requireGpu && isFallback) {
      device.destroy();
      throw new GpuError(
        `Cannot start: a hardware GPU is required (CGML_REQUIRE_GPU) but the WebGPU adapter is ` +
          `"${description}", a fallback (software) adapter; check the GPU driver, its Vulkan ICD ` +
          "and, in a container, the graphics capability of the NVIDIA runtime",
      );
    }
    const setting = opts.profile;
    const profile: KernelProfile = setting === "cpu" || setting === "gpu"
      ? setting
      : isFallback
      ? "cpu"
      : "gpu";
    const summary: AdapterSummary = {
      description,
      vendor: info.vendor ?? "",
      architecture: info.architecture ?? "",
      device: info.device ?? "",
      driver: driverVersion(),
      isFallback,
      profile,
      tuned: setting === "auto",
    };
    const log = opts.log === undefined ? (l: string) => console.error(l) : opts.log;
    log?.(
      `[gpu] adapter "${description}" (vendor ${summary.vendor || "?"}, ${
        isFallback ? "fallback/software" : "hardware"
      }), kernels ${setting === "auto" ? `tuned (defaults: ${profile})` : `profile ${profile}`}`,
    );
    const gpu = new Gpu(device, summary);
    if (setting === "auto") {
      try {
        const outcome = await tuneKernels(gpu, {
          identity: summary,
          families: tuneFamilies(profile),
          cacheDir: opts.tuneCacheDir ?? null,
          budgetMs: opts.tuneBudgetMs,
          log: log ?? (() => {}),
        });
        gpu.kernels = new KernelChoices(profile, outcome.record.table);
        gpu.tuning = outcome;
      } catch (e) {
        gpu.destroy();
        throw e;
      }
    }
    return gpu;
  }

  /** Counts of dispatches and submits since creation (for tests and benchmarks). */
  get counters(): { dispatches: number; submits: number } {
    return { dispatches: this.#dispatches, submits: this.#submits };
  }

  /** Pool counters. */
  memory(): PoolStats {
    return this.pool.stats();
  }

  /** Returns the cached pipeline for `key`, compiling `source()` on first use. */
  pipeline(name: string, key: string, source: () => string): GPUComputePipeline {
    const full = `${name}|${key}`;
    let p = this.#pipelines.get(full);
    if (!p) {
      const code = source();
      const module = this.device.createShaderModule({ code, label: name });
      p = this.device.createComputePipeline({
        label: name,
        layout: "auto",
        compute: { module, entryPoint: "main" },
      });
      this.#pipelines.set(full, p);
    }
    return p;
  }

  /** Records one dispatch into the open compute pass. */
  run(d: Dispatch): void {
    this.#checkLost();
    const pipeline = this.pipeline(d.name, d.key, d.source);
    const entries: GPUBindGroupEntry[] = d.buffers.map((b, i) => ({
      binding: i,
      resource: { buffer: b instanceof Tensor ? b.buffer : b },
    }));
    if (d.params) {
      const slot = this.#uniforms.slot(d.params);
      entries.push({
        binding: d.buffers.length,
        resource: { buffer: slot.buffer, offset: slot.offset, size: slot.size },
      });
    }
    const bindGroup = this.device.createBindGroup({
      label: d.name,
      layout: pipeline.getBindGroupLayout(0),
      entries,
    });
    const pass = this.#computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = d.workgroups;
    pass.dispatchWorkgroups(x, y, z);
    this.#dispatches++;
    this.#recentKernels.push(d.name);
    if (this.#recentKernels.length > 16) this.#recentKernels.shift();
  }

  /** The open command encoder, ending the compute pass first (for copies and clears). */
  encoderForCopy(): GPUCommandEncoder {
    if (this.#pass) {
      this.#pass.end();
      this.#pass = null;
    }
    return this.#encoder ??= this.device.createCommandEncoder();
  }

  /** True when commands are recorded but not yet submitted. */
  get hasPendingWork(): boolean {
    return this.#encoder !== null;
  }

  /** Submits everything recorded so far (one command buffer). Never waits. */
  submit(): void {
    this.#checkLost();
    this.#uniforms.upload();
    if (this.#encoder) {
      if (this.#pass) {
        this.#pass.end();
        this.#pass = null;
      }
      this.device.queue.submit([this.#encoder.finish()]);
      this.#encoder = null;
    } else {
      this.device.queue.submit([]);
    }
    this.#submits++;
    this.#uniforms.recycle();
    this.pool.afterSubmit();
  }

  /** Submits and waits for the GPU, then throws any GPU error that happened. */
  async sync(): Promise<void> {
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
    this.throwIfFailed();
  }

  /** Throws a {@link GpuError} if the device reported errors or was lost. */
  throwIfFailed(): void {
    this.#checkLost();
    if (this.#errors.length > 0) {
      const msgs = this.#errors.splice(0);
      throw new GpuError(
        `GPU reported ${msgs.length} error(s); recent kernels [${
          this.#recentKernels.join(", ")
        }]: ${msgs.join(" | ")}`,
      );
    }
  }

  /** Copies `bytes` bytes of `buffer` back to the CPU (submits and waits). */
  async readBuffer(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.#takeStaging(size);
    this.encoderForCopy().copyBufferToBuffer(buffer, offset, staging, 0, size);
    this.submit();
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    const out = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    if (this.#staging.length < 8) this.#staging.push(staging);
    else staging.destroy();
    this.throwIfFailed();
    return out;
  }

  /** Writes CPU data into a buffer, ordered after everything recorded so far. */
  writeBuffer(buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    if (this.#encoder) this.submit();
    this.device.queue.writeBuffer(
      buffer,
      offset,
      data.buffer as ArrayBuffer,
      data.byteOffset,
      data.byteLength,
    );
  }

  /** Creates a tensor holding `data` (copied) with the given shape. */
  tensor(data: ArrayLike<number>, shape: readonly number[]): Tensor {
    const t = this.empty(shape);
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    if (arr.length !== t.size) {
      t.dispose();
      throw new RangeError(
        `Cannot create tensor of shape [${shape}]: got ${arr.length} values, expected ${t.size}`,
      );
    }
    if (arr.length > 0) this.writeBuffer(t.buffer, arr);
    return t;
  }

  /** Creates an uninitialised tensor. */
  empty(shape: readonly number[]): Tensor {
    return Tensor.allocate(this, shape);
  }

  /** Creates a zero-filled tensor (cleared inside the command stream). */
  zeros(shape: readonly number[]): Tensor {
    const t = this.empty(shape);
    this.clear(t);
    return t;
  }

  /** Zero-fills a tensor inside the command stream. */
  clear(t: Tensor): void {
    this.encoderForCopy().clearBuffer(t.buffer, 0, t.buffer.size);
  }

  /** Copies `src` into `dst` (same element count) inside the command stream. */
  copy(src: Tensor, dst: Tensor): void {
    if (src.size !== dst.size) {
      throw new RangeError(`Cannot copy ${src.size} elements into a tensor of ${dst.size}`);
    }
    if (src.size === 0) return;
    this.encoderForCopy().copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, src.size * 4);
  }

  /**
   * Runs `fn` in a tensor scope: every tensor created inside and not returned
   * (directly, or inside an array or plain object) nor {@link Gpu.keep}-ed is disposed.
   */
  scope<T>(fn: () => T): T {
    return this.#scopes.run(fn);
  }

  /** Async variant of {@link Gpu.scope}. */
  scopeAsync<T>(fn: () => Promise<T>): Promise<T> {
    return this.#scopes.runAsync(fn);
  }

  /** Removes tensors from every enclosing scope so they outlive it. */
  keep<T extends Tensor | readonly Tensor[]>(t: T): T {
    return this.#scopes.keep(t);
  }

  /** Called by {@link Tensor} on creation. */
  track(t: Tensor): void {
    this.#scopes.track(t);
  }

  /** Called by {@link Tensor} on disposal. */
  untrack(t: Tensor): void {
    this.#scopes.untrack(t);
  }

  /** Destroys pooled memory and the device. */
  destroy(): void {
    if (this.#encoder) this.submit();
    this.pool.trim();
    for (const s of this.#staging) s.destroy();
    this.#uniforms.destroy();
    this.#staging = [];
    this.device.destroy();
  }

  #computePass(): GPUComputePassEncoder {
    if (!this.#pass) {
      this.#encoder ??= this.device.createCommandEncoder();
      this.#pass = this.#encoder.beginComputePass();
    }
    return this.#pass;
  }

  #takeStaging(size: number): GPUBuffer {
    const i = this.#staging.findIndex((b) => b.size >= size && b.size <= size * 4);
    if (i >= 0) return this.#staging.splice(i, 1)[0];
    return this.device.createBuffer({
      size: Math.max(256, Math.ceil(size / 256) * 256),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: "readback",
    });
  }

  #checkLost(): void {
    if (this.#lost !== null) throw new GpuError(`GPU device lost: ${this.#lost}`);
  }
}
