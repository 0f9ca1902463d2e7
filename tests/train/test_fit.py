"""fit / Trainer: the loop is the plain PyTorch loop, batching, validation mode, History,
metrics, display, errors."""
import functools
import io

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.data import DataLoader
from tidu.metrics import accuracy, f1_score, top_k_accuracy
from tidu.nn import functional as F
from tidu.train import (Callback, EpochSummary, LambdaCallback, Metric, ProgressBar, Trainer,
                        fit)


def _classification(n=96, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    return X, y


def _mlp(d=5, k=3, dropout=0.0, seed=0):
    tidu.manual_seed(seed)
    layers = [nn.Linear(d, 16), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(16, k))


def _weights(model):
    return {k: v.cpu().numpy().copy() for k, v in model.state_dict().items()}


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# --------------------------------------------------------------------------- the loop
@pytest.mark.parametrize("batch_size", [None, 1, 20])
def test_fit_is_the_plain_training_loop(batch_size):
    """fit == zero_grad/backward/step over a DataLoader seeded the same way, bit for bit
    (dropout included: the same global generator draws the same masks)."""
    X, y = _classification(n=60)
    model = _mlp(dropout=0.2)
    opt = tidu.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=3, batch_size=batch_size,
                  seed=7, verbose=0)

    ref = _mlp(dropout=0.2)
    ref_opt = tidu.optim.SGD(ref.parameters(), lr=0.05, momentum=0.9)
    tidu.manual_seed(7)
    loader = DataLoader((X, y), batch_size=batch_size, shuffle=True)
    losses = []
    for _ in range(3):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(ref(xb), yb)
            ref_opt.zero_grad()
            loss.backward()
            ref_opt.step()
            total += loss.item() * len(xb)
            count += len(xb)
        losses.append(total / count)
    _assert_same_weights(_weights(model), _weights(ref))
    assert history["loss"] == losses
    steps = {None: 1, 1: 60, 20: 3}[batch_size]
    assert history.params["steps"] == steps


def test_batch_gd_minibatch_and_sgd_step_counts():
    X, y = _classification(n=50)
    for batch_size, steps in ((None, 1), (1, 50), (16, 4)):
        seen = []
        model = _mlp()
        trainer = Trainer(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                          callbacks=[LambdaCallback(on_batch_end=lambda b, logs: seen.append(
                              logs["size"]))], verbose=0)
        trainer.fit((X, y), epochs=2, batch_size=batch_size)
        assert trainer.global_step == 2 * steps
        assert sum(seen) == 100
        assert max(seen) == (50 if batch_size is None else batch_size)


def test_history_structure_and_values():
    X, y = _classification()
    Xv, yv = _classification(n=40, seed=1)
    model = _mlp()
    trainer = Trainer(model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=0.01),
                      metrics=["accuracy"], verbose=0)
    history = trainer.fit((X, y), val_data=(Xv, yv), epochs=4, batch_size=16, seed=0)
    assert history.epoch == [0, 1, 2, 3]
    assert set(history.history) == {"loss", "accuracy", "lr", "val_loss", "val_accuracy"}
    assert all(len(v) == 4 for v in history.history.values())
    assert history.history["lr"] == [0.01] * 4
    assert history.stop_reason is None and len(history) == 4
    # the last val_loss / val_accuracy are those of the final weights in eval mode
    final = trainer.evaluate((Xv, yv), batch_size=16)
    assert history["val_loss"][-1] == final["loss"]
    assert history["val_accuracy"][-1] == accuracy(yv, trainer.predict(Xv))
    assert history["loss"][-1] < history["loss"][0]


def test_validation_runs_in_eval_mode_without_graph():
    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(5, 3)
            self.calls = []

        def forward(self, x):
            self.calls.append((self.training, tidu.is_grad_enabled(), len(x)))
            return self.linear(x)

    X, y = _classification(n=32)
    model = Probe()
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        val_data=(X[:10], y[:10]), epochs=2, batch_size=16, verbose=0)
    # per epoch: two training batches (train mode, graph), one validation batch (eval, no graph)
    assert model.calls == [(True, True, 16), (True, True, 16), (False, False, 10)] * 2
    assert model.training  # back in train mode


def test_dataloader_input_uses_its_own_batching():
    X, y = _classification(n=40)
    loader = DataLoader((X, y), batch_size=10, shuffle=True, seed=3)
    model = _mlp()
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                  loader, val_data=DataLoader((X, y), batch_size=40), epochs=2, verbose=0)
    assert history.params["steps"] == 4 and history.params["batch_size"] == 10
    assert "val_loss" in history


