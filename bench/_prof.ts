import { Gpu } from "../worker/gpu/device.ts";
import { Rng } from "../worker/gpu/rng.ts";
import { Adam, ops, Tape, UNetDecoder, UNetEncoder } from "../worker/nn/mod.ts";
const gpu = await Gpu.create({ log: null });
const rng = new Rng(1);
const x = gpu.tensor(rng.uniformArray(16 * 32 * 32 * 3, 0, 1), [16, 32, 32, 3]);
const W = [16, 32, 64];
const enc = new UNetEncoder(gpu, rng, { inChannels: 3, widths: W });
const dec = new UNetDecoder(gpu, rng, { widths: W, outChannels: 3 });
const opt = new Adam(gpu, [...enc.parameters("e."), ...dec.parameters("d.")]);
const step = () => {
  const tape = new Tape(gpu);
  const loss = ops.l1Loss(tape, dec.forward(tape, enc.forward(tape, x)), x);
  opt.minimize(tape, loss);
  tape.dispose();
};
for (let i = 0; i < 3; i++) { step(); await gpu.sync(); }
const d0 = gpu.counters.dispatches;
let t0 = performance.now();
step();
const rec = performance.now() - t0;
console.log("dispatches/step", gpu.counters.dispatches - d0, "record ms", rec.toFixed(1));
t0 = performance.now();
await gpu.sync();
console.log("first sync ms", (performance.now() - t0).toFixed(1));
t0 = performance.now();
for (let i = 0; i < 10; i++) { step(); gpu.submit(); }
await gpu.sync();
console.log("per step ms", ((performance.now() - t0) / 10).toFixed(1));
