"""E24: a too-large learning rate kills ReLU units (zero output, zero gradient, for good);
Leaky ReLU keeps them alive — tested by its outcome: do the units that the large steps pushed
below zero on every sample come back once the learning rate is normal again?"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import StandardScaler, load_digits
from tidu.nn import functional as F
from tidu.nn import init

from ..base import Outcome, SubClaim, experiment

HIDDEN, BATCH, NORMAL_LR = 128, 64, 0.1
KILLED, STAY_DEAD, REVIVES = 0.05, 0.10, 0.50   # the criteria, fixed before the runs
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
    return float(loss._data)


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
    negative = np.concatenate([(z._data <= 0).all(axis=0) for z in (z1, z2)])
    zero_grad = np.concatenate([np.abs(lin.weight.grad._data).sum(axis=1) == 0
                                for lin in (model[0], model[2])])
    return negative, zero_grad


@experiment(
    "E24", title="Dead ReLUs after a too-large learning rate; Leaky ReLU", notes=("003",),
    claim_zh="Relu死亡问题。当 x 是小于 0 的时候，那么从此所以流过这个神经元的梯度将都变成 0；这个时候这个 ReLU "
             "单元在训练中将死亡（也就是参数无法更新）……LeakyReLU的提出就是为了解决神经元”死亡“问题……在反向传播过程中，"
             "对于LeakyReLU激活函数输入小于零的部分，也可以计算得到梯度(而不是像ReLU一样值为0)",
    claim_en="A too-large learning rate pushes ReLU units to negative inputs for every sample; they output "
             "0, get zero gradient and never update again. Leaky ReLU, which still passes a gradient "
             "there, solves this: its units come back.",
    expected="mixed",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = StandardScaler().fit(X).transform(X)
    lrs = (0.1, 1.0, 1.5, 2.0) if full else (0.1, 1.0, 1.5)
    seeds = (0, 1, 2, 3, 4) if full else (0, 1, 2)
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
                res[name][lr].append({"negative": float(neg1.mean()), "zero_grad": float(zg1.mean()),
                                      "negative_after": float(neg2.mean()),
                                      "zero_grad_after": float(zg2.mean()),
                                      "n_negative": int(neg1.sum()),
                                      "n_revived": int((~neg2[neg1]).sum())})

    relu, leaky = "ReLU", "LeakyReLU(0.01)"
    high = [lr for lr in lrs if lr > NORMAL_LR]

    def mean(a, lr, key):
        vals = [r[key] for r in res[a][lr] if r is not None]
        return float(np.mean(vals)) if vals else float("nan")

    def diverged(a, lr):
        return sum(r is None for r in res[a][lr])

    def revived(a, runs):
        """Pooled fraction of units negative on every sample after the large LR that are
        positive on some sample after the recovery epochs; NaN when none was negative."""
        runs = [r for r in runs if r is not None]
        n = sum(r["n_negative"] for r in runs)
        return sum(r["n_revived"] for r in runs) / n if n else float("nan")

    def per_seed_of(a, fn):
        return [fn([res[a][lr][i] for lr in high]) for i in range(len(seeds))]

    # S1: none dead at the normal LR; ≥ 5% dead at some larger LR, on every seed that did not diverge
    dead_normal = [r["zero_grad"] for r in res[relu][NORMAL_LR] if r is not None]
    dead_high_seed = per_seed_of(relu, lambda rs: max((r["zero_grad"] for r in rs if r is not None),
                                                      default=float("nan")))
    s1 = (len(dead_normal) == len(seeds) and max(dead_normal) == 0.0
          and all(np.isnan(d) or d >= KILLED for d in dead_high_seed)
          and not all(np.isnan(d) for d in dead_high_seed))
    # S2 / S3: revival of the units pushed below zero on every sample, pooled over the large LRs
    all_high = {a: [r for lr in high for r in res[a][lr]] for a in ACTIVATIONS}
    relu_rev, leaky_rev = revived(relu, all_high[relu]), revived(leaky, all_high[leaky])
    relu_rev_seed = per_seed_of(relu, lambda rs: revived(relu, rs))
    leaky_rev_seed = per_seed_of(leaky, lambda rs: revived(leaky, rs))
    s2 = relu_rev <= STAY_DEAD
    s3 = leaky_rev >= REVIVES and leaky_rev > relu_rev
    leaky_zero_grad = max(r[k] for lr in lrs for r in res[leaky][lr] if r is not None
                          for k in ("zero_grad", "zero_grad_after"))
    n_neg = {a: sum(r["n_negative"] for r in all_high[a] if r is not None) for a in ACTIVATIONS}

    def _per_lr(a, key):
        return ", ".join(f"{mean(a, lr, key):.0%} at LR {lr:g}" if np.isfinite(mean(a, lr, key))
                         else f"diverged at LR {lr:g}" for lr in lrs)

    div = ", ".join(f"{a} at LR {lr:g}: {diverged(a, lr)}/{len(seeds)}" for a in ACTIVATIONS
                    for lr in lrs if diverged(a, lr))
    s1_ev = (f"ReLU units dead (input ≤ 0 on all 1,797 samples, so an exactly zero gradient) after "
             f"{high_epochs} epochs: {_per_lr(relu, 'zero_grad')} (mean over seeds); the largest per "
             f"seed at LR > {NORMAL_LR:g}: {', '.join(format(d, '.0%') for d in dead_high_seed)}. "
             f"Criterion: none at LR {NORMAL_LR:g} and ≥ {KILLED:.0%} at some larger LR on every seed.")
    s2_ev = (f"of the {n_neg[relu]} ReLU units dead after the large LRs, {relu_rev:.0%} were active "
             f"on some sample after {recovery_epochs} epochs at LR {NORMAL_LR:g} (per seed "
             f"{', '.join(format(v, '.0%') for v in relu_rev_seed)}); first-layer units cannot come "
             f"back (fixed inputs, zero gradient), second-layer ones could if the first layer "
             f"moved. Criterion: ≤ {STAY_DEAD:.0%} revive.")
    s3_ev = (f"Leaky units pushed below 0 on every sample by the large LRs: {_per_lr(leaky, 'negative')} "
             f"— as many as ReLU's dead; their gradient is not zero ({leaky_zero_grad:.0%} of Leaky "
             f"units ever had a zero gradient) but is scaled by 0.01, and of these {n_neg[leaky]} "
             f"units {leaky_rev:.0%} came back within {recovery_epochs} epochs at LR {NORMAL_LR:g} "
             f"(per seed {', '.join(format(v, '.0%') for v in leaky_rev_seed)}) vs {relu_rev:.0%} "
             f"for ReLU. Criterion: ≥ {REVIVES:.0%} revive, and more than ReLU's.")
    subclaims = [
        SubClaim("a too-large learning rate kills ReLU units (input < 0 on every sample, zero "
                 "gradient)", s1, s1_ev),
        SubClaim("dead ReLU units stay dead when training goes on at a normal learning rate "
                 "(参数无法更新)", s2, s2_ev),
        SubClaim("Leaky ReLU solves it: its units pushed below zero come back", s3, s3_ev),
    ]

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for a, style in ((relu, "o-"), (leaky, "s--")):
        axes[0].semilogx(lrs, [mean(a, lr, "negative") for lr in lrs], style,
                         label=f"{a}: input < 0 on every sample")
    axes[0].semilogx(lrs, [mean(leaky, lr, "zero_grad") for lr in lrs], "s:",
                     label="Leaky: zero gradient")
    axes[0].set(title=f"After {high_epochs} epochs at the given LR (mean of {len(seeds)} seeds)",
                xlabel="learning rate (SGD)", ylabel="fraction of hidden units")
    axes[0].legend(fontsize=7)
    width = 0.35
    xs = np.arange(len(high))
    for k, (a, color) in enumerate(((relu, "tab:blue"), (leaky, "tab:orange"))):
        vals = [revived(a, res[a][lr]) for lr in high]
        axes[1].bar(xs + (k - 0.5) * width, np.nan_to_num(vals), width, color=color, label=a)
    axes[1].axhline(REVIVES, color="grey", lw=0.8, ls=":", label=f"criterion {REVIVES:.0%}")
    axes[1].set_xticks(xs, [f"LR {lr:g}" for lr in high])
    axes[1].set(title=f"… of those, back after {recovery_epochs} epochs at LR {NORMAL_LR:g}",
                xlabel="learning rate of the first phase", ylabel="fraction revived", ylim=(0, 1))
    axes[1].legend(fontsize=7)
    fig.tight_layout()

    # the takeaway's LR: the largest at which no ReLU run diverged (its mean covers every seed)
    lr_top = max([lr for lr in high if diverged(relu, lr) == 0] or high[:1])
    takeaway = (f"LR {lr_top:g} leaves {mean(relu, lr_top, 'zero_grad'):.0%} of ReLU units dead "
                f"(0% at LR {NORMAL_LR:g}) and {relu_rev:.0%} of them come back; Leaky ReLU has "
                f"{mean(leaky, lr_top, 'negative'):.0%} of its units pushed below zero and, despite "
                f"their non-zero gradient, only {leaky_rev:.0%} come back within {recovery_epochs} epochs.")
    verdict = (f"ReLU killed: {'held' if s1 else 'not held'}; stays dead: {'held' if s2 else 'not held'} "
               f"({relu_rev:.0%} revived); Leaky revives: {'held' if s3 else 'not held'} ({leaky_rev:.0%} "
               f"revived, criterion ≥ {REVIVES:.0%}). Runs that diverged to NaN and were left out: "
               f"{div or 'none'}.")
    return Outcome(
        subclaims=subclaims, verdict=verdict, takeaway=takeaway, seeds=seeds,
        per_seed={f"ReLU dead, largest at LR > {NORMAL_LR:g}": dead_high_seed,
                  "ReLU dead units revived": relu_rev_seed,
                  "Leaky units below 0 that revived": leaky_rev_seed},
        what_would_change=("Untested here: a larger negative slope (0.1–0.3; at 0.01 the gradient "
                           "is 100× smaller), a scale-free optimizer such as Adam, or a far longer "
                           "recovery might bring Leaky's units back. As measured, the notes' claim "
                           "holds for the gradient (never exactly zero), not for the activity."),
        setup=(f"MLP 64 → {HIDDEN} → {HIDDEN} → 10 (He normal, biases 0) with ReLU or LeakyReLU(0.01) on "
               f"z-scored digits (1,797 samples), cross-entropy, SGD batch {BATCH}: {high_epochs} epochs "
               f"at LR {', '.join(format(lr, 'g') for lr in lrs)}, then {recovery_epochs} epochs at LR "
               f"{NORMAL_LR:g}; seeds {', '.join(map(str, seeds))}. A unit is dead (ReLU) or pushed "
               f"below zero (Leaky) when its input is ≤ 0 on every training sample; it revives when "
               f"its input is > 0 on some sample after the recovery epochs. Runs whose loss became "
               f"NaN/Inf are left out."),
        numbers={"runs": {a: {format(lr, "g"): v for lr, v in d.items()} for a, d in res.items()},
                 "relu_dead_per_lr": {format(lr, "g"): mean(relu, lr, "zero_grad") for lr in lrs},
                 "relu_dead_after_recovery": {format(lr, "g"): mean(relu, lr, "zero_grad_after")
                                              for lr in lrs},
                 "leaky_negative_per_lr": {format(lr, "g"): mean(leaky, lr, "negative") for lr in lrs},
                 "relu_revived": relu_rev, "leaky_revived": leaky_rev,
                 "leaky_zero_grad_max": leaky_zero_grad},
        figures=[fig])
