"""E20: a linear warm-up before cosine annealing keeps a high-learning-rate start stable."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn, optim
from tidu.data import load_digits
from tidu.nn import functional as F
from tidu.optim.lr_scheduler import warmup_cosine

from ..base import Outcome, experiment

TRAINED = 0.5        # a run "trains" if its final training cross-entropy is ≤ 0.5 (chance: ln 10 ≈ 2.3)
DEPTH, WIDTH, BATCH = 4, 64, 64
SEED = 0


def _train(peak_lr: float, warmup: int, steps: int, X, y, seed: int):
    """Adam under warmup_cosine(warmup, steps); returns batch losses and final training loss."""
    tidu.manual_seed(seed)
    layers, d = [], X.shape[1]
    for _ in range(DEPTH):
        layers += [nn.Linear(d, WIDTH), nn.ReLU()]
        d = WIDTH
    model = nn.Sequential(*layers, nn.Linear(d, 10))
    opt = optim.Adam(model.parameters(), lr=peak_lr)
    sched = warmup_cosine(opt, warmup_steps=warmup, total_steps=steps)
    rng = np.random.default_rng(seed)
    losses = np.full(steps, np.nan)
    for s in range(steps):
        idx = rng.integers(0, len(X), BATCH)
        loss = F.cross_entropy(model(tidu.tensor(X[idx])), tidu.tensor(y[idx]))
        losses[s] = float(loss.data)
        if not np.isfinite(losses[s]):
            return losses, math.inf
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    with tidu.no_grad():
        final = float(F.cross_entropy(model(tidu.tensor(X)), tidu.tensor(y)).data)
    return losses, (final if np.isfinite(final) else math.inf)


@experiment(
    "E20", title="Warm-up + cosine annealing at a high learning rate", notes=("004",),
    claim_zh="带有warmup的余弦退火学习率调度实现",
    claim_en="Starting with a linear warm-up before cosine annealing lets training begin at a high "
             "peak learning rate that, applied from the first step, would destabilize it.",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    steps = 400 if full else 200
    warm = steps // 10
    grid = np.logspace(-3, -0.5, 11) if full else np.logspace(-2, -0.5, 4)   # peak learning rates
    seeds = [SEED + i for i in range(5 if full else 3)]
    res = {}
    for lr in map(float, grid):
        for w in (0, warm):
            runs = [_train(lr, w, steps, X, y, sd) for sd in seeds]
            finals = np.array([r[1] for r in runs])
            spikes = np.array([np.nanmax(r[0][:warm]) / r[0][0] for r in runs])
            final = float(np.median(finals))
            res[(lr, w)] = {"losses": runs[0][0], "final": final, "spike": float(np.median(spikes)),
                            "finals": finals.tolist(), "trains": final <= TRAINED}

    def top(w):
        ok = [lr for lr in map(float, grid) if res[(lr, w)]["trains"]]
        return max(ok) if ok else None

    top_plain, top_warm = top(0), top(warm)
    # the decisive rate: the highest one at which warm-up trains and the plain start does not
    only_warm = [lr for lr in map(float, grid)
                 if res[(lr, warm)]["trains"] and not res[(lr, 0)]["trains"]]
    decisive = max(only_warm) if only_warm else float(grid[-1])
    d0, dw = res[(decisive, 0)], res[(decisive, warm)]
    held = (top_warm is not None and (top_plain is None or top_warm > top_plain)
            and bool(only_warm) and d0["spike"] > dw["spike"])

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.semilogy(d0["losses"], label="cosine, no warm-up")
    ax1.semilogy(dw["losses"], label=f"{warm}-step warm-up + cosine")
    ax1.axvline(warm, color="k", ls=":", lw=0.8)
    ax1.set(title=f"Adam at peak lr {decisive:.3g} (seed {seeds[0]})", xlabel="step",
            ylabel="batch cross-entropy")
    ax1.legend(fontsize=8)
    ax2.loglog(grid, [min(res[(float(lr), 0)]["final"], 1e3) for lr in grid], "o-",
               label="cosine, no warm-up")
    ax2.loglog(grid, [min(res[(float(lr), warm)]["final"], 1e3) for lr in grid], "s--",
               label=f"{warm}-step warm-up + cosine")
    ax2.axhline(TRAINED, color="k", ls=":", lw=0.8, label=f"trained (≤ {TRAINED})")
    ax2.set(title=f"Final training loss, median of {len(seeds)} seeds", xlabel="peak learning rate",
            ylabel="cross-entropy")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    def fmt(lr):
        return "none" if lr is None else f"{lr:.3g}"

    verdict = (f"highest peak lr that still trains (median final loss over {len(seeds)} seeds ≤ "
               f"{TRAINED}): {fmt(top_warm)} with warm-up vs {fmt(top_plain)} without. At peak lr "
               f"{decisive:.3g}: without warm-up the loss jumps to {d0['spike']:.1f}× its start in "
               f"the first {warm} steps (median) and ends at {d0['final']:.3g}; with warm-up "
               f"{dw['spike']:.1f}×, ending at {dw['final']:.3g}. Highest rate tried "
               f"({float(grid[-1]):.3g}): spike {res[(float(grid[-1]), 0)]['spike']:.0f}× without vs "
               f"{res[(float(grid[-1]), warm)]['spike']:.1f}× with warm-up")
    setup = (f"digits (1,797, /16), MLP with {DEPTH} hidden ReLU layers of {WIDTH} (default init), "
             f"Adam, batch {BATCH}, {steps} steps, tidu.optim.lr_scheduler.warmup_cosine("
             f"warmup_steps={warm} or 0, total_steps={steps}) stepped per batch, peak lr on the "
             f"grid {', '.join(f'{v:.3g}' for v in grid)}; seeds {seeds} (init and batch order, the "
             f"same for both schedules); medians over the seeds. Held if warm-up trains (median "
             f"final loss ≤ {TRAINED}) at a higher peak lr than the plain cosine start, and at that "
             f"lr the plain start's early loss spike (max batch loss in the first {warm} steps / "
             f"initial loss) is the larger one")
    return Outcome(held=held, verdict=verdict, setup=setup,
                   numbers={"top_lr_warmup": top_warm, "top_lr_no_warmup": top_plain,
                            "decisive_lr": decisive,
                            "runs": {f"lr={lr:.3g},warmup={w}": {"median_final": v["final"],
                                                                 "finals": v["finals"],
                                                                 "median_spike": v["spike"]}
                                     for (lr, w), v in res.items()}},
                   figures=[fig])
