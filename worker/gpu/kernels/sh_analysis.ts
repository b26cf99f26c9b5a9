/**
 * Spherical-harmonic analysis of extent functions on a Driscoll–Healy grid (f32), batched over
 * shapes: cap-max extent from points (atomic max on the float bits, valid because radii are
 * non-negative), per-ring Fourier sums, then the Legendre projection with a precomputed
 * quadrature table. All kernels are recorded, none submits or reads. References:
 * `sh_analysis_ref.ts`.
 * @module
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite } from "../kernel.ts";
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import { LINEAR_64_MAIN, lit, type PointBatch } from "./basis.ts";

/**
 * Records the cap-max extent of every shape in `batch` on an n × n Driscoll–Healy grid (ring j
 * at colatitude π(j + ½)/n, column k at azimuth 2πk/n): each cell gets the largest radius of
 * the points within angle `capAngle` of its direction, 0 when none. Returns a new
 * `[shapes, n, n]` tensor (ring-major). Zero-weight (padding) points are skipped.
 */
export function extentCapMax(
  gpu: Gpu,
  batch: PointBatch,
  n: number,
  capAngle: number,
): Tensor {
  const stride = batch.chunks * batch.chunk;
  const total = batch.shapes * stride;
  const out = gpu.zeros([batch.shapes, n, n]);
  EXTENT.run(gpu, {
    buffers: { pts: batch.tensor, grid: out },
    uniforms: {
      total,
      stride,
      n,
      delta: capAngle,
      cosDelta: Math.cos(capAngle),
      cdt: Math.cos(Math.PI / n),
      sdt: Math.sin(Math.PI / n),
      cdp: Math.cos((2 * Math.PI) / n),
      sdp: Math.sin((2 * Math.PI) / n),
    },
    workgroups: grid1d(ceilDiv(total, 64)),
  });
  return out;
}

const EXTENT = kernel({
  name: "spectral.extent_capmax",
  bindings: { pts: read("vec4<f32>"), grid: readWrite("atomic<u32>") },
  uniforms: {
    total: "u32",
    stride: "u32",
    n: "u32",
    delta: "f32",
    cosDelta: "f32",
    cdt: "f32",
    sdt: "f32",
    cdp: "f32",
    sdp: "f32",
  },
  key: () => "v1",
  body: () =>
    `const PI = 3.14159265358979;
${LINEAR_64_MAIN}
  if (t >= p.total) { return; }
  let v = pts[t];
  let r = sqrt(v.x * v.x + v.y * v.y + v.z * v.z);
  if (!(v.w > 0.0) || !(r > 0.0)) { return; }
  let ux = v.x / r;
  let uy = v.y / r;
  let ct = v.z / r;
  let st = sqrt(ux * ux + uy * uy);
  let theta = atan2(st, ct);
  let phi = atan2(uy, ux);
  let n = i32(p.n);
  let fn_ = f32(p.n);
  let pad = 1e-4;
  let j0 = max(0, i32(ceil((theta - p.delta - pad) * fn_ / PI - 0.5)));
  let j1 = min(n - 1, i32(floor((theta + p.delta + pad) * fn_ / PI - 0.5)));
  let bits = bitcast<u32>(r);
  let base = (t / p.stride) * p.n * p.n;
  // Ring and column directions advance by rotation (steps' cos/sin come as parameters).
  let dt = PI / fn_;
  let dp = 2.0 * PI / fn_;
  let t0 = dt * (f32(j0) + 0.5);
  var ctj = cos(t0);
  var stj = sin(t0);
  for (var j = j0; j <= j1; j = j + 1) {
    let denom = st * stj;
    let num = p.cosDelta - ct * ctj;
    var k0 = 0;
    var k1 = n - 1;
    var skip = false;
    if (denom > 1e-6) {
      let cs = num / denom;
      if (cs > 1.0) {
        skip = true;
      } else if (cs > -1.0) {
        let span = acos(cs) + pad;
        k0 = i32(ceil((phi - span) / dp));
        k1 = i32(floor((phi + span) / dp));
        if (k1 - k0 + 1 >= n) { k0 = 0; k1 = n - 1; }
      }
    }
    if (!skip) {
      var cp = cos(dp * f32(k0));
      var sp = sin(dp * f32(k0));
      for (var k = k0; k <= k1; k = k + 1) {
        let d = stj * (cp * ux + sp * uy) + ctj * ct;
        if (d >= p.cosDelta) {
          let kk = ((k % n) + n) % n;
          atomicMax(&grid[base + u32(j) * p.n + u32(kk)], bits);
        }
        let c2 = cp * p.cdp - sp * p.sdp;
        sp = sp * p.cdp + cp * p.sdp;
        cp = c2;
      }
    }
    let c3 = ctj * p.cdt - stj * p.sdt;
    stj = stj * p.cdt + ctj * p.sdt;
    ctj = c3;
  }
}`,
});

