"""PyTorch eager peer of the toy cGML training step (bench suite `cgml`, device-check step
`cgml-step`).

One step of Algorithm 1 as worker/cgml/train.ts runs it (worker/cgml/README.md), with the shapes
and hyper-parameters of the engine's CgmlConfig, passed as JSON in --config so that both sides
use the same values. MLP family: H: x -> h, G: [h, z] -> y, Z: [z, h] -> (r, rho = softplus),
each three linear layers with LeakyReLU between them, initialised like the engine's FusedMlp.
A minibatch of B pairs gets fresh latents z0 uniform on the sphere S^(d-1); then l inner steps:
  1. z-step: E = per-sample L1(G(H(x), z_t), y); z_{t+1} = normalize(z_t - beta grad_z sum E),
     autograd with respect to z alone (H, G, Z frozen);
  2. Z-step: rho_t = alpha |z_{t+1} - z_t|; one Adam step of Z on L1(Z(z_t, H(x)), (z_{t+1},
     rho_t)), H(x) detached;
  3. H/G-step: one Adam step of H and G on L1(G(H(x), z_{t+1}), y) (with `updateHGOnce`: once,
     after the l steps, on the H(x) of the first);
and the four loss terms summed on the device (fit, mover, start, rho: no host sync inside a
step), like the engine's accumulator. fp32, eager mode, torch.optim.Adam as it comes, TF32 off
on CUDA. The pairs stay on the device (a slice per step; the engine uploads each minibatch).
Timing as torch_peer.py: warm-up, calibration to ~0.3 s per sample, median of 5 samples, one
device sync per sample.

Usage: python3 bench/device/torch_cgml.py --config JSON [--device cuda|cpu] [--pairs N]
Prints JSON lines: a `device` line, then the `cgml-toy-step` case (steps/s, the mean loss terms
of 10 further steps, and on CUDA the GPU operations one step runs), or one line saying `skipped`
when PyTorch is not installed.
"""

import argparse
import json
import math
import sys

from torch_peer import emit, timed

CASE = "cgml-toy-step"


def check_config(c):
    """Refuses what this peer does not implement; returns the config."""
    need = ["inDim", "outDim", "latentDim", "embedDim", "leakySlope", "innerSteps", "beta",
            "alpha", "batchSize", "H", "G", "Z", "optimHG", "optimZ"]
    missing = [k for k in need if k not in c]
    if missing:
        raise ValueError(f"Cannot use --config: missing {', '.join(missing)}")
    if c.get("method", "cgml") != "cgml" or c.get("family", "mlp") != "mlp":
        raise ValueError("Cannot use --config: only method cgml with the mlp family")
    if c.get("latents", "fresh") != "fresh":
        raise ValueError("Cannot use --config: only fresh latents")
    if any(c[n].get("spectralNorm") for n in ("H", "G", "Z")):
        raise ValueError("Cannot use --config: spectral normalisation is not implemented here")
    return c


def mlp(torch, sizes, slope, scale, softplus_last):
    """Three (or more) linear layers, LeakyReLU between them; weights U(+-g sqrt(3/fanIn))."""
    nn = torch.nn
    F = nn.functional
    layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
    gain = math.sqrt(2 / (1 + slope * slope))
    with torch.no_grad():
        for i, lin in enumerate(layers):
            g = gain if i < len(layers) - 1 else 1.0
            bound = g * math.sqrt(3 / lin.in_features)
            lin.weight.uniform_(-bound, bound)
            lin.bias.zero_()

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = layers

        def forward(self, a, b=None):
            h = a if b is None else torch.cat([a, b], 1)
            for i, lin in enumerate(self.layers):
                h = lin(h)
                if i < len(self.layers) - 1:
                    h = F.leaky_relu(h, slope)
            if scale != 1:
                h = h * scale
            if softplus_last:
                h = torch.cat([h[:, :-1], F.softplus(h[:, -1:])], 1)
            return h

    return Mlp()


def adam(torch, params, o):
    return torch.optim.Adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"])


