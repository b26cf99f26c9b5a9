/**
 * Parametric object classes for the synthetic ModelNet stand-in: each class builds an upright
 * (z-up) triangle mesh from primitives with random proportions and part counts. Several classes
 * share parts and overlapping proportion ranges on purpose (table / desk / bench, stool / lamp,
 * chair / sofa), and every instance may lose parts and gets a random anisotropic scale and
 * vertex jitter, so the task is not linearly separable on rotation invariants. The meshes are
 * written as OFF files in the ModelNet layout ({@link syntheticMeshes}).
 * @module
 */
import { Rng } from "../lib/mod.ts";

/**
 * A triangle soup being assembled. With `dropParts` > 0 every part after the first is left out
 * with that probability (a partial or broken object).
 */
export class MeshBuilder {
  readonly vertices: number[] = [];
  readonly triangles: number[] = [];
  #parts = 0;

  constructor(readonly dropParts = 0, readonly rng?: Rng) {}

  #skip(): boolean {
    const first = this.#parts++ === 0;
    return !first && this.dropParts > 0 && this.rng !== undefined &&
      this.rng.uniform() < this.dropParts;
  }

  /** Appends a closed surface of revolution around the vertical axis at (x, y). */
  lathe(x: number, y: number, profile: readonly [number, number][], segments = 16): this {
    if (this.#skip()) return this;
    const base = this.vertices.length / 3;
    for (const [r, z] of profile) {
      for (let s = 0; s < segments; s++) {
        const a = (2 * Math.PI * s) / segments;
        this.vertices.push(x + r * Math.cos(a), y + r * Math.sin(a), z);
      }
    }
    for (let j = 0; j + 1 < profile.length; j++) {
      for (let s = 0; s < segments; s++) {
        const a = base + j * segments + s;
        const b = base + j * segments + ((s + 1) % segments);
        const c = a + segments;
        const d = b + segments;
        this.triangles.push(a, b, d, a, d, c);
      }
    }
    const cap = (ring: number, z: number, flip: boolean) => {
      const center = this.vertices.length / 3;
      this.vertices.push(x, y, z);
      for (let s = 0; s < segments; s++) {
        const a = base + ring * segments + s;
        const b = base + ring * segments + ((s + 1) % segments);
        this.triangles.push(...(flip ? [center, b, a] : [center, a, b]));
      }
    };
    if (profile[0][0] > 0) cap(0, profile[0][1], true);
    const last = profile.length - 1;
    if (profile[last][0] > 0) cap(last, profile[last][1], false);
    return this;
  }

  /** Appends a vertical cylinder or frustum from z0 (radius r0) to z1 (radius r1). */
  cylinder(x: number, y: number, z0: number, z1: number, r0: number, r1 = r0): this {
    return this.lathe(x, y, [[r0, z0], [r1, z1]]);
  }

  /** Appends an ellipsoid centred at (x, y, z) with semi-axes (a, b, c). */
  ellipsoid(x: number, y: number, z: number, a: number, b: number, c: number): this {
    const profile: [number, number][] = [];
    for (let j = 0; j <= 10; j++) {
      const t = Math.PI * (1 - j / 10);
      profile.push([Math.sin(t), Math.cos(t)]);
    }
    const base = this.vertices.length / 3;
    this.lathe(0, 0, profile, 16);
    for (let i = base; i < this.vertices.length / 3; i++) {
      this.vertices[3 * i] = x + a * this.vertices[3 * i];
      this.vertices[3 * i + 1] = y + b * this.vertices[3 * i + 1];
      this.vertices[3 * i + 2] = z + c * this.vertices[3 * i + 2];
    }
    return this;
  }

  /** Appends an axis-aligned box with centre (x, y, z) and half sizes (a, b, c). */
  box(x: number, y: number, z: number, a: number, b: number, c: number): this {
    if (this.#skip()) return this;
    const base = this.vertices.length / 3;
    for (let i = 0; i < 8; i++) {
      this.vertices.push(x + (i & 1 ? a : -a), y + (i & 2 ? b : -b), z + (i & 4 ? c : -c));
    }
    const quads = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [
      1,
      3,
      7,
      5,
    ]];
    for (const [p, q, r, s] of quads) {
      this.triangles.push(base + p, base + q, base + r, base + p, base + r, base + s);
    }
    return this;
  }

  /** Appends a torus in the vertical x–z plane centred at (x, y, z). */
  handle(x: number, y: number, z: number, major: number, minor: number): this {
    if (this.#skip()) return this;
    const u = 16, v = 8;
    const base = this.vertices.length / 3;
    for (let i = 0; i < u; i++) {
      const a = (2 * Math.PI * i) / u;
      for (let j = 0; j < v; j++) {
        const b = (2 * Math.PI * j) / v;
        const ring = major + minor * Math.cos(b);
        this.vertices.push(x + ring * Math.cos(a), y + minor * Math.sin(b), z + ring * Math.sin(a));
      }
    }
    for (let i = 0; i < u; i++) {
      for (let j = 0; j < v; j++) {
        const a = base + i * v + j;
        const b = base + ((i + 1) % u) * v + j;
        const c = base + ((i + 1) % u) * v + ((j + 1) % v);
        const d = base + i * v + ((j + 1) % v);
        this.triangles.push(a, b, c, a, c, d);
      }
    }
    return this;
  }
}

type Build = (m: MeshBuilder, r: (lo: number, hi: number) => number, rng: Rng) => void;

/** Four (or three, or six) legs under a rectangle of half sizes (a, b) down to the floor. */
function legs(m: MeshBuilder, a: number, b: number, height: number, radius: number, n: number) {
  if (n === 3) {
    for (let k = 0; k < 3; k++) {
      const t = (2 * Math.PI * k) / 3;
      m.cylinder(a * Math.cos(t), b * Math.sin(t), 0, height, radius);
    }
    return;
  }
  const xs = n === 6 ? [-a, 0, a] : [-a, a];
  for (const x of xs) for (const y of [-b, b]) m.cylinder(x, y, 0, height, radius);
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)];