/**
 * A quadrature table of the SH projection, uploaded transposed as an f32 `[(L+1)(L+2)/2, n]`
 * tensor (rings j contiguous for each (l, m)).
 */
export interface ProjectionTensor {
  tensor: Tensor;
  /** Grid size n = 2B (rings and columns). */
  n: number;
  degree: number;
}

/**
 * Uploads `table` (ring-major: entry [j][l(l+1)/2 + m] is the weight of ring j in the (l, m)
 * projection, n rings) for `degree`; do this before recording, since an upload submits the
 * work recorded so far. n must be a multiple of 4 (the kernels take rings four at a time).
 * The caller owns (and disposes) the tensor.
 */
export function uploadProjection(
  gpu: Gpu,
  table: ArrayLike<number>,
  n: number,
  degree: number,
): ProjectionTensor {
  const tri = ((degree + 1) * (degree + 2)) / 2;
  if (n % 4 !== 0 || table.length !== tri * n) {
    throw new RangeError(
      `Cannot upload a projection table of ${table.length} values for degree ${degree} on ` +
        `${n} rings: n must be a multiple of 4 and the table n · ${tri} long`,
    );
  }
  const transposed = new Float32Array(tri * n);
  for (let j = 0; j < n; j++) {
    for (let q = 0; q < tri; q++) transposed[q * n + j] = table[j * tri + q];
  }
  const tensor = gpu.tensor(transposed, [tri, n]);
  return { tensor, n, degree };
}

/**
 * Records the forward SH transform of `[shapes, n, n]` grids up to the table's degree: per-ring
 * Fourier sums, then the projection. Returns a new `[shapes, (L+1)²]` tensor in flat SH order.
 */
export function shForward(gpu: Gpu, grids: Tensor, projection: ProjectionTensor): Tensor {
  const { n, degree } = projection;
  if (grids.rank !== 3 || grids.shape[1] !== n || grids.shape[2] !== n) {
    throw new RangeError(
      `Cannot transform grids of shape [${grids.shape}]: expected [S, ${n}, ${n}]`,
    );
  }
  const shapes = grids.shape[0];
  const width = 2 * (degree + 1);
  const tri = ((degree + 1) * (degree + 2)) / 2;
  const fourier = gpu.empty([shapes, width, n]);
  RING_FOURIER.run(gpu, {
    variant: degree,
    buffers: { grid: grids, four: fourier },
    uniforms: { groups: (shapes * n) / RINGS, n },
    workgroups: grid1d(ceilDiv((shapes * n) / RINGS, 64)),
  });
  const count = (degree + 1) ** 2;
  const out = gpu.empty([shapes, count]);
  PROJECT.run(gpu, {
    buffers: { four: fourier, table: projection.tensor, out },
    uniforms: { total: shapes * tri, tri, n4: n / 4, width, count },
    workgroups: grid1d(ceilDiv(shapes * tri, 64)),
  });
  fourier.dispose();
  return out;
}

/** Rings per invocation of the ring Fourier kernel (2B is always a multiple of 4). */
const RINGS = 4;

/**
 * Per-ring sums a_m = Σ_k f cos(mφ_k), b_m = Σ_k f sin(mφ_k), m ≤ L, written as
 * `[S, 2(L+1), 2B]` (a_m at row 2m, b_m at row 2m+1, rings contiguous). Each invocation takes
 * {@link RINGS} rings, so the cos/sin(mφ_k) recurrence is shared by them.
 */
