"""PyTorch peer of the kernel benchmark (device-check step `torch`).

The same cases as `deno task bench kernels`, in fp32: n^3 matrix products, the conv layer of
the benchmark (batch 16, 32x32x32 -> 64 channels, 4x4, stride 2, padding 1) forward, input
gradient and weight gradient, and one training step (forward, backward, Adam) of the same
U-Net encoder-decoder (32x32x3 input, widths 16/32/64, 4x4 stride-2 convolutions, LeakyReLU
0.2, skips, L1 reconstruction loss, batch 16). On CUDA each case is measured with TF32 off
and again with TF32 on; eager mode. One JSON line per case; a line saying `skipped` when
PyTorch is not installed.

Usage: python3 bench/device/torch_peer.py [--matmul 1024,4096] [--device cuda|cpu]
"""

import argparse
import json
import statistics
import time

SAMPLE_S = 0.3
SAMPLES = 5


def emit(record):
    print(json.dumps(record), flush=True)


def timed(torch, fn, sync):
    """Median seconds per call: warm-up, calibration to ~SAMPLE_S per sample, SAMPLES samples."""
    for _ in range(3):
        fn()
    sync()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        sync()
        dt = time.perf_counter() - t0
        if dt >= SAMPLE_S / 2 or reps >= 4096:
            break
        reps *= 4
    reps = max(1, round(reps * SAMPLE_S / max(dt, 1e-9)))
    times = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        sync()
        times.append((time.perf_counter() - t0) / reps)
    return statistics.median(times)


def unet(torch, widths=(16, 32, 64), channels=3, slope=0.2):
    nn = torch.nn

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.ModuleList()
            cin = channels
            for w in widths:
                self.enc.append(nn.Conv2d(cin, w, 4, 2, 1))
                cin = w
            self.dec = nn.ModuleList()
            for level in range(len(widths) - 1, -1, -1):
                cin = widths[level] if level == len(widths) - 1 else 2 * widths[level]
                cout = channels if level == 0 else widths[level - 1]
                self.dec.append(nn.ConvTranspose2d(cin, cout, 4, 2, 1))

        def forward(self, x):
            feats = []
            h = x
            for conv in self.enc:
                h = torch.nn.functional.leaky_relu(conv(h), slope)
                feats.append(h)
            for i, conv in enumerate(self.dec):
                level = len(widths) - 1 - i
                if level < len(widths) - 1:
                    h = torch.cat([h, feats[level]], 1)
                h = conv(h)
                if level > 0:
                    h = torch.nn.functional.leaky_relu(h, slope)
            return h

    return UNet()


def cases(torch, dev, sizes):
    """(name, metric, work, fn) per case; work is FLOPs (gflops) or samples (samples/s)."""
    out = []
    for n in sizes:
        a = torch.rand(n, n, device=dev) - 0.5
        b = torch.rand(n, n, device=dev) - 0.5
        out.append((f"matmul-{n}", "gflops", 2 * n**3, lambda a=a, b=b: a @ b))
    x = torch.rand(16, 32, 32, 32, device=dev) - 0.5
    w = torch.rand(64, 32, 4, 4, device=dev) - 0.5
    dy = torch.rand(16, 64, 16, 16, device=dev) - 0.5
    F = torch.nn.functional
    grad = torch.nn.grad
    flops = 2 * 16 * 16 * 16 * 64 * 4 * 4 * 32
    out.append(("conv2d-forward", "ms", flops, lambda: F.conv2d(x, w, stride=2, padding=1)))
    out.append((
        "conv2d-input-grad", "ms", flops,
        lambda: grad.conv2d_input(x.shape, w, dy, stride=2, padding=1),
    ))
    out.append((
        "conv2d-weight-grad", "ms", flops,
        lambda: grad.conv2d_weight(x, w.shape, dy, stride=2, padding=1),
    ))
    net = unet(torch).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xs = torch.rand(16, 3, 32, 32, device=dev)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = (net(xs) - xs).abs().mean()
        loss.backward()
        opt.step()

    out.append(("train-step", "samples/s", 16, step))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--matmul", default="1024,4096")
    p.add_argument("--device", default=None)
    args = p.parse_args()
    try:
        import torch
    except ImportError as e:
        emit({"peer": "pytorch", "skipped": f"PyTorch is not installed ({e})"})
        return
    dev = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    cuda = dev == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    name = torch.cuda.get_device_name(0) if cuda else f"cpu ({torch.get_num_threads()} threads)"
    emit({"peer": "pytorch", "case": "device", "torch": torch.__version__, "device": name})
    sizes = [int(s) for s in args.matmul.split(",") if s.strip()]
    for tf32 in ([False, True] if cuda else [False]):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        for case, metric, work, fn in cases(torch, dev, sizes):
            with torch.no_grad() if metric != "samples/s" else torch.enable_grad():
                s = timed(torch, fn, sync)
            value = s * 1000 if metric == "ms" else work / s / (1e9 if metric == "gflops" else 1)
            emit({
                "peer": "pytorch",
                "case": case,
                "metric": metric,
                "value": round(value, 4 if metric == "ms" else 1),
                "tf32": tf32,
                "device": dev,
            })


if __name__ == "__main__":
    main()
