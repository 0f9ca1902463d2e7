"""Callbacks: EarlyStopping (Keras 3's rule, case by case), ModelCheckpoint, LRSchedulerCallback,
TerminateOnNaN, CSVLogger."""
import csv
import math

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.nn import functional as F
from tidu.optim.lr_scheduler import ReduceLROnPlateau, StepLR
from tidu.train import (Callback, CSVLogger, EarlyStopping, LambdaCallback, LRSchedulerCallback,
                        ModelCheckpoint, TerminateOnNaN, Trainer, fit)

NAN = math.nan


def _data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64)


def _model(seed=0):
    tidu.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def _snapshot(model):
    return {k: v.cpu().numpy().copy() for k, v in model.state_dict().items()}


class Script(Callback):
    """Writes logs[key] = values[epoch] at epoch end, before the callbacks after it run."""

    def __init__(self, key, values):
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


def _run_early_stopping(values, key="score", val=False, **kwargs):
    es = EarlyStopping(monitor=key, **kwargs)
    X, y = _data()
    model = _model()
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                  (X, y), val_data=(X, y) if val else None, epochs=len(values), batch_size=None,
                  callbacks=[Script(key, values), es], verbose=0)
    return len(history.epoch), es


# --------------------------------------------------------------------------- EarlyStopping
@pytest.mark.parametrize("values,kwargs,epochs_run,stopped_epoch", [
    # wait counts non-improving epochs; stop when wait ≥ patience
    ([1.0, 0.9, 0.95, 0.93, 0.92, 0.5], dict(patience=2), 4, 3),
    # patience=0 still cannot stop after the first epoch (Keras's `epoch > 0`)
    ([1.0, 1.1, 1.2], dict(patience=0), 2, 1),
    ([1.0, 0.9, 0.95], dict(patience=0), 3, 2),
    # min_delta: improving by δ or less does not count (v + δ < best needed)
    ([1.0, 0.96, 0.94, 0.90], dict(patience=1, min_delta=0.05), 2, 1),
    ([1.0, 0.96, 0.94, 0.90, 0.91], dict(patience=2, min_delta=0.05), 5, 4),
    ([1.0, 0.95, 0.9, 0.85], dict(patience=1, min_delta=-0.05), 2, 1),  # |min_delta|
    # mode='max'
    ([0.5, 0.6, 0.6, 0.55], dict(patience=1, mode="max"), 3, 2),
    ([0.5, 0.6, 0.64, 0.7], dict(patience=1, mode="max", min_delta=0.05), 3, 2),
    # baseline: improving epochs that miss the baseline do not reset wait …
    ([0.9, 0.8, 0.85, 0.7, 0.6], dict(patience=2, baseline=0.5), 3, 2),
    ([0.9, 0.8, 0.85, 0.7, 0.6], dict(patience=2), 5, 0),
    # … but never stop training themselves
    ([0.9, 0.8, 0.7, 0.6, 0.55], dict(patience=1, baseline=0.5), 5, 0),
    ([0.9, 0.4, 0.45, 0.42], dict(patience=2, baseline=0.5), 4, 3),
    # start_from_epoch: earlier epochs are ignored
    ([0.1, 0.2, 0.9, 1.0, 1.1], dict(patience=1, start_from_epoch=2), 4, 3),
    # NaN never improves
    ([1.0, NAN, NAN, 0.5], dict(patience=2), 3, 2),
])
def test_early_stopping_follows_keras(values, kwargs, epochs_run, stopped_epoch):
    kwargs.setdefault("mode", "min")
    run, es = _run_early_stopping(values, **kwargs)
    assert run == epochs_run
    assert es.stopped_epoch == stopped_epoch


def test_early_stopping_best_and_reuse():
    values = [1.0, 0.7, 0.8, 0.9, 0.95]
    es = EarlyStopping(monitor="val_loss", patience=2)
    X, y = _data()
    for _ in range(2):  # the same instance starts afresh in a new fit
        model = _model()
        history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                      (X, y), val_data=(X, y), epochs=5, callbacks=[Script("val_loss", values), es],
                      verbose=0)
        assert (es.best, es.best_epoch, es.stopped_epoch, es.wait) == (0.7, 1, 3, 2)
        assert history.epoch == [0, 1, 2, 3]
        assert "EarlyStopping: val_loss did not improve" in history.stop_reason


