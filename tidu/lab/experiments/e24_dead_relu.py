"""E24: a too-large learning rate kills ReLU units (zero output, zero gradient, for good);
Leaky ReLU keeps them alive."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import StandardScaler, load_digits
from tidu.nn import functional as F
from tidu.nn import init

from ..base import Outcome, experiment

HIDDEN, BATCH, NORMAL_LR = 128, 64, 0.1
ACTIVATIONS = {"ReLU": nn.ReLU, "LeakyReLU(0.01)": nn.LeakyReLU}


def _mlp(act) -> nn.Sequential:
    model = nn.Sequential(nn.Linear(64, HIDDEN), act(), nn.Linear(HIDDEN, HIDDEN), act(),
                          nn.Linear(HIDDEN, 10))
    for lin in (model[0], model[2], model[4]):
        init.kaiming_normal_(lin.weight, nonlinearity="relu")
        init.zeros_(lin.bias)
    return model


def _train(model, X, y, lr: float, epochs: int, rng) -> float:
    opt = tidu.optim.SGD(model.parameters(), lr=lr)
    loss = None
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            for idx in np.array_split(rng.permutation(len(X)), len(X) // BATCH):
                loss = F.cross_entropy(model(tidu.Tensor(X[idx])), tidu.Tensor(y[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
    return float(loss.data)


def _unit_stats(model, X, y):
    """Over the whole training set: the fraction of hidden units (both layers) whose
    pre-activation is ≤ 0 for every sample, and the fraction whose incoming weights get an
    exactly zero gradient (the notes' 参数无法更新)."""
    x, t = tidu.Tensor(X), tidu.Tensor(y)
    model.zero_grad()
    with np.errstate(all="ignore"):
        z1 = model[0](x)
        z2 = model[2](model[1](z1))
        F.cross_entropy(model[4](model[3](z2)), t).backward()
    negative = np.concatenate([(z.data <= 0).all(axis=0) for z in (z1, z2)])
    zero_grad = np.concatenate([np.abs(lin.weight.grad.data).sum(axis=1) == 0
                                for lin in (model[0], model[2])])
    return negative, zero_grad


@experiment(
    "E24", title="Dead ReLUs after a too-large learning rate; Leaky ReLU", notes=("003",),
    claim_zh="Relu死亡问题。当 x 是小于 0 的时候，那么从此所以流过这个神经元的梯度将都变成 0；这个时候这个 ReLU "
             "单元在训练中将死亡（也就是参数无法更新）……LeakyReLU的提出就是为了解决神经元”死亡“问题……在反向传播过程中，"
             "对于LeakyReLU激活函数输入小于零的部分，也可以计算得到梯度(而不是像ReLU一样值为0)",
    claim_en="A too-large learning rate pushes ReLU units to negative inputs for every sample; they output "
             "0, get zero gradient and never update again. Leaky ReLU still passes a gradient there.",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = StandardScaler().fit(X).transform(X)
    lrs = (0.1, 0.3, 1.0, 1.5, 2.0) if full else (0.1, 1.0, 1.5)
    seeds = (0, 1, 2) if full else (0, 1)
    high_epochs, recovery_epochs = 3, (10 if full else 3)
    # res[act][lr] = list over seeds of dict, or None where the loss diverged to NaN/Inf
    res = {a: {lr: [] for lr in lrs} for a in ACTIVATIONS}
    for name, act in ACTIVATIONS.items():
        for lr in lrs:
            for seed in seeds:
                tidu.manual_seed(seed)
                model, rng = _mlp(act), np.random.default_rng(seed)
                loss = _train(model, X, y, lr, high_epochs, rng)
                if not np.isfinite(loss):
                    res[name][lr].append(None)
                    continue
                neg1, zg1 = _unit_stats(model, X, y)
                _train(model, X, y, NORMAL_LR, recovery_epochs, rng)
                neg2, zg2 = _unit_stats(model, X, y)
                back = float((~neg2[neg1]).mean()) if neg1.any() else float("nan")
                res[name][lr].append({"negative": float(neg1.mean()), "zero_grad": float(zg1.mean()),
                                      "negative_after": float(neg2.mean()),
                                      "zero_grad_after": float(zg2.mean()), "revived": back})

    def mean(a, lr, key):
        vals = [r[key] for r in res[a][lr] if r is not None and not np.isnan(r[key])]
        return float(np.mean(vals)) if vals else float("nan")

    def diverged(a, lr):
        return sum(r is None for r in res[a][lr])

    high = [lr for lr in lrs if lr > NORMAL_LR]
    relu, leaky = "ReLU", "LeakyReLU(0.01)"
    relu_dead_normal = mean(relu, NORMAL_LR, "zero_grad")
    relu_dead = {lr: mean(relu, lr, "zero_grad") for lr in lrs}
    relu_dead_high = float(np.nanmax([relu_dead[lr] for lr in high]))
    relu_dead_after = {lr: mean(relu, lr, "zero_grad_after") for lr in lrs}
    leaky_neg = {lr: mean(leaky, lr, "negative") for lr in lrs}
    leaky_zero_grad = max(r["zero_grad"] for lr in lrs for r in res[leaky][lr] if r is not None)
    leaky_zero_grad_after = max(r["zero_grad_after"] for lr in lrs for r in res[leaky][lr]
                                if r is not None)
    leaky_negative = float(np.nanmean([mean(leaky, lr, "negative") for lr in high]))
    leaky_revived = float(np.nanmean([mean(leaky, lr, "revived") for lr in high]))
    relu_revived = float(np.nanmean([mean(relu, lr, "revived") for lr in high]))
    held = (relu_dead_normal == 0.0 and relu_dead_high >= 0.05
            and leaky_zero_grad == 0.0 and leaky_zero_grad_after == 0.0)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, suffix, title in ((axes[0], "", f"After {high_epochs} epochs at the given LR"),
                              (axes[1], "_after", f"… then {recovery_epochs} epochs at LR {NORMAL_LR}")):
        ax.semilogx(lrs, [mean(relu, lr, "zero_grad" + suffix) for lr in lrs], "o-",
                    label="ReLU: dead (zero gradient)")
        ax.semilogx(lrs, [mean(leaky, lr, "zero_grad" + suffix) for lr in lrs], "s-",
                    label="Leaky: zero gradient")
        ax.semilogx(lrs, [mean(leaky, lr, "negative" + suffix) for lr in lrs], "s:",
                    label="Leaky: input < 0 on every sample")
        ax.set(title=title, xlabel="learning rate (SGD)", ylabel="fraction of hidden units")
        ax.legend(fontsize=7)
    fig.tight_layout()

    div = ", ".join(f"{a} at LR {lr}: {diverged(a, lr)}/{len(seeds)}" for a in ACTIVATIONS
                    for lr in lrs if diverged(a, lr))

    def _per_lr(d):
        return ", ".join(f"{d[lr]:.0%} at LR {lr}" if np.isfinite(d[lr]) else f"diverged at LR {lr}"
                         for lr in lrs)

    verdict = (f"ReLU hidden units dead (zero gradient over the whole training set): {_per_lr(relu_dead)}; "
               f"after {recovery_epochs} more epochs at LR {NORMAL_LR}: {_per_lr(relu_dead_after)} "
               f"({relu_revived:.0%} of the dead came back). Leaky ReLU: {leaky_zero_grad:.0%} of units "
               f"with zero gradient in every run. Caveat: Leaky keeps the gradient, not the activity — "
               f"its units pushed below 0 on every sample: {_per_lr(leaky_neg)}, and only "
               f"{leaky_revived:.0%} of those at the large LRs came back within the recovery epochs (their "
               f"gradient there is scaled by 0.01). Runs that diverged to NaN and were left out: "
               f"{div or 'none'}. "
               f"Criterion: no dead ReLUs at LR {NORMAL_LR}, ≥ 5% at some larger LR, and no Leaky unit "
               f"with zero gradient.")
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"MLP 64 → {HIDDEN} → {HIDDEN} → 10 (He normal, biases 0) with ReLU or LeakyReLU(0.01) on "
               f"z-scored digits (1,797 samples), cross-entropy, SGD batch {BATCH}: {high_epochs} epochs "
               f"at LR {', '.join(map(str, lrs))}, then {recovery_epochs} epochs at LR {NORMAL_LR}; "
               f"seeds {', '.join(map(str, seeds))}. A unit is dead when its incoming weights get an "
               f"exactly zero gradient over the whole training set."),
        numbers={"runs": {a: {str(lr): v for lr, v in d.items()} for a, d in res.items()},
                 "relu_dead_normal_lr": relu_dead_normal, "relu_dead_high_lr": relu_dead_high,
                 "relu_dead_per_lr": {str(k): v for k, v in relu_dead.items()},
                 "relu_dead_after_recovery": {str(k): v for k, v in relu_dead_after.items()},
                 "leaky_zero_grad_max": leaky_zero_grad,
                 "leaky_negative_high_lr": leaky_negative, "leaky_revived": leaky_revived},
        figures=[fig])
