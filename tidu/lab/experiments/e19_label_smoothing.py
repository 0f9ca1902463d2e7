"""E19: label smoothing turns [0, 1] into [0.05, 0.95] (ε = 0.1, K = 2) — the notes' arithmetic;
beyond the notes, the lab also measures what training on such targets does to confidence."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import load_digits
from tidu.model_selection import train_test_split
from tidu.nn import functional as F

from ..base import Outcome, SubClaim, experiment
from ..report import fmt

EPS = 0.1


def _smoothed_target(eps: float, logits) -> np.ndarray:
    """Read the target F.cross_entropy actually uses off its gradient: for a softmax
    cross-entropy ∂L/∂x = softmax(x) − target (reduction 'sum'), so target = softmax(x) − ∂L/∂x."""
    x = tidu.Tensor(np.asarray(logits, dtype=np.float64)[None, :], requires_grad=True, dtype="float64")
    loss = F.cross_entropy(x, tidu.Tensor(np.array([1])), reduction="sum", label_smoothing=eps)
    loss.backward()
    return (F.softmax(x, dim=-1)._data - x.grad._data)[0]


def _fit_free_logits(eps: float, steps: int) -> np.ndarray:
    """Gradient descent on a free pair of logits for one example of class 1: the probability
    of class 1 after each step (the loss's minimiser is the target itself)."""
    x = tidu.Tensor(np.zeros((1, 2)), requires_grad=True, dtype="float64")
    opt = tidu.optim.SGD([x], lr=1.0)
    p1 = []
    for _ in range(steps):
        loss = F.cross_entropy(x, tidu.Tensor(np.array([1])), label_smoothing=eps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        p1.append(float(F.softmax(x, dim=-1)._data[0, 1]))
    return np.array(p1)


def _train_digits(eps: float, seed: int, steps: int):
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, seed=seed, stratify=y)
    tidu.manual_seed(seed)                      # the same initial weights with and without smoothing
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = tidu.optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(seed)           # the same mini-batches with and without smoothing
    for _ in range(steps):
        idx = rng.choice(len(Xtr), 64, replace=False)
        loss = F.cross_entropy(model(tidu.Tensor(Xtr[idx])), tidu.Tensor(ytr[idx]),
                               label_smoothing=eps)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with tidu.no_grad():
        p = F.softmax(model(tidu.Tensor(Xte)), dim=-1)._data.astype(np.float64)
    pred, conf = p.argmax(1), p.max(1)
    wrong = pred != yte
    return {"accuracy": float((~wrong).mean()), "mean_max_prob": float(conf.mean()),
            "max_prob_on_errors": float(conf[wrong].mean()) if wrong.any() else float("nan"),
            "max_probs": conf}


@experiment(
    "E19", title="Label smoothing: [0, 1] → [0.05, 0.95]", notes=("004",),
    claim_zh="假如Label Smoothing设置错误率ε为0.1,某个样本的二分类标签的ont-hot表示[0,1],K表示分类类别数:"
             "[0,1] * (1-ε) + ε/K = [0,1] * (1-0.1) + 0.1/2 = [0 * 0.9 + 0.05, 1 * 0.9 + 0.05] = [0.05,0.95]",
    claim_en="Label smoothing with ε = 0.1 replaces the one-hot label [0, 1] of a two-class problem "
             "(K = 2) by [0, 1]·(1 − ε) + ε/K = [0.05, 0.95].",
    beyond_notes="The notes give only the arithmetic of the smoothed target. The lab adds two "
                 "consequences: a fit to the smoothed label stops at p = 0.95 instead of climbing "
                 "towards 1, and a digits MLP trained with ε = 0.1 ends less confident on test data "
                 "(lower max-probability; not 'less over-confident': the plain model here is not "
                 "over-confident).",
)
def run(full: bool = False) -> Outcome:
    # 1. the notes' arithmetic, as F.cross_entropy(label_smoothing=0.1) applies it
    targets = [_smoothed_target(EPS, logits) for logits in ([0.0, 0.0], [3.0, -1.0], [-2.0, 5.0])]
    target = targets[0]
    target_err = float(max(np.abs(t - [0.05, 0.95]).max() for t in targets))
    p_free = {eps: _fit_free_logits(eps, 400 if full else 200) for eps in (0.0, EPS)}

    # 2. the effect on confidence: the same MLP on digits, trained with and without smoothing
    seeds = (0, 1, 2, 3, 4) if full else (0, 1, 2)
    steps = 1500 if full else 600
    res = {eps: [_train_digits(eps, s, steps) for s in seeds] for eps in (0.0, EPS)}

    def mean(eps, key):
        return float(np.mean([r[key] for r in res[eps]]))

    drops = [a["mean_max_prob"] - b["mean_max_prob"] for a, b in zip(res[0.0], res[EPS])]
    acc_change = [b["accuracy"] - a["accuracy"] for a, b in zip(res[0.0], res[EPS])]
    gap = {e: [r["mean_max_prob"] - r["accuracy"] for r in res[e]] for e in res}   # conf − acc

    def err_conf(eps):                         # mean confidence on the misclassified test digits
        vals = [r["max_prob_on_errors"] for r in res[eps] if np.isfinite(r["max_prob_on_errors"])]
        return float(np.mean(vals)) if vals else None

    p_smooth, p_plain = float(p_free[EPS][-1]), float(p_free[0.0][-1])
    subclaims = [
        SubClaim("ε = 0.1, K = 2: the label [0, 1] becomes [0.05, 0.95]",
                 held=target_err < 1e-6,
                 evidence=f"F.cross_entropy(label_smoothing=0.1) on K = 2 uses the target "
                          f"[{target[0]:.6f}, {target[1]:.6f}] (read off its gradient); max deviation "
                          f"from [0.05, 0.95] over 3 logit vectors {target_err:.1e}. Criterion: < 1e-6"),
        SubClaim("a fit to the smoothed label stops at p = 0.95 instead of climbing towards 1",
                 held=abs(p_smooth - 0.95) < 1e-3 and p_plain > 0.99,
                 evidence=f"free logits fitted by SGD reach p = {p_smooth:.4f} with ε = 0.1 vs "
                          f"{p_plain:.4f} (still rising) without, after {len(p_free[EPS])} steps. "
                          f"Criterion: |p − 0.95| < 1e-3 with smoothing, p > 0.99 without",
                 beyond_notes=True),
        SubClaim("a digits MLP trained with ε = 0.1 is less confident on test data, at no cost in "
                 "accuracy",
                 held=min(drops) >= 0.05 and min(acc_change) >= -0.02,
                 evidence=f"test mean max-probability {mean(0.0, 'mean_max_prob'):.3f} without vs "
                          f"{mean(EPS, 'mean_max_prob'):.3f} with smoothing (lower by "
                          f"{', '.join(f'{d:.3f}' for d in drops)} in seeds {list(seeds)}); accuracy "
                          f"change {', '.join(f'{100 * c:+.1f}' for c in acc_change)} pts. Criterion: "
                          f"lower by ≥ 0.05 in every seed, accuracy down by ≤ 2 pts in every seed",
                 beyond_notes=True),
    ]
    takeaway = (f"ε = 0.1, K = 2 turns [0, 1] into [{target[0]:.2f}, {target[1]:.2f}] exactly, as the "
                f"notes compute, and a fit to it stops at p = {p_smooth:.3f}; beyond the notes, a "
                f"digits MLP trained with it is less confident (test max-probability "
                f"{mean(0.0, 'mean_max_prob'):.3f} → {mean(EPS, 'mean_max_prob'):.3f}) at accuracy "
                f"{mean(0.0, 'accuracy'):.3f} → {mean(EPS, 'accuracy'):.3f}")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for eps, style in ((0.0, "-"), (EPS, "--")):
        ax1.plot(np.arange(1, len(p_free[eps]) + 1), p_free[eps], style, label=f"ε = {eps:g}")
    ax1.axhline(0.95, color="gray", linestyle=":", label="0.95 = 1·(1−0.1) + 0.1/2")
    ax1.set(title="Free logits fitted to one label [0, 1] (K = 2)", xlabel="gradient step",
            ylabel="p(class 1)")
    ax1.legend()
    bins = np.linspace(0.1, 1.0, 37)
    for eps, color in ((0.0, "tab:blue"), (EPS, "tab:orange")):
        ax2.hist(res[eps][0]["max_probs"], bins=bins, alpha=0.6, color=color,
                 label=f"ε = {eps:g}: mean {res[eps][0]['mean_max_prob']:.3f}, "
                       f"acc {res[eps][0]['accuracy']:.3f}")
    ax2.set_yscale("log")
    ax2.set(title="Digits MLP, test set (seed 0)", xlabel="max softmax probability",
            ylabel="test samples")
    ax2.legend(fontsize=8, loc="upper left")
    fig.tight_layout()

    e0, e1 = err_conf(0.0), err_conf(EPS)
    verdict = (f"{subclaims[0].evidence}. {subclaims[1].evidence}. Digits MLP (mean of "
               f"{len(seeds)} seeds): {subclaims[2].evidence}. Not in the criterion: mean confidence "
               f"on the misclassified {fmt(e0)} vs {fmt(e1)}; confidence − accuracy "
               f"{np.mean(gap[0.0]):+.3f} without vs {np.mean(gap[EPS]):+.3f} with smoothing — the "
               f"plain model is not over-confident here, and smoothing makes it under-confident, so "
               f"this measures lower confidence, not better calibration")
    return Outcome(takeaway=takeaway, subclaims=subclaims, verdict=verdict, seeds=seeds,
                   per_seed={"test mean max-prob, ε = 0": [r["mean_max_prob"] for r in res[0.0]],
                             "test mean max-prob, ε = 0.1": [r["mean_max_prob"] for r in res[EPS]],
                             "accuracy change (ε = 0.1 − ε = 0)": acc_change,
                             "confidence − accuracy, ε = 0": gap[0.0],
                             "confidence − accuracy, ε = 0.1": gap[EPS]},
                   setup="(1) the smoothed target that tidu.nn.functional.cross_entropy(label_smoothing=0.1) "
                         "applies, recovered as softmax(x) − ∂L/∂x for class 1 of K = 2, and a free pair of "
                         "logits fitted to it by SGD (lr 1); (2) scikit-learn's digits (pixels / 16), "
                         f"stratified 75/25 split, MLP 64-128-10 (ReLU), Adam lr 3e-3, {steps} steps of "
                         f"batch 64, trained with ε = 0 and ε = 0.1 from the same initial weights and "
                         f"batches; seeds {list(seeds)}",
                   numbers={"smoothed_target": [float(v) for v in target], "target_error": target_err,
                            "free_logit_p": {str(k): float(v[-1]) for k, v in p_free.items()},
                            "mean_max_prob": {str(e): mean(e, "mean_max_prob") for e in res},
                            "max_prob_on_errors": {"0": e0, str(EPS): e1},
                            "confidence_minus_accuracy": {str(e): float(np.mean(gap[e])) for e in res},
                            "accuracy": {str(e): mean(e, "accuracy") for e in res}},
                   figures=[fig])
