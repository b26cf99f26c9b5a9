/**
 * Kernels declared once. A {@link Kernel} names its storage bindings and the fields of its
 * uniform struct in one declaration; the WGSL header (`struct P {…}`, one
 * `@group(0) @binding(i)` line per buffer, the uniform `p` bound after them) and the packing of
 * the uniform bytes are both generated from it, so they cannot disagree in order or type.
 * Buffers and uniform values are passed by name when the kernel runs, and every name is checked.
 *
 * The model is TF.js's `webgpu_program.ts` (a program lists its variable names and uniforms,
 * the backend writes the header); here the uniform values travel by name too, and the byte
 * layout follows WGSL's uniform address-space rules (4-byte scalars packed, vec4 and arrays of
 * vec4 on 16-byte boundaries).
 * @module
 */
import type { Gpu } from "./device.ts";
import type { Tensor } from "./tensor.ts";

/** Access mode of a storage binding. */
export type StorageAccess = "read" | "read_write";

/** One storage binding: the WGSL element type of its runtime-sized array and its access. */
export interface StorageBinding {
  /** Element type, e.g. `f32`, `vec4<f32>`, `atomic<u32>`. */
  readonly elem: string;
  /** `read` or `read_write`. */
  readonly access: StorageAccess;
}

/** A read-only storage binding of `elem` elements. */
export function read(elem = "f32"): StorageBinding {
  return { elem, access: "read" };
}

/** A writable storage binding of `elem` elements. */
export function readWrite(elem = "f32"): StorageBinding {
  return { elem, access: "read_write" };
}

/** Scalar uniform field types. */
export type ScalarType = "u32" | "i32" | "f32";

/** Uniform field types: scalars, vec4 of a scalar, or a fixed array of vec4<u32>/vec4<f32>. */
export type UniformType =
  | ScalarType
  | `vec4<${ScalarType}>`
  | `array<vec4<${"u32" | "f32"}>, ${number}>`;

/** The uniform struct of a kernel, field name → type, in struct order. */
export type UniformDecl = Readonly<Record<string, UniformType>>;

/**
 * Values for a {@link UniformDecl}: a number per scalar, an array per vector or array field
 * (either, for a declaration built at run time whose field types TypeScript cannot see).
 */
export type UniformValues<U extends UniformDecl> = {
  readonly [K in keyof U]: UniformType extends U[K] ? number | readonly number[]
    : U[K] extends ScalarType ? number
    : readonly number[];
};

/** Storage bindings of a kernel, name → binding, in binding order. */
export type BindingDecl<B extends string> = Readonly<Record<B, StorageBinding>>;

/** The declaration of a kernel; `V` is what selects a source variant (`void`: one source). */
export interface KernelSpec<V, B extends string, U extends UniformDecl> {
  /** Label and error-message name; a function when it differs per variant. */
  name: string | ((variant: V) => string);
  /** Storage bindings in binding order; a function when they differ per variant. */
  bindings: BindingDecl<B> | ((variant: V) => BindingDecl<B>);
  /** Fields of the uniform struct `P`, bound after the buffers as `p`, in order. */
  uniforms: U;
  /** Pipeline cache key: must change whenever the source does (default: one source). */
  key?: (variant: V) => string;
  /** WGSL after the generated header: helper functions and the entry point `main`. */
  body: (variant: V) => string;
}

/** What one dispatch of a kernel needs; `variant` may be left out when `V` is `void`. */
export type KernelDispatch<V, B extends string, U extends UniformDecl> =
  & {
    /** A tensor or raw buffer for every binding, by name. */
    buffers: Readonly<Record<B, Tensor | GPUBuffer>>;
    /** A value for every uniform field, by name. */
    uniforms: UniformValues<U>;
    /** Workgroup counts. */
    workgroups: readonly [number, number?, number?];
  }
  & ([V] extends [void] ? { variant?: V } : { variant: V });

interface Field {
  name: string;
  type: UniformType;
  /** Byte offset in the struct. */
  offset: number;
  /** Scalars per field (1, 4 or 4 · array length). */
  words: number;
  scalar: ScalarType;
}

/** A declared kernel: generates its source and uniform bytes, and records dispatches. */
export class Kernel<V, B extends string, U extends UniformDecl> {
  readonly #spec: KernelSpec<V, B, U>;
  readonly #fields: Field[];
  readonly #bytes: number;

