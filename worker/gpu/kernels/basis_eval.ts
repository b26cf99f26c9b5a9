/**
 * Inverse transforms (f32), batched over shapes, one invocation per (shape, query):
 * - Zernike density f(x) = Σ Ω_nlm Z_nlm(x) at query points (0 outside the unit ball);
 * - SH extent f(u) = Σ c_lm Y_lm(u) at directions.
 * The kernels loop over m (outer), l and n at run time, with the Legendre and radial
 * recurrence constants read from small tables, so one compact pipeline serves every order
 * (a fully unrolled source per order costs tens of seconds of shader compilation on llvmpipe
 * at N = 20). Only two Legendre values are live at a time. The sectoral factor is the
 * orthonormal one, √((2m+1)/(2m)), computed in the kernel. Reference: `basis_eval_ref.ts`.
 * @module
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite } from "../kernel.ts";
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import { type BasisRecurrences, DIRECTION_WGSL, LINEAR_64_MAIN, lit, Y00 } from "./basis.ts";

/**
 * Records f = Σ Ω Z at `queries` (`[Q, 4]`, xyz used) for every row of `coefficients`
 * (`[S, C(N)]`, N the tables' order). Returns a new `[S, Q]` tensor.
 */
export function zernikeDensity(
  gpu: Gpu,
  coefficients: Tensor,
  queries: Tensor,
  rec: BasisRecurrences,
): Tensor {
  const n = rec.order;
  return evaluate(gpu, coefficients, queries, ((n + 1) * (n + 2) * (n + 3)) / 6, rec, true);
}

/**
 * Records f = Σ c Y at `directions` (`[D, 4]`, xyz used, need not be unit) for every row of
 * `coefficients` (`[S, (L+1)²]`, L the tables' order). Returns a new `[S, D]` tensor.
 */
export function shEvaluate(
  gpu: Gpu,
  coefficients: Tensor,
  directions: Tensor,
  rec: BasisRecurrences,
): Tensor {
  return evaluate(gpu, coefficients, directions, (rec.order + 1) ** 2, rec, false);
}

/**
 * Legendre (a_lm, b_lm, 0, 0) at l(l+1)/2 + m, then radial (p, q, c, 0) at nLeg + the (n, l)
 * pair's index (n-major, then l; as the kernel computes it), vec4 per entry.
 */
function tables(rec: BasisRecurrences, radial: boolean): Float32Array {
  const order = rec.order;
  const nLeg = ((order + 1) * (order + 2)) / 2;
  const pairs: [number, number][] = [];
  for (let n = 0; radial && n <= order; n++) {
    for (let l = n % 2; l <= n; l += 2) pairs.push([n, l]);
  }
  const out = new Float32Array(4 * (nLeg + pairs.length));
  for (let m = 0; m <= order; m++) {
    for (let l = m + 2; l <= order; l++) out.set(rec.legendre(l, m), 4 * ((l * (l + 1)) / 2 + m));
  }
  pairs.forEach(([n, l], i) => out.set(rec.radial(n, l), 4 * (nLeg + i)));
  return out;
}

function evaluate(
  gpu: Gpu,
  coefficients: Tensor,
  queries: Tensor,
  count: number,
  rec: BasisRecurrences,
  radial: boolean,
): Tensor {
  const order = rec.order;
  const name = radial ? "spectral.zernike_density" : "spectral.sh_evaluate";
  if (coefficients.rank !== 2 || coefficients.shape[1] !== count) {
    throw new RangeError(
      `Cannot evaluate ${name}: coefficients [${coefficients.shape}] should be [S, ${count}]`,
    );
  }
  if (queries.rank !== 2 || queries.shape[1] !== 4) {
    throw new RangeError(`Cannot evaluate ${name}: queries [${queries.shape}] should be [Q, 4]`);
  }
  const shapes = coefficients.shape[0];
  const q = queries.shape[0];
  const data = tables(rec, radial);
  const table = gpu.tensor(data, [data.length / 4, 4]);
  const out = gpu.empty([shapes, q]);
  EVALUATE.run(gpu, {
    variant: radial,
    buffers: { co: coefficients, qs: queries, tab: table, out },
    uniforms: {
      total: shapes * q,
      queries: q,
      count,
      order,
      nleg: ((order + 1) * (order + 2)) / 2,
    },
    workgroups: grid1d(ceilDiv(shapes * q, 64)),
  });
  table.dispose();
  return out;
}

