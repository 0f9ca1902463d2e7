"""E14: larger batches take fewer parameter updates and less wall-clock time per epoch."""
from __future__ import annotations

import math
import time

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn, optim
from tidu.data import ArrayDataset, DataLoader, load_digits
from tidu.nn import functional as F

from ..base import Outcome, experiment

N_TRAIN = 512                          # the notes' example: 512 training samples
BATCH_SIZES = (1, 8, 32, 128, 512)     # 1 = SGD … 512 = the whole set (batch GD)
TOLERANCE = 1.05                       # a larger batch may be ≤ 5% slower (timing noise)


def _epoch(model, loader, opt) -> tuple[float, int]:
    """One epoch of the notes' loop (zero_grad, forward, loss, loss.item(), backward, step):
    wall-clock seconds and the number of parameter updates."""
    updates = 0
    train_loss = 0.0
    start = time.perf_counter()
    for xb, yb in loader:
        opt.zero_grad()
        output = model(xb)
        loss = F.cross_entropy(output, yb)
        train_loss += loss.item()
        loss.backward()
        opt.step()
        updates += 1
    return time.perf_counter() - start, updates


@experiment(
    "E14", title="Batch size: time and updates per epoch", notes=("004",),
    claim_zh="显然BATCH_SIZE设置越大，那么所有训练样本数据完成一次训练（完成一个epoch）要进行的参数更新次数会更少，"
             "那么训练耗时更短，BATCH_SIZE设置越小，一个epoch训练完所有样本数据要进行的参数更新次数会更多，"
             "因此训练耗时更长。",
    claim_en="The larger the batch, the fewer parameter updates one epoch needs and the less time "
             "it takes; the smaller the batch, the more updates and the longer an epoch.",
)
def run(full: bool = False) -> Outcome:
    repeats = 9 if full else 5
    X, y = load_digits()
    keep = np.random.default_rng(0).permutation(len(X))[:N_TRAIN]
    X, y = (X[keep] / 16.0).astype(np.float32), y[keep]
    data = ArrayDataset(X, y)
    times, updates = {}, {}
    for bs in BATCH_SIZES:
        tidu.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        opt = optim.SGD(model.parameters(), lr=0.05)
        loader = DataLoader(data, batch_size=bs, shuffle=True, seed=0)
        one, _ = _epoch(model, loader, opt)              # untimed warm-up epoch
        # each measurement times k back-to-back epochs (≥ ~20 ms in all, as timeit does), so
        # a short epoch is not at the mercy of one scheduler tick; the median of the repeats
        k = max(1, math.ceil(0.02 / max(one, 1e-6)))
        per_epoch, counts = [], set()
        for _ in range(repeats):
            runs = [_epoch(model, loader, opt) for _ in range(k)]
            per_epoch.append(sum(r[0] for r in runs) / k)
            counts |= {r[1] for r in runs}
        times[bs] = np.array(per_epoch)
        updates[bs] = counts.pop() if len(counts) == 1 else -1
    med = {bs: float(np.median(times[bs])) for bs in BATCH_SIZES}
    exact = all(updates[bs] == math.ceil(N_TRAIN / bs) for bs in BATCH_SIZES)
    fewer = all(updates[a] > updates[b] for a, b in zip(BATCH_SIZES, BATCH_SIZES[1:]))
    faster = all(med[b] <= med[a] * TOLERANCE for a, b in zip(BATCH_SIZES, BATCH_SIZES[1:]))
    speedup = med[BATCH_SIZES[0]] / med[BATCH_SIZES[-1]]
    held = exact and fewer and faster and speedup >= 5

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    bss = np.array(BATCH_SIZES)
    meds = np.array([med[b] for b in BATCH_SIZES]) * 1e3
    lo = meds - np.array([times[b].min() for b in BATCH_SIZES]) * 1e3
    hi = np.array([times[b].max() for b in BATCH_SIZES]) * 1e3 - meds
    ax1.errorbar(bss, meds, yerr=[lo, hi], fmt="o-", capsize=3, label=f"median of {repeats} measurements (min–max bars)")
    ax1.set(xscale="log", yscale="log", title="Wall-clock time per epoch",
            xlabel="batch size", ylabel="ms per epoch")
    ax1.legend(fontsize=8)
    ax2.loglog(bss, [updates[b] for b in BATCH_SIZES], "s-", label="measured")
    ax2.loglog(bss, [math.ceil(N_TRAIN / b) for b in BATCH_SIZES], "k:", label="⌈512 / batch⌉")
    ax2.set(title="Parameter updates per epoch", xlabel="batch size", ylabel="updates")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    per_update = {bs: med[bs] / updates[bs] * 1e3 for bs in BATCH_SIZES}
    verdict = ("per epoch of 512 samples: " + "; ".join(
        f"batch {bs}: {updates[bs]} updates, {med[bs] * 1e3:.1f} ms" for bs in BATCH_SIZES)
        + f" — batch 512 is {speedup:.0f}× faster per epoch than batch 1; updates per epoch "
        f"{'equal' if exact else 'differ from'} ⌈512/batch⌉ exactly. Time per update grows "
        f"with the batch ({per_update[1]:.2f} → {per_update[512]:.2f} ms): the saving comes from "
        f"fewer updates, each with a fixed overhead")
    setup = (f"{N_TRAIN} digits (the notes' 512 samples), MLP 64-64-10 ReLU, SGD lr 0.05, "
             f"DataLoader(shuffle=True) with batch sizes {BATCH_SIZES}; the notes' loop per "
             f"batch; one warm-up epoch, then {repeats} measurements of k back-to-back epochs (k "
             f"so that a measurement lasts ≥ 20 ms); time per epoch = the median measurement / k. "
             f"Held if updates per epoch equal ⌈512/batch⌉ (exact) and fall, each larger batch's "
             f"median epoch time is ≤ {TOLERANCE:.2f}× the smaller one's, and batch 512 is ≥ 5× "
             f"faster than batch 1. Caveat: wall-clock times depend on the machine and its load "
             f"(medians damp that); a multi-threaded BLAS on a busy machine can make the larger "
             f"batches (whose matrix products it splits over threads) far slower, inverting the "
             f"order — the lab should run with BLAS limited to one thread; on hardware where a batch's compute dominates (large models, "
             f"saturated GPUs) the per-epoch saving shrinks, and fewer updates per epoch can "
             f"mean more epochs to reach a given loss")
    return Outcome(held=held, verdict=verdict, setup=setup,
                   numbers={"median_seconds_per_epoch": med, "updates_per_epoch": updates,
                            "all_seconds": {bs: times[bs].tolist() for bs in BATCH_SIZES},
                            "speedup_1_vs_512": speedup, "ms_per_update": per_update},
                   figures=[fig])