def test_early_stopping_restores_best_weights_even_without_stopping():
    """Keras 3: restore_best_weights applies at the end of training, stopped early or not."""
    values = [1.0, 0.5, 0.7]
    snapshots = []
    X, y = _data()
    model = _model()
    es = EarlyStopping(monitor="score", mode="min", patience=5, restore_best_weights=True)
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        epochs=3, callbacks=[Script("score", values), es,
                             LambdaCallback(on_epoch_end=lambda e, l: snapshots.append(
                                 _snapshot(model)))], verbose=0)
    assert es.stopped_epoch == 0
    for key, value in _snapshot(model).items():
        np.testing.assert_array_equal(value, snapshots[1][key])
    assert not np.array_equal(snapshots[1]["0.weight"], snapshots[2]["0.weight"])


def test_early_stopping_auto_mode_and_errors():
    assert _run_early_stopping([0.5, 0.6, 0.6, 0.55], key="val_accuracy", val=True,
                               patience=1)[1].stopped_epoch == 2  # accuracy: maximized
    assert _run_early_stopping([1.0, 1.1, 1.2], key="val_loss", val=True,
                               patience=1)[1].stopped_epoch == 1
    with pytest.raises(ValueError, match="EarlyStopping: cannot tell whether monitor='score' "
                                         "should be minimized or maximized"):
        _run_early_stopping([1.0], key="score")
    with pytest.raises(ValueError, match="EarlyStopping: monitor='val_loss' needs validation"):
        _run_early_stopping([1.0], key="val_loss")
    with pytest.raises(ValueError, match=r"EarlyStopping: monitor='val_acc' is not among the "
                                         r"logged values \['loss', 'lr', 'val_loss'\]"):
        X, y = _data()
        model = _model()
        fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
            val_data=(X, y), callbacks=[EarlyStopping("val_acc")], verbose=0)
    with pytest.raises(ValueError, match="EarlyStopping: mode must be 'auto', 'min' or 'max'"):
        EarlyStopping(mode="down")
    with pytest.raises(ValueError, match="EarlyStopping: patience must be an int ≥ 0"):
        EarlyStopping(patience=-1)


def test_mlp_with_early_stopping_ends_with_its_best_validation_weights():
    """A wide MLP on a small noisy training set overfits: val_loss turns up, training stops
    early, and the model holds exactly the weights of the epoch with the lowest val_loss."""
    X, y = tidu.data.load_digits()
    X = X / 16.0
    Xtr, Xval, ytr, yval = tidu.model_selection.train_test_split(X, y, test_size=0.5, seed=0, stratify=y)
    Xtr, ytr = Xtr[:150], ytr[:150]
    rng = np.random.default_rng(0)
    ytr = np.where(rng.random(150) < 0.2, rng.integers(0, 10, 150), ytr)  # 20% label noise
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
    snapshots = []
    es = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=3e-3),
                  (Xtr, ytr), val_data=(Xval, yval), epochs=200, batch_size=16, seed=0,
                  verbose=0, callbacks=[es, LambdaCallback(
                      on_epoch_end=lambda e, logs: snapshots.append(_snapshot(model)))])
    val = history["val_loss"]
    best = int(np.argmin(val))
    assert es.stopped_epoch > 0 and len(val) < 200  # stopped early …
    assert len(val) - 1 - best == 5                  # … five epochs after the best one
    assert es.best_epoch == best and es.best == val[best]
    final = _snapshot(model)
    for key in final:
        np.testing.assert_array_equal(final[key], snapshots[best][key], err_msg=key)
    assert not np.array_equal(final["0.weight"], snapshots[-1]["0.weight"])
    restored = Trainer(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                       verbose=0).evaluate((Xval, yval), batch_size=16)["loss"]
    assert restored == val[best]


