/**
 * WGSL inverse transforms (f32), batched over shapes, one invocation per (shape, query):
 * - Zernike density f(x) = Σ Ω_nlm Z_nlm(x) at query points (0 outside the unit ball);
 * - SH extent f(u) = Σ c_lm Y_lm(u) at directions.
 * Sources are generated per order with the recurrence constants inlined; the Legendre
 * recurrence runs m-outer so only two values are live, as in SPECTRAL.md §4.6.
 */
import { ceilDiv, type Gpu, grid1d, params, type Tensor } from "../../gpu/mod.ts";
import { checkOrder, legendreIndex, radialIndex, shCount, zernikeCount, zernikeIndex } from "../indexing.ts";
import { radialTable } from "../radial.ts";
import { legendreTable, Y00 } from "../sh.ts";
import { DIRECTION_WGSL, LINEAR_INDEX_WGSL, lit } from "./wgsl.ts";

/**
 * Records f = Σ Ω Z at `queries` (`[Q, 4]`, xyz used) for every row of `coefficients`
 * (`[S, C(order)]`). Returns a new `[S, Q]` tensor.
 */
export function zernikeDensityGpu(gpu: Gpu, coefficients: Tensor, queries: Tensor, order: number): Tensor {
  checkOrder(order, "Zernike order");
  const count = zernikeCount(order);
  return evaluate(gpu, coefficients, queries, count, {
    name: "spectral.zernike_density",
    key: `N${order}`,
    source: () => densitySource(order),
  });
}

/**
 * Records f = Σ c Y at `directions` (`[D, 4]`, xyz used, need not be unit) for every row of
 * `coefficients` (`[S, (L+1)²]`). Returns a new `[S, D]` tensor.
 */
export function shEvaluateGpu(gpu: Gpu, coefficients: Tensor, directions: Tensor, degree: number): Tensor {
  checkOrder(degree, "spherical-harmonic degree");
  return evaluate(gpu, coefficients, directions, shCount(degree), {
    name: "spectral.sh_evaluate",
    key: `L${degree}`,
    source: () => shSource(degree),
  });
}

function evaluate(
  gpu: Gpu,
  coefficients: Tensor,
  queries: Tensor,
  count: number,
  kernel: { name: string; key: string; source: () => string },
): Tensor {
  if (coefficients.rank !== 2 || coefficients.shape[1] !== count) {
    throw new RangeError(
      `Cannot evaluate ${kernel.name}: coefficients [${coefficients.shape}] should be [S, ${count}]`,
    );
  }
  if (queries.rank !== 2 || queries.shape[1] !== 4) {
    throw new RangeError(`Cannot evaluate ${kernel.name}: queries [${queries.shape}] should be [Q, 4]`);
  }
  const shapes = coefficients.shape[0];
  const q = queries.shape[0];
  const out = gpu.empty([shapes, q]);
  gpu.run({
    ...kernel,
    buffers: [coefficients, queries, out],
    params: params().u32(shapes * q).u32(q).u32(count).build(),
    workgroups: grid1d(ceilDiv(shapes * q, 64)),
  });
  return out;
}

function header(): string {
  return `
struct P { total: u32, queries: u32, count: u32 }
@group(0) @binding(0) var<storage, read> co: array<f32>;
@group(0) @binding(1) var<storage, read> qs: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${LINEAR_INDEX_WGSL}
  if (t >= p.total) { return; }
  let b = (t / p.queries) * p.count;
  let v = qs[t % p.queries];
  let x = v.x;
  let y = v.y;
  let z = v.z;
  ${DIRECTION_WGSL}`;
}

