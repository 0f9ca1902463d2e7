"""The judgement E6 (dropout) and E8 (augmentation) share: does a regularizer narrow the gap
between held-out and training error, without raising the held-out error?  Each run is
``(data, plain_curves, treated_curves)``; curves hold per-epoch ``train_err``, ``test_err``,
``train_loss``, ``test_loss`` and the chosen ``lr``."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..base import SubClaim

NARROWER_BY = 0.01        # the gap must shrink by ≥ 1 point on average (and in most seeds)
NO_WORSE_BY = 0.01        # the held-out error may not rise by more than 1 point


@dataclass
class Gap:
    """Per-seed final errors of the plain and the treated arm, and what they decide."""

    train_err: dict
    test_err: dict
    err_gap: dict
    loss_gap: dict
    lrs: dict
    narrowing: np.ndarray

    def mean(self, table: str) -> dict:
        return {k: float(v.mean()) for k, v in getattr(self, table).items()}

    @property
    def narrower(self) -> int:
        return int(np.sum(self.narrowing > 0))


def measure(runs, treated: str) -> Gap:
    """Final-epoch errors per seed for arms ``"plain"`` (runs[i][1]) and ``treated`` (runs[i][2])."""
    arms = (("plain", 1), (treated, 2))

    def final(key):
        return {k: np.array([float(r[i][key][-1]) for r in runs]) for k, i in arms}

    train_err, test_err = final("train_err"), final("test_err")
    train_loss, test_loss = final("train_loss"), final("test_loss")
    err_gap = {k: test_err[k] - train_err[k] for k, _ in arms}
    return Gap(train_err=train_err, test_err=test_err, err_gap=err_gap,
               loss_gap={k: float(np.mean(test_loss[k] - train_loss[k])) for k, _ in arms},
               lrs={k: [float(r[i]["lr"]) for r in runs] for k, i in arms},
               narrowing=err_gap["plain"] - err_gap[treated])


def _pts(values) -> str:
    return ", ".join(f"{100 * x:.1f}" for x in values)


def subclaims(gap: Gap, treated: str, noun: str, seeds) -> list:
    """The two sub-claims: ``noun`` ("dropout") narrows the gap; it does not raise the error."""
    eg, te = gap.mean("err_gap"), gap.mean("test_err")
    n = len(seeds)
    return [
        SubClaim(f"{noun} narrows the gap between held-out and training error",
                 held=bool(gap.narrowing.mean() >= NARROWER_BY and gap.narrower > n / 2),
                 evidence=f"held-out − training error {100 * eg['plain']:.1f} pts without {noun} "
                          f"vs {100 * eg[treated]:.1f} with (mean of {n} seeds); narrower by "
                          f"{_pts(gap.narrowing)} pts per seed ({gap.narrower}/{n} narrower). "
                          f"Criterion: narrower by ≥ 1 pt on average and in most seeds"),
        SubClaim(f"{noun} does not raise the held-out error",
                 held=bool(te[treated] <= te["plain"] + NO_WORSE_BY),
                 evidence=f"held-out error {100 * te['plain']:.1f}% without vs "
                          f"{100 * te[treated]:.1f}% with {noun} (per seed "
                          f"{_pts(gap.test_err['plain'])} vs {_pts(gap.test_err[treated])}). "
                          f"Criterion: mean not higher by > 1 pt"),
    ]


def gap_bars(ax, gap: Gap, treated: str, seeds, labels: tuple) -> None:
    """Final gap per seed, plain (red) beside treated (blue)."""
    x = np.arange(len(seeds))
    ax.bar(x - 0.2, 100 * gap.err_gap["plain"], 0.4, color="tab:red", label=labels[0])
    ax.bar(x + 0.2, 100 * gap.err_gap[treated], 0.4, color="tab:blue", label=labels[1])
    ax.set_xticks(x, [str(s) for s in seeds])
    ax.set(title="Final gap: held-out error − training error", xlabel="seed",
           ylabel="gap (percentage points)")
    ax.legend(fontsize=8)


def per_seed(gap: Gap, treated: str, noun: str) -> dict:
    """The per-seed table: gaps, held-out errors and the chosen learning rates."""
    return {f"gap without {noun} (pts)": [100 * float(v) for v in gap.err_gap["plain"]],
            f"gap with {noun} (pts)": [100 * float(v) for v in gap.err_gap[treated]],
            "held-out error without (%)": [100 * float(v) for v in gap.test_err["plain"]],
            "held-out error with (%)": [100 * float(v) for v in gap.test_err[treated]],
            "lr without": gap.lrs["plain"], "lr with": gap.lrs[treated]}


def not_judged(gap: Gap, treated: str, noun: str, loss_digits: int) -> str:
    """The verdict's tail: what is shown but does not decide (loss gap, training error, lrs)."""
    tr, lg, lrs = gap.mean("train_err"), gap.loss_gap, gap.lrs
    return (f"Not judged: held-out − training cross-entropy gap {lg['plain']:.{loss_digits}f} vs "
            f"{lg[treated]:.{loss_digits}f}; training error {100 * tr['plain']:.1f}% vs "
            f"{100 * tr[treated]:.1f}%; chosen lr without {noun} "
            f"{', '.join(f'{v:g}' for v in lrs['plain'])}, with "
            f"{', '.join(f'{v:g}' for v in lrs[treated])}")


def numbers(gap: Gap) -> dict:
    """The Outcome's numbers table."""
    return {"error_gap": gap.mean("err_gap"), "loss_gap": gap.loss_gap,
            "test_error": gap.mean("test_err"), "train_error": gap.mean("train_err"),
            "lr": gap.lrs, "seeds_narrower": gap.narrower}