# --------------------------------------------------------------------------- ModelCheckpoint
def test_model_checkpoint_best_last_and_per_epoch_files(tmp_path):
    X, y = _data()
    model = _model()
    snapshots = []
    values = [1.0, 0.5, 0.7, 0.6]
    best = ModelCheckpoint(tmp_path / "best.npz", monitor="score", mode="min",
                           save_best_only=True)
    last = ModelCheckpoint(tmp_path / "last.npz")
    each = ModelCheckpoint(str(tmp_path / "ep{epoch:02d}-{score:.2f}.npz"), monitor="score")
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        epochs=4, verbose=0, callbacks=[Script("score", values), best, last, each,
                                        LambdaCallback(on_epoch_end=lambda e, l: snapshots.append(
                                            _snapshot(model)))])
    assert (best.best, best.best_epoch) == (0.5, 1)
    for path, expected in (("best.npz", snapshots[1]), ("last.npz", snapshots[3]),
                           ("ep02-0.50.npz", snapshots[1]), ("ep04-0.60.npz", snapshots[3])):
        saved = tidu.load(tmp_path / path)
        assert saved.keys() == expected.keys()
        for key in saved:
            np.testing.assert_array_equal(saved[key], expected[key], err_msg=f"{path} {key}")
    restored = _model(seed=1)
    restored.load_state_dict(tidu.load(tmp_path / "best.npz"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best.npz", "ep01-1.00.npz", "ep02-0.50.npz", "ep03-0.70.npz", "ep04-0.60.npz", "last.npz"]


def test_model_checkpoint_initial_value_threshold(tmp_path):
    X, y = _data()
    model = _model()
    cb = ModelCheckpoint(tmp_path / "best.npz", monitor="score", mode="max", save_best_only=True,
                         initial_value_threshold=0.8)
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        epochs=3, verbose=0, callbacks=[Script("score", [0.5, 0.7, 0.6]), cb])
    assert cb.best == 0.8 and cb.best_epoch is None and not (tmp_path / "best.npz").exists()


def test_model_checkpoint_full_training_state(tmp_path):
    X, y = _data()
    model = _model()
    fit(model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters()), (X, y), epochs=2,
        verbose=0, callbacks=[ModelCheckpoint(tmp_path / "full.npz", save_weights_only=False)])
    state = tidu.load(tmp_path / "full.npz")
    assert state["format"] == "tidu.train.checkpoint"
    assert state["progress"]["epoch"] == 1 and state["optimizer"]["state"][0]["step"] == 2


# --------------------------------------------------------------------------- LR schedules
def test_lr_scheduler_per_batch_and_per_epoch():
    X, y = _data(n=40)
    model = _model()
    opt = tidu.optim.SGD(model.parameters(), lr=0.1)
    lrs = []
    fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=2, batch_size=4, verbose=0,
        callbacks=[LRSchedulerCallback(StepLR(opt, step_size=3, gamma=0.5), interval="batch"),
                   LambdaCallback(on_batch_end=lambda b, l: lrs.append(opt.param_groups[0]["lr"]))])
    # after optimizer step k the scheduler has stepped k times: lr = 0.1 · 0.5^⌊k/3⌋
    assert lrs == [0.1 * 0.5 ** (k // 3) for k in range(1, 21)]

    model = _model()
    opt = tidu.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=4, verbose=0,
                  callbacks=[LRSchedulerCallback(StepLR(opt, step_size=1, gamma=0.5))])
    assert history["lr"] == [0.1, 0.05, 0.025, 0.0125]  # the rate each epoch ran at


def test_reduce_lr_on_plateau_gets_the_monitored_value():
    X, y = _data()
    model = _model()
    opt = tidu.optim.SGD(model.parameters(), lr=0.1)
    plateau = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X, y), val_data=(X, y), epochs=6,
                  verbose=0, callbacks=[Script("val_loss", [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]),
                                        LRSchedulerCallback(plateau, monitor="val_loss")])
    # bad epochs 2 and 3 (> patience=1) halve the rate for epoch 4; then 4, 5 again
    assert history["lr"] == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]
    assert plateau.best == 0.9


def test_lr_scheduler_callback_errors():
    model = _model()
    opt, other = (tidu.optim.SGD(model.parameters(), lr=0.1) for _ in range(2))
    X, y = _data()
    with pytest.raises(ValueError, match="built on another optimizer"):
        fit(model, nn.CrossEntropyLoss(), opt, (X, y), verbose=0,
            callbacks=[LRSchedulerCallback(StepLR(other, 1))])
    with pytest.raises(ValueError, match="interval must be 'epoch' or 'batch'"):
        LRSchedulerCallback(StepLR(opt, 1), interval="step")
    with pytest.raises(TypeError, match="expected a tidu.optim.lr_scheduler scheduler"):
        LRSchedulerCallback(opt)