/**
 * The classes, in the order `classes: n` takes them (the first ten include the overlapping
 * table / desk / bench). Multi-part: all but bottle and vase.
 */
export const SHAPE_CLASSES: readonly { name: string; build: Build }[] = [
  {
    name: "table",
    build: (m, r, rng) => {
      const a = r(0.45, 0.9), b = r(0.25, 0.7), h = r(0.4, 0.8);
      m.box(0, 0, h, a, b, r(0.02, 0.05));
      legs(m, a * r(0.8, 0.95), b * r(0.8, 0.95), h, r(0.025, 0.06), pick(rng, [3, 4, 4, 6]));
    },
  },
  {
    name: "chair",
    build: (m, r, rng) => {
      const a = r(0.22, 0.32), h = r(0.35, 0.5);
      m.box(0, 0, h, a, a * r(0.9, 1.1), r(0.02, 0.05));
      m.box(0, -a, h + r(0.25, 0.45), a, r(0.015, 0.04), r(0.2, 0.35));
      legs(m, a * 0.9, a * 0.9, h, r(0.015, 0.035), pick(rng, [3, 4, 4]));
    },
  },
  {
    name: "lamp",
    build: (m, r) => {
      const h = r(0.7, 1.3);
      m.cylinder(0, 0, 0, r(0.03, 0.08), r(0.12, 0.25));
      m.cylinder(0, 0, 0, h, r(0.015, 0.03));
      m.cylinder(0, 0, h - r(0.1, 0.2), h + r(0.05, 0.15), r(0.15, 0.3), r(0.06, 0.15));
    },
  },
  {
    name: "bed",
    build: (m, r, rng) => {
      const a = r(0.45, 0.65), b = r(0.8, 1.1), h = r(0.15, 0.3);
      m.box(0, 0, h, a, b, r(0.08, 0.15));
      m.box(0, -b, h + r(0.1, 0.3), a, r(0.03, 0.06), r(0.2, 0.4));
      if (rng.uniform() < 0.5) m.box(0, b, h + 0.05, a, r(0.03, 0.06), r(0.1, 0.2));
      legs(m, a * 0.9, b * 0.9, h - 0.08, r(0.02, 0.04), 4);
    },
  },
  {
    name: "sofa",
    build: (m, r) => {
      const a = r(0.6, 1.0), b = r(0.3, 0.45), h = r(0.1, 0.2), back = r(0.15, 0.3);
      m.box(0, 0, h, a, b, h);
      m.box(0, -b, 2 * h + back, a, r(0.06, 0.12), back);
      const arm = r(0.1, 0.25);
      m.box(-a, 0, h + arm, r(0.05, 0.1), b, arm);
      m.box(a, 0, h + arm, r(0.05, 0.1), b, arm);
    },
  },
  {
    name: "monitor",
    build: (m, r) => {
      const h = r(0.2, 0.35), w = r(0.35, 0.6), t = r(0.2, 0.35);
      m.box(0, 0, 0.02, r(0.1, 0.2), r(0.08, 0.15), 0.02);
      m.box(0, 0, h / 2, r(0.02, 0.04), r(0.02, 0.04), h / 2);
      m.box(0, 0, h + t, w, r(0.015, 0.04), t);
    },
  },
  {
    name: "bottle",
    build: (m, r) => {
      const body = r(0.5, 0.9), rad = r(0.12, 0.22), neck = r(0.15, 0.35);
      m.lathe(0, 0, [
        [rad * r(0.8, 1), 0],
        [rad, body * 0.1],
        [rad, body],
        [rad * r(0.3, 0.45), body + neck * 0.4],
        [rad * r(0.25, 0.35), body + neck],
        [0, body + neck],
      ]);
    },
  },
  {
    name: "mug",
    build: (m, r) => {
      const h = r(0.4, 0.8), rad = r(0.2, 0.35);
      m.cylinder(0, 0, 0, h, rad * r(0.85, 1), rad);
      m.handle(rad + r(0.06, 0.12), 0, h / 2, r(0.1, 0.2), r(0.02, 0.04));
    },
  },
  {
    name: "bench",
    build: (m, r, rng) => {
      const a = r(0.55, 1.1), b = r(0.15, 0.4), h = r(0.3, 0.6);
      m.box(0, 0, h, a, b, r(0.02, 0.05));
      legs(m, a * 0.9, b * 0.8, h, r(0.02, 0.05), pick(rng, [4, 6]));
    },
  },
  {
    name: "desk",
    build: (m, r, rng) => {
      const a = r(0.45, 0.85), b = r(0.25, 0.5), h = r(0.45, 0.8);
      m.box(0, 0, h, a, b, r(0.02, 0.04));
      m.box(-a * 0.9, 0, h / 2, r(0.02, 0.2), b * 0.95, h / 2);
      if (rng.uniform() < 0.6) m.box(a * 0.9, 0, h / 2, r(0.02, 0.2), b * 0.95, h / 2);
      else legs(m, a * 0.9, b * 0.9, h, 0.03, 4);
    },
  },
  {
    name: "stool",
    build: (m, r, rng) => {
      const rad = r(0.15, 0.35), h = r(0.4, 0.9);
      m.cylinder(0, 0, h - 0.04, h, rad);
      legs(m, rad * 0.85, rad * 0.85, h - 0.04, r(0.015, 0.035), pick(rng, [3, 4]));
    },
  },
  {
    name: "vase",
    build: (m, r) => {
      const h = r(0.5, 1.0), rad = r(0.15, 0.3);
      m.lathe(0, 0, [
        [rad * r(0.4, 0.7), 0],
        [rad, h * r(0.3, 0.5)],
        [rad * r(0.3, 0.6), h * 0.85],
        [rad * r(0.4, 0.8), h],
        [0, h],
      ]);
    },
  },
];

