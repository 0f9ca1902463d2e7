"""E6: dropout narrows the train/validation gap on small data."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import make_moons
from tidu.train import LambdaCallback, Trainer

from ..base import Outcome, experiment

_N_TRAIN, _N_VAL, _NOISE = 60, 1000, 0.3
_WIDTH, _P, _LR = 128, 0.5, 1e-2
_EVERY = 5                                          # evaluate every 5 epochs


def _model(p: float) -> nn.Module:
    drop = (lambda: [nn.Dropout(p)]) if p else (lambda: [])
    return nn.Sequential(nn.Linear(2, _WIDTH), nn.ReLU(), *drop(),
                         nn.Linear(_WIDTH, _WIDTH), nn.ReLU(), *drop(),
                         nn.Linear(_WIDTH, 2))


def _train(p: float, seed: int, data, epochs: int) -> dict:
    (Xtr, ytr), (Xv, yv) = data
    tidu.manual_seed(seed)                          # same initial weights with and without dropout
    model = _model(p)
    curve = {"epoch": [], "train_loss": [], "val_loss": [], "train_err": [], "val_err": []}

    def record(epoch, logs):
        if (epoch + 1) % _EVERY and epoch + 1 != epochs:
            return
        tr, va = trainer.evaluate((Xtr, ytr)), trainer.evaluate((Xv, yv))   # eval mode: no dropout
        curve["epoch"].append(epoch + 1)
        curve["train_loss"].append(tr["loss"])
        curve["val_loss"].append(va["loss"])
        curve["train_err"].append(1 - tr["accuracy"])
        curve["val_err"].append(1 - va["accuracy"])

    trainer = Trainer(model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=_LR),
                      metrics=["accuracy"], callbacks=[LambdaCallback(on_epoch_end=record)],
                      verbose=0)
    trainer.fit((Xtr, ytr), epochs=epochs, batch_size=None)
    curve["model"] = model
    return curve


@experiment(
    "E6", title="Dropout narrows the train/validation gap", notes=("001", "004"),
    claim_zh="Dropout可以比较有效的缓解过拟合的发生，在一定程度上达到正则化的效果。"
             "（004：在训练过程中,从神经网络中随机丢弃神经元(以及它们的连接)……这显著地减少了过拟合）",
    claim_en="Randomly dropping hidden units during training reduces overfitting: on small data "
             "the gap between training and validation performance narrows.",
)
def run(full: bool = False) -> Outcome:
    seeds = range(10) if full else range(3)
    epochs = 500 if full else 300
    runs = []
    for seed in seeds:
        data = (make_moons(_N_TRAIN, noise=_NOISE, seed=seed),
                make_moons(_N_VAL, noise=_NOISE, seed=seed + 1000))
        runs.append((data, _train(0.0, seed, data, epochs), _train(_P, seed, data, epochs)))

    def final(curve, key):
        return curve[key][-1]

    err_gap = {k: np.array([final(c, "val_err") - final(c, "train_err") for c in cs])
               for k, cs in (("plain", [r[1] for r in runs]), ("dropout", [r[2] for r in runs]))}
    loss_gap = {k: np.array([final(c, "val_loss") - final(c, "train_loss") for c in cs])
                for k, cs in (("plain", [r[1] for r in runs]), ("dropout", [r[2] for r in runs]))}
    val_err = {k: float(np.mean([final(r[i], "val_err") for r in runs]))
               for k, i in (("plain", 1), ("dropout", 2))}
    train_err = {k: float(np.mean([final(r[i], "train_err") for r in runs]))
                 for k, i in (("plain", 1), ("dropout", 2))}
    eg = {k: float(v.mean()) for k, v in err_gap.items()}
    lg = {k: float(v.mean()) for k, v in loss_gap.items()}
    narrower = int(np.sum(err_gap["dropout"] < err_gap["plain"]))
    held = eg["dropout"] <= eg["plain"] - 0.01 and val_err["dropout"] <= val_err["plain"] + 0.01

    # figure 1: curves of seed 0, gaps per seed
    (data0, plain0, drop0) = runs[0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for c, name, color in ((plain0, "no dropout", "tab:red"), (drop0, f"dropout p={_P}", "tab:blue")):
        ax1.plot(c["epoch"], c["train_loss"], "--", color=color, label=f"{name}: train")
        ax1.plot(c["epoch"], c["val_loss"], "-", color=color, label=f"{name}: validation")
    ax1.set_yscale("log")
    ax1.set(title="Cross-entropy, training vs validation (seed 0)", xlabel="epoch",
            ylabel="loss (eval mode)")
    ax1.legend(fontsize=8)
    x = np.arange(len(runs))
    ax2.bar(x - 0.2, 100 * err_gap["plain"], 0.4, color="tab:red", label="no dropout")
    ax2.bar(x + 0.2, 100 * err_gap["dropout"], 0.4, color="tab:blue", label=f"dropout p={_P}")
    ax2.set_xticks(x, [str(s) for s in seeds])
    ax2.set(title="Final gap: validation error − training error", xlabel="seed",
            ylabel="gap (percentage points)")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    # figure 2: decision boundaries of seed 0
    (Xtr, ytr), _ = data0
    g = np.linspace(-2.0, 3.0, 120)
    gx, gy = np.meshgrid(g, np.linspace(-1.6, 2.1, 100))
    grid = tidu.Tensor(np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32))
    fig2, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, c, name in zip(axes, (plain0, drop0), ("no dropout", f"dropout p={_P}")):
        model = c["model"].eval()
        with tidu.no_grad():
            prob = tidu.nn.functional.softmax(model(grid), dim=1).data[:, 1].reshape(gx.shape)
        ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
        ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1)
        for k, color in ((0, "tab:blue"), (1, "tab:red")):
            ax.scatter(Xtr[ytr == k, 0], Xtr[ytr == k, 1], color=color, edgecolors="k",
                       linewidths=0.6, s=28, label=f"class {k} (training)")
        ax.set(title=f"{name}: train err {100 * c['train_err'][-1]:.0f}%, "
                     f"val err {100 * c['val_err'][-1]:.1f}%", xlabel="x₁", ylabel="x₂")
        ax.legend(fontsize=7, loc="lower left")
    fig2.tight_layout()

    verdict = (f"mean over {len(runs)} seeds: validation − training error gap "
               f"{100 * eg['plain']:.1f} pts without dropout vs {100 * eg['dropout']:.1f} pts with "
               f"(narrower in {narrower}/{len(runs)} seeds); validation − training cross-entropy gap "
               f"{lg['plain']:.2f} vs {lg['dropout']:.2f}; training error "
               f"{100 * train_err['plain']:.1f}% vs {100 * train_err['dropout']:.1f}%, validation "
               f"error {100 * val_err['plain']:.1f}% vs {100 * val_err['dropout']:.1f}%")
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"Two moons (noise {_NOISE}): {_N_TRAIN} training points, {_N_VAL} validation points, "
               f"seeds {list(seeds)}; MLP 2-{_WIDTH}-{_WIDTH}-2 (ReLU) with or without Dropout("
               f"{_P}) after each hidden layer, same initial weights; Adam lr {_LR}, full batch, "
               f"{epochs} epochs; errors and losses measured in eval mode at the end. Held if, "
               f"averaged over the seeds, dropout narrows the gap between validation and training "
               f"error by ≥ 1 percentage point without raising the validation error by > 1 point "
               f"(the cross-entropy gap is reported, not judged)."),
        numbers={"error_gap": eg, "loss_gap": lg, "val_error": val_err, "train_error": train_err,
                 "error_gap_per_seed": {k: v.tolist() for k, v in err_gap.items()},
                 "seeds_narrower": narrower},
        figures=[fig, fig2])
