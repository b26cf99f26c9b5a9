/**
 * Helpers for generating WGSL: float literals and the shared point-direction prologue.
 */

/** A WGSL float literal for `x` (9 significant digits, parenthesised when negative). */
export function lit(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`Cannot write ${x} as a WGSL literal`);
  const s = x.toPrecision(9);
  const t = s.includes(".") || s.includes("e") ? s : `${s}.0`;
  return x < 0 ? `(${t})` : t;
}

/**
 * WGSL statements that derive, from `x, y, z`, the radius `r`, `r2`, cos/sin of the
 * colatitude (`ct`, `st`) and of the azimuth (`cp`, `sp`) without trigonometric inverses
 * (r = 0 maps to +z, the poles to φ = 0).
 */
export const DIRECTION_WGSL = `
    let rxy2 = x * x + y * y;
    let r2 = rxy2 + z * z;
    let r = sqrt(r2);
    let rxy = sqrt(rxy2);
    let ir = select(0.0, 1.0 / r, r > 0.0);
    let ct = select(1.0, z * ir, r > 0.0);
    let st = rxy * ir;
    let ixy = select(0.0, 1.0 / rxy, rxy > 0.0);
    let cp = select(1.0, x * ixy, rxy > 0.0);
    let sp = y * ixy;`;

/** The linear invocation index for a 1-D dispatch split by `grid1d` (workgroup size 64). */
export const LINEAR_INDEX_WGSL = "let t = gid.x + gid.y * nwg.x * 64u;";
