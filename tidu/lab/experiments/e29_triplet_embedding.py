"""E29: a triplet loss learns an embedding that separates the classes."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import load_digits
from tidu.model_selection import train_test_split
from tidu.nn import functional as F

from ..base import Outcome, SubClaim, experiment


def _embed(model, X) -> np.ndarray:
    with tidu.no_grad():
        return model(tidu.Tensor(X))._data.astype(np.float64)


def _scores(Etr, ytr, Ete, yte) -> tuple:
    """1-nearest-neighbour accuracy of the test points among the training points, and the ratio
    mean between-class distance / mean within-class distance over test pairs (scale-free)."""
    d = ((Ete[:, None, :] - Etr[None, :, :]) ** 2).sum(-1)
    nn1 = float((ytr[d.argmin(1)] == yte).mean())
    D = np.sqrt(((Ete[:, None, :] - Ete[None, :, :]) ** 2).sum(-1))
    same = yte[:, None] == yte[None, :]
    off = ~np.eye(len(yte), dtype=bool)
    return nn1, float(D[~same].mean() / D[same & off].mean())


def _pca(Xtr, Xte, dim: int) -> tuple:
    mu = Xtr.mean(0)
    _, _, vt = np.linalg.svd(Xtr - mu, full_matrices=False)
    return (Xtr - mu) @ vt[:dim].T, (Xte - mu) @ vt[:dim].T


def _one_seed(seed: int, steps: int, dim: int):
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=seed, stratify=y)
    tidu.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, dim))
    E0tr, E0te = _embed(model, Xtr), _embed(model, Xte)
    before = _scores(E0tr, ytr, E0te, yte)
    Ptr, Pte = _pca(Xtr.astype(np.float64), Xte.astype(np.float64), dim)
    pca = _scores(Ptr, ytr, Pte, yte)
    opt = tidu.optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(seed)
    order = np.argsort(ytr, kind="stable")              # training indices grouped by class
    counts = np.bincount(ytr, minlength=10)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def draw(classes):                                    # one random training index per class label
        return order[starts[classes] + (rng.random(len(classes)) * counts[classes]).astype(int)]

    losses = []
    for _ in range(steps):
        # random triplets: anchor; positive of the same class; negative of another class
        a = rng.integers(0, len(Xtr), 64)
        p = draw(ytr[a])
        n = draw((ytr[a] + rng.integers(1, 10, 64)) % 10)
        loss = F.triplet_margin_loss(model(tidu.Tensor(Xtr[a])), model(tidu.Tensor(Xtr[p])),
                                     model(tidu.Tensor(Xtr[n])), margin=1.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss._data))
    E1te = _embed(model, Xte)
    after = _scores(_embed(model, Xtr), ytr, E1te, yte)
    return {"before": before, "after": after, "pca": pca, "losses": losses,
            "E0te": E0te, "E1te": E1te, "yte": yte}


@experiment(
    "E29", title="Triplet loss learns a class-separating embedding", notes=("003",),
    claim_zh="Triplet loss（三元组损失）的优势在于**细节区分**，即当两个输入相似时，**Triplet loss能够更好地对细节进行建模**，"
             "相当于加入了两个输入差异性差异的度量，学习到输入的更好表示",
    claim_en="Training with the triplet loss max(d(a, p) − d(a, n) + margin, 0) learns a representation "
             "in which same-class inputs are close and different-class inputs far apart.",
)
def run(full: bool = False) -> Outcome:
    seeds = (0, 1, 2, 3, 4) if full else (0, 1, 2)
    steps, dim = (2000 if full else 800), 2
    runs = [_one_seed(s, steps, dim) for s in seeds]
    nn_before = [r["before"][0] for r in runs]
    nn_after = [r["after"][0] for r in runs]
    ratio_before = [r["before"][1] for r in runs]
    ratio_after = [r["after"][1] for r in runs]
    nn_pca = [r["pca"][0] for r in runs]
    def two(vals):
        return ", ".join(f"{v:.2f}" for v in vals)

    subclaims = [
        SubClaim("same-class inputs end close together, different-class inputs far apart",
                 held=all(ra >= 2 * rb for ra, rb in zip(ratio_after, ratio_before)),
                 evidence=f"mean between-class / within-class distance of held-out digits "
                          f"{two(ratio_before)} before → {two(ratio_after)} after triplet training "
                          f"(seeds {list(seeds)}). Criterion: at least doubled in every seed"),
        SubClaim("the learned representation tells the classes apart better",
                 held=all(a >= b + 0.3 and a > c for a, b, c in zip(nn_after, nn_before, nn_pca)),
                 evidence=f"1-nearest-neighbour accuracy in the 2-D embedding {two(nn_before)} at "
                          f"initialization → {two(nn_after)} after training; a 2-D PCA of the pixels "
                          f"gives {two(nn_pca)}. Criterion: up by ≥ 0.3 and above PCA's, every seed"),
    ]
    takeaway = (f"A 2-D triplet-loss embedding of held-out digits: 1-NN accuracy "
                f"{np.mean(nn_before):.2f} → {np.mean(nn_after):.2f} (2-D PCA: {np.mean(nn_pca):.2f}), "
                f"between/within-class distance ratio {np.mean(ratio_before):.2f} → "
                f"{np.mean(ratio_after):.2f} ({len(seeds)} seeds)")

    r0 = runs[0]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    cmap = plt.get_cmap("tab10")
    for ax, key, title, sc in ((axes[0], "E0te", "before training (random init)", r0["before"]),
                               (axes[1], "E1te", f"after {steps} triplet steps", r0["after"])):
        E = r0[key]
        for c in range(10):
            m = r0["yte"] == c
            ax.scatter(E[m, 0], E[m, 1], s=6, color=cmap(c), label=str(c))
        ax.set(title=f"Test embedding {title}: 1-NN {sc[0]:.2f}", xlabel="embedding dim 1",
               ylabel="embedding dim 2")
    axes[1].legend(title="digit", fontsize=7, markerscale=2, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()

    verdict = (f"2-D embedding of held-out digits (mean of {len(seeds)} seeds): 1-nearest-neighbour "
               f"accuracy {np.mean(nn_before):.3f} before → {np.mean(nn_after):.3f} after triplet training "
               f"(2-D PCA of the pixels: {np.mean(nn_pca):.3f}); between-/within-class distance ratio "
               f"{np.mean(ratio_before):.2f} → {np.mean(ratio_after):.2f}; per seed 1-NN "
               + ", ".join(f"{b:.2f}→{a:.2f}" for b, a in zip(nn_before, nn_after))
               + f"; triplet loss {np.mean(runs[0]['losses'][:50]):.3f} (first 50 steps) → "
                 f"{np.mean(runs[0]['losses'][-50:]):.3f} (last 50), seed {seeds[0]}. Criteria: distance ratio at "
                 f"least doubled, 1-NN up by ≥ 0.3 and above PCA's, in every seed")
    return Outcome(takeaway=takeaway, subclaims=subclaims, verdict=verdict, seeds=seeds,
                   per_seed={"1-NN before": nn_before, "1-NN after": nn_after, "1-NN, 2-D PCA": nn_pca,
                             "distance ratio before": ratio_before,
                             "distance ratio after": ratio_after},
                   setup="scikit-learn's digits (pixels / 16), stratified 75/25 split; embedding net "
                         f"64-64-{dim} (ReLU); {steps} Adam steps (lr 3e-3) of 64 random triplets (anchor, a "
                         "positive of its class, a negative of another class) with "
                         "tidu.nn.functional.triplet_margin_loss (margin 1, L2); scored on the test set "
                         "before and after: 1-NN accuracy against the training embeddings and the mean "
                         "between-class / within-class pairwise distance ratio; the 2-D PCA of the pixels "
                         f"as a reference; seeds {list(seeds)}",
                   numbers={"nn1_before": nn_before, "nn1_after": nn_after, "nn1_pca": nn_pca,
                            "ratio_before": ratio_before, "ratio_after": ratio_after},
                   figures=[fig])
