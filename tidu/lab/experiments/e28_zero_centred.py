"""E28: sigmoid outputs are not zero-centred, so all the incoming-weight gradients of a unit fed
by them share one sign (a zig-zag path); tanh, zero-centred, fixes this."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import StandardScaler, load_digits
from tidu.nn import functional as F

from ..base import Outcome, experiment

HIDDEN, LR = 32, 0.05
ACTS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "ReLU": nn.ReLU}


def _same_sign_fraction(act, batch: int, steps: int, seed: int, X, y):
    """Train 64 → HIDDEN (act) → 10 with SGD; at every step, for each output unit, whether all
    HIDDEN gradients of its incoming weights have the same sign.  Returns that fraction over
    steps × units, the mean hidden activation and the final training accuracy."""
    tidu.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, HIDDEN), act(), nn.Linear(HIDDEN, 10))
    opt = tidu.optim.SGD(model.parameters(), lr=LR)
    rng = np.random.default_rng(seed)
    same, act_mean = [], []
    for _ in range(steps):
        idx = rng.choice(len(X), batch, replace=False)
        h = model[1](model[0](tidu.Tensor(X[idx])))
        loss = F.cross_entropy(model[2](h), tidu.Tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        g = model[2].weight.grad.data                    # (10 output units, HIDDEN inputs)
        same.append(((g >= 0).all(axis=1) | (g <= 0).all(axis=1)).mean())   # no two opposite
        act_mean.append(float(h.data.mean()))
        opt.step()
    with tidu.no_grad():
        acc = float((model(tidu.Tensor(X)).data.argmax(axis=1) == y).mean())
    return float(np.mean(same)), float(np.mean(act_mean)), acc


def _toy_path(squash, steps: int, rng):
    """One linear unit y = w·h with two inputs h = squash(x), x ~ N(0, 2²·I), learning the
    target w* = (1, −1) by per-sample SGD on ½(y − w*·h)² from w = 0: the path of w."""
    w_star, w = np.array([1.0, -1.0]), np.zeros(2)
    path = [w.copy()]
    for _ in range(steps):
        h = squash(2.0 * rng.standard_normal(2))
        w = w - 0.5 * (w @ h - w_star @ h) * h
        path.append(w.copy())
    return np.array(path)


@experiment(
    "E28", title="Sigmoid is not zero-centred: one-sign updates (zig-zag)", notes=("003",),
    claim_zh="Sigmoid 的 output 不是0均值（即zero-centered）。……tanh函数……它的函数范围是（-1，1）而均值为0，"
             "解决了上面sigmoid的一个问题。……梯度更新方向为锯齿路径。理想的参数的更新情况可能是：一次更新时，该层一部分w"
             "参数增大，而另一部分w参数减小。使用ReLU无法做到。在ReLu中每次更新时，w1/w2 必须同时增大或减小，造成了更新方向的锯齿问题，减缓了训练过程。",
    claim_en="A unit fed by sigmoid outputs (all positive) gets gradients of one sign on all its incoming "
             "weights, so they all rise or all fall together (a zig-zag path); tanh outputs are zero-centred "
             "and mix the signs. (The notes give the zig-zag under ReLU's drawbacks; the argument holds "
             "for any non-negative inputs, sigmoid and ReLU alike.)",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = StandardScaler().fit(X).transform(X)
    batches = (1, 8, 32, 128)
    steps = 1000 if full else 300
    seeds = (0, 1, 2) if full else (0,)
    frac, mean_act, acc = {}, {}, {}
    for name, act in ACTS.items():
        for b in batches:
            r = np.array([_same_sign_fraction(act, b, steps, s, X, y) for s in seeds])
            frac[(name, b)], mean_act[(name, b)], acc[(name, b)] = r.mean(axis=0)

    per_example_ok = frac[("sigmoid", 1)] >= 0.99 and frac[("tanh", 1)] <= 0.01
    ordered = all(frac[("sigmoid", b)] > frac[("tanh", b)] for b in batches)
    held = bool(per_example_ok and ordered)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    pos = np.arange(len(batches))
    for k, name in enumerate(ACTS):
        axes[0].bar(pos + (k - 1) * 0.27, [frac[(name, b)] for b in batches], 0.27,
                    label=f"inputs: {name} outputs")
    axes[0].set_xticks(pos, [str(b) for b in batches])
    axes[0].set(title="Updates whose incoming-weight gradients share one sign",
                xlabel="batch size", ylabel="fraction of (step, unit) pairs")
    axes[0].legend(fontsize=8)
    rng = np.random.default_rng(0)
    toy_steps = 300 if full else 150
    for name, squash, style in (("sigmoid", lambda x: 1 / (1 + np.exp(-x)), "-"),
                                ("tanh", np.tanh, "--")):
        path = _toy_path(squash, toy_steps, rng)
        axes[1].plot(path[:, 0], path[:, 1], style, marker=".", markersize=3, lw=0.8,
                     label=f"inputs: {name}")
    axes[1].plot([1], [-1], "k*", markersize=12, label="optimum w* = (1, −1)")
    axes[1].set(title=f"Per-sample SGD path of two weights ({toy_steps} steps)", xlabel="w₁",
                ylabel="w₂")
    axes[1].legend(fontsize=8)
    fig.tight_layout()

    verdict = (f"per-example updates (batch 1): all {HIDDEN} incoming-weight gradients of an output unit "
               f"shared one sign in {frac[('sigmoid', 1)]:.0%} of updates with sigmoid inputs (mean "
               f"activation {mean_act[('sigmoid', 1)]:.2f}) vs {frac[('tanh', 1)]:.0%} with tanh inputs "
               f"(mean {mean_act[('tanh', 1)]:+.2f}) and {frac[('ReLU', 1)]:.0%} with ReLU inputs "
               f"(non-negative too; no two gradients of opposite sign). Averaging over a mini-batch "
               f"dilutes it: "
               + ", ".join(f"{frac[('sigmoid', b)]:.0%} vs {frac[('tanh', b)]:.0%} at batch {b}"
                           for b in batches[1:])
               + f". Training accuracy after {steps} steps at batch 32: {acc[('sigmoid', 32)]:.0%} "
                 f"(sigmoid) vs {acc[('tanh', 32)]:.0%} (tanh). Criterion: ≥ 99% one-sign updates with "
                 f"sigmoid inputs and ≤ 1% with tanh at batch 1, and more with sigmoid at every batch size.")
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"MLP 64 → {HIDDEN} (sigmoid, tanh or ReLU, default init) → 10 on z-scored digits, "
               f"cross-entropy, "
               f"SGD lr={LR}, {steps} steps at batch sizes {', '.join(map(str, batches))}, "
               f"{len(seeds)} seed(s); at each step, for each of the 10 output units, whether no two "
               f"of the gradients of its {HIDDEN} incoming weights have opposite signs. Path panel: one "
               f"linear "
               f"unit with inputs h = sigmoid(x) or tanh(x), x ~ N(0, 4·I), per-sample SGD (lr 0.5) on "
               f"squared error towards w* = (1, −1)."),
        numbers={"same_sign_fraction": {f"{a}@{b}": v for (a, b), v in frac.items()},
                 "mean_activation": {f"{a}@{b}": v for (a, b), v in mean_act.items()},
                 "train_accuracy": {f"{a}@{b}": v for (a, b), v in acc.items()}},
        figures=[fig])
