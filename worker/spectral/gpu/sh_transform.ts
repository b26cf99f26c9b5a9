/**
 * WGSL spherical-harmonic analysis of extent functions on the DH grid (f32), batched over
 * shapes: cap-max extent from points (atomic max on the float bits, valid because radii are
 * non-negative), per-ring Fourier sums, then the Legendre projection with the precomputed
 * quadrature table of `projectionTable`. All kernels are recorded, none submits or reads.
 */
import { ceilDiv, type Gpu, grid1d, params, type Tensor } from "../../gpu/mod.ts";
import { dhGrid, projectionTable } from "../dh.ts";
import { checkOrder, shCount } from "../indexing.ts";
import { LINEAR_INDEX_WGSL, lit } from "./wgsl.ts";
import type { PointBatch } from "./zernike_moments.ts";

/**
 * Records the cap-max extent of every shape in `batch` on the bandwidth-B grid. Returns a new
 * `[shapes, 2B, 2B]` tensor (ring-major). Zero-weight (padding) points are skipped.
 */
export function extentGpu(gpu: Gpu, batch: PointBatch, bandwidth: number, capAngle: number): Tensor {
  const n = dhGrid(bandwidth).size;
  const stride = batch.chunks * batch.chunk;
  const total = batch.shapes * stride;
  const out = gpu.zeros([batch.shapes, n, n]);
  gpu.run({
    name: "spectral.extent_capmax",
    key: "v1",
    source: () => EXTENT,
    buffers: [batch.tensor, out],
    params: params().u32(total).u32(stride).u32(n).f32(capAngle).f32(Math.cos(capAngle)).build(),
    workgroups: grid1d(ceilDiv(total, 64)),
  });
  return out;
}

const EXTENT = `
struct P { total: u32, stride: u32, n: u32, delta: f32, cosDelta: f32 }
@group(0) @binding(0) var<storage, read> pts: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> grid: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> p: P;
const PI = 3.14159265358979;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${LINEAR_INDEX_WGSL}
  if (t >= p.total) { return; }
  let v = pts[t];
  let r = sqrt(v.x * v.x + v.y * v.y + v.z * v.z);
  if (!(v.w > 0.0) || !(r > 0.0)) { return; }
  let ux = v.x / r;
  let uy = v.y / r;
  let uz = v.z / r;
  let theta = atan2(sqrt(ux * ux + uy * uy), uz);
  let phi = atan2(uy, ux);
  let ct = cos(theta);
  let st = sin(theta);
  let n = i32(p.n);
  let fn_ = f32(p.n);
  let pad = 1e-4;
  let j0 = max(0, i32(ceil((theta - p.delta - pad) * fn_ / PI - 0.5)));
  let j1 = min(n - 1, i32(floor((theta + p.delta + pad) * fn_ / PI - 0.5)));
  let bits = bitcast<u32>(r);
  let base = (t / p.stride) * p.n * p.n;
  for (var j = j0; j <= j1; j = j + 1) {
    let tj = PI * (2.0 * f32(j) + 1.0) / (2.0 * fn_);
    let ctj = cos(tj);
    let stj = sin(tj);
    let denom = st * stj;
    let num = p.cosDelta - ct * ctj;
    var k0 = 0;
    var k1 = n - 1;
    if (denom > 1e-6) {
      let cs = num / denom;
      if (cs > 1.0) { continue; }
      if (cs > -1.0) {
        let span = acos(cs) + pad;
        k0 = i32(ceil((phi - span) * fn_ / (2.0 * PI)));
        k1 = i32(floor((phi + span) * fn_ / (2.0 * PI)));
        if (k1 - k0 + 1 >= n) { k0 = 0; k1 = n - 1; }
      }
    }
    for (var k = k0; k <= k1; k = k + 1) {
      let kk = ((k % n) + n) % n;
      let ang = 2.0 * PI * f32(kk) / fn_;
      let d = stj * (cos(ang) * ux + sin(ang) * uy) + ctj * uz;
      if (d >= p.cosDelta) {
        atomicMax(&grid[base + u32(j) * p.n + u32(kk)], bits);
      }
    }
  }
}`;

/** The quadrature table of `projectionTable` uploaded as an f32 `[2B, (L+1)(L+2)/2]` tensor. */
export interface ProjectionTensor {
  tensor: Tensor;
  bandwidth: number;
  degree: number;
}

/**
 * Uploads the projection table for (bandwidth, degree); do this before recording, since an
 * upload submits the work recorded so far. The caller owns (and disposes) the tensor.
 */
export function uploadProjection(gpu: Gpu, bandwidth: number, degree: number): ProjectionTensor {
  checkOrder(degree, "spherical-harmonic degree");
  const n = dhGrid(bandwidth).size;
  if (degree >= n) throw new RangeError(`Cannot resolve degree ${degree} on a bandwidth-${bandwidth} grid`);
  const tri = ((degree + 1) * (degree + 2)) / 2;
  const tensor = gpu.tensor(Float32Array.from(projectionTable(bandwidth, degree)), [n, tri]);
  return { tensor, bandwidth, degree };
}

