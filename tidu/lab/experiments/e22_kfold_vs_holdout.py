"""E22: k-fold estimates vary less than single hold-out estimates; leave-one-out on tiny data."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import load_digits, load_iris
from tidu.model_selection import (KFold, LeaveOneOut, StratifiedKFold, cross_validate,
                                  holdout_score, train_test_split)

from ..base import Outcome, SubClaim, experiment

_FIT = {"epochs": 50, "batch_size": None}      # softmax regression, full batch
_TINY_PER_CLASS = 3                            # tiny data sets: 3 digits of each class = 30


def _build():
    model = nn.Linear(4, 3)                    # softmax regression on the 4 iris measurements
    return model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=0.1)


def _nearest_centroid(X_train, y_train, X_test):
    """Predict the class whose training mean is nearest (a model that is cheap enough to fit
    thousands of times)."""
    classes = np.unique(y_train)
    centroids = np.stack([X_train[y_train == c].mean(axis=0) for c in classes])
    d2 = ((X_test[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return classes[d2.argmin(axis=1)]


def _cv_accuracy(X, y, splits) -> float:
    """Accuracy pooled over the validation parts of ``splits`` (each sample counted once)."""
    hits = n = 0
    for train, val in splits:
        hits += int(np.sum(_nearest_centroid(X[train], y[train], X[val]) == y[val]))
        n += len(val)
    return hits / n


@experiment(
    "E22", title="k-fold vs hold-out; leave-one-out on tiny data", notes=("001",),
    claim_zh="静态的「留出法」对数据的划分方式比较敏感，有可能不同的划分方式得到了不同的模型。「k 折交叉验证」"
             "是一种动态验证的方式，这种方式可以降低数据划分带来的影响。……（留一法）这个方法用于训练的数据只比"
             "整体数据集少了一个样本，因此最接近原始样本的分布。但是训练复杂度增加了，因为模型的数量与原始数据样本"
             "数量相同。一般在数据缺乏时使用。",
    claim_en="A single hold-out split gives an estimate that depends on how the data happened to "
             "be split; k-fold cross-validation varies much less. Leave-one-out trains on all but "
             "one sample — the closest to the whole data — at the price of n models, for when "
             "data is scarce.",
    expected="held",
)
def run(full: bool = False) -> Outcome:
    return _run(full, base=0)


def _run(full: bool, base: int) -> Outcome:
    blocks = (0, 1, 2)                         # three independent blocks of repetitions
    per_block = 17 if full else 7              # random splits of iris per block
    tiny_per_block = 100 if full else 33       # tiny data sets per block
    resplits, n_tiny = per_block * len(blocks), tiny_per_block * len(blocks)

    # A. the same model scored under `resplits` different random splits
    X, y = load_iris()                         # 150 flowers, 4 measurements in cm (unscaled)
    holdout = np.array([holdout_score(_build, X, y, val_size=0.2, stratify=True, seed=base + s,
                                      fit_kwargs=_FIT).score for s in range(resplits)])
    kfolds = {5: np.array([cross_validate(_build, X, y, seed=base + s, fit_kwargs=_FIT,
                                          cv=StratifiedKFold(5, shuffle=True,
                                                             random_state=base + s)).score
                           for s in range(resplits)])}
    if full:
        kfolds[10] = np.array([cross_validate(_build, X, y, seed=base + s, fit_kwargs=_FIT,
                                              cv=StratifiedKFold(10, shuffle=True,
                                                                 random_state=base + s)).score
                               for s in range(resplits)])
    sd_holdout = float(np.std(holdout, ddof=1))
    sd_kfold = {k: float(np.std(v, ddof=1)) for k, v in kfolds.items()}
    ratio = sd_kfold[5] / sd_holdout
    a_held = ratio < 0.75

    def block_sd(v):
        return [float(np.std(v[b * per_block:(b + 1) * per_block], ddof=1)) for b in blocks]

    sd_blocks = {"hold-out": block_sd(holdout), "5-fold": block_sd(kfolds[5])}

    # B. tiny data sets: how close is each estimate to the accuracy of the model trained on
    # all n samples (measured on the rest of the digits)?
    rng = np.random.default_rng(base + 7)
    Xd, y = load_digits()
    Xd = Xd.astype(np.float64) / 16.0
    err = {"hold-out 20%": [], "5-fold": [], "leave-one-out": []}
    split_sd = {"hold-out 20%": [], "5-fold": []}
    for t in range(n_tiny):
        idx = np.concatenate([rng.choice(np.flatnonzero(y == c), _TINY_PER_CLASS, replace=False)
                              for c in range(10)])
        rest = np.setdiff1d(np.arange(len(y)), idx)
        Xs, ys = Xd[idx], y[idx]
        n = len(ys)
        truth = float(np.mean(_nearest_centroid(Xs, ys, Xd[rest]) == y[rest]))
        ho, kf = [], []
        for j in range(5):                     # 5 random splits of this data set
            seed = base + 1000 * t + j
            train, val = train_test_split(np.arange(n), test_size=0.2, seed=seed)
            ho.append(_cv_accuracy(Xs, ys, [(train, val)]))
            kf.append(_cv_accuracy(Xs, ys, KFold(5, shuffle=True, random_state=seed).split(Xs)))
        loo = _cv_accuracy(Xs, ys, LeaveOneOut().split(Xs))
        err["hold-out 20%"].append(ho[0] - truth)
        err["5-fold"].append(kf[0] - truth)
        err["leave-one-out"].append(loo - truth)
        split_sd["hold-out 20%"].append(np.std(ho))
        split_sd["5-fold"].append(np.std(kf))
    err = {k: np.array(v) for k, v in err.items()}
    mae = {k: float(np.mean(np.abs(v))) for k, v in err.items()}
    bias = {k: float(np.mean(v)) for k, v in err.items()}
    sd_split = {k: float(np.mean(v)) for k, v in split_sd.items()}
    mae_blocks = {k: [float(np.mean(np.abs(v[b * tiny_per_block:(b + 1) * tiny_per_block])))
                      for b in blocks] for k, v in err.items()}
    b_held = mae["leave-one-out"] < min(mae["hold-out 20%"], mae["5-fold"])
    n_tiny_samples = 10 * _TINY_PER_CLASS

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    groups = [("hold-out 20%", holdout)] + [(f"{k}-fold", v) for k, v in kfolds.items()]
    ax1.boxplot([v for _, v in groups], showmeans=True)
    ax1.set_xticks(range(1, len(groups) + 1), [g for g, _ in groups])
    for i, (_, v) in enumerate(groups, start=1):
        jitter = np.random.default_rng(i).uniform(-0.08, 0.08, len(v))
        ax1.plot(i + jitter, v, ".", color="tab:blue", alpha=0.5)
    ax1.set(title=f"Iris, softmax regression: {resplits} random splits",
            xlabel="validation scheme", ylabel="estimated accuracy")
    names = list(err)
    ax2.boxplot([err[k] for k in names], showmeans=True)
    fits = {"hold-out 20%": 1, "5-fold": 5, "leave-one-out": n_tiny_samples}
    ax2.set_xticks(range(1, len(names) + 1), [f"{k}\n({fits[k]} fits)" for k in names])
    ax2.axhline(0, color="grey", lw=0.8)
    ax2.set(title=f"{n_tiny} tiny sets of {n_tiny_samples} digits, nearest centroid",
            xlabel="validation scheme", ylabel="estimate − true accuracy")
    fig.tight_layout()

    def listed(v, spec=".3f"):
        return ", ".join(format(x, spec) for x in v)

    a_ev = (f"iris, {resplits} random splits: the accuracy estimate's std is {sd_holdout:.4f} for "
            f"one 20% hold-out vs {sd_kfold[5]:.4f} for 5-fold "
            + (f"and {sd_kfold[10]:.4f} for 10-fold " if 10 in sd_kfold else "")
            + f"(5-fold / hold-out = {ratio:.2f}); per block of {per_block} splits: hold-out "
              f"{listed(sd_blocks['hold-out'], '.4f')}, 5-fold {listed(sd_blocks['5-fold'], '.4f')}. "
              f"Criterion: 5-fold std < 0.75 × hold-out's.")
    b_ev = (f"{n_tiny} tiny sets of {n_tiny_samples} digits: mean |estimate − accuracy of the model "
            f"trained on all {n_tiny_samples}| = {mae['hold-out 20%']:.3f} hold-out, "
            f"{mae['5-fold']:.3f} 5-fold, {mae['leave-one-out']:.3f} leave-one-out (mean error "
            f"{bias['hold-out 20%']:+.3f}, {bias['5-fold']:+.3f}, {bias['leave-one-out']:+.3f}: "
            f"training on fewer samples underestimates); per block of {tiny_per_block}: "
            f"{listed(mae_blocks['hold-out 20%'])} / {listed(mae_blocks['5-fold'])} / "
            f"{listed(mae_blocks['leave-one-out'])}. Leave-one-out costs {n_tiny_samples} fits and "
            f"does not depend on a random split (std over 5 splits of one set: hold-out "
            f"{sd_split['hold-out 20%']:.3f}, 5-fold {sd_split['5-fold']:.3f}, leave-one-out 0). "
            f"Criterion: leave-one-out has the smallest mean |error| of the three.")
    subclaims = [
        SubClaim("k-fold cross-validation depends less on how the data happened to be split than "
                 "one hold-out split", a_held, a_ev),
        SubClaim("on scarce data leave-one-out, training on all but one sample, estimates the "
                 "accuracy of the model trained on all the data most closely", b_held, b_ev),
    ]
    takeaway = (f"Over {resplits} random splits of iris the 5-fold estimate's std is "
                f"{sd_kfold[5]:.3f} vs {sd_holdout:.3f} for one hold-out; on {n_tiny_samples}-sample "
                f"data sets leave-one-out is off by {mae['leave-one-out']:.3f} on average vs "
                f"{mae['5-fold']:.3f} (5-fold) and {mae['hold-out 20%']:.3f} (hold-out).")
    verdict = (f"k-fold steadier: {'held' if a_held else 'not held'} (std ratio {ratio:.2f}, "
               f"criterion < 0.75); leave-one-out closest on tiny data: "
               f"{'held' if b_held else 'not held'} (mean |error| {mae['leave-one-out']:.3f} vs "
               f"{mae['5-fold']:.3f} and {mae['hold-out 20%']:.3f}).")
    return Outcome(
        subclaims=subclaims, verdict=verdict, takeaway=takeaway, seeds=blocks,
        per_seed={"iris: hold-out std": sd_blocks["hold-out"],
                  "iris: 5-fold std": sd_blocks["5-fold"],
                  "tiny: hold-out mean |error|": mae_blocks["hold-out 20%"],
                  "tiny: 5-fold mean |error|": mae_blocks["5-fold"],
                  "tiny: leave-one-out mean |error|": mae_blocks["leave-one-out"]},
        what_would_change=("A model whose accuracy hardly depends on the training set's size "
                           "would erase leave-one-out's edge; a large validation part would "
                           "shrink the hold-out's spread."),
        setup=(f"A: iris (150 flowers, 4 unscaled measurements), softmax regression "
               f"(tidu nn.Linear(4, 3), Adam lr=0.1, 50 full-batch epochs); the accuracy "
               f"estimated {resplits} times with different seeds (3 blocks of {per_block}, the "
               f"'seeds' below) by tidu.model_selection.holdout_score(val_size=0.2, stratified) "
               f"and by cross_validate(StratifiedKFold(5, shuffle=True)){' and 10-fold' if full else ''}. "
               f"B: {n_tiny} tiny data sets (3 blocks of {tiny_per_block}) of {_TINY_PER_CLASS} "
               f"digits per class from sklearn's 8×8 digits (pixels/16); a nearest-centroid "
               f"classifier (NumPy) scored by one random 20% hold-out (train_test_split), shuffled "
               f"KFold(5) and LeaveOneOut, each compared with the accuracy on the other "
               f"{1797 - n_tiny_samples} digits of the classifier fitted on all {n_tiny_samples}."),
        numbers={"holdout_std": sd_holdout, "kfold5_std": sd_kfold[5], "std_ratio": ratio,
                 "tiny_mae_holdout": mae["hold-out 20%"], "tiny_mae_kfold5": mae["5-fold"],
                 "tiny_mae_loo": mae["leave-one-out"], "tiny_bias_holdout": bias["hold-out 20%"],
                 "tiny_bias_kfold5": bias["5-fold"], "tiny_bias_loo": bias["leave-one-out"]},
        figures=[fig])
