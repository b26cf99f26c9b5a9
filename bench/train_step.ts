/**
 * The "train-step" case of the kernel benchmarks: one full training step (forward, backward,
 * Adam) of a small convolutional U-Net encoder–decoder (32×32×3 input, widths 16/32/64, 4×4
 * stride-2 convolutions, LeakyReLU 0.2, skips, L1 reconstruction loss), batch 16, measured in
 * samples per second: the engine's autograd against the same net written with TF.js ops and
 * `tf.train.adam` on the same adapter in the same process, starting from identical weights.
 *
 * tfjs-core registers no gradients by itself, and its `register_all_gradients` module cannot
 * be loaded under Deno (extensionless ESM imports), so the gradients this net needs are
 * registered here, transcribed from tfjs-core 4.22 `src/gradients/*_grad.ts`.
 * @module
 */
import type * as tfjs from "@tensorflow/tfjs-core";
import { Adam, ops, Tape, UNetDecoder, UNetEncoder } from "../worker/nn/mod.ts";
import type { KernelCase } from "./kernels.ts";
import type { TfjsPeer } from "./lib.ts";
import { type Tensor } from "../worker/gpu/mod.ts";
import { Rng } from "../worker/lib/mod.ts";

const BATCH = 16;
const SIZE = 32;
const CHANNELS = 3;
const WIDTHS = [16, 32, 64];
const SLOPE = 0.2;
const LR = 1e-3;

type Tf = TfjsPeer["tf"];
type Gradients = ReturnType<tfjs.GradConfig["gradFunc"]>;
type GradFn = (
  dy: tfjs.Tensor,
  saved: tfjs.Tensor[],
  attrs: tfjs.NamedAttrMap,
) => Gradients;

/** The "train-step" case: samples per second of one training step. */
export const trainStepCase: KernelCase = {
  name: "train-step",
  metric: "samples/s",
  samples: BATCH,
  prepare(ctx) {
    const { gpu, rng } = ctx;
    const tf = ctx.tfjs.tf;
    registerGradients(tf);
    const data = rng.uniformArray(BATCH * SIZE * SIZE * CHANNELS, 0, 1);
    const shape = [BATCH, SIZE, SIZE, CHANNELS];
    const x = gpu.tensor(data, shape);
    const xPeer = tf.tensor4d(data, shape as [number, number, number, number]);
    const netRng = new Rng(7);
    const enc = new UNetEncoder(gpu, netRng, {
      inChannels: CHANNELS,
      widths: WIDTHS,
      slope: SLOPE,
    });
    const dec = new UNetDecoder(gpu, netRng, {
      widths: WIDTHS,
      outChannels: CHANNELS,
      slope: SLOPE,
    });
    const params = [...enc.parameters("enc."), ...dec.parameters("dec.")];
    const opt = new Adam(gpu, params, { lr: LR });
    const vars = params.map((p) => tf.variable(tf.zeros(p.tensor.shape as number[]), true, p.name));
    const peerOpt = tf.train.adam(LR);

    const oursStep = (): Tensor => {
      const tape = new Tape(gpu);
      const loss = ops.l1Loss(tape, dec.forward(tape, enc.forward(tape, x)), x);
      opt.minimize(tape, tape.keep(loss));
      tape.dispose();
      gpu.submit();
      return loss;
    };
    const peerLoss = () => peerForward(tf, vars, xPeer);
    return {
      ours: () => oursStep().dispose(),
      peer: () => {
        peerOpt.minimize(peerLoss, false, vars);
      },
      async check() {
        for (const [i, p] of params.entries()) {
          vars[i].assign(tf.tensor(await p.tensor.read(), vars[i].shape));
        }
        const a = oursStep();
        const b = peerOpt.minimize(peerLoss, true, vars)!;
        const [la, lb] = [(await a.read())[0], (await b.data())[0]];
        a.dispose();
        b.dispose();
        return Math.abs(la - lb) / Math.max(1, Math.abs(lb));
      },
      dispose() {
        x.dispose();
        xPeer.dispose();
        enc.dispose();
        dec.dispose();
        opt.dispose();
        for (const v of vars) v.dispose();
        peerOpt.dispose();
      },
    };
  },
};