/**
 * Records the forward SH transform of `[shapes, 2B, 2B]` extent grids up to the table's
 * degree. Returns a new `[shapes, (L+1)²]` tensor in flat SH order.
 */
export function shForwardGpu(gpu: Gpu, grids: Tensor, projection: ProjectionTensor): Tensor {
  const { bandwidth, degree } = projection;
  const n = dhGrid(bandwidth).size;
  if (grids.rank !== 3 || grids.shape[1] !== n || grids.shape[2] !== n) {
    throw new RangeError(`Cannot transform grids of shape [${grids.shape}]: expected [S, ${n}, ${n}]`);
  }
  const shapes = grids.shape[0];
  const width = 2 * (degree + 1);
  const tri = ((degree + 1) * (degree + 2)) / 2;
  const fourier = gpu.empty([shapes, n, width]);
  gpu.run({
    name: "spectral.sh_ring_fourier",
    key: `L${degree}`,
    source: () => ringFourierSource(degree),
    buffers: [grids, fourier],
    params: params().u32(shapes * n).u32(n).build(),
    workgroups: grid1d(ceilDiv(shapes * n, 64)),
  });
  const out = gpu.empty([shapes, shCount(degree)]);
  gpu.run({
    name: "spectral.sh_project",
    key: "v1",
    source: () => PROJECT,
    buffers: [fourier, projection.tensor, out],
    params: params().u32(shapes * tri).u32(tri).u32(n).u32(width).u32(shCount(degree)).build(),
    workgroups: grid1d(ceilDiv(shapes * tri, 64)),
  });
  fourier.dispose();
  return out;
}

/** Per-ring sums a_m = Σ_k f cos(mφ_k), b_m = Σ_k f sin(mφ_k), m ≤ L, one invocation per ring. */
function ringFourierSource(degree: number): string {
  const decl: string[] = ["var a0 = 0.0;"];
  const body: string[] = ["a0 = a0 + f;"];
  const out: string[] = ["four[o] = a0;", "four[o + 1u] = 0.0;"];
  for (let m = 1; m <= degree; m++) {
    decl.push(`var a${m} = 0.0;`, `var b${m} = 0.0;`);
    if (m === 1) body.push("let c1 = cp;", "let s1 = sp;");
    else {
      body.push(`let c${m} = c${m - 1} * cp - s${m - 1} * sp;`);
      body.push(`let s${m} = s${m - 1} * cp + c${m - 1} * sp;`);
    }
    body.push(`a${m} = a${m} + f * c${m};`, `b${m} = b${m} + f * s${m};`);
    out.push(`four[o + ${2 * m}u] = a${m};`, `four[o + ${2 * m + 1}u] = b${m};`);
  }
  return `
struct P { rings: u32, n: u32 }
@group(0) @binding(0) var<storage, read> grid: array<f32>;
@group(0) @binding(1) var<storage, read_write> four: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${LINEAR_INDEX_WGSL}
  if (t >= p.rings) { return; }
  let row = t * p.n;
  let step = ${lit(2 * Math.PI)} / f32(p.n);
  ${decl.join("\n  ")}
  for (var k = 0u; k < p.n; k = k + 1u) {
    let f = grid[row + k];
    let cp = cos(step * f32(k));
    let sp = sin(step * f32(k));
    ${body.join("\n    ")}
  }
  let o = t * ${2 * degree + 2}u;
  ${out.join("\n  ")}
}`;
}

const PROJECT = `
struct P { total: u32, tri: u32, n: u32, width: u32, count: u32 }
@group(0) @binding(0) var<storage, read> four: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${LINEAR_INDEX_WGSL}
  if (t >= p.total) { return; }
  let s = t / p.tri;
  let q = t % p.tri;
  var l = u32((sqrt(8.0 * f32(q) + 1.0) - 1.0) * 0.5);
  if ((l + 1u) * (l + 2u) / 2u <= q) { l = l + 1u; }
  if (l * (l + 1u) / 2u > q) { l = l - 1u; }
  let m = q - l * (l + 1u) / 2u;
  var ac = 0.0;
  var as_ = 0.0;
  let f0 = s * p.n * p.width + 2u * m;
  for (var j = 0u; j < p.n; j = j + 1u) {
    let w = table[j * p.tri + q];
    ac = ac + w * four[f0 + j * p.width];
    as_ = as_ + w * four[f0 + j * p.width + 1u];
  }
  let o = s * p.count + l * l + l;
  out[o + m] = ac;
  if (m > 0u) { out[o - m] = as_; }
}`;