class ToyCgml:
    """H, G, Z, their optimisers, the pairs and the loss accumulator on one device."""

    def __init__(self, torch, c, dev, pairs):
        self.torch, self.c, self.dev = torch, c, dev
        d, e, s = c["latentDim"], c["embedDim"], c["leakySlope"]

        def net(n, sizes, softplus_last=False):
            return mlp(torch, sizes, s, c[n].get("outputScale", 1), softplus_last).to(dev)

        self.H = net("H", [c["inDim"], c["H"]["width"], c["H"]["width"], e])
        self.G = net("G", [e + d, c["G"]["width"], c["G"]["width"], c["outDim"]])
        self.Z = net("Z", [d + e, c["Z"]["width"], c["Z"]["width"], d + 1], True)
        self.opt_hg = adam(torch, [*self.H.parameters(), *self.G.parameters()], c["optimHG"])
        self.opt_z = adam(torch, self.Z.parameters(), c["optimZ"])
        b = c["batchSize"]
        self.batches = max(1, pairs // b)
        self.x = torch.rand(self.batches * b, c["inDim"], device=dev) * 2 - 1
        self.y = torch.rand(self.batches * b, c["outDim"], device=dev) * 2 - 1
        self.acc = torch.zeros(4, device=dev)
        self.counts = [0, 0, 0, 0]
        self.next_batch = 0

    def step(self):
        """One Algorithm-1 step on the next minibatch; enqueues device work, never syncs."""
        torch, c = self.torch, self.c
        b, d = c["batchSize"], c["latentDim"]
        s = self.next_batch * b
        self.next_batch = (self.next_batch + 1) % self.batches
        x, y = self.x[s:s + b], self.y[s:s + b]
        z = torch.randn(b, d, device=self.dev)
        z = z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)
        once = c.get("updateHGOnce", False)
        h = None
        for t in range(c["innerSteps"]):
            if h is None:
                h = self.H(x)
            hd = h.detach()
            zg = z.detach().requires_grad_(True)
            err = (self.G(hd, zg) - y).abs().mean(1)
            (grad,) = torch.autograd.grad(err.sum(), zg)
            with torch.no_grad():
                if t == 0:
                    self._add(2, err.mean())
                v = z - c["beta"] * grad
                nxt = v / v.norm(dim=1, keepdim=True).clamp_min(1e-12)
                rho = c["alpha"] * (nxt - z).norm(dim=1, keepdim=True)
                target = torch.cat([nxt, rho], 1)
                self._add(3, rho.mean())
            self.opt_z.zero_grad(set_to_none=True)
            mover = (self.Z(z, hd) - target).abs().mean()
            mover.backward()
            self.opt_z.step()
            self._add(1, mover.detach())
            z = nxt
            if not once or t == c["innerSteps"] - 1:
                self.opt_hg.zero_grad(set_to_none=True)
                fit = (self.G(h, z) - y).abs().mean()
                fit.backward()
                self.opt_hg.step()
                self._add(0, fit.detach())
                h = None

    def _add(self, slot, value):
        self.acc.select(0, slot).add_(value)
        self.counts[slot] += 1

    def losses(self, steps, sync):
        """Mean loss terms over `steps` further steps (one sync)."""
        self.acc.zero_()
        self.counts = [0, 0, 0, 0]
        for _ in range(steps):
            self.step()
        sync()
        sums = self.acc.tolist()
        names = ["fit", "mover", "start", "rho"]
        return {n: round(sums[i] / max(1, self.counts[i]), 4) for i, n in enumerate(names)}


def gpu_ops_per_step(torch, model, sync):
    """GPU kernels, copies and fills one step runs (CUDA profiler); None where it fails."""
    try:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            model.step()
            sync()
        cuda = torch.autograd.DeviceType.CUDA
        return sum(1 for e in prof.events() if e.device_type == cuda) or None
    except Exception:  # noqa: BLE001 - a count, not a result: leave it out where unavailable
        return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", required=True, help="the engine's CgmlConfig as JSON")
    p.add_argument("--device", default=None)
    p.add_argument("--pairs", type=int, default=8192, help="pairs kept on the device")
    args = p.parse_args()
    try:
        config = check_config(json.loads(args.config))
    except ValueError as e:  # json.JSONDecodeError is a ValueError too
        print(e if str(e).startswith("Cannot") else f"Cannot use --config: {e}", file=sys.stderr)
        sys.exit(2)
    try:
        import torch
    except ImportError as e:
        emit({"peer": "pytorch", "case": CASE, "skipped": f"PyTorch is not installed ({e})"})
        return
    dev = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    cuda = dev == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    name = torch.cuda.get_device_name(0) if cuda else f"cpu ({torch.get_num_threads()} threads)"
    emit({"peer": "pytorch", "case": "device", "torch": torch.__version__, "device": name})
    torch.manual_seed(config.get("seed", 1))
    model = ToyCgml(torch, config, dev, args.pairs)
    seconds = timed(torch, model.step, sync)
    record = {
        "peer": "pytorch",
        "case": CASE,
        "metric": "steps/s",
        "value": round(1 / seconds, 2),
        "tf32": False,
        "device": dev,
        "losses": model.losses(10, sync),
    }
    if cuda:
        record["gpu_ops_per_step"] = gpu_ops_per_step(torch, model, sync)
    emit(record)


if __name__ == "__main__":
    main()
