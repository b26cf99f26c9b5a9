/** Test support for the spherical-basis kernels: random recurrences and point sets. */
import type { Rng } from "../../lib/mod.ts";
import type { BasisRecurrences } from "./basis.ts";

/**
 * Recurrences of `order` with random constants of moderate size: the kernels must evaluate
 * whatever tables they are given, and bounded constants keep the values bounded on the ball.
 * With `orthonormalSectoral` the sectoral factors are the orthonormal √((2m+1)/(2m)), which
 * `basis_eval.ts` computes itself.
 */
export function randomRecurrences(
  rng: Rng,
  order: number,
  key: string,
  orthonormalSectoral = false,
): BasisRecurrences {
  const radial = new Map<string, [number, number, number]>();
  const legendre = new Map<string, [number, number]>();
  const sectoral = Array.from(
    { length: order + 1 },
    (_, m) => orthonormalSectoral ? Math.sqrt((2 * m + 1) / (2 * m)) : rng.uniform(0.5, 1.5),
  );
  for (let n = 0; n <= order; n++) {
    for (let l = 0; l <= n; l++) {
      radial.set(`${n},${l}`, [rng.uniform(0.5, 1.5), rng.uniform(-1, 1), rng.uniform(-0.5, 0.5)]);
      legendre.set(`${n},${l}`, [rng.uniform(0.5, 1.5), rng.uniform(-0.5, 0.5)]);
    }
  }
  return {
    key,
    order,
    radial: (n, l) => radial.get(`${n},${l}`)!,
    legendre: (l, m) => legendre.get(`${l},${m}`)!,
    sectoral: (m) => sectoral[m],
  };
}

/** `count` points (x, y, z, w) uniform in the ball of `radius`, weights in [0, 1). */
export function ballPoints(rng: Rng, count: number, radius = 0.95): Float32Array {
  const out = new Float32Array(4 * count);
  for (let i = 0; i < count; i++) {
    let x, y, z;
    do {
      x = rng.uniform(-1, 1);
      y = rng.uniform(-1, 1);
      z = rng.uniform(-1, 1);
    } while (x * x + y * y + z * z > 1);
    out.set([radius * x, radius * y, radius * z, rng.uniform(0, 1)], 4 * i);
  }
  return out;
}
