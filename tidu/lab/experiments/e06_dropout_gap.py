"""E6: dropout narrows the gap between training and held-out error on small data."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import make_moons
from tidu.train import LambdaCallback, Trainer

from ..base import Outcome, experiment
from ._gap import gap_bars, measure, not_judged, numbers, per_seed, subclaims as gap_subclaims

_N_TRAIN, _N_VAL, _N_TEST, _NOISE = 60, 500, 1000, 0.3
_WIDTH, _P = 128, 0.5
_LRS = (3e-3, 1e-2, 3e-2)                           # Adam lr grid, the same for both arms
_EVERY = 5                                          # evaluate every 5 epochs


def _model(p: float) -> nn.Module:
    drop = (lambda: [nn.Dropout(p)]) if p else (lambda: [])
    return nn.Sequential(nn.Linear(2, _WIDTH), nn.ReLU(), *drop(),
                         nn.Linear(_WIDTH, _WIDTH), nn.ReLU(), *drop(),
                         nn.Linear(_WIDTH, 2))


def _train(p: float, lr: float, seed: int, data, epochs: int) -> dict:
    (Xtr, ytr), (Xv, yv), (Xte, yte) = data
    tidu.manual_seed(seed)                          # same initial weights with and without dropout
    model = _model(p)
    curve = {"epoch": [], "train_loss": [], "test_loss": [], "train_err": [], "test_err": []}

    def record(epoch, logs):
        if (epoch + 1) % _EVERY and epoch + 1 != epochs:
            return
        tr, te = trainer.evaluate((Xtr, ytr)), trainer.evaluate((Xte, yte))  # eval mode: no dropout
        curve["epoch"].append(epoch + 1)
        curve["train_loss"].append(tr["loss"])
        curve["test_loss"].append(te["loss"])
        curve["train_err"].append(1 - tr["accuracy"])
        curve["test_err"].append(1 - te["accuracy"])

    trainer = Trainer(model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=lr),
                      metrics=["accuracy"], callbacks=[LambdaCallback(on_epoch_end=record)],
                      verbose=0)
    trainer.fit((Xtr, ytr), epochs=epochs, batch_size=None)
    va = trainer.evaluate((Xv, yv))
    curve.update(model=model, lr=lr, val_err=1 - va["accuracy"], val_loss=va["loss"])
    return curve


def _tuned(p: float, seed: int, data, epochs: int) -> dict:
    """The arm at its own lr from _LRS: the lowest validation error (ties: lower validation loss)."""
    runs = [_train(p, lr, seed, data, epochs) for lr in _LRS]
    return min(runs, key=lambda c: (round(c["val_err"], 9), c["val_loss"]))


@experiment(
    "E6", title="Dropout narrows the train/held-out gap", notes=("001", "004"),
    claim_zh="Dropout可以比较有效的缓解过拟合的发生，在一定程度上达到正则化的效果。"
             "（004：在训练过程中,从神经网络中随机丢弃神经元(以及它们的连接)……这显著地减少了过拟合）",
    claim_en="Randomly dropping hidden units during training reduces overfitting: on small data "
             "the gap between training and held-out performance narrows.",
)
def run(full: bool = False) -> Outcome:
    seeds = tuple(range(10)) if full else (0, 1, 2)
    epochs = 500 if full else 300
    runs = []
    for seed in seeds:
        data = (make_moons(_N_TRAIN, noise=_NOISE, seed=seed),
                make_moons(_N_VAL, noise=_NOISE, seed=seed + 1000),
                make_moons(_N_TEST, noise=_NOISE, seed=seed + 2000))
        runs.append((data, _tuned(0.0, seed, data, epochs), _tuned(_P, seed, data, epochs)))
    gap = measure(runs, "dropout")
    eg, te = gap.mean("err_gap"), gap.mean("test_err")
    narrower = gap.narrower
    subclaims = gap_subclaims(gap, "dropout", "dropout", seeds)
    takeaway = (f"On {_N_TRAIN} two-moons points, dropout (p = {_P}) narrows the held-out − training "
                f"error gap from {100 * eg['plain']:.1f} to {100 * eg['dropout']:.1f} pts "
                f"({narrower}/{len(seeds)} seeds), held-out error {100 * te['plain']:.1f}% → "
                f"{100 * te['dropout']:.1f}%, each arm at its own tuned lr")

    # figure 1: curves of seed 0, gaps per seed
    (data0, plain0, drop0) = runs[0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for c, name, color in ((plain0, "no dropout", "tab:red"), (drop0, f"dropout p={_P}", "tab:blue")):
        ax1.plot(c["epoch"], c["train_loss"], "--", color=color, label=f"{name} (lr {c['lr']:g}): train")
        ax1.plot(c["epoch"], c["test_loss"], "-", color=color, label=f"{name}: held-out")
    ax1.set_yscale("log")
    ax1.set(title="Cross-entropy, training vs held-out (seed 0)", xlabel="epoch",
            ylabel="loss (eval mode)")
    ax1.legend(fontsize=7)
    gap_bars(ax2, gap, "dropout", seeds, ("no dropout", f"dropout p={_P}"))
    fig.tight_layout()

    # figure 2: decision boundaries of seed 0
    (Xtr, ytr), _, _ = data0
    g = np.linspace(-2.0, 3.0, 120)
    gx, gy = np.meshgrid(g, np.linspace(-1.6, 2.1, 100))
    grid = tidu.Tensor(np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32))
    fig2, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, c, name in zip(axes, (plain0, drop0), ("no dropout", f"dropout p={_P}")):
        model = c["model"].eval()
        with tidu.no_grad():
            prob = tidu.nn.functional.softmax(model(grid), dim=1)._data[:, 1].reshape(gx.shape)
        ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
        ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1)
        for k, color in ((0, "tab:blue"), (1, "tab:red")):
            ax.scatter(Xtr[ytr == k, 0], Xtr[ytr == k, 1], color=color, edgecolors="k",
                       linewidths=0.6, s=28, label=f"class {k} (training)")
        ax.set(title=f"{name}: train err {100 * c['train_err'][-1]:.0f}%, "
                     f"held-out err {100 * c['test_err'][-1]:.1f}%", xlabel="x₁", ylabel="x₂")
        ax.legend(fontsize=7, loc="lower left")
    fig2.tight_layout()

    verdict = (f"{subclaims[0].evidence}. {subclaims[1].evidence}. "
               f"{not_judged(gap, 'dropout', 'dropout', 2)}")
    return Outcome(
        takeaway=takeaway, subclaims=subclaims, verdict=verdict, seeds=seeds,
        per_seed=per_seed(gap, "dropout", "dropout"),
        setup=(f"Two moons (noise {_NOISE}): {_N_TRAIN} training, {_N_VAL} validation and {_N_TEST} "
               f"held-out test points, seeds {list(seeds)}; MLP 2-{_WIDTH}-{_WIDTH}-2 (ReLU) with or "
               f"without Dropout({_P}) after each hidden layer, same initial weights; Adam, full "
               f"batch, {epochs} epochs; each arm at its own lr from the same grid {list(_LRS)}, "
               f"picked by validation error; gap and errors measured on the training and held-out "
               f"sets in eval mode at the end."),
        numbers=numbers(gap),
        figures=[fig, fig2])