/** The TF.js twin of `UNetDecoder.forward(UNetEncoder.forward(x))` and its L1 loss. */
function peerForward(tf: Tf, vars: tfjs.Variable[], x: tfjs.Tensor4D): tfjs.Scalar {
  const next = (() => {
    let i = 0;
    return () => [vars[i++], vars[i++]] as [tfjs.Tensor4D, tfjs.Tensor1D];
  })();
  const feats: tfjs.Tensor4D[] = [];
  let h: tfjs.Tensor4D = x;
  for (let l = 0; l < WIDTHS.length; l++) {
    const [w, b] = next();
    h = tf.leakyRelu(tf.add(tf.conv2d(h, w, 2, 1), b), SLOPE);
    feats.push(h);
  }
  for (let l = WIDTHS.length - 1; l >= 0; l--) {
    if (l < WIDTHS.length - 1) h = tf.concat([h, feats[l]], 3);
    const [w, b] = next();
    const [n, hh, ww] = h.shape;
    const out: [number, number, number, number] = [n, hh * 2, ww * 2, w.shape[2]];
    h = tf.add(tf.conv2dTranspose(h, w, out, 2, "same"), b);
    if (l > 0) h = tf.leakyRelu(h, SLOPE);
  }
  return tf.mean(tf.abs(tf.sub(h, x)));
}

let registered = false;

/** Registers the TF.js gradients the net needs (transcribed from tfjs-core's own). */
function registerGradients(tf: Tf): void {
  if (registered) return;
  registered = true;
  const conv2DBackpropFilter = (
    x: tfjs.Tensor,
    dy: tfjs.Tensor,
    filterShape: number[],
    attrs: tfjs.NamedAttrMap,
  ) =>
    tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
      strides: attrs.strides,
      pad: attrs.pad,
      dataFormat: attrs.dataFormat,
      dimRoundingMode: attrs.dimRoundingMode,
      filterShape,
    }) as tfjs.Tensor;
  const reduceTo = (dy: tfjs.Tensor, shape: number[]) => {
    const out = tf.broadcast_util.assertAndGetBroadcastShape(shape, dy.shape);
    const axes = tf.broadcast_util.getReductionAxes(shape, out);
    return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
  };
  const register = (kernelName: string, inputsToSave: string[] | null, gradFunc: GradFn) =>
    tf.registerGradient({
      kernelName,
      ...(inputsToSave ? { inputsToSave } : { saveAllInputs: true }),
      gradFunc: (dy, saved, attrs) => gradFunc(dy as tfjs.Tensor, saved, attrs),
    });
  register(tf.Conv2D, ["x", "filter"], (dy, [x, filter], attrs) => ({
    x: () =>
      tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, {
        ...attrs,
        inputShape: x.shape,
      }) as tfjs.Tensor,
    filter: () => conv2DBackpropFilter(x, dy, filter.shape, attrs),
  }));
  register(tf.Conv2DBackpropInput, ["dy", "filter"], (ddx, [dy, filter], attrs) => ({
    dy: () =>
      tf.conv2d(
        ddx as tfjs.Tensor4D,
        filter as tfjs.Tensor4D,
        attrs.strides as number,
        attrs.pad as number | "same" | "valid",
      ),
    filter: () => conv2DBackpropFilter(ddx, dy, filter.shape, attrs),
  }));
  register(tf.LeakyRelu, ["x"], (dy, [x], attrs) => ({
    x: () => tf.where(tf.greater(x, 0), dy, tf.mul(dy, attrs.alpha as number)),
  }));
  register(tf.Add, ["a", "b"], (dy, [a, b]) => ({
    a: () => reduceTo(dy, a.shape),
    b: () => reduceTo(dy, b.shape),
  }));
  register(tf.Sub, ["a", "b"], (dy, [a, b]) => ({
    a: () => reduceTo(dy, a.shape),
    b: () => tf.neg(reduceTo(dy, b.shape)),
  }));
  register(tf.Abs, ["x"], (dy, [x]) => ({
    x: () => tf.mul(dy, tf.step(tf.cast(x, "float32"), -1)),
  }));
  register(tf.Mean, ["x"], (dy, [x], attrs) => {
    const axes = tf.util.parseAxisParam(attrs.axis as number[], x.shape);
    const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    return { x: () => tf.div(tf.mul(tf.reshape(dy, keep), tf.ones(x.shape, "float32")), count) };
  });
  register(tf.Concat, null, (dy, saved, attrs) => {
    const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0].shape)[0];
    const parts = tf.split(dy, saved.map((t) => t.shape[axis]), axis);
    return parts.map((t) => () => t) as unknown as Gradients;
  });
  register(tf.Reshape, ["x"], (dy, [x]) => ({ x: () => tf.reshape(dy, x.shape) }));
}