const EVALUATE = kernel({
  name: (radial: boolean) => (radial ? "spectral.zernike_density" : "spectral.sh_evaluate"),
  bindings: {
    co: read(),
    qs: read("vec4<f32>"),
    tab: read("vec4<f32>"),
    out: readWrite(),
  },
  uniforms: { total: "u32", queries: "u32", count: "u32", order: "u32", nleg: "u32" },
  key: () => "v1",
  body: (radial) => source(radial),
});

function source(radial: boolean): string {
  // Σ over n = l, l+2, … of Ω_nlm R_nl (Zernike), or c_lm alone (SH); gs likewise for −m.
  const inner = radial
    ? `
      var gc = 0.0;
      var gs = 0.0;
      var r0 = 0.0;
      var r1 = 0.0;
      for (var n = l; n <= p.order; n = n + 2u) {
        let h = n / 2u;
        let ri = select(h * (h + 1u), (h + 1u) * (h + 1u), n % 2u == 1u) + l / 2u;
        let rc = tab[p.nleg + ri];
        var rv: f32;
        if (n == l) {
          rv = rc.x * rl;
        } else if (n == l + 2u) {
          rv = rl * (rc.x * r2 + rc.y);
        } else {
          rv = (rc.x * r2 + rc.y) * r1 - rc.z * r0;
        }
        r0 = r1;
        r1 = rv;
        let zi = b + n * (n + 1u) * (n + 2u) / 6u + l * (l + 1u) / 2u;
        gc = gc + co[zi + m] * rv;
        if (m > 0u) { gs = gs + co[zi - m] * rv; }
      }
      rl = rl * r;`
    : `
      let zi = b + l * l + l;
      let gc = co[zi + m];
      var gs = 0.0;
      if (m > 0u) { gs = co[zi - m]; }`;
  return `
${LINEAR_64_MAIN}
  if (t >= p.total) { return; }
  let b = (t / p.queries) * p.count;
  let v = qs[t % p.queries];
  let x = v.x;
  let y = v.y;
  let z = v.z;
  ${DIRECTION_WGSL}
  ${radial ? "if (r2 > 1.0) { out[t] = 0.0; return; }" : ""}
  var f = 0.0;
  var q = ${lit(Y00)};
  var c = 1.0;
  var s = 0.0;
  var rm = 1.0;
  for (var m = 0u; m <= p.order; m = m + 1u) {
    if (m > 0u) {
      q = sqrt(f32(2u * m + 1u) / f32(2u * m)) * st * q;
      let c2 = c * cp - s * sp;
      s = s * cp + c * sp;
      c = c2;
      rm = rm * r;
    }
    let cc = ${lit(Math.SQRT2)} * c;
    let ss = ${lit(Math.SQRT2)} * s;
    var u0 = 0.0;
    var u1 = 0.0;
    var rl = rm;
    for (var l = m; l <= p.order; l = l + 1u) {
      var pl: f32;
      if (l == m) {
        pl = q;
      } else if (l == m + 1u) {
        pl = sqrt(f32(2u * m + 3u)) * ct * q;
      } else {
        let ab = tab[l * (l + 1u) / 2u + m];
        pl = ab.x * (ct * u1 - ab.y * u0);
      }
      u0 = u1;
      u1 = pl;
      ${inner}
      if (m == 0u) {
        f = f + pl * gc;
      } else {
        f = f + pl * (cc * gc + ss * gs);
      }
    }
  }
  out[t] = f;
}`;
}
