"""E7: validation loss is U-shaped over training; early stopping stops near its minimum."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import make_moons
from tidu.train import EarlyStopping, LambdaCallback, Trainer

from ..base import Outcome, SubClaim, experiment

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
    # the notes' own rule, reported: stop when validation accuracy has not reached its best for 10 epochs
    model_acc = _model(seed)
    stop_acc = EarlyStopping(monitor="val_accuracy", patience=_PATIENCE, restore_best_weights=True)
    acc = Trainer(model_acc, loss_fn, tidu.optim.Adam(model_acc.parameters(), lr=_LR), verbose=0,
                  metrics=["accuracy"], callbacks=[stop_acc])
    acc.fit(train, val_data=val, epochs=epochs, batch_size=None)
    acc_test = acc.evaluate(test)
    val_loss, train_loss = np.array(hist["val_loss"]), np.array(hist["loss"])
    return {"acc_stopped": stop_acc.stopped_epoch, "acc_test": acc_test["loss"],
            "acc_test_err": 1 - acc_test["accuracy"],"val": val_loss, "train": train_loss, "test": np.array(test_loss),
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
    seeds = tuple(range(6)) if full else (0, 1, 2)
    epochs = 500 if full else 300
    runs = [_one_seed(s, epochs) for s in seeds]
    checks = []
    for r in runs:
        b, v = r["best"], r["val"]
        u_shape = (v[b] <= 0.9 * v[0] and v[-1] >= 1.2 * v[b] and b <= 0.8 * epochs
                   and r["train"][-1] < r["train"][b])
        near = (r["es_val"] <= 1.05 * v.min() and 0 < r["stopped"] <= b + _PATIENCE + 1
                and r["es_test"] <= 1.1 * r["test"].min() and r["es_test"] < r["test"][-1])
        checks.append((bool(u_shape), bool(near)))
    rises = [float(r["val"][-1] / r["val"].min()) for r in runs]
    falls = [float(r["val"].min() / r["val"][0]) for r in runs]
    rise, fall = float(np.mean(rises)), float(np.mean(falls))
    train_drop = [float(r["train"][-1] / r["train"][r["best"]]) for r in runs]
    best = [int(r["best"]) + 1 for r in runs]                  # 1-based epochs in the text
    stopped = [int(r["stopped"]) + 1 for r in runs]
    es_tests = [float(r["es_test"]) for r in runs]
    end_tests = [float(r["test"][-1]) for r in runs]
    min_tests = [float(r["test"].min()) for r in runs]
    es_test, end_test, min_test = map(float, map(np.mean, (es_tests, end_tests, min_tests)))
    acc_stopped = [int(r["acc_stopped"]) + 1 for r in runs]
    acc_test = float(np.mean([r["acc_test"] for r in runs]))
    n_u, n_near = sum(u for u, _ in checks), sum(n for _, n in checks)

    def few(vals, f="{:.2f}"):
        return ", ".join(f.format(v) for v in vals)

    subclaims = [
        SubClaim("training loss keeps falling while validation loss falls, then rises (an "
                 "asymmetric U)",
                 held=n_u == len(runs),
                 evidence=f"validation loss falls to {few(falls)}× its first-epoch value (minimum at "
                          f"epochs {few(best, '{}')}), then rises to {few(rises, '{:.1f}')}× the "
                          f"minimum by epoch {epochs}, while training loss falls on to "
                          f"{few(train_drop, '{:.2g}')}× its value at that minimum (seeds {list(seeds)}; "
                          f"U-shaped in {n_u}/{len(runs)}). Criterion, every seed: falls ≥ 10%, "
                          f"minimum in the first 80% of epochs, ends ≥ 20% above it, training loss "
                          f"still falling"),
        SubClaim(f"stopping when validation loss has not improved for {_PATIENCE} epochs lands "
                 f"near its minimum",
                 held=n_near == len(runs),
                 evidence=f"EarlyStopping(patience={_PATIENCE}, restore_best_weights) stopped at "
                          f"epochs {few(stopped, '{}')}; test loss with the restored weights "
                          f"{few(es_tests, '{:.3f}')} vs {few(min_tests, '{:.3f}')} at the run's best "
                          f"epoch and {few(end_tests, '{:.3f}')} after all {epochs} epochs (near in "
                          f"{n_near}/{len(runs)}). Criterion, every seed: stops within patience + 1 "
                          f"epochs of the minimum, validation loss ≤ 1.05× the minimum, test loss "
                          f"≤ 1.1× the run's best and below the fully trained model's"),
    ]
    takeaway = (f"Validation loss bottoms out at epochs {few(best, '{}')} and climbs to {rise:.1f}× "
                f"its minimum by epoch {epochs} while training loss keeps falling; early stopping "
                f"(patience {_PATIENCE}) stops at epochs {few(stopped, '{}')} with test loss "
                f"{es_test:.3f} vs {end_test:.3f} trained to the end")

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

    verdict = (f"{subclaims[0].evidence}. {subclaims[1].evidence}. Not judged: the notes' "
               f"concrete rule (stop when validation accuracy has not reached its best for "
               f"{_PATIENCE} epochs) stops at epochs {few(acc_stopped, '{}')} with mean test loss "
               f"{acc_test:.3f}")
    return Outcome(
        takeaway=takeaway, subclaims=subclaims, verdict=verdict, seeds=seeds,
        per_seed={"validation minimum (epoch)": best, "early stop (epoch)": stopped,
                  "validation end / minimum": rises, "test loss, early-stopped": es_tests,
                  "test loss, all epochs": end_tests},
        setup=(f"Two moons (noise {_NOISE}): {_N_TRAIN} training, {_N_VAL} validation and {_N_TEST} "
               f"test points, seeds {list(seeds)}; MLP 2-{_WIDTH}-{_WIDTH}-2 (ReLU), Adam lr {_LR}, "
               f"full batch, {epochs} epochs; then the same run with EarlyStopping('val_loss', "
               f"patience={_PATIENCE}, restore_best_weights=True) (the notes' 10 epochs), and once "
               f"more with EarlyStopping('val_accuracy', patience={_PATIENCE}), the notes' concrete "
               f"rule (reported)."),
        numbers={"best_epochs": best, "stopped_epochs": stopped, "val_rise_ratio": rise,
                 "val_fall_ratio": fall, "test_loss_early_stopped": es_test,
                 "test_loss_min_during_run": min_test, "test_loss_full_run": end_test,
                 "seeds_u_shaped": n_u, "seeds_stopped_near_min": n_near,
                 "accuracy_rule_stopped_epochs": acc_stopped,
                 "accuracy_rule_test_loss": acc_test},
        figures=[fig])