const RING_FOURIER = kernel({
  name: "spectral.sh_ring_fourier",
  bindings: { grid: read(), four: readWrite() },
  uniforms: { groups: "u32", n: "u32" },
  key: (degree: number) => `L${degree}`,
  body: (degree) => ringFourierSource(degree),
});

function ringFourierSource(degree: number): string {
  const decl: string[] = [];
  const body: string[] = [];
  const out: string[] = [];
  const rings = Array.from({ length: RINGS }, (_, r) => r);
  for (const r of rings) {
    decl.push(`var a${r}_0 = 0.0;`);
    body.push(`let f${r} = grid[row + ${r}u * p.n + k];`, `a${r}_0 = a${r}_0 + f${r};`);
    out.push(`four[o + ${r}u] = a${r}_0;`, `four[o + p.n + ${r}u] = 0.0;`);
  }
  for (let m = 1; m <= degree; m++) {
    if (m === 1) body.push("let c1 = cp;", "let s1 = sp;");
    else {
      body.push(`let c${m} = c${m - 1} * cp - s${m - 1} * sp;`);
      body.push(`let s${m} = s${m - 1} * cp + c${m - 1} * sp;`);
    }
    for (const r of rings) {
      decl.push(`var a${r}_${m} = 0.0;`, `var b${r}_${m} = 0.0;`);
      body.push(
        `a${r}_${m} = a${r}_${m} + f${r} * c${m};`,
        `b${r}_${m} = b${r}_${m} + f${r} * s${m};`,
      );
      out.push(
        `four[o + ${2 * m}u * p.n + ${r}u] = a${r}_${m};`,
        `four[o + ${2 * m + 1}u * p.n + ${r}u] = b${r}_${m};`,
      );
    }
  }
  return `
${LINEAR_64_MAIN}
  if (t >= p.groups) { return; }
  let row = t * ${RINGS}u * p.n;
  let step = ${lit(2 * Math.PI)} / f32(p.n);
  ${decl.join("\n  ")}
  for (var k = 0u; k < p.n; k = k + 1u) {
    let cp = cos(step * f32(k));
    let sp = sin(step * f32(k));
    ${body.join("\n    ")}
  }
  // Output [S, 2(L+1), 2B]: shape s = first ring / 2B, rings j0..j0+${RINGS - 1}.
  let ring0 = t * ${RINGS}u;
  let o = (ring0 / p.n) * ${2 * degree + 2}u * p.n + ring0 % p.n;
  ${out.join("\n  ")}
}`;
}

const PROJECT = kernel({
  name: "spectral.sh_project",
  bindings: { four: read("vec4<f32>"), table: read("vec4<f32>"), out: readWrite() },
  uniforms: { total: "u32", tri: "u32", n4: "u32", width: "u32", count: "u32" },
  key: () => "v1",
  body: () => `
${LINEAR_64_MAIN}
  if (t >= p.total) { return; }
  let s = t / p.tri;
  let q = t % p.tri;
  var l = u32((sqrt(8.0 * f32(q) + 1.0) - 1.0) * 0.5);
  if ((l + 1u) * (l + 2u) / 2u <= q) { l = l + 1u; }
  if (l * (l + 1u) / 2u > q) { l = l - 1u; }
  let m = q - l * (l + 1u) / 2u;
  let fa = (s * p.width + 2u * m) * p.n4;
  let fb = fa + p.n4;
  let tq = q * p.n4;
  var ac = vec4<f32>(0.0);
  var as_ = vec4<f32>(0.0);
  for (var j = 0u; j < p.n4; j = j + 1u) {
    let w = table[tq + j];
    ac = ac + w * four[fa + j];
    as_ = as_ + w * four[fb + j];
  }
  let o = s * p.count + l * l + l;
  out[o + m] = ac.x + ac.y + ac.z + ac.w;
  if (m > 0u) { out[o - m] = as_.x + as_.y + as_.z + as_.w; }
}`,
});
