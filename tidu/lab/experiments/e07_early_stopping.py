"""E7: validation loss is U-shaped over training; early stopping stops near its minimum."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import make_moons
from tidu.train import EarlyStopping, LambdaCallback, Trainer

from ..base import Outcome, experiment

_N_TRAIN, _N_VAL, _N_TEST, _NOISE = 60, 500, 1000, 0.3
_WIDTH, _LR, _PATIENCE = 128, 3e-3, 10


def _model(seed: int) -> nn.Module:
    tidu.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, _WIDTH), nn.ReLU(), nn.Linear(_WIDTH, _WIDTH), nn.ReLU(),
                         nn.Linear(_WIDTH, 2))


def _one_seed(seed: int, epochs: int) -> dict:
    train = make_moons(_N_TRAIN, noise=_NOISE, seed=seed)
    val = make_moons(_N_VAL, noise=_NOISE, seed=seed + 1000)
    test = make_moons(_N_TEST, noise=_NOISE, seed=seed + 2000)
    loss_fn = nn.CrossEntropyLoss()

    # the whole run, to see the curves (test loss recorded only to judge the stopping point)
    model = _model(seed)
    test_loss = []
    whole = Trainer(model, loss_fn, tidu.optim.Adam(model.parameters(), lr=_LR), verbose=0,
                   callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: test_loss.append(
                       whole.evaluate(test)["loss"]))])
    hist = whole.fit(train, val_data=val, epochs=epochs, batch_size=None).history

    # the same run (same initial weights, same data) with early stopping
    model_es = _model(seed)
    stopper = EarlyStopping(monitor="val_loss", patience=_PATIENCE, restore_best_weights=True)
    es = Trainer(model_es, loss_fn, tidu.optim.Adam(model_es.parameters(), lr=_LR), verbose=0,
                 callbacks=[stopper])
    es.fit(train, val_data=val, epochs=epochs, batch_size=None)
    val_loss, train_loss = np.array(hist["val_loss"]), np.array(hist["loss"])
    return {"val": val_loss, "train": train_loss, "test": np.array(test_loss),
            "best": int(val_loss.argmin()), "stopped": stopper.stopped_epoch,
            "es_best": stopper.best_epoch, "es_val": es.evaluate(val)["loss"],
            "es_test": es.evaluate(test)["loss"]}


@experiment(
    "E7", title="Early stopping at the bottom of the validation U", notes=("001",),
    claim_zh="模型在训练集上的训练误差(training error)随着时间会一直减少，然而模型在验证集上的验证误差会减少"
             "到一定程度后逐步上升，形成一个非对称的U型曲线。……Early Stopping的做法就是运行优化方法直到若干次"
             "在验证集上的验证误差没有提升时候停止。",
    claim_en="Training loss keeps falling while validation loss falls, then rises (an asymmetric U); "
             "stopping when validation has not improved for a number of epochs lands near its minimum.",
)
def run(full: bool = False) -> Outcome:
    seeds = range(6) if full else range(3)
    epochs = 500 if full else 300
    runs = [_one_seed(s, epochs) for s in seeds]
    checks = []
    for r in runs:
        b, v = r["best"], r["val"]
        u_shape = (v[b] <= 0.9 * v[0] and v[-1] >= 1.2 * v[b] and b <= 0.8 * epochs
                   and r["train"][-1] < r["train"][b])
        near = (r["es_val"] <= 1.05 * v.min() and 0 < r["stopped"] <= b + _PATIENCE + 1
                and r["es_test"] <= 1.1 * r["test"].min() and r["es_test"] < r["test"][-1])
        checks.append((u_shape, near))
    held = all(u and n for u, n in checks)
    rise = float(np.mean([r["val"][-1] / r["val"].min() for r in runs]))
    fall = float(np.mean([r["val"].min() / r["val"][0] for r in runs]))
    best = [r["best"] + 1 for r in runs]                  # 1-based epochs in the text
    stopped = [r["stopped"] + 1 for r in runs]
    es_test = float(np.mean([r["es_test"] for r in runs]))
    end_test = float(np.mean([r["test"][-1] for r in runs]))
    min_test = float(np.mean([r["test"].min() for r in runs]))

    r0 = runs[0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ep = np.arange(1, epochs + 1)
    ax1.plot(ep, r0["train"], label="training loss")
    ax1.plot(ep, r0["val"], label="validation loss")
    ax1.plot(ep, r0["test"], ":", label="test loss")
    ax1.axvline(r0["best"] + 1, color="0.4", ls="--", lw=1, label="validation minimum")
    ax1.axvline(r0["stopped"] + 1, color="tab:red", lw=1,
                label=f"EarlyStopping stops (patience {_PATIENCE})")
    ax1.set_yscale("log")
    ax1.set(title="Loss curves (seed 0): the validation U", xlabel="epoch", ylabel="cross-entropy")
    ax1.legend(fontsize=7)
    x = np.arange(len(runs))
    ax2.bar(x - 0.27, [r["test"].min() for r in runs], 0.27, color="0.6",
            label="best test loss during the run")
    ax2.bar(x, [r["es_test"] for r in runs], 0.27, color="tab:green",
            label="early-stopped model (best weights restored)")
    ax2.bar(x + 0.27, [r["test"][-1] for r in runs], 0.27, color="tab:red",
            label=f"trained all {epochs} epochs")
    ax2.set_xticks(x, [str(s) for s in seeds])
    ax2.set(title="Test loss of the stopped model", xlabel="seed", ylabel="test cross-entropy")
    ax2.legend(fontsize=7)
    fig.tight_layout()

    n_u, n_near = sum(u for u, _ in checks), sum(n for _, n in checks)
    verdict = (f"U-shaped validation loss in {n_u}/{len(runs)} seeds: it falls to "
               f"{fall:.2f}× its first-epoch value (minimum at epochs {best}) then rises to "
               f"{rise:.1f}× the minimum by epoch {epochs} while training loss keeps falling; "
               f"EarlyStopping(patience={_PATIENCE}) stopped at epochs {stopped} and landed near "
               f"the minimum in {n_near}/{len(runs)} seeds: mean test loss {es_test:.3f} with the "
               f"restored weights vs {min_test:.3f} at the best epoch of the run and {end_test:.3f} "
               f"after all {epochs} epochs")
    return Outcome(
        held=held, verdict=verdict,
        setup=(f"Two moons (noise {_NOISE}): {_N_TRAIN} training, {_N_VAL} validation and {_N_TEST} "
               f"test points, seeds {list(seeds)}; MLP 2-{_WIDTH}-{_WIDTH}-2 (ReLU), Adam lr {_LR}, "
               f"full batch, {epochs} epochs; then the same run with EarlyStopping('val_loss', "
               f"patience={_PATIENCE}, restore_best_weights=True) (the notes' 10 epochs). Held if, "
               f"for every seed, validation loss falls ≥ 10% then ends ≥ 20% above its minimum "
               f"(minimum in the first 80% of epochs, training loss still falling) and early "
               f"stopping stops within patience+1 epochs of the minimum, keeps a validation loss "
               f"≤ 1.05× the minimum and a test loss ≤ 1.1× the run's best and below the "
               f"fully trained model's."),
        numbers={"best_epochs": best, "stopped_epochs": stopped, "val_rise_ratio": rise,
                 "val_fall_ratio": fall, "test_loss_early_stopped": es_test,
                 "test_loss_min_during_run": min_test, "test_loss_full_run": end_test,
                 "seeds_u_shaped": n_u, "seeds_stopped_near_min": n_near},
        figures=[fig])
