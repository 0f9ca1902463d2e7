"""E23: z-score or min-max scaling of features on very different scales (the notes' height /
weight / white-cell count) makes gradient descent converge much faster."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn, optim
from tidu.data import MinMaxScaler, StandardScaler
from tidu.nn import functional as F

from ..base import Outcome, experiment

EXCESS = 0.01          # converged: training loss within 0.01 nats of the optimum
N_PEOPLE = 600


def _people(seed: int):
    """Height (cm), weight (kg), white-cell count (cells/L) — the notes' example — and a
    health label that depends on all three (a logistic model on their z-scores)."""
    rng = np.random.default_rng(seed)
    height = rng.normal(170, 10, N_PEOPLE)
    weight = 70 + 0.9 * (height - 170) + rng.normal(0, 10, N_PEOPLE)
    wbc = rng.normal(7.5e9, 1.8e9, N_PEOPLE)
    raw = np.stack([height, weight, wbc], axis=1)
    z = (raw - raw.mean(0)) / raw.std(0)
    logit = 1.0 * z[:, 0] - 1.5 * z[:, 1] - 1.5 * z[:, 2] + 0.3
    y = (rng.random(N_PEOPLE) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return raw, y


def _optimum(X: np.ndarray, y: np.ndarray) -> float:
    """Minimum logistic loss (Newton's method in float64); the same for every affine scaling."""
    A = np.c_[X, np.ones(len(X))]
    b = np.zeros(A.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-A @ b))
        hess = (A * (p * (1 - p))[:, None]).T @ A / len(X)
        b -= np.linalg.solve(hess, A.T @ (p - y) / len(X))
    p = np.clip(1 / (1 + np.exp(-A @ b)), 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _gd(X: np.ndarray, y: np.ndarray, lr: float, steps: int, target: float):
    """Full-batch gradient descent on logistic regression, weights initialized to 0 (the notes:
    logistic regression starts from zeros).  Stops early once the loss reaches ``target``."""
    model = nn.Linear(X.shape[1], 1)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    opt = optim.SGD(model.parameters(), lr=lr)
    Xt, yt = tidu.tensor(X.astype(np.float32)), tidu.tensor(y[:, None])
    losses = []
    for _ in range(steps + 1):
        loss = F.binary_cross_entropy_with_logits(model(Xt), yt)
        losses.append(float(loss.data))
        if not np.isfinite(losses[-1]) or losses[-1] > 1e6 or losses[-1] <= target:
            break
        if len(losses) > steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return np.array(losses)


def _key(losses: np.ndarray, steps: int, target: float):
    """(steps to reach the target, or steps+1; final loss) — smaller is better."""
    hit = int(np.argmax(losses <= target)) if (losses <= target).any() else steps + 1
    final = float(losses[-1]) if np.isfinite(losses[-1]) else np.inf
    return hit, final


def _best_lr(X, y, steps, target):
    """The same search for every preprocessing: whole decades 1e-24 … 1e2, then half a decade
    either side of the best."""
    tried = {}

    def trial(k):
        k = round(float(k), 2)
        if k not in tried:
            tried[k] = _gd(X, y, 10.0 ** k, steps, target)
        return _key(tried[k], steps, target), k

    best = min(trial(k) for k in range(-24, 3))
    best = min([best, trial(best[1] - 0.5), trial(best[1] + 0.5)])
    return best[1], tried


@experiment(
    "E23", title="Feature scaling speeds up gradient descent", notes=("001",),
    claim_zh="一个人身高 180cm，体重 70kg，白细胞计数 7.50×10^9/L，etc. 衡量两个人的状况时，白细胞计数就会起到主导作用"
             "从而遮盖住其他的特征，归一化后就不会有这样的问题。……标准化后可以更加容易地得出最优参数 w 和 b "
             "以及计算出 J(w,b) 的最小值，从而达到加速收敛的效果。",
    claim_en="With features on very different scales (height in cm, weight in kg, white-cell count "
             "per litre), min-max or z-score scaling makes gradient descent converge much faster.",
)
def run(full: bool = False) -> Outcome:
    steps = 2000 if full else 300
    raw, y = _people(seed=0)
    conditions = {
        "raw (cm, kg, cells/L)": raw,
        "raw, count in 10⁹/L": raw / np.array([1.0, 1.0, 1e9]),
        "min-max [0, 1]": MinMaxScaler().fit_transform(raw),
        "z-score": StandardScaler().fit_transform(raw),
    }
    l_star = _optimum(conditions["z-score"], y)
    target = l_star + EXCESS
    res = {}
    for name, X in conditions.items():
        k, tried = _best_lr(X, y, steps, target)
        losses = tried[k]
        res[name] = {"log10_lr": k, "losses": losses, "key": _key(losses, steps, target),
                     "sweep": {kk: float(v[-1]) - l_star for kk, v in sorted(tried.items())}}
    raw_key = res["raw (cm, kg, cells/L)"]["key"]
    scaled = ("min-max [0, 1]", "z-score")
    held = all(res[n]["key"] < raw_key for n in scaled)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for i, (name, r) in enumerate(res.items()):
        ax1.semilogy(np.maximum(r["losses"] - l_star, 1e-6), color=f"C{i}",
                     label=f"{name} (lr {10 ** r['log10_lr']:.2g})")
        ks = np.array(list(r["sweep"]))
        excess = np.clip(np.nan_to_num(np.array(list(r["sweep"].values())), nan=1e2), 1e-6, 1e2)
        ax2.semilogy(ks, excess, "o-", ms=3,
                     color=f"C{i}", label=name)
    ax1.axhline(EXCESS, color="k", ls=":", lw=0.8)
    ax1.set(title="Full-batch GD, logistic regression", xlabel="step",
            ylabel="training loss − optimum")
    ax1.legend(fontsize=7)
    ax2.axhline(EXCESS, color="k", ls=":", lw=0.8)
    ax2.set(title=f"Learning-rate sweep (at most {steps} steps)", xlabel="log10 learning rate",
            ylabel="loss − optimum at stop (cut at 100)")
    ax2.legend(fontsize=7)
    fig.tight_layout()

    def fmt(r):
        hit, final = r["key"]
        return (f"{hit} steps" if hit <= steps
                else f"not within {steps} steps (excess {final - l_star:.3g})")

    verdict = ("steps of full-batch GD to come within 0.01 nats of the optimal loss, each at "
               "its best learning rate: " + "; ".join(
                   f"{n}: {fmt(r)} (lr {10 ** r['log10_lr']:.2g})" for n, r in res.items()))
    setup = (f"{N_PEOPLE} synthetic people: height N(170, 10) cm, weight 70 + 0.9·(height − 170) "
             f"+ N(0, 10) kg, white-cell count N(7.5e9, 1.8e9) per litre; label ~ Bernoulli(σ("
             f"1.0·z_height − 1.5·z_weight − 1.5·z_count + 0.3)). Logistic regression (Linear(3, 1), "
             f"zero init), full-batch GD (tidu.optim.SGD), ≤ {steps} steps; scalers "
             f"tidu.data.MinMaxScaler / StandardScaler fitted on the training data. Every "
             f"preprocessing gets its best lr from the same search (decades 1e-24 … 1e2, then ± "
             f"half a decade). Optimum {l_star:.4f} from Newton's method. Held if min-max and "
             f"z-score each reach the optimum + 0.01 in fewer steps than the raw features (or, if "
             f"neither reaches it, end lower). The count in 10⁹/L is shown for reference")
    return Outcome(held=held, verdict=verdict, setup=setup,
                   numbers={"optimal_loss": l_star,
                            **{n: {"steps_to_target": r["key"][0],
                                   "excess_at_stop": r["key"][1] - l_star,
                                   "log10_lr": r["log10_lr"]} for n, r in res.items()}},
                   figures=[fig])
