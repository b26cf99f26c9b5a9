import { conv2dRef, convTranspose2dRef } from "../../gpu/kernels/conv_ref.ts";
import { binaryRef } from "../../gpu/kernels/elementwise_ref.ts";
import {
  convGeometry,
  convOutputShape,
  convTransposeOutputShape,
} from "../../gpu/kernels/conv_shape.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { checkGradients } from "../_testing.ts";
import { conv2d, convTranspose2d } from "./conv.ts";

const rng = new Rng(47);

gpuTest("conv2d: gradients w.r.t. input, weight and optional bias", async (gpu) => {
  const xs = [1, 7, 5, 3];
  const ws = [3, 3, 3, 2];
  for (const bias of [false, true]) {
    for (const o of [{ stride: 1, padding: 1 }, { stride: 2, padding: 0 }]) {
      const ys = convOutputShape(convGeometry("conv2d", xs, ws, o));
      await checkGradients(gpu, {
        name: `conv2d bias=${bias} s${o.stride} p${o.padding}`,
        inputs: [
          { shape: xs, data: rng.uniformArray(105) },
          { shape: ws, data: rng.uniformArray(54) },
          ...(bias ? [{ shape: [2], data: rng.uniformArray(2) }] : []),
        ],
        op: (t, [x, w, b]) => conv2d(t, x, w, b, o),
        ref: ([x, w, b]) => {
          const y = conv2dRef(x, xs, w, ws, o);
          return b ? binaryRef("add", y, ys, b, [2]).data : y;
        },
      });
    }
  }
});

gpuTest("convTranspose2d: gradients w.r.t. input, weight and optional bias", async (gpu) => {
  const xs = [2, 3, 4, 3];
  const ws = [4, 4, 2, 3];
  for (const bias of [false, true]) {
    for (const o of [{ stride: 2, padding: 1 }, { stride: 2, padding: 1, outputPadding: 1 }]) {
      const ys = convTransposeOutputShape("convTranspose2d", xs, ws, o);
      await checkGradients(gpu, {
        name: `convTranspose2d bias=${bias} op${o.outputPadding ?? 0}`,
        inputs: [
          { shape: xs, data: rng.uniformArray(72) },
          { shape: ws, data: rng.uniformArray(96) },
          ...(bias ? [{ shape: [2], data: rng.uniformArray(2) }] : []),
        ],
        op: (t, [x, w, b]) => convTranspose2d(t, x, w, b, o),
        ref: ([x, w, b]) => {
          const y = convTranspose2dRef(x, xs, w, ws, o);
          return b ? binaryRef("add", y, ys, b, [2]).data : y;
        },
      });
    }
  }
});