/** cos/sin(mφ) with √2 folded in, m = 1..degree. */
function azimuth(degree: number): string[] {
  const lines: string[] = [];
  for (let m = 1; m <= degree; m++) {
    if (m === 1) lines.push("let c1 = cp;", "let s1 = sp;");
    else {
      lines.push(`let c${m} = c${m - 1} * cp - s${m - 1} * sp;`);
      lines.push(`let s${m} = s${m - 1} * cp + c${m - 1} * sp;`);
    }
    lines.push(`let cc${m} = ${lit(Math.SQRT2)} * c${m};`, `let ss${m} = ${lit(Math.SQRT2)} * s${m};`);
  }
  return lines;
}

/**
 * Legendre chains m-outer: for each m, calls `use(l, m, name)` with the WGSL name holding
 * P̄_l^m for l = m..degree. Declares `q`, `u0` and `u1`.
 */
function legendreChains(degree: number, use: (l: number, m: number, name: string) => string[]): string[] {
  const leg = legendreTable(Math.max(degree, 1));
  const lines = [`var q = ${lit(Y00)};`, "var u0 = 0.0;", "var u1 = 0.0;"];
  for (let m = 0; m <= degree; m++) {
    if (m > 0) lines.push(`q = ${lit(leg.sectoral[m])} * st * q;`);
    lines.push("u0 = q;");
    lines.push(...use(m, m, "u0"));
    if (m + 1 <= degree) {
      lines.push(`u1 = ${lit(Math.sqrt(2 * m + 3))} * ct * q;`);
      lines.push(...use(m + 1, m, "u1"));
    }
    for (let l = m + 2; l <= degree; l++) {
      const i = legendreIndex(l, m);
      lines.push(`let u${l}_${m} = ${lit(leg.a[i])} * (ct * u1 - ${lit(leg.b[i])} * u0);`);
      lines.push(...use(l, m, `u${l}_${m}`));
      lines.push("u0 = u1;", `u1 = u${l}_${m};`);
    }
  }
  return lines;
}

function shSource(degree: number): string {
  const body = [
    "var f = 0.0;",
    ...azimuth(degree),
    ...legendreChains(degree, (l, m, name) => {
      const j = l * l + l;
      if (m === 0) return [`f = f + ${name} * co[b + ${j}u];`];
      return [`f = f + ${name} * (cc${m} * co[b + ${j + m}u] + ss${m} * co[b + ${j - m}u]);`];
    }),
    "out[t] = f;",
  ];
  return `${header()}\n  ${body.join("\n  ")}\n}`;
}

function densitySource(order: number): string {
  const rad = radialTable(order);
  const lines: string[] = ["if (r2 > 1.0) { out[t] = 0.0; return; }", "var rl = 1.0;"];
  for (let l = 0; l <= order; l++) {
    if (l > 0) lines.push("rl = rl * r;");
    for (let n = l, k = 0; n <= order; n += 2, k++) {
      const i = radialIndex(n, l);
      if (k === 0) lines.push(`let R${n}_${l} = ${lit(rad.p[i])} * rl;`);
      else if (k === 1) lines.push(`let R${n}_${l} = rl * (${lit(rad.p[i])} * r2 + ${lit(rad.q[i])});`);
      else {
        lines.push(
          `let R${n}_${l} = (${lit(rad.p[i])} * r2 + ${lit(rad.q[i])}) * R${n - 2}_${l} - ${lit(rad.c[i])} * R${n - 4}_${l};`,
        );
      }
    }
  }
  lines.push("var f = 0.0;", ...azimuth(order));
  const radialSum = (l: number, m: number) => {
    const terms: string[] = [];
    for (let n = l; n <= order; n += 2) terms.push(`co[b + ${zernikeIndex(n, l, m)}u] * R${n}_${l}`);
    return terms.join(" + ");
  };
  lines.push(...legendreChains(order, (l, m, name) => {
    if (m === 0) return [`f = f + ${name} * (${radialSum(l, 0)});`];
    return [`f = f + ${name} * (cc${m} * (${radialSum(l, m)}) + ss${m} * (${radialSum(l, -m)}));`];
  }));
  lines.push("out[t] = f;");
  return `${header()}\n  ${lines.join("\n  ")}\n}`;
}
