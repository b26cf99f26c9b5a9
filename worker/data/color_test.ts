import { assert, assertAllClose, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import {
  D65_WHITE,
  labToRgb,
  labToUnit,
  rgbToLab,
  SRGB_TO_XYZ,
  unitToLab,
  XYZ_TO_SRGB,
} from "./color.ts";

Deno.test("rgbToLab gives the known values of white, black, red and mid grey", () => {
  const lab = rgbToLab(new Float32Array([1, 1, 1, 0, 0, 0, 1, 0, 0, 0.5, 0.5, 0.5]));
  assertAllClose(lab.subarray(0, 3), [100, 0, 0], { atol: 1e-3 });
  assertAllClose(lab.subarray(3, 6), [0, 0, 0], { atol: 1e-5 });
  assertAllClose(lab.subarray(6, 9), [53.2408, 80.0925, 67.2032], { atol: 1e-3 });
  assertAllClose(lab.subarray(9, 12), [53.38896, 0, 0], { atol: 1e-3 });
});

Deno.test("the white point and the inverse matrix are consistent", () => {
  assertAllClose(D65_WHITE, [0.95047, 1, 1.08883], { atol: 1e-6 });
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += SRGB_TO_XYZ[3 * r + k] * XYZ_TO_SRGB[3 * k + c];
      assert(Math.abs(s - (r === c ? 1 : 0)) < 1e-12, `M·M⁻¹ [${r},${c}] = ${s}`);
    }
  }
});

Deno.test("rgb → lab → rgb round-trips random colours", () => {
  const rng = new Rng(3);
  const rgb = rng.uniformArray(3 * 5000, 0, 1);
  rgb.set([0, 0, 0, 1, 1, 1, 0.001, 0.002, 0.003, 1, 0, 1]);
  assertAllClose(labToRgb(rgbToLab(rgb)), rgb, { atol: 1e-4, rtol: 0 });
});

Deno.test("grey pixels have a = b = 0 and L rising with the grey level", () => {
  const levels = [0, 0.01, 0.04, 0.1, 0.3, 0.6, 0.9, 1];
  const lab = rgbToLab(new Float32Array(levels.flatMap((v) => [v, v, v])));
  for (let i = 0; i < levels.length; i++) {
    assert(Math.abs(lab[3 * i + 1]) < 1e-3 && Math.abs(lab[3 * i + 2]) < 1e-3, `grey ${i}`);
    if (i > 0) assert(lab[3 * i] > lab[3 * i - 3], `L not increasing at ${levels[i]}`);
  }
});

Deno.test("labToRgb clamps out-of-gamut colours to [0, 1]", () => {
  const rgb = labToRgb(new Float32Array([50, 127, -127, 100, -128, 127, 0, 100, 0]));
  for (const v of rgb) assert(v >= 0 && v <= 1, `value ${v}`);
});

Deno.test("labToUnit maps L/100, (a+128)/255, (b+128)/255 and unitToLab inverts it", () => {
  const lab = new Float32Array([100, -128, 127, 0, 0, 0, 53.24, 80.09, 67.2]);
  const unit = labToUnit(lab);
  assertAllClose(unit.subarray(0, 6), [1, 0, 1, 0, 128 / 255, 128 / 255]);
  assertAllClose(unitToLab(unit), lab, { atol: 1e-4 });
});

Deno.test("colour functions reject arrays that are not 3 values per pixel", () => {
  assertThrows(() => rgbToLab(new Float32Array(4)), RangeError, "3 values per pixel");
  assertThrows(() => unitToLab(new Float32Array(2)), RangeError, "unitToLab");
});