  /** Validates the declaration and computes the uniform layout. */
  constructor(spec: KernelSpec<V, B, U>) {
    this.#spec = spec;
    let offset = 0;
    this.#fields = Object.entries(spec.uniforms).map(([name, type]) => {
      const { words, scalar, align } = fieldShape(name, type);
      offset = Math.ceil(offset / align) * align;
      const field = { name, type, offset, words, scalar };
      offset += 4 * words;
      return field;
    });
    this.#bytes = Math.max(16, Math.ceil(offset / 16) * 16);
  }

  /** Kernel name of a variant. */
  name(variant: V): string {
    const n = this.#spec.name;
    return typeof n === "string" ? n : n(variant);
  }

  /** Storage bindings of a variant, in binding order. */
  bindings(variant: V): [B, StorageBinding][] {
    const b = this.#spec.bindings;
    const decl = typeof b === "function" ? b(variant) : b;
    return Object.entries(decl) as [B, StorageBinding][];
  }

  /** The generated WGSL header: the struct `P`, the storage bindings and the uniform `p`. */
  header(variant: V): string {
    const bindings = this.bindings(variant);
    const lines = bindings.map(([name, b], i) =>
      `@group(0) @binding(${i}) var<storage, ${b.access}> ${name}: array<${b.elem}>;`
    );
    if (this.#fields.length > 0) {
      const body = this.#fields.map((f) => `${f.name}: ${f.type}`).join(", ");
      lines.unshift(`struct P { ${body} }`);
      lines.push(`@group(0) @binding(${bindings.length}) var<uniform> p: P;`);
    }
    return lines.join("\n");
  }

  /** The whole WGSL source of a variant. */
  source(variant: V): string {
    return `${this.header(variant)}\n${this.#spec.body(variant)}`;
  }

  /** Packs uniform values into the struct's bytes; throws a RangeError naming a bad field. */
  pack(values: UniformValues<U>, label = "kernel"): ArrayBuffer {
    const bytes = new ArrayBuffer(this.#bytes);
    const view = new DataView(bytes);
    const given = values as Readonly<Record<string, number | readonly number[]>>;
    for (const f of this.#fields) {
      const v = given[f.name];
      const list = typeof v === "number" ? [v] : v;
      if (list === undefined || list.length > f.words || (f.words === 1 && list.length !== 1)) {
        throw new RangeError(
          `Cannot run ${label}: uniform ${f.name} (${f.type}) got ${
            v === undefined ? "no value" : `[${list}]`
          }`,
        );
      }
      list.forEach((x, i) => writeScalar(view, f.offset + 4 * i, f.scalar, x, f.name));
    }
    const extra = Object.keys(given).filter((k) => !this.#fields.some((f) => f.name === k));
    if (extra.length > 0) {
      throw new RangeError(`Cannot run ${label}: unknown uniforms ${extra}`);
    }
    return bytes;
  }

  /** Records one dispatch on `gpu` (compiling the variant's pipeline on first use). */
  run(gpu: Gpu, d: KernelDispatch<V, B, U>): void {
    const variant = d.variant as V;
    const name = this.name(variant);
    const bindings = this.bindings(variant);
    const given = d.buffers as Readonly<Record<string, Tensor | GPUBuffer>>;
    const buffers = bindings.map(([binding]) => {
      const b = given[binding];
      if (!b) throw new RangeError(`Cannot run kernel ${name}: no buffer ${binding}`);
      return b;
    });
    if (Object.keys(given).length !== buffers.length) {
      const known = new Set<string>(bindings.map(([n]) => n));
      const extra = Object.keys(given).filter((k) => !known.has(k));
      throw new RangeError(`Cannot run kernel ${name}: unknown buffers ${extra}`);
    }
    gpu.run({
      name,
      key: this.#spec.key?.(variant) ?? "",
      source: () => this.source(variant),
      buffers,
      params: this.#fields.length > 0 ? this.pack(d.uniforms, `kernel ${name}`) : undefined,
      workgroups: d.workgroups,
    });
  }
}

/** Declares a kernel (see the module documentation). */
export function kernel<
  V = void,
  B extends string = string,
  const U extends UniformDecl = Record<never, UniformType>,
>(
  spec: KernelSpec<V, B, U>,
): Kernel<V, B, U> {
  return new Kernel(spec);
}

function fieldShape(
  name: string,
  type: UniformType,
): { words: number; scalar: ScalarType; align: number } {
  if (type === "u32" || type === "i32" || type === "f32") {
    return { words: 1, scalar: type, align: 4 };
  }
  const vec = /^vec4<(u32|i32|f32)>$/.exec(type);
  if (vec) return { words: 4, scalar: vec[1] as ScalarType, align: 16 };
  const arr = /^array<vec4<(u32|f32)>, (\d+)>$/.exec(type);
  if (arr && Number(arr[2]) >= 1) {
    return { words: 4 * Number(arr[2]), scalar: arr[1] as ScalarType, align: 16 };
  }
  throw new RangeError(`Cannot declare uniform ${name}: unsupported type ${type}`);
}

function writeScalar(view: DataView, at: number, type: ScalarType, v: number, name: string) {
  if (type === "f32") {
    view.setFloat32(at, v, true);
    return;
  }
  const ok = type === "u32"
    ? Number.isInteger(v) && v >= 0 && v <= 0xffffffff
    : Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
  if (!ok) throw new RangeError(`Cannot pass ${v} as the ${type} kernel parameter ${name}`);
  if (type === "u32") view.setUint32(at, v, true);
  else view.setInt32(at, v, true);
}