# --------------------------------------------------------------------------- TerminateOnNaN
class PoisonGradient(Callback):
    def __init__(self, step, name):
        self.step, self.name = step, name

    def on_after_backward(self, batch, logs=None):
        if self.trainer.global_step == self.step:
            dict(self.model.named_parameters())[self.name].grad._data.flat[1] = np.inf


def test_terminate_on_nan_reports_step_and_first_bad_layer(capsys):
    X, y = _data(n=40)
    model = _model()
    guard = TerminateOnNaN()
    weights = []
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                  (X, y), epochs=5, batch_size=8, verbose=0,
                  callbacks=[PoisonGradient(7, "2.weight"), guard,
                             LambdaCallback(on_batch_end=lambda b, l: weights.append(
                                 _snapshot(model)))])
    assert guard.report == {"step": 7, "epoch": 1, "batch": 2, "loss": guard.report["loss"],
                            "where": "backward", "layer": "2", "module": "Linear",
                            "parameter": "2.weight", "parameters": ["2.weight"]}
    assert "'2.weight'" in history.stop_reason and "global step 7" in history.stop_reason
    assert "TerminateOnNaN" in capsys.readouterr().err
    assert len(weights) == 7 and history.epoch == [0, 1]
    for key, value in _snapshot(model).items():  # the poisoned step was not applied
        np.testing.assert_array_equal(value, weights[-1][key])


def test_terminate_on_nan_on_an_exploding_run():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4)).astype(np.float32) * 10
    y = rng.standard_normal((64, 1)).astype(np.float32) * 10
    runs = {}
    for guarded in (False, True):
        tidu.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
        guard = TerminateOnNaN(verbose=False)
        with np.errstate(all="ignore"):  # the unguarded run overflows, as it should
            history = fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=5.0), (X, y),
                          epochs=30, batch_size=8, verbose=0,
                          callbacks=[guard] if guarded else [])
        runs[guarded] = (model, guard, history)
    unguarded = runs[False][0]
    assert not all(np.isfinite(p._data).all() for p in unguarded.parameters())
    model, guard, history = runs[True]
    assert all(np.isfinite(p._data).all() for p in model.parameters())
    assert guard.report is not None and len(history.epoch) < 30
    assert guard.report["parameter"] == guard.report["parameters"][0]


def test_terminate_on_nan_loss():
    X, y = _data(n=16)
    calls = [0]

    def loss_fn(out, target):
        calls[0] += 1
        loss = F.cross_entropy(out, target)
        return loss * np.float32(np.nan) if calls[0] == 3 else loss

    model = _model()
    guard = TerminateOnNaN(verbose=False)
    history = fit(model, loss_fn, tidu.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3,
                  batch_size=4, verbose=0, callbacks=[guard])
    assert guard.report["step"] == 2 and math.isnan(guard.report["loss"])
    # the model's output is finite: the loss function made the NaN, and every gradient is NaN,
    # the first in backward order being the last layer's (the one closest to the loss)
    assert guard.report["where"] == "loss" and guard.report["layer"] == "loss_fn"
    assert guard.report["parameter"] == "2.weight"
    assert guard.report["parameters"][-2:] == ["0.weight", "0.bias"]
    assert "non-finite loss=nan" in history.stop_reason
    assert "in the loss (loss_fn)" in history.stop_reason
    assert math.isnan(history["loss"][0])  # the epoch's loss includes the NaN batch


# --------------------------------------------------------------------------- loggers
def test_csv_logger(tmp_path):
    X, y = _data()
    path = tmp_path / "log.csv"
    model = _model()
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                  (X, y), val_data=(X, y), epochs=3, verbose=0, metrics=["accuracy"],
                  callbacks=[CSVLogger(path)])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["epoch", "accuracy", "loss", "lr", "val_accuracy", "val_loss"]
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert [float(r["val_loss"]) for r in rows] == history["val_loss"]
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        val_data=(X, y), epochs=1, verbose=0, metrics=["accuracy"],
        callbacks=[CSVLogger(path, append=True)])
    with open(path, newline="") as f:
        assert len(list(csv.DictReader(f))) == 4  # appended, header not repeated
