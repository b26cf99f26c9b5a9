import type { UnaryOp } from "../../gpu/kernels/mod.ts";
import { binaryRef, unaryRef } from "../../gpu/kernels/elementwise_ref.ts";
import type { Tensor } from "../../gpu/tensor.ts";
import type { Tape } from "../tape.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { awayFromZero, checkGradients } from "../_testing.ts";
import {
  add,
  addScalar,
  div,
  leakyRelu,
  mul,
  relu,
  scale,
  sigmoid,
  softplus,
  sub,
  tanh,
  unaryOp,
} from "./elementwise.ts";

const rng = new Rng(7);

const BROADCASTS: [number[], number[]][] = [
  [[7, 13], [7, 13]],
  [[4, 1, 5], [3, 1]],
  [[1], [2, 3]],
  [[6, 3], [3]],
];

for (const [name, fn] of [["add", add], ["sub", sub], ["mul", mul]] as const) {
  gpuTest(`${name}: gradients with broadcasting match finite differences`, async (gpu) => {
    for (const [sa, sb] of BROADCASTS) {
      await checkGradients(gpu, {
        name: `${name} [${sa}] [${sb}]`,
        inputs: [
          { shape: sa, data: rng.uniformArray(size(sa)) },
          { shape: sb, data: rng.uniformArray(size(sb)) },
        ],
        op: (t, [a, b]) => fn(t, a, b),
        ref: ([a, b]) => binaryRef(name, a, sa, b, sb).data,
      });
    }
  });
}

gpuTest("div: gradients with broadcasting match finite differences", async (gpu) => {
  for (const [sa, sb] of BROADCASTS) {
    await checkGradients(gpu, {
      name: `div [${sa}] [${sb}]`,
      inputs: [
        { shape: sa, data: rng.uniformArray(size(sa)) },
        { shape: sb, data: rng.uniformArray(size(sb), 0.5, 2) },
      ],
      op: (t, [a, b]) => div(t, a, b),
      ref: ([a, b]) => binaryRef("div", a, sa, b, sb).data,
    });
  }
});

gpuTest("activations and scalar maps: gradients match finite differences", async (gpu) => {
  const shape = [3, 11];
  const cases: [string, (t: Tape, x: Tensor) => Tensor, UnaryOp, number][] = [
    ["relu", relu, "relu", 0],
    ["leaky_relu", (t, x) => leakyRelu(t, x, 0.2), "leaky_relu", 0.2],
    ["tanh", tanh, "tanh", 0],
    ["sigmoid", sigmoid, "sigmoid", 0],
    ["softplus", softplus, "softplus", 0],
    ["scale", (t, x) => scale(t, x, -2.5), "scale", -2.5],
    ["add_scalar", (t, x) => addScalar(t, x, 0.75), "add_scalar", 0.75],
    ["abs", (t, x) => unaryOp(t, "abs", x), "abs", 0],
    ["exp", (t, x) => unaryOp(t, "exp", x), "exp", 0],
    ["square", (t, x) => unaryOp(t, "square", x), "square", 0],
  ];
  for (const [name, fn, op, alpha] of cases) {
    await checkGradients(gpu, {
      name,
      inputs: [{ shape, data: awayFromZero(rng, size(shape), 0.05, -3, 3) }],
      op: (t, [x]) => fn(t, x),
      ref: ([x]) => unaryRef(op, x, alpha),
    });
  }
  for (const op of ["log", "sqrt"] as const) {
    await checkGradients(gpu, {
      name: op,
      inputs: [{ shape, data: rng.uniformArray(size(shape), 0.5, 3) }],
      op: (t, [x]) => unaryOp(t, op, x),
      ref: ([x]) => unaryRef(op, x),
    });
  }
});

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