/** How much an instance varies beyond its class's proportions. */
export interface ShapeVariation {
  /** Vertex jitter (std), relative to the shape size. */
  noise: number;
  /** Std of the log scale factor drawn per axis (0 = no anisotropic scaling). */
  anisotropy: number;
  /** Probability that each part after the first is left out. */
  dropParts: number;
}

/**
 * A random instance of class `index`: proportions and parts, an anisotropic scale, a random yaw
 * about z, vertex jitter; it stands on z = 0.
 */
export function buildShape(
  index: number,
  rng: Rng,
  variation: ShapeVariation,
): { vertices: Float64Array; triangles: Uint32Array } {
  const m = new MeshBuilder(variation.dropParts, rng);
  SHAPE_CLASSES[index].build(m, (lo, hi) => lo + (hi - lo) * rng.uniform(), rng);
  const scale = [0, 1, 2].map(() => Math.exp(variation.anisotropy * rng.normal()));
  const yaw = 2 * Math.PI * rng.uniform();
  const c = Math.cos(yaw), s = Math.sin(yaw);
  let size = 0;
  for (let i = 0; i < m.vertices.length; i += 3) {
    size = Math.max(size, Math.hypot(m.vertices[i], m.vertices[i + 1], m.vertices[i + 2]));
  }
  const jitter = variation.noise * size;
  const v = new Float64Array(m.vertices.length);
  let floor = Infinity;
  for (let i = 0; i < v.length; i += 3) {
    const x = scale[0] * m.vertices[i], y = scale[1] * m.vertices[i + 1];
    v[i] = c * x - s * y + jitter * rng.normal();
    v[i + 1] = s * x + c * y + jitter * rng.normal();
    v[i + 2] = scale[2] * m.vertices[i + 2] + jitter * rng.normal();
    floor = Math.min(floor, v[i + 2]);
  }
  for (let i = 2; i < v.length; i += 3) v[i] -= floor;
  return { vertices: v, triangles: Uint32Array.from(m.triangles) };
}

