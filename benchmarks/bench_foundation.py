"""Train the same models in tidu and in PyTorch (CPU) in one run and print the time ratio.

For each model the two libraries are timed interleaved — tidu epoch, PyTorch epoch, tidu
epoch, … (``--warmup`` untimed pairs, then ``--pairs`` timed ones) — on the same float32
synthetic data, from the same initial weights, with the same thread count, the same
loss (cross-entropy) and the same optimizer (SGD, lr 0.01, momentum 0.9):

  mlp   784-256-256-10 ReLU, batch 128, 20,000 samples per epoch
  cnn   1×28×28 → [conv 3×3 (1→16, pad 1) + ReLU + max-pool 2×2]
                → [conv 3×3 (16→32, pad 1) + ReLU + max-pool 2×2] → Linear(32·7·7 → 10),
        batch 64, --cnn-samples per epoch
  lstm  LSTM(input 16, hidden 64, batch_first) over 32 steps, Linear(64 → 10) on the last
        output, batch 64, --lstm-samples per epoch

Reported per model: the median seconds per epoch of each library, the ratio of the medians
tidu/PyTorch, and the smallest and largest per-pair ratio.  A model whose tidu layer cannot
be imported or built is skipped with a message.

    python benchmarks/bench_foundation.py                  # all models, 5 pairs
    python benchmarks/bench_foundation.py --models mlp --pairs 9
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import torch  # noqa: E402

import tidu  # noqa: E402
from tidu import nn  # noqa: E402
from tidu.nn import functional as F  # noqa: E402

LR, MOMENTUM = 0.01, 0.9


# --------------------------------------------------------------------------- models
class TorchCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.pool1 = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.pool2 = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool1(torch.relu(self.conv1(x)))
        x = self.pool2(torch.relu(self.conv2(x)))
        return self.fc(x.flatten(1))


def tidu_cnn():
    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
            self.pool1 = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
            self.pool2 = nn.MaxPool2d(2)
            self.fc = nn.Linear(32 * 7 * 7, 10)

        def forward(self, x):
            x = self.pool1(F.relu(self.conv1(x)))
            x = self.pool2(F.relu(self.conv2(x)))
            return self.fc(x.flatten(1))

    return CNN()


class TorchLSTMNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(16, 64, batch_first=True)
        self.fc = torch.nn.Linear(64, 10)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.fc(out[:, -1])


def tidu_lstm():
    class LSTMNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(16, 64, batch_first=True)
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            out, (h, c) = self.lstm(x)
            return self.fc(out[:, -1])

    return LSTMNet()


def mlp_pair():
    ours = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))
    ref = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                              torch.nn.ReLU(), torch.nn.Linear(256, 10))
    return ours, ref


# name → (tidu layers it needs, builder of (tidu model, torch model), input shape per sample,
#          batch size, default samples per epoch)
MODELS = {
    "mlp": (("Linear", "ReLU"), mlp_pair, (784,), 128, 20_000),
    "cnn": (("Conv2d", "MaxPool2d", "Linear"), lambda: (tidu_cnn(), TorchCNN()), (1, 28, 28), 64, None),
    "lstm": (("LSTM", "Linear"), lambda: (tidu_lstm(), TorchLSTMNet()), (32, 16), 64, None),
}


# --------------------------------------------------------------------------- data and training
def synthetic(n, shape, seed):
    """Float32 inputs and labels 0…9 from a fixed random linear teacher (learnable)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *shape), dtype=np.float32)
    teacher = rng.standard_normal((int(np.prod(shape)), 10), dtype=np.float32)
    y = (x.reshape(n, -1) @ teacher).argmax(axis=1).astype(np.int64)
    return x, y


def batches(x, y, batch):
    return [(x[i:i + batch], y[i:i + batch]) for i in range(0, len(x), batch)]


def epoch_tidu(model, opt, data):
    loss = None
    for xb, yb in data:
        opt.zero_grad()
        loss = F.cross_entropy(model(tidu.Tensor(xb)), tidu.Tensor(yb))
        loss.backward()
        opt.step()
    return float(loss.item())


def epoch_torch(model, opt, data):
    loss = None
    for xb, yb in data:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    return float(loss.item())


def timed(fn, *args):
    gc.collect()
    start = time.perf_counter()
    loss = fn(*args)
    return time.perf_counter() - start, loss


