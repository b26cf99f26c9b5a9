/**
 * WGSL of the convolution kernels (`conv.ts` declares and dispatches them): the cpu-family
 * entry points of the forward, input-gradient and weight-gradient implicit GEMMs for any
 * register block, and the element loaders of the tiled GEMM. Uniform fields are those of
 * `conv.ts`; the header comes from its declarations.
 * @module
 */
import type { ConvKind } from "./conv.ts";
import {
  columnVec,
  comp,
  type CpuBlock,
  cpuKernel,
  multiplyAdd,
  range,
  storeBlock,
  type TiledSpec,
} from "./matmul_wgsl.ts";

/** Forward: rows are output pixels, the K loop runs over taps then input channels. */
function forwardCpu(blk: CpuBlock, vec: boolean): string {
  const R = blk.rows;
  const C = blk.cols;
  const u = vec ? 4 : 1;
  const setup = [
    "let HoWo = p.Ho * p.Wo;",
    `let CI = p.Cin / ${u}u;`,
    `let CO = p.Cout / ${u}u;`,
    ...range(R).flatMap((i) => [
      `let r${i} = min(row0 + ${i}u, p.M - 1u);`,
      `let q${i} = r${i} % HoWo;`,
      `let xn${i} = r${i} / HoWo * p.H;`,
      `let y${i} = i32(q${i} / p.Wo * p.S) - i32(p.P);`,
      `let x${i} = i32(q${i} % p.Wo * p.S) - i32(p.P);`,
    ]),
    ...(vec
      ? range(C / 4).map((v) => `let b${v} = min(col0 / 4u + ${v}u, CO - 1u);`)
      : range(C).map((j) => `let b${j} = min(col0 + ${j}u, p.Cout - 1u);`)),
  ];
  const taps = range(R).flatMap((i) => [
    `let iy${i} = y${i} + i32(kh);`,
    `let ix${i} = x${i} + i32(kw);`,
    `let ok${i} = u32(iy${i}) < p.H && u32(ix${i}) < p.W;`,
    `let o${i} = select(0u, ((xn${i} + u32(iy${i})) * p.W + u32(ix${i})) * CI, ok${i});`,
  ]);
  const inner = vec
    ? `let wq = (wr + c * 4u) * CO;
        ${
      range(4).flatMap((kk) =>
        range(C / 4).map((v) => `let bv${kk}_${v} = Wt[wq + ${kk}u * CO + b${v}];`)
      ).join("\n        ")
    }
        ${
      multiplyAdd(
        blk,
        4,
        (i, kk) => `av${i}.${comp(kk)}`,
        (kk, v) => `bv${kk}_${v}`,
        (i) => [`let av${i} = select(vec4<f32>(), X[o${i} + c], ok${i});`],
      )
    }`
    : `let wq = (wr + c) * p.Cout;
        ${range(C).map((j) => `let bv${j} = Wt[wq + b${j}];`).join("\n        ")}
        ${range(C / 4).map((v) => `let bq${v} = ${columnVec(v)};`).join("\n        ")}
        ${
      multiplyAdd(
        blk,
        1,
        (i) => `av${i}`,
        (_, v) => `bq${v}`,
        (i) => [`let av${i} = select(0.0, X[o${i} + c], ok${i});`],
      )
    }`;
  const loop = `var wr = 0u;
  for (var kh = 0u; kh < p.KH; kh++) {
    for (var kw = 0u; kw < p.KW; kw++) {
      ${taps.join("\n      ")}
      for (var c = 0u; c < CI; c++) {
        ${inner}
      }
      wr += p.Cin;
    }
  }`;
  const store = storeBlock(blk, "Y", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `(row0 + ${i}u) * p.Cout`,
  });
  return cpuKernel(blk, setup, loop, store);
}

/**
 * Input gradient of one sub-pixel phase: rows are the phase's input pixels, columns input
 * channels, the K loop runs over the phase's taps then output channels. The weights are read
 * along Cout (K) and transposed in registers.
 */