/** An OFF file of a mesh. */
export function formatOff(mesh: { vertices: Float64Array; triangles: Uint32Array }): string {
  const lines = [`OFF`, `${mesh.vertices.length / 3} ${mesh.triangles.length / 3} 0`];
  for (let i = 0; i < mesh.vertices.length; i += 3) {
    lines.push(
      `${mesh.vertices[i].toFixed(5)} ${mesh.vertices[i + 1].toFixed(5)} ${
        mesh.vertices[i + 2].toFixed(5)
      }`,
    );
  }
  for (let i = 0; i < mesh.triangles.length; i += 3) {
    lines.push(`3 ${mesh.triangles[i]} ${mesh.triangles[i + 1]} ${mesh.triangles[i + 2]}`);
  }
  return lines.join("\n") + "\n";
}

/** Settings of {@link syntheticMeshes}. */
export interface SyntheticMeshOptions extends ShapeVariation {
  /** How many of {@link SHAPE_CLASSES} to write (the first ones). */
  classes: number;
  trainPerClass: number;
  testPerClass: number;
  seed: number;
}

/**
 * A ModelNet-layout folder of OFF meshes by relative path
 * (`<class>/{train,test}/<class>_NNNN.off`), every class drawn from its own seeded RNG;
 * `onProgress` hears the meshes written after every class.
 */
export function syntheticMeshes(
  o: SyntheticMeshOptions,
  onProgress: (done: number, total: number) => void = () => {},
): Map<string, string> {
  if (o.classes > SHAPE_CLASSES.length) {
    throw new RangeError(
      `Cannot generate ${o.classes} classes: the generator has ${SHAPE_CLASSES.length}`,
    );
  }
  const variation = { noise: o.noise, anisotropy: o.anisotropy, dropParts: o.dropParts };
  const files = new Map<string, string>();
  const total = o.classes * (o.trainPerClass + o.testPerClass);
  for (let c = 0; c < o.classes; c++) {
    const { name } = SHAPE_CLASSES[c];
    const rng = new Rng((o.seed * 1_000_003 + c * 7919 + 1) >>> 0);
    const write = (split: string, count: number, first: number) => {
      for (let i = 0; i < count; i++) {
        const id = String(first + i + 1).padStart(4, "0");
        files.set(`${name}/${split}/${name}_${id}.off`, formatOff(buildShape(c, rng, variation)));
      }
    };
    write("train", o.trainPerClass, 0);
    write("test", o.testPerClass, o.trainPerClass);
    onProgress(files.size, total);
  }
  return files;
}