def bench(name, samples, pairs, warmup, seed=0):
    needs, build, shape, batch, default = MODELS[name]
    missing = [layer for layer in needs if not hasattr(nn, layer)]
    if not hasattr(F, "cross_entropy"):
        missing.append("functional.cross_entropy")
    if missing:
        print(f"{name}: skipped — tidu has no {', '.join(missing)} yet")
        return None
    tidu.manual_seed(seed)
    torch.manual_seed(seed)
    try:
        ours, ref = build()
        ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    except Exception as err:  # a layer being written: report and go on with the others
        print(f"{name}: skipped — building the tidu model failed: {type(err).__name__}: {err}")
        return None
    n = samples or default
    x, y = synthetic(n, shape, seed)
    data_np = batches(x, y, batch)
    data_pt = [(torch.from_numpy(xb), torch.from_numpy(yb)) for xb, yb in data_np]
    opt = tidu.optim.SGD(ours.parameters(), lr=LR, momentum=MOMENTUM)
    ropt = torch.optim.SGD(ref.parameters(), lr=LR, momentum=MOMENTUM)

    times_t, times_p, ratios = [], [], []
    loss_t = loss_p = float("nan")
    try:
        for i in range(warmup + pairs):
            tt, loss_t = timed(epoch_tidu, ours, opt, data_np)
            tp, loss_p = timed(epoch_torch, ref, ropt, data_pt)
            if i >= warmup:
                times_t.append(tt)
                times_p.append(tp)
                ratios.append(tt / tp)
    except Exception as err:
        print(f"{name}: skipped — training the tidu model failed: {type(err).__name__}: {err}")
        return None
    med_t, med_p = statistics.median(times_t), statistics.median(times_p)
    print(f"{name:5s} {n:6d} samples, batch {batch:3d} | tidu {med_t:7.3f} s/epoch | "
          f"PyTorch {med_p:7.3f} s/epoch | tidu/PyTorch {med_t / med_p:5.2f}× "
          f"(pairs: min {min(ratios):.2f}×, max {max(ratios):.2f}×) | "
          f"last-batch loss tidu {loss_t:.4f}, PyTorch {loss_p:.4f}")
    if max(ratios) > 1.5 * min(ratios):
        print(f"{name}: note — the per-pair ratios vary by more than 1.5×: other processes were "
              f"probably competing for the cores (load average now {_load()}); run again on an "
              f"idle machine, or with --threads 1")
    return med_t / med_p, min(ratios), max(ratios)


def _load() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


# --------------------------------------------------------------------------- threads
def blas_threads(threads):
    """Limit NumPy's BLAS to ``threads`` (threadpoolctl, a scikit-learn dependency) and
    describe it; without threadpoolctl NumPy keeps its default (all cores)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return None, "NumPy BLAS: default thread count (threadpoolctl not installed)"
    limiter = threadpool_limits(limits=threads, user_api="blas")
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    desc = ", ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('num_threads')} threads"
                     for i in info) or "no BLAS pool found"
    return limiter, f"NumPy BLAS: {desc}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="mlp,cnn,lstm",
                        help="comma-separated subset of mlp,cnn,lstm (default all)")
    parser.add_argument("--pairs", type=int, default=5, help="timed tidu/PyTorch pairs (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed pairs first (default 1)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="threads for both libraries (default: all cores)")
    parser.add_argument("--mlp-samples", type=int, default=None, help="default 20000")
    parser.add_argument("--cnn-samples", type=int, default=2048, help="default 2048")
    parser.add_argument("--lstm-samples", type=int, default=2048, help="default 2048")
    args = parser.parse_args(argv)
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    if args.pairs < 1 or args.warmup < 0 or args.threads < 1:
        parser.error("--pairs and --threads must be ≥ 1, --warmup ≥ 0")

    torch.set_num_threads(args.threads)
    _limiter, blas = blas_threads(args.threads)
    print(f"tidu {tidu.__version__}, NumPy {np.__version__}, PyTorch {torch.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} cores, load average {_load()}")
    print(f"threads: PyTorch {torch.get_num_threads()} intra-op; {blas}")
    print(f"float32, SGD lr {LR} momentum {MOMENTUM}, cross-entropy; "
          f"{args.warmup} warm-up + {args.pairs} timed pairs, interleaved tidu/PyTorch")
    samples = {"mlp": args.mlp_samples, "cnn": args.cnn_samples, "lstm": args.lstm_samples}
    results = {}
    for name in names:
        results[name] = bench(name, samples[name], args.pairs, args.warmup)
    print("summary (tidu/PyTorch, median epoch time): " + ", ".join(
        f"{k} {'skipped' if v is None else f'{v[0]:.2f}×'}" for k, v in results.items()))
    return results


if __name__ == "__main__":
    main()