function inputGradCpu(blk: CpuBlock, vec: boolean): string {
  const R = blk.rows;
  const C = blk.cols;
  const u = vec ? 4 : 1;
  const setup = [
    "let HqWq = p.Hq * p.Wq;",
    `let CO = p.Cout / ${u}u;`,
    ...range(R).flatMap((i) => [
      `let r${i} = min(row0 + ${i}u, p.M - 1u);`,
      `let n${i} = r${i} / HqWq;`,
      `let t${i} = r${i} % HqWq;`,
      `let th${i} = t${i} / p.Wq;`,
      `let tw${i} = t${i} % p.Wq;`,
      `let qy${i} = i32(p.qh0 + th${i});`,
      `let qx${i} = i32(p.qw0 + tw${i});`,
      `let dn${i} = n${i} * p.Ho;`,
    ]),
    ...range(C).map((j) => `let b${j} = min(col0 + ${j}u, p.Cin - 1u) * CO;`),
  ];
  const taps = range(R).flatMap((i) => [
    `let oy${i} = qy${i} - i32(jh);`,
    `let ox${i} = qx${i} - i32(jw);`,
    `let ok${i} = u32(oy${i}) < p.Ho && u32(ox${i}) < p.Wo;`,
    `let o${i} = select(0u, ((dn${i} + u32(oy${i})) * p.Wo + u32(ox${i})) * CO, ok${i});`,
  ]);
  const bLoads = range(C).map((j) => `let bv${j} = Wt[wb + b${j} + c];`).join("\n        ");
  const inner = vec
    ? `${bLoads}
        ${
      multiplyAdd(
        blk,
        4,
        (i, kk) => `av${i}.${comp(kk)}`,
        (kk, v) => `vec4<f32>(${range(4).map((t) => `bv${4 * v + t}.${comp(kk)}`).join(", ")})`,
        (i) => [`let av${i} = select(vec4<f32>(), DY[o${i} + c], ok${i});`],
      )
    }`
    : `${bLoads}
        ${range(C / 4).map((v) => `let bq${v} = ${columnVec(v)};`).join("\n        ")}
        ${
      multiplyAdd(
        blk,
        1,
        (i) => `av${i}`,
        (_, v) => `bq${v}`,
        (i) => [`let av${i} = select(0.0, DY[o${i} + c], ok${i});`],
      )
    }`;
  const loop = `for (var jh = 0u; jh < p.KHp; jh++) {
    for (var jw = 0u; jw < p.KWp; jw++) {
      ${taps.join("\n      ")}
      let wb = ((p.rh + jh * p.S) * p.KW + p.rw + jw * p.S) * p.Cin * CO;
      for (var c = 0u; c < CO; c++) {
        ${inner}
      }
    }
  }`;
  const store = storeBlock(blk, "DX", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `((n${i} * p.H + p.ih0 + th${i} * p.S) * p.W + p.iw0 + tw${i} * p.S) * p.Cin`,
  });
  return cpuKernel(blk, setup, loop, store);
}

/**
 * Weight gradient: rows are (kh, kw, ci), columns Cout, the K loop runs over output pixels.
 * With vec4, x is read as 4 consecutive input channels (4 rows sharing one tap).
 */
function weightGradCpu(blk: CpuBlock, vec: boolean): string {
  const R = blk.rows;
  const C = blk.cols;
  const u = vec ? 4 : 1;
  const g = vec ? R / 4 : R;
  const rowSetup = range(g).flatMap((r) => [
    vec
      ? `let r${r} = min(row0 / 4u + ${r}u, p.M / 4u - 1u) * 4u;`
      : `let r${r} = min(row0 + ${r}u, p.M - 1u);`,
    `let ci${r} = r${r} % p.Cin / ${u}u;`,
    `let t${r} = r${r} / p.Cin;`,
    `let kx${r} = i32(t${r} % p.KW) - i32(p.P);`,
    `let ky${r} = i32(t${r} / p.KW) - i32(p.P);`,
  ]);
  const setup = [
    `let CI = p.Cin / ${u}u;`,
    `let CO = p.Cout / ${u}u;`,
    ...rowSetup,
    ...(vec
      ? range(C / 4).map((v) => `let b${v} = min(col0 / 4u + ${v}u, CO - 1u);`)
      : range(C).map((j) => `let b${j} = min(col0 + ${j}u, p.Cout - 1u);`)),
  ];
  const rowTaps = range(g).flatMap((r) => [
    `let iy${r} = i32(oh * p.S) + ky${r};`,
    `let oky${r} = u32(iy${r}) < p.H;`,
    `let xr${r} = (n * p.H + u32(iy${r})) * p.W;`,
  ]);
  const zero = vec ? "vec4<f32>()" : "0.0";
  const aLoad = (r: number) => [
    `let ix${r} = ix + kx${r};`,
    `let ok${r} = oky${r} && u32(ix${r}) < p.W;`,
    `let av${r} = select(${zero}, X[select(0u, (xr${r} + u32(ix${r})) * CI + ci${r}, ok${r})], ok${r});`,
  ];
  const inner = vec
    ? `${range(C / 4).map((v) => `let bv${v} = DY[d + b${v}];`).join("\n          ")}
          ${
      multiplyAdd(
        blk,
        1,
        (i) => `av${i >> 2}.${comp(i & 3)}`,
        (_, v) => `bv${v}`,
        (i) => (i % 4 === 0 ? aLoad(i / 4) : []),
      )
    }`
    : `${range(C).map((j) => `let bv${j} = DY[d + b${j}];`).join("\n          ")}
          ${range(C / 4).map((v) => `let bq${v} = ${columnVec(v)};`).join("\n          ")}
          ${multiplyAdd(blk, 1, (i) => `av${i}`, (_, v) => `bq${v}`, aLoad)}`;
  const loop = `let n0 = wid.z * p.nPer;
  var pix = n0 * p.Ho * p.Wo;
  for (var n = n0; n < min(n0 + p.nPer, p.Nb); n++) {
    for (var oh = 0u; oh < p.Ho; oh++) {
      ${rowTaps.join("\n      ")}
      for (var ow = 0u; ow < p.Wo; ow++) {
        let ix = i32(ow * p.S);
        let d = pix * CO;
        ${inner}
        pix++;
      }
    }
  }`;
  const store = storeBlock(blk, "DW", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `(wid.z * p.M + row0 + ${i}u) * p.Cout`,
  });
  return cpuKernel(blk, setup, loop, store);
}

