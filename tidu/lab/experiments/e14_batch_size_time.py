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

from ..base import Outcome, SubClaim, experiment

N_TRAIN = 512                          # the notes' example: 512 training samples
BATCH_SIZES = (1, 8, 32, 128, 512)     # 1 = SGD … 512 = the whole set (batch GD)


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
    expected="held",
    expected_reason="Updates per epoch are exactly ⌈512/batch⌉, and with one BLAS thread each "
                    "step up in batch size makes an epoch several times faster (time per update "
                    "grows far less than the number of updates falls); ratios are taken within "
                    "one round of measurements, so a loaded machine slows all arms alike.",
)
def run(full: bool = False) -> Outcome:
    repeats = 9 if full else 5
    X, y = load_digits()
    keep = np.random.default_rng(0).permutation(len(X))[:N_TRAIN]
    X, y = (X[keep] / 16.0).astype(np.float32), y[keep]
    data = ArrayDataset(X, y)
    arms, k, counts = {}, {}, {bs: set() for bs in BATCH_SIZES}
    for bs in BATCH_SIZES:
        tidu.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        opt = optim.SGD(model.parameters(), lr=0.05)
        loader = DataLoader(data, batch_size=bs, shuffle=True, seed=0)
        one, n = _epoch(model, loader, opt)               # untimed warm-up epoch
        counts[bs].add(n)
        arms[bs] = (model, loader, opt)
        # a measurement times k back-to-back epochs (≥ ~20 ms in all, as timeit does), so a
        # short epoch is not at the mercy of one scheduler tick
        k[bs] = max(1, math.ceil(0.02 / max(one, 1e-6)))
    # rounds: every batch size measured once per round, the order rotated from round to round,
    # so load on the machine hits all arms alike; ratios are taken within a round
    times = {bs: [] for bs in BATCH_SIZES}
    for r in range(repeats):
        for bs in BATCH_SIZES[r % len(BATCH_SIZES):] + BATCH_SIZES[:r % len(BATCH_SIZES)]:
            runs = [_epoch(*arms[bs]) for _ in range(k[bs])]
            times[bs].append(sum(t for t, _ in runs) / k[bs])
            counts[bs] |= {n for _, n in runs}
    times = {bs: np.array(v) for bs, v in times.items()}
    updates = {bs: (next(iter(c)) if len(c) == 1 else -1) for bs, c in counts.items()}
    med = {bs: float(np.median(times[bs])) for bs in BATCH_SIZES}
    pairs = list(zip(BATCH_SIZES, BATCH_SIZES[1:]))
    # per round: how many times longer the smaller batch's epoch took than the next larger's
    ratio = {(a, b): times[a] / times[b] for a, b in pairs}
    med_ratio = {p: float(np.median(v)) for p, v in ratio.items()}
    speedups = times[BATCH_SIZES[0]] / times[BATCH_SIZES[-1]]
    speedup = float(np.median(speedups))
    exact = all(updates[bs] == math.ceil(N_TRAIN / bs) for bs in BATCH_SIZES)
    fewer = all(updates[a] > updates[b] for a, b in pairs)
    faster = all(v > 1 for v in med_ratio.values())

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    bss = np.array(BATCH_SIZES)
    meds = np.array([med[b] for b in BATCH_SIZES]) * 1e3
    lo = meds - np.array([times[b].min() for b in BATCH_SIZES]) * 1e3
    hi = np.array([times[b].max() for b in BATCH_SIZES]) * 1e3 - meds
    ax1.errorbar(bss, meds, yerr=[lo, hi], fmt="o-", capsize=3,
                 label=f"median of {repeats} rounds (min–max bars)")
    ax1.set(xscale="log", yscale="log", title="Wall-clock time per epoch",
            xlabel="batch size", ylabel="ms per epoch")
    ax1.legend(fontsize=8)
    ax2.loglog(bss, [updates[b] for b in BATCH_SIZES], "s-", label="measured")
    ax2.loglog(bss, [math.ceil(N_TRAIN / b) for b in BATCH_SIZES], "k:", label="⌈512 / batch⌉")
    ax2.set(title="Parameter updates per epoch", xlabel="batch size", ylabel="updates")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    per_update = {bs: med[bs] / updates[bs] * 1e3 for bs in BATCH_SIZES}
    ratio_txt = ", ".join(f"{a}→{b}: {med_ratio[(a, b)]:.2g}× (rounds {min(ratio[(a, b)]):.2g}–"
                          f"{max(ratio[(a, b)]):.2g})" for a, b in pairs)
    subclaims = [
        SubClaim("a larger batch needs fewer parameter updates per epoch (参数更新次数会更少)",
                 held=exact and fewer,
                 evidence="updates per epoch of 512 samples: " + ", ".join(
                     f"batch {bs}: {updates[bs]}" for bs in BATCH_SIZES)
                     + f" — {'exactly' if exact else 'not exactly'} ⌈512/batch⌉. Held if exact "
                       f"and falling"),
        SubClaim("so an epoch takes less time (训练耗时更短)", held=faster,
                 evidence=f"epoch time of the smaller batch over the next larger one, median "
                          f"over {repeats} rounds of the within-round ratio: {ratio_txt}; batch "
                          f"{BATCH_SIZES[0]} vs {BATCH_SIZES[-1]}: {speedup:.0f}×. Median epoch: "
                          + ", ".join(f"batch {bs} {med[bs] * 1e3:.3g} ms" for bs in BATCH_SIZES)
                          + ". Held if every median ratio is > 1"),
    ]
    verdict = (f"updates per epoch {'equal' if exact else 'differ from'} ⌈512/batch⌉ ("
               + ", ".join(str(updates[bs]) for bs in BATCH_SIZES) + "); each step up in batch "
               f"size makes the epoch faster by a median within-round ratio of "
               + ", ".join(f"{med_ratio[p]:.2g}×" for p in pairs)
               + f" ({'all' if faster else 'not all'} > 1); batch {BATCH_SIZES[-1]} is "
               f"{speedup:.0f}× faster per epoch than batch 1. Time per update grows with the "
               f"batch ({per_update[1]:.2g} → {per_update[512]:.2g} ms) far less than the number "
               f"of updates falls: the saving comes from fewer updates, each with a fixed overhead")
    takeaway = (f"An epoch of 512 samples takes {updates[1]} updates and {med[1] * 1e3:.0f} ms "
                f"at batch 1 but {updates[512]} update and {med[512] * 1e3:.2g} ms at batch 512 "
                f"({speedup:.0f}× faster); every step up in batch size is faster (median "
                f"within-round ratios {min(med_ratio.values()):.2g}–{max(med_ratio.values()):.2g}×)")
    setup = (f"{N_TRAIN} digits (the notes' 512 samples), MLP 64-64-10 ReLU, SGD lr 0.05, "
             f"DataLoader(shuffle=True) with batch sizes {BATCH_SIZES}; the notes' loop per "
             f"batch (zero_grad, forward, loss, loss.item(), backward, step); one BLAS thread. "
             f"One untimed warm-up epoch per batch size, then {repeats} rounds; in each round "
             f"every batch size (order rotated from round to round) times k back-to-back epochs, "
             f"k so that a measurement lasts ≥ 20 ms. Time ratios are taken within a round, then "
             f"the median over rounds, so load on the machine, which slows all arms of a round "
             f"alike, cancels. Caveat: on hardware where a batch's compute dominates (large "
             f"models, saturated GPUs) the per-epoch saving shrinks, a multi-threaded BLAS on a "
             f"busy machine can invert it, and fewer updates per epoch can mean more epochs to "
             f"reach a given loss")
    return Outcome(verdict=verdict, setup=setup, takeaway=takeaway, subclaims=subclaims,
                   what_would_change="" if (exact and fewer and faster) else (
                       "a batch whose compute dominates the per-step overhead (a far larger "
                       "model or input), or a multi-threaded BLAS competing for busy cores"),
                   numbers={"median_seconds_per_epoch": med,
                            "updates_per_epoch": {bs: int(v) for bs, v in updates.items()},
                            "epochs_per_measurement": k,
                            "all_seconds": {bs: times[bs].tolist() for bs in BATCH_SIZES},
                            "median_within_round_ratio": {f"{a}->{b}": v
                                                          for (a, b), v in med_ratio.items()},
                            "speedup_1_vs_512": speedup, "ms_per_update": per_update},
                   figures=[fig])
