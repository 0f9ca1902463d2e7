"""E9: batch normalization trains at learning rates where the plain net diverges, and reaches a
target accuracy in fewer steps."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import DataLoader, StandardScaler, load_digits
from tidu.model_selection import train_test_split

from ..base import Outcome, experiment

_DEPTH, _WIDTH, _BATCH = 4, 100, 32
_LRS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
_TARGET, _EVERY = 0.90, 10


def _model(bn: bool) -> nn.Module:
    layers, d = [], 64
    for _ in range(_DEPTH):
        layers += [nn.Linear(d, _WIDTH)] + ([nn.BatchNorm1d(_WIDTH)] if bn else []) + [nn.ReLU()]
        d = _WIDTH
    return nn.Sequential(*layers, nn.Linear(d, 10))


def _train(bn: bool, lr: float, seed: int, data, steps: int) -> dict:
    Xtr, ytr, Xv, yv = data
    tidu.manual_seed(seed)                      # the same Linear weights with and without BN
    model = _model(bn)
    opt = tidu.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader((Xtr, ytr), batch_size=_BATCH, shuffle=True, seed=seed)
    loss_fn = nn.CrossEntropyLoss()
    xv = tidu.Tensor(Xv)
    step, curve, diverged, hit, peak = 0, [], False, None, 0.0
    while step < steps and not diverged:
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            if not np.isfinite(loss.item()):
                diverged = True
                break
            peak = max(peak, loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % _EVERY == 0:
                model.eval()
                with tidu.no_grad():
                    out = model(xv).data
                model.train()
                acc = float((out.argmax(axis=1) == yv).mean()) if np.isfinite(out).all() else 0.0
                curve.append((step, acc))
                if hit is None and acc >= _TARGET:
                    hit = step
            if step >= steps:
                break
    final = curve[-1][1] if curve and not diverged else 0.0
    return {"curve": curve, "diverged": diverged, "hit": hit, "final": final, "peak_loss": peak,
            "failed": diverged or final < 0.5}


def _one_seed(seed: int, steps: int) -> dict:
    X, y = load_digits()
    Xtr, Xv, ytr, yv = train_test_split(X, y, test_size=0.3, stratify=y, seed=seed)
    scaler = StandardScaler().fit(Xtr)          # inputs standardized for both nets
    data = (scaler.transform(Xtr).astype(np.float32), ytr,
            scaler.transform(Xv).astype(np.float32), yv)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return {name: [_train(bn, lr, seed, data, steps) for lr in _LRS]
                for name, bn in (("plain", False), ("bn", True))}


def _fewest(results) -> tuple:
    hits = [(r["hit"], lr) for r, lr in zip(results, _LRS) if r["hit"] is not None]
    return min(hits) if hits else (None, None)


@experiment(
    "E9", title="Batch normalization: higher learning rates, fewer steps", notes=("001", "002", "004"),
    claim_zh="批处理或恶意化允许我们使用更高的学习率,并且在初始化时不那么小心。……批处理规范化以14倍的较少训练步骤"
             "达到相同的精度（001：允许更高的学习速率从而加速收敛（Batch Normalization enables higher "
             "learning rates））",
    claim_en="With batch normalization a net trains at learning rates where the plain net diverges, "
             "and reaches the same accuracy in fewer training steps.",
)
def run(full: bool = False) -> Outcome:
    seeds = range(3) if full else (0,)
    steps = 400 if full else 300
    runs = [_one_seed(s, steps) for s in seeds]
    per_seed = []
    for r in runs:
        best_plain = _LRS[int(np.argmax([p["final"] for p in r["plain"]]))]
        rescued = [lr for lr, p, b in zip(_LRS, r["plain"], r["bn"])      # too high for plain
                   if lr > best_plain and p["failed"] and b["hit"] is not None]
        (p_steps, p_lr), (b_steps, b_lr) = _fewest(r["plain"]), _fewest(r["bn"])
        faster = (b_steps is not None and
                  (p_steps is None or b_steps * 1.5 <= p_steps))
        per_seed.append({"rescued": rescued, "plain_steps": p_steps, "plain_lr": p_lr,
                         "bn_steps": b_steps, "bn_lr": b_lr, "faster": faster})
    held = all(s["rescued"] and s["faster"] for s in per_seed)

    r0, s0 = runs[0], per_seed[0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for name, label, color in (("plain", "plain", "tab:red"), ("bn", "with BatchNorm", "tab:blue")):
        finals = [res["final"] for res in r0[name]]
        ax1.semilogx(_LRS, finals, "o-", color=color, label=label)
        bad = [(lr, res["final"]) for lr, res in zip(_LRS, r0[name]) if res["diverged"]]
        if bad:
            ax1.semilogx(*zip(*bad), "x", color=color, markersize=12, mew=2,
                         label=f"{label}: loss became NaN/Inf")
    ax1.axhline(_TARGET, color="0.5", ls=":", lw=1, label=f"target {_TARGET:.0%}")
    ax1.set(title=f"Validation accuracy after {steps} SGD steps", xlabel="learning rate",
            ylabel="validation accuracy")
    ax1.legend(fontsize=7)
    show = sorted({s0["plain_lr"] or _LRS[2], _LRS[-1]})
    styles = {show[0]: "-", show[-1]: "--"}
    for name, label, color in (("plain", "plain", "tab:red"), ("bn", "BatchNorm", "tab:blue")):
        for lr in show:
            res = r0[name][_LRS.index(lr)]
            if res["curve"]:
                st, acc = zip(*res["curve"])
                ax2.plot(st, acc, styles[lr], color=color, label=f"{label}, lr={lr:g}")
            else:
                ax2.plot([], [], styles[lr], color=color, label=f"{label}, lr={lr:g} (NaN at once)")
    ax2.axhline(_TARGET, color="0.5", ls=":", lw=1)
    ax2.set(title="Validation accuracy during training (seed 0)", xlabel="SGD step",
            ylabel="validation accuracy")
    ax2.legend(fontsize=7)
    fig.tight_layout()

    def describe(name):
        parts = []
        for lr, res in zip(_LRS, r0[name]):
            state = "NaN" if res["diverged"] else f"{res['final']:.0%}"
            if name == "plain" and lr in s0["rescued"] and not res["diverged"]:
                state += f" (loss peaked at {res['peak_loss']:.3g})"
            parts.append(f"{lr:g}→{state}")
        return ", ".join(parts)

    rescued = ", ".join(f"{v:g}" for v in s0["rescued"]) or "none"
    fewer = ", ".join(f"{s['bn_steps']} vs {s['plain_steps']}" for s in per_seed)
    verdict = (f"final validation accuracy by learning rate — plain: {describe('plain')}; "
               f"with BatchNorm: {describe('bn')}; above the plain net's best rate it fails "
               f"(NaN/Inf or < 50%) while the BN net reaches {_TARGET:.0%} at lr {rescued}; "
               f"fewest steps to {_TARGET:.0%} validation accuracy over the grid: BN {s0['bn_steps']} "
               f"(lr {s0['bn_lr']}) vs plain {s0['plain_steps']} (lr {s0['plain_lr']})"
               + (f"; per seed BN vs plain: {fewer}" if len(per_seed) > 1 else ""))
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"Digits (64 standardized features, stratified 70/30 split), seeds {list(seeds)}; "
               f"MLP with {_DEPTH} hidden layers of {_WIDTH} ReLU units, plain or Linear→"
               f"BatchNorm1d→ReLU, the same initial Linear weights (tidu's default init); plain SGD, "
               f"batch {_BATCH}, {steps} steps, learning rates {list(_LRS)}; validation accuracy "
               f"every {_EVERY} steps. Held if (for every seed) some learning rate above the plain "
               f"net's best one makes it fail (loss NaN/Inf or final accuracy < 50%) while the BN "
               f"net reaches "
               f"{_TARGET:.0%}, and the BN net's fewest steps to {_TARGET:.0%} over the grid are "
               f"≤ 1/1.5 of the plain net's."),
        numbers={"per_seed": per_seed,
                 "final_accuracy": {n: [res["final"] for res in r0[n]] for n in ("plain", "bn")},
                 "diverged": {n: [res["diverged"] for res in r0[n]] for n in ("plain", "bn")},
                 "steps_to_target": {n: [res["hit"] for res in r0[n]] for n in ("plain", "bn")},
                 "learning_rates": list(_LRS)},
        figures=[fig])