def test_trainer_and_fit_agree():
    X, y = _classification()
    a, b = _mlp(dropout=0.3), _mlp(dropout=0.3)
    ha = fit(a, nn.CrossEntropyLoss(), tidu.optim.Adam(a.parameters()), (X, y), epochs=2,
             seed=1, verbose=0, metrics=["accuracy"])
    hb = Trainer(b, nn.CrossEntropyLoss(), tidu.optim.Adam(b.parameters()), metrics=["accuracy"],
                 verbose=0).fit((X, y), epochs=2, seed=1)
    _assert_same_weights(_weights(a), _weights(b))
    assert ha.history == hb.history


def test_seed_fixes_shuffling_and_dropout():
    X, y = _classification()
    runs = []
    for seed in (5, 5, 6):
        model = _mlp(dropout=0.5)
        fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
            epochs=2, batch_size=8, seed=seed, verbose=0)
        runs.append(_weights(model))
    _assert_same_weights(runs[0], runs[1])
    assert not np.array_equal(runs[0]["0.weight"], runs[2]["0.weight"])


def test_val_data_does_not_change_the_training_run():
    X, y = _classification()
    runs = []
    for val in (None, (X[:20], y[:20])):
        model = _mlp(dropout=0.5)
        fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
            val_data=val, epochs=2, batch_size=8, seed=0, verbose=0)
        runs.append(_weights(model))
    _assert_same_weights(*runs)


def test_epochs_zero_trains_nothing():
    X, y = _classification()
    model = _mlp()
    before = _weights(model)
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                  (X, y), epochs=0, verbose=0)
    assert history.epoch == [] and history.history == {}
    _assert_same_weights(before, _weights(model))


# --------------------------------------------------------------------------- metrics
def test_metrics_by_name_and_function():
    X, y = _classification(n=90)
    model = _mlp()
    seen = {}

    def mean_output(y_true, outputs):  # a user function receives the raw outputs
        seen["shape"] = outputs.shape
        return float(outputs.mean())

    trainer = Trainer(model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=0.01),
                      metrics=["acc", "f1", "precision_micro", "top_2_accuracy",
                               functools.partial(f1_score, average="weighted"),
                               Metric(mean_output, name="mean_out", greater_is_better=False)],
                      verbose=0)
    history = trainer.fit((X, y), val_data=(X, y), epochs=2, batch_size=None)
    scores = trainer.predict(X)
    assert history["val_acc"][-1] == accuracy(y, scores)
    assert history["val_f1"][-1] == f1_score(y, scores, average="macro")
    assert history["val_precision_micro"][-1] == accuracy(y, scores)  # micro = accuracy
    assert history["val_top_2_accuracy"][-1] == top_k_accuracy(y, scores, k=2)
    assert history["val_f1_score"][-1] == f1_score(y, scores, average="weighted")
    assert history["val_mean_out"][-1] == pytest.approx(float(scores.mean()))
    assert seen["shape"] == (90, 3)


def test_training_metrics_use_the_epochs_training_outputs():
    """With full-batch GD and no dropout, the epoch's training accuracy is the accuracy of
    the outputs computed before that epoch's single step."""
    X, y = _classification(n=64)
    model = _mlp()
    before = []

    def outputs_now(epoch, logs):
        with tidu.no_grad():
            before.append(model(tidu.Tensor(X))._data)

    cb = LambdaCallback(on_epoch_begin=outputs_now)
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.5),
                  (X, y), epochs=3, batch_size=None, metrics=["accuracy"], callbacks=[cb],
                  verbose=0)
    assert history["accuracy"] == [accuracy(y, s) for s in before]


def test_binary_outputs_are_thresholded():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((80, 3)).astype(np.float32)
    y = (X[:, 0] + 0.2 * X[:, 1] > 0).astype(np.float32).reshape(-1, 1)
    tidu.manual_seed(0)
    model = nn.Linear(3, 1)  # logits
    trainer = Trainer(model, nn.BCEWithLogitsLoss(), tidu.optim.SGD(model.parameters(), lr=0.5),
                      metrics=["accuracy"], verbose=0)
    history = trainer.fit((X, y), val_data=(X, y), epochs=5, batch_size=16)
    logits = trainer.predict(X)
    assert history["val_accuracy"][-1] == accuracy(y.ravel(), (logits.ravel() > 0).astype(int))
    assert history["val_accuracy"][-1] > 0.9


def test_regression_metrics():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 2)).astype(np.float32)
    y = (X @ np.array([[1.0], [-2.0]])).astype(np.float32)
    tidu.manual_seed(0)
    model = nn.Linear(2, 1)
    trainer = Trainer(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.1),
                      metrics=["mse", "mae"], verbose=0)
    history = trainer.fit((X, y), val_data=(X, y), epochs=3, batch_size=None)
    out = trainer.predict(X).astype(np.float64)
    assert history["val_mse"][-1] == pytest.approx(np.mean((out - y) ** 2), rel=1e-12)
    assert history["val_mae"][-1] == pytest.approx(np.mean(np.abs(out - y)), rel=1e-12)
    assert history["val_mse"][-1] == pytest.approx(history["val_loss"][-1], rel=1e-5)