/** The cpu-family entry point of each kind, for a register block, with or without vec4. */
export const CPU_SOURCES: Record<ConvKind, (blk: CpuBlock, vec: boolean) => string> = {
  fwd: forwardCpu,
  dx: inputGradCpu,
  dw: weightGradCpu,
};

/** Decodes output pixel `m` into `nb`, `oh`, `ow` (gpu family loaders). */
const PIXEL = "let hw = p.Ho * p.Wo; let nb = m / hw; let oh = m % hw / p.Wo; let ow = m % p.Wo;";

/** The loaders and store of each kind for the tiled GEMM. */
export const GPU_SPECS: Record<ConvKind, TiledSpec> = {
  fwd: {
    loadA: `${PIXEL}
  let ci = k % p.Cin; let t = k / p.Cin;
  let iy = i32(oh * p.S + t / p.KW) - i32(p.P);
  let ix = i32(ow * p.S + t % p.KW) - i32(p.P);
  if (u32(iy) >= p.H || u32(ix) >= p.W) { return 0.0; }
  return X[((nb * p.H + u32(iy)) * p.W + u32(ix)) * p.Cin + ci];`,
    loadB: "return Wt[k * p.Cout + n];",
    storeC: "Y[m * p.Cout + n] = v;",
    aAlongK: "true",
    bAlongK: "false",
  },
  dx: {
    helpers: `fn tap(k: u32) -> vec3<u32> {
  let t = k / p.Cout;
  return vec3<u32>(t / p.KWp, t % p.KWp, k % p.Cout);
}`,
    loadA: `let hw = p.Hq * p.Wq; let nb = m / hw; let th = m % hw / p.Wq; let tw = m % p.Wq;
  let j = tap(k);
  let oy = i32(p.qh0 + th) - i32(j.x);
  let ox = i32(p.qw0 + tw) - i32(j.y);
  if (u32(oy) >= p.Ho || u32(ox) >= p.Wo) { return 0.0; }
  return DY[((nb * p.Ho + u32(oy)) * p.Wo + u32(ox)) * p.Cout + j.z];`,
    loadB: `let j = tap(k);
  let kh = p.rh + j.x * p.S; let kw = p.rw + j.y * p.S;
  return Wt[((kh * p.KW + kw) * p.Cin + n) * p.Cout + j.z];`,
    storeC: `let hw = p.Hq * p.Wq; let nb = m / hw; let th = m % hw / p.Wq; let tw = m % p.Wq;
  DX[((nb * p.H + p.ih0 + th * p.S) * p.W + p.iw0 + tw * p.S) * p.Cin + n] = v;`,
    aAlongK: "true",
    bAlongK: "true",
  },
  dw: {
    loadA: `let ci = m % p.Cin; let t = m / p.Cin;
  let hw = p.Ho * p.Wo; let kg = b * p.K + k;
  let nb = kg / hw; let oh = kg % hw / p.Wo; let ow = kg % p.Wo;
  if (nb >= p.Nb) { return 0.0; }
  let iy = i32(oh * p.S + t / p.KW) - i32(p.P);
  let ix = i32(ow * p.S + t % p.KW) - i32(p.P);
  if (u32(iy) >= p.H || u32(ix) >= p.W) { return 0.0; }
  return X[((nb * p.H + u32(iy)) * p.W + u32(ix)) * p.Cin + ci];`,
    loadB: `let kg = b * p.K + k;
  if (kg >= p.Nb * p.Ho * p.Wo) { return 0.0; }
  return DY[kg * p.Cout + n];`,
    storeC: "DW[(b * p.M + m) * p.Cout + n] = v;",
    aAlongK: "false",
    bAlongK: "false",
  },
};
