/**
 * Synthetic shapes for tests, examples and benchmarks: closed triangle meshes of a cube, a
 * torus and an ellipsoid, and random points on a sphere.
 */
import { Rng } from "../lib/mod.ts";
import type { Shape } from "./shape.ts";

/** Axis-aligned cube [−s, s]³ as 12 outward-facing triangles. */
export function cubeMesh(s: number): Shape {
  const vertices = new Float64Array(24);
  for (let i = 0; i < 8; i++) {
    vertices[3 * i] = i & 1 ? s : -s;
    vertices[3 * i + 1] = i & 2 ? s : -s;
    vertices[3 * i + 2] = i & 4 ? s : -s;
  }
  const quads = [[0, 2, 3, 1], [4, 5, 7, 6], [0, 1, 5, 4], [2, 6, 7, 3], [0, 4, 6, 2], [
    1,
    3,
    7,
    5,
  ]];
  const triangles = new Uint32Array(36);
  quads.forEach(([a, b, c, d], q) => triangles.set([a, b, c, a, c, d], 6 * q));
  return { vertices, triangles };
}

/** Closed torus around the z axis (major radius R, minor radius r) with u × v quads. */
export function torusMesh(major: number, minor: number, u = 48, v = 24): Shape {
  return gridMesh(u, v, (a, b) => {
    const ring = major + minor * Math.cos(b);
    return [ring * Math.cos(a), ring * Math.sin(a), minor * Math.sin(b)];
  });
}

/** Closed ellipsoid with semi-axes (a, b, c) as a UV sphere with poles welded. */
export function ellipsoidMesh(a: number, b: number, c: number, u = 48, v = 24): Shape {
  const vertices: number[] = [0, 0, c, 0, 0, -c];
  const triangles: number[] = [];
  for (let j = 1; j < v; j++) {
    const t = (Math.PI * j) / v;
    for (let i = 0; i < u; i++) {
      const p = (2 * Math.PI * i) / u;
      vertices.push(a * Math.sin(t) * Math.cos(p), b * Math.sin(t) * Math.sin(p), c * Math.cos(t));
    }
  }
  const at = (j: number, i: number) => 2 + (j - 1) * u + (i % u);
  for (let i = 0; i < u; i++) {
    triangles.push(0, at(1, i), at(1, i + 1));
    triangles.push(1, at(v - 1, i + 1), at(v - 1, i));
    for (let j = 1; j < v - 1; j++) {
      triangles.push(
        at(j, i),
        at(j + 1, i),
        at(j + 1, i + 1),
        at(j, i),
        at(j + 1, i + 1),
        at(j, i + 1),
      );
    }
  }
  return { vertices: Float64Array.from(vertices), triangles: Uint32Array.from(triangles) };
}

/** `count` seeded uniform random points on the sphere of radius `radius`. */
export function spherePoints(count: number, radius: number, seed = 0): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    const z = rng.uniform(-1, 1);
    const p = rng.uniform(0, 2 * Math.PI);
    const s = Math.sqrt(1 - z * z);
    out.set([radius * s * Math.cos(p), radius * s * Math.sin(p), radius * z], 3 * i);
  }
  return out;
}

/** A seeded random shape: a torus or an ellipsoid with random proportions. */
export function randomShape(seed: number): Shape {
  const rng = new Rng(seed);
  if (rng.next() < 0.5) return torusMesh(rng.uniform(0.4, 0.7), rng.uniform(0.1, 0.3), 32, 16);
  return ellipsoidMesh(rng.uniform(0.3, 1), rng.uniform(0.3, 1), rng.uniform(0.3, 1), 32, 16);
}

function gridMesh(u: number, v: number, at: (a: number, b: number) => number[]): Shape {
  const vertices = new Float64Array(3 * u * v);
  const triangles = new Uint32Array(6 * u * v);
  for (let i = 0; i < u; i++) {
    for (let j = 0; j < v; j++) {
      vertices.set(at((2 * Math.PI * i) / u, (2 * Math.PI * j) / v), 3 * (i * v + j));
      const a = i * v + j;
      const b = ((i + 1) % u) * v + j;
      const c = ((i + 1) % u) * v + ((j + 1) % v);
      const d = i * v + ((j + 1) % v);
      triangles.set([a, b, c, a, c, d], 6 * (i * v + j));
    }
  }
  return { vertices, triangles };
}