# --------------------------------------------------------------------------- callbacks hooks
def test_hook_order_and_stop_training_mid_epoch():
    X, y = _classification(n=32)
    events = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_batch_begin(self, batch, logs=None):
            events.append(f"batch_begin {batch}")

        def on_after_backward(self, batch, logs=None):
            assert all(p.grad is not None for p in self.model.parameters())
            events.append(f"after_backward {batch}")

        def on_batch_end(self, batch, logs=None):
            events.append(f"batch_end {batch}")
            if self.trainer.global_step == 3:
                self.trainer.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append("train_end")

    model = _mlp()
    history = fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                  (X, y), val_data=(X, y), epochs=5, batch_size=16, callbacks=[Recorder()],
                  verbose=0)
    batch = lambda b: [f"batch_begin {b}", f"after_backward {b}", f"batch_end {b}"]  # noqa: E731
    keys = "['loss', 'lr', 'val_loss']"
    assert events == (["train_begin", "epoch_begin 0"] + batch(0) + batch(1)
                      + [f"epoch_end 0 {keys}", "epoch_begin 1"] + batch(0)
                      + [f"epoch_end 1 {keys}", "train_end"])
    assert history.epoch == [0, 1]  # the interrupted epoch is still logged, as in Keras


# --------------------------------------------------------------------------- display
def test_verbose_levels(capsys):
    X, y = _classification(n=32)
    for verbose in (0, 1, "auto"):
        model = _mlp()
        fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
            epochs=2, verbose=verbose)
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err == ""  # no bar: stdout is not a terminal
    model = _mlp()
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        val_data=(X, y), epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("Epoch 2/2 - loss: ") and " - val_loss: " in lines[1]


def test_progress_bar_draws_when_enabled():
    X, y = _classification(n=32)
    out = io.StringIO()
    model = _mlp()
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        epochs=2, batch_size=8, callbacks=[ProgressBar(file=out, disable=False)])
    text = out.getvalue()
    assert "Epoch 1/2" in text and "Epoch 2/2" in text and "4/4" in text and "loss" in text
    quiet = io.StringIO()
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
        epochs=1, callbacks=[ProgressBar(file=quiet), EpochSummary(file=quiet)])
    assert quiet.getvalue().startswith("Epoch 1/1 - loss")  # the bar is off: not a terminal


# --------------------------------------------------------------------------- errors
def test_bad_arguments_raise_one_clear_error():
    X, y = _classification(n=20)
    model = _mlp()
    opt = tidu.optim.SGD(model.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()
    cases = [
        (dict(train_data=X), TypeError, r"fit: train_data must be \(X, y\) arrays or a "
                                        r"tidu.data.DataLoader, got ndarray"),
        (dict(batch_size=0), ValueError, "fit: batch_size must be a positive int, or None"),
        (dict(epochs=-1), ValueError, "fit: epochs must be an int ≥ 0, got epochs=-1"),
        (dict(metrics=["accurracy"]), ValueError, "fit: unknown metric name 'accurracy'"),
        (dict(metrics=["accuracy", "acc", Metric(accuracy, name="acc")]), ValueError,
         "two metrics are named 'acc'"),
        (dict(callbacks=[lambda: None]), TypeError,
         r"callbacks\[0\] must be a tidu.train.Callback"),
        (dict(verbose=3), ValueError, "verbose must be 'auto', 0, 1 or 2"),
        (dict(resume=True), ValueError, "fit: resume=True needs a checkpoint"),
        (dict(val_data=(X, y[:5])), Exception, "has 5 labels/targets but"),
    ]
    for kwargs, error, message in cases:
        args = dict(train_data=(X, y), verbose=0)
        args.update(kwargs)
        with pytest.raises(error, match=message):
            fit(model, loss, opt, **args)
    with pytest.raises(TypeError, match="fit: loss_fn must return a scalar tensor, got a tensor "
                                        "of shape"):
        fit(model, nn.CrossEntropyLoss(reduction="none"), opt, (X, y), verbose=0)
    with pytest.raises(ValueError, match=r"every batch must be \(inputs, targets\), got a batch "
                                         r"of 3 arrays"):
        fit(model, loss, opt, DataLoader((X, y, y)), verbose=0)
    with pytest.raises(TypeError, match="Trainer: model must be a tidu.nn.Module"):
        Trainer(lambda x: x, loss, opt)
    with pytest.raises(TypeError, match="Trainer: optimizer must be a tidu.optim optimizer"):
        Trainer(model, loss, "sgd")
