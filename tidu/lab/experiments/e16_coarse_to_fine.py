"""E16: coarse-to-fine search beats one-stage random search at the same budget."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from tidu.tune import CoarseToFine, RandomSearch, loguniform, uniform

from ..base import Outcome, experiment

_LR = (1e-5, 1.0)            # log10 lr in [−5, 0]
_MOM = (0.0, 0.99)
_ROUNDS, _PER_ROUND = 3, 10  # CoarseToFine's defaults (with keep_top=3, shrink=0.5)
_BUDGET = _ROUNDS * _PER_ROUND


def _unit(lr, momentum):
    """(lr, momentum) → the unit square the objective is defined on."""
    return (np.log10(lr) + 5.0) / 5.0, np.asarray(momentum) / 0.99


def _objective(rng: np.random.Generator, two_basins: bool):
    """Both hyper-parameters matter: a Gaussian peak (height 1) at a random place with random
    widths (σ 0.08–0.2 of each axis' range); with ``two_basins`` also a second, lower peak
    (height 0.8) elsewhere, where a search can get stuck."""
    c1, w1 = rng.uniform(0.1, 0.9, 2), rng.uniform(0.08, 0.2, 2)
    c2, w2 = rng.uniform(0.1, 0.9, 2), rng.uniform(0.08, 0.2, 2)

    def score(u, v):
        s = np.exp(-0.5 * (((u - c1[0]) / w1[0]) ** 2 + ((v - c1[1]) / w1[1]) ** 2))
        if two_basins:
            s = np.maximum(s, 0.8 * np.exp(-0.5 * (((u - c2[0]) / w2[0]) ** 2
                                                   + ((v - c2[1]) / w2[1]) ** 2)))
        return s

    def objective(params):
        return float(score(*_unit(params["lr"], params["momentum"])))

    return objective, score


@experiment(
    "E16", title="Coarse-to-fine beats one-stage random search", notes=("001",),
    claim_zh="另一个常用方法是：从粗糙到精细。顾名思义，先从比较大的范围内随机选择点，在确定某几个点效果不错时，"
             "缩小范围，再进行随机选择点测试。",
    claim_en="With the same number of trials, searching a wide range at random and then narrowing "
             "the range around the good points finds better hyper-parameters than one stage of "
             "random search.",
)
def run(full: bool = False) -> Outcome:
    return _run(full, base=0)


def _run(full: bool, base: int) -> Outcome:
    repeats = 400 if full else 100
    space = {"lr": loguniform(*_LR), "momentum": uniform(*_MOM)}
    stats, curves = {}, {}
    for two in (False, True):
        ctf_regret, rnd_regret, ctf_curve, rnd_curve = [], [], [], []
        for r in range(repeats):
            objective, _ = _objective(np.random.default_rng(base + 100_000 * two + r), two)
            seed = base + r
            ctf = CoarseToFine(space, objective, n_rounds=_ROUNDS, trials_per_round=_PER_ROUND,
                               mode="max", n_jobs=1, seed=seed).run()
            rnd = RandomSearch(space, objective, n_trials=_BUDGET, mode="max", n_jobs=1,
                               seed=seed).run()
            ctf_regret.append(1.0 - ctf.best_score)   # the best score reachable is 1
            rnd_regret.append(1.0 - rnd.best_score)
            ctf_curve.append(1.0 - np.maximum.accumulate([t["score"] for t in ctf.trials]))
            rnd_curve.append(1.0 - np.maximum.accumulate([t["score"] for t in rnd.trials]))
        c, rr = np.array(ctf_regret), np.array(rnd_regret)
        stats[two] = {"ctf": float(c.mean()), "random": float(rr.mean()),
                      "ctf_median": float(np.median(c)), "random_median": float(np.median(rr)),
                      "ctf_wins": float(np.mean(c < rr)),
                      # ended below the second peak's height: stuck in it or in neither peak
                      "ctf_low": float(np.mean(c > 0.2)), "random_low": float(np.mean(rr > 0.2))}
        curves[two] = (np.mean(ctf_curve, axis=0), np.mean(rnd_curve, axis=0))
    held = all(s["ctf"] < s["random"] and s["ctf_wins"] > 0.5 for s in stats.values())

    # figure: one two-basin search, the rounds' regions; mean best-so-far regret per trial
    objective, score = _objective(np.random.default_rng(base + 100_000), True)
    ctf = CoarseToFine(space, objective, n_rounds=_ROUNDS, trials_per_round=_PER_ROUND,
                       mode="max", n_jobs=1, seed=base).run()
    rnd = RandomSearch(space, objective, n_trials=_BUDGET, mode="max", n_jobs=1,
                       seed=base).run()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    uu, vv = np.meshgrid(np.linspace(0, 1, 160), np.linspace(0, 1, 160))
    cs = ax1.contourf(-5 + 5 * uu, 0.99 * vv, score(uu, vv), levels=12, cmap="viridis",
                      alpha=0.8)
    fig.colorbar(cs, ax=ax1, label="score")
    colors = ("tab:orange", "tab:red", "magenta")
    for r, sp in enumerate(ctf.spaces):
        lo, hi = np.log10(sp["lr"].low), np.log10(sp["lr"].high)
        mlo, mhi = sp["momentum"].low, sp["momentum"].high
        ax1.add_patch(Rectangle((lo, mlo), hi - lo, mhi - mlo, fill=False, lw=1.2,
                                ec=colors[r]))
        pts = np.array([[np.log10(t["params"]["lr"]), t["params"]["momentum"]]
                        for t in ctf.trials if t["round"] == r])
        ax1.scatter(pts[:, 0], pts[:, 1], s=18, c=colors[r], edgecolors="k",
                    label=f"coarse-to-fine round {r + 1}")
    pts = np.array([[np.log10(t["params"]["lr"]), t["params"]["momentum"]] for t in rnd.trials])
    ax1.scatter(pts[:, 0], pts[:, 1], s=16, marker="x", c="white", label="random search")
    ax1.set(title="One two-basin objective, 30 trials each", xlabel="log10 learning rate",
            ylabel="momentum", xlim=(-5, 0), ylim=(0, 0.99))
    ax1.legend(fontsize=6, loc="lower left")
    t = np.arange(1, _BUDGET + 1)
    for two, style in ((False, "-"), (True, "--")):
        name = "two basins" if two else "one basin"
        ax2.plot(t, curves[two][0], style, color="tab:red", label=f"coarse-to-fine, {name}")
        ax2.plot(t, curves[two][1], style, color="k", label=f"random search, {name}")
    for x in range(_PER_ROUND, _BUDGET, _PER_ROUND):
        ax2.axvline(x + 0.5, color="grey", lw=0.5)
    ax2.set_yscale("log")
    ax2.set(title=f"Mean best-so-far regret ({repeats} objectives each)", xlabel="trial",
            ylabel="1 − best score so far")
    ax2.legend(fontsize=7)
    fig.tight_layout()

    one, two = stats[False], stats[True]
    verdict = (f"mean regret (1 − best score) after {_BUDGET} trials — one basin: coarse-to-fine "
               f"{one['ctf']:.3f} vs random {one['random']:.3f} (coarse-to-fine better in "
               f"{one['ctf_wins']:.0%} of {repeats} objectives); two basins: "
               f"{two['ctf']:.3f} vs {two['random']:.3f} (better in {two['ctf_wins']:.0%}); "
               f"medians {one['ctf_median']:.3f} vs {one['random_median']:.3f} and "
               f"{two['ctf_median']:.3f} vs {two['random_median']:.3f}; with two basins "
               f"{two['ctf_low']:.0%} of coarse-to-fine searches vs {two['random_low']:.0%} of "
               f"random ones ended below the lower peak's 0.8 (narrowed onto the wrong basin "
               f"or found neither)")
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"Synthetic objectives over lr ~ log-uniform[1e-5, 1] and momentum ~ "
               f"uniform[0, 0.99], both of which matter: a Gaussian peak (height 1, σ 8–20% of "
               f"each axis) at a random place; the two-basin family adds a second peak of height "
               f"0.8 elsewhere. {repeats} random objectives per family. "
               f"tidu.tune.CoarseToFine with its defaults (3 rounds × 10 trials, keep_top=3, "
               f"shrink=0.5) vs tidu.tune.RandomSearch(n_trials=30), same seed, n_jobs=1. Held "
               f"if coarse-to-fine has the lower mean regret and wins in more than half of the "
               f"objectives, in both families."),
        numbers={"one_basin_ctf_regret": one["ctf"], "one_basin_random_regret": one["random"],
                 "one_basin_ctf_wins": one["ctf_wins"], "two_basin_ctf_regret": two["ctf"],
                 "two_basin_random_regret": two["random"], "two_basin_ctf_wins": two["ctf_wins"]},
        figures=[fig])
