"""The playground engine of `tidu ui` (`tidu.ui.playground`): the checked configuration, the
data / network / initialization / optimizer / schedule / loss built from it, the remedies as
knob patches, and the deterministic `Session` with its frames, diagnosis and run record."""
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tidu
from tidu import nn, optim
from tidu.ui.playground import (CHOICES, DEFAULTS, ConfigError, Session, apply_remedy,
                                config_difference, parse_config, remedy_patch)
from tidu.ui.playground.build import (make_data, make_loss, make_model, make_optimizer,
                                      make_scheduler)
from tidu.ui.playground.session import GRID

SMALL = {"n_samples": 80}  # a quick dataset for the tests that only need a run to exist


def _json(obj):
    """``obj`` survives strict JSON (no NaN / inf) unchanged in structure."""
    return json.loads(json.dumps(obj, allow_nan=False))


def _params(session) -> dict:
    return {name: p.numpy().copy() for name, p in session.model.named_parameters()}


# ---------------------------------------------------------------------- parse_config
def test_defaults_round_trip_and_are_not_shared():
    config = parse_config()
    assert config == DEFAULTS
    assert parse_config(config) == config
    config["hidden"].append(4)
    assert DEFAULTS["hidden"] == [16, 16]
    assert config_difference(parse_config(), parse_config({"lr": 0.1, "seed": 3})) == ["seed", "lr"]
    assert config_difference(parse_config(), parse_config()) == []


@pytest.mark.parametrize("field", sorted(CHOICES))
def test_every_choice_is_accepted(field):
    for value in CHOICES[field]:
        raw = {field: value}
        if field == "dataset" and value == "sine":
            raw["loss"] = "mse"
        if field == "loss" and value != "mse":
            raw["dataset"] = "spirals"
        assert parse_config(raw)[field] == value


def test_form_strings_are_converted():
    config = parse_config({"lr": "0.1", "n_samples": "100", "hidden": "16, 16", "batchnorm": "true",
                           "seed": "7"})
    assert config["lr"] == 0.1 and isinstance(config["lr"], float)
    assert config["n_samples"] == 100 and isinstance(config["n_samples"], int)
    assert config["seed"] == 7 and config["hidden"] == [16, 16] and config["batchnorm"] is True
    assert parse_config({"hidden": "8 4"})["hidden"] == [8, 4]
    assert parse_config({"hidden": ""})["hidden"] == []
    assert parse_config({"batchnorm": "off"})["batchnorm"] is False
    assert parse_config({"n_samples": 100.0})["n_samples"] == 100


@pytest.mark.parametrize("raw, field, pieces", [
    ({"learning_rate": 0.1}, "learning_rate", ["unknown knob", "lr"]),
    ({"lr": 50.0}, "lr", ["[1e-06, 10.0]", "50.0"]),
    ({"lr": 0.0}, "lr", ["[1e-06, 10.0]", "0.0"]),
    ({"n_samples": 10}, "n_samples", ["an integer", "[20, 5000]", "10"]),
    ({"n_samples": 100.5}, "n_samples", ["an integer", "100.5"]),
    ({"dropout": 0.95}, "dropout", ["[0.0, 0.9]", "0.95"]),
    ({"lr": True}, "lr", ["a number", "True"]),
    ({"momentum": "abc"}, "momentum", ["a number", "'abc'"]),
    ({"noise": float("nan")}, "noise", ["a number", "nan"]),
    ({"batch_size": None}, "batch_size", ["an integer", "None"]),
    ({"activation": "swish"}, "activation", ["relu", "maxout", "'swish'"]),
    ({"optimizer": "lbfgs"}, "optimizer", ["adamw", "'lbfgs'"]),
    ({"hidden": "16, x"}, "hidden", ["'16, x'"]),
    ({"hidden": [8] * 11}, "hidden", ["0 to 10", "[8, 8, 8"]),
    ({"hidden": [16, 0]}, "hidden", ["[1, 256]", "[16, 0]"]),
    ({"hidden": [300]}, "hidden", ["[1, 256]", "[300]"]),
    ({"hidden": [True]}, "hidden", ["[True]"]),
    ({"hidden": 16}, "hidden", ["16"]),
    ({"batchnorm": "yes"}, "batchnorm", ["true or false", "'yes'"]),
    ({"dataset": "sine"}, "loss", ["mse", "'cross_entropy'"]),
    ({"dataset": "sine", "loss": "hinge"}, "loss", ["mse", "'hinge'"]),
    ({"activation": "maxout", "hidden": []}, "activation", ["maxout", "hidden layer", "none"]),
])
def test_bad_knobs_raise_a_config_error_naming_them(raw, field, pieces):
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert info.value.field == field
    message = str(info.value)
    assert message.startswith(f"{field}: ")
    for piece in pieces:
        assert piece in message
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------------- make_data / make_model
def test_make_data_splits_and_scales_by_the_config():
    config = parse_config({"n_samples": 200, "val_fraction": 0.25, "scaling": "zscore"})
    data = make_data(config)
    assert len(data.X_val) == 50 and len(data.X_train) == 150 and data.n_classes == 3
    scaled = data.scale(data.X_train)
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0, atol=1e-4)
    again = make_data(config)
    np.testing.assert_array_equal(again.X_val, data.X_val)
    sine = make_data(parse_config({"dataset": "sine", "loss": "mse", "n_samples": 100}))
    assert sine.regression and sine.X_train.shape[1] == 1


def _types(model) -> list:
    return [type(m).__name__ for m in model]


def test_model_layers_follow_batchnorm_dropout_and_maxout():
    config = parse_config({"hidden": [8, 4], "batchnorm": True, "dropout": 0.3})
    model = make_model(config, 2, 3)
    assert _types(model) == ["Linear", "BatchNorm1d", "ReLU", "Dropout",
                             "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert model[0].weight.shape == (8, 2) and model[8].weight.shape == (3, 4)
    assert model[3].p == 0.3
    plain = make_model(parse_config({"hidden": [8], "activation": "tanh"}), 2, 1)
    assert _types(plain) == ["Linear", "Tanh", "Linear"]
    assert _types(make_model(parse_config({"hidden": []}), 2, 3)) == ["Linear"]
    maxout = make_model(parse_config({"hidden": [8, 4], "activation": "maxout"}), 2, 3)
    assert _types(maxout) == ["Maxout", "Maxout", "Linear"]
    out = maxout(tidu.tensor(np.zeros((5, 2), np.float32)))
    assert out.shape == (5, 3)
    bn_maxout = make_model(parse_config({"hidden": [8], "activation": "maxout",
                                         "batchnorm": True}), 2, 3)
    assert _types(bn_maxout) == ["Maxout", "BatchNorm1d", "Linear"]
    for name in ("relu", "leaky_relu", "prelu", "rrelu", "elu", "sigmoid", "tanh"):
        model = make_model(parse_config({"hidden": [4], "activation": name}), 2, 3)
        assert _types(model)[1].lower() == name.replace("_", "")


def _weights(config_raw, n=256):
    """The weights and biases of a two-layer n×n network (hidden [n])."""
    model = make_model(parse_config({"hidden": [n], **config_raw}), n, n)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert len(linears) == 2
    return ([m.weight.numpy().astype(np.float64) for m in linears],
            [m.bias.numpy() for m in linears])


@pytest.mark.parametrize("raw, std", [
    ({"init": "small"}, 0.01),
    ({"init": "large"}, 1.0),
    ({"init": "he"}, math.sqrt(2 / 256)),
    ({"init": "he", "activation": "tanh"}, math.sqrt(2 / 256)),
    ({"init": "lecun"}, math.sqrt(1 / 256)),
    ({"init": "xavier", "activation": "sigmoid"}, math.sqrt(2 / 512)),
    ({"init": "xavier", "activation": "tanh"}, 5 / 3 * math.sqrt(2 / 512)),
    ({"init": "xavier", "activation": "relu"}, math.sqrt(2) * math.sqrt(2 / 512)),
])
def test_each_init_gives_its_weight_statistics(raw, std):
    tidu.manual_seed(0)
    weights, biases = _weights(raw)
    for w in weights:
        assert abs(w.mean()) < 0.03 * std
        assert w.std() == pytest.approx(std, rel=0.03)
    for b in biases:
        assert not b.any()


@pytest.mark.parametrize("activation, gain", [("sigmoid", 1.0), ("tanh", 5 / 3),
                                               ("relu", math.sqrt(2))])
def test_orthogonal_init_gives_orthogonal_rows_times_the_gain(activation, gain):
    weights, biases = _weights({"init": "orthogonal", "activation": activation}, n=64)
    for w in weights:
        np.testing.assert_allclose(w @ w.T, gain ** 2 * np.eye(64), atol=1e-4)
    assert not any(b.any() for b in biases)


def test_zero_and_default_inits():
    weights, biases = _weights({"init": "zero"})
    assert not any(w.any() for w in weights) and not any(b.any() for b in biases)
    maxout = make_model(parse_config({"init": "zero", "activation": "maxout", "hidden": [8]}), 2, 3)
    assert all(not p.numpy().any() for _, p in maxout.named_parameters())
    weights, biases = _weights({"init": "default"})
    for w in weights:
        bound = 1 / math.sqrt(256)
        assert np.abs(w).max() <= bound and w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    assert all(b.any() for b in biases)  # PyTorch's default keeps random biases


# ---------------------------------------------------------------------- optimizer / schedule
def _params_of(raw):
    config = parse_config(raw)
    return config, make_model(config, 2, 3).parameters()


@pytest.mark.parametrize("name, cls, expected", [
    ("sgd", optim.SGD, {"momentum": 0.0, "nesterov": False}),
    ("momentum", optim.SGD, {"momentum": 0.8, "nesterov": False}),
    ("nesterov", optim.SGD, {"momentum": 0.8, "nesterov": True}),
    ("adagrad", optim.Adagrad, {}),
    ("adadelta", optim.Adadelta, {"rho": 0.7}),
    ("rmsprop", optim.RMSprop, {"alpha": 0.7}),
    ("adam", optim.Adam, {"betas": (0.85, 0.99)}),
    ("adamw", optim.AdamW, {"betas": (0.85, 0.99), "weight_decay": 0.05}),
])
def test_make_optimizer_builds_the_named_optimizer(name, cls, expected):
    config, params = _params_of({"optimizer": name, "lr": 0.05, "momentum": 0.8, "rho": 0.7,
                                 "beta1": 0.85, "beta2": 0.99, "weight_decay": 0.05})
    optimizer = make_optimizer(config, params)
    assert type(optimizer) is cls
    group = optimizer.param_groups[0]
    assert group["lr"] == 0.05
    for key, value in expected.items():
        assert tuple(group[key]) == value if key == "betas" else group[key] == value, key


def _lrs_after_steps(raw, steps_per_epoch, n):
    config, params = _params_of({"lr": 0.1, **raw})
    optimizer = make_optimizer(config, params)
    scheduler = make_scheduler(config, optimizer, steps_per_epoch)
    lrs = []
    for _ in range(n):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def test_constant_schedule_is_none():
    config, params = _params_of({})
    assert make_scheduler(config, make_optimizer(config, params), 5) is None


def test_step_schedule_decays_every_step_epochs_epochs_like_torch():
    lrs = _lrs_after_steps({"schedule": "step", "step_epochs": 2, "gamma": 0.5}, 3, 20)
    assert lrs == pytest.approx([0.1 * 0.5 ** (k // 6) for k in range(20)], rel=1e-12)
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    ref = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
    expected = []
    for _ in range(20):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        ref.step()
    assert lrs == pytest.approx(expected, rel=1e-12)


def test_cosine_schedule_follows_the_closed_form():
    spe, horizon = 2, 10
    total = spe * horizon
    lrs = _lrs_after_steps({"schedule": "cosine", "horizon_epochs": horizon}, spe, 25)
    expected = [0.1 * (1 + math.cos(math.pi * min(k + 1, total) / total)) / 2 for k in range(25)]
    assert lrs == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert lrs[-1] == 0.0


def test_warmup_cosine_schedule_follows_the_closed_form():
    spe, horizon, warmup = 3, 10, 2
    total, w = spe * horizon, spe * warmup
    lrs = _lrs_after_steps({"schedule": "warmup_cosine", "horizon_epochs": horizon,
                            "warmup_epochs": warmup}, spe, 35)

    def closed(s):
        if s <= w:
            return 0.1 * s / w
        return 0.1 * (1 + math.cos(math.pi * min(s - w, total - w) / (total - w))) / 2
    assert lrs == pytest.approx([closed(k + 1) for k in range(35)], rel=1e-9, abs=1e-15)
    assert max(lrs) == pytest.approx(0.1)
    # a warm-up as long as the horizon is cut to fit instead of failing
    assert len(_lrs_after_steps({"schedule": "warmup_cosine", "horizon_epochs": 5,
                                 "warmup_epochs": 5}, 1, 3)) == 3


# ---------------------------------------------------------------------- losses
@pytest.fixture
def logits():
    rng = np.random.default_rng(3)
    return rng.normal(0, 2, (32, 4)), rng.integers(0, 4, 32)


@pytest.mark.parametrize("raw, reference", [
    ({"loss": "cross_entropy"}, lambda x, y: TF.cross_entropy(x, y)),
    ({"loss": "label_smoothing", "smoothing": 0.2},
     lambda x, y: TF.cross_entropy(x, y, label_smoothing=0.2)),
    ({"loss": "hinge"}, lambda x, y: TF.multi_margin_loss(x, y)),
    ({"loss": "mse"}, lambda x, y: TF.mse_loss(TF.softmax(x, dim=1),
                                               TF.one_hot(y, 4).to(torch.float64))),
])
def test_make_loss_matches_torch(logits, raw, reference):
    x, y = logits
    loss = make_loss(parse_config(raw), 4)
    ours = float(loss(tidu.tensor(x), tidu.tensor(y)).item())
    theirs = float(reference(torch.tensor(x), torch.tensor(y)))
    assert ours == pytest.approx(theirs, rel=1e-6)


def test_mse_loss_of_a_classification_is_on_the_softmax(logits):
    x, y = logits
    x = x.astype(np.float32)  # the network's dtype
    loss = make_loss(parse_config({"loss": "mse"}), 4)
    ours = float(loss(tidu.tensor(x), tidu.tensor(y)).item())
    t = torch.tensor(x, dtype=torch.float64)
    theirs = float(TF.mse_loss(TF.softmax(t, dim=1), TF.one_hot(torch.tensor(y), 4).to(t.dtype)))
    assert ours == pytest.approx(theirs, rel=1e-5)


def test_make_loss_is_mse_for_a_regression():
    rng = np.random.default_rng(4)
    out, target = rng.normal(size=(20, 1)), rng.normal(size=(20, 1))
    loss = make_loss(parse_config({"dataset": "sine", "loss": "mse"}), 1)
    assert float(loss(tidu.tensor(out), tidu.tensor(target)).item()) == pytest.approx(
        float(((out - target) ** 2).mean()), rel=1e-9)


# ---------------------------------------------------------------------- remedies
@pytest.mark.parametrize("key, raw, patch", [
    ("relu", {"activation": "sigmoid"}, {"activation": "relu"}),
    ("relu", {"activation": "tanh"}, {"activation": "relu"}),
    ("relu", {"activation": "relu"}, None),
    ("relu", {"activation": "elu"}, None),
    ("leaky_relu", {"activation": "relu"}, {"activation": "leaky_relu"}),
    ("leaky_relu", {"activation": "leaky_relu"}, None),
    ("he_init", {"activation": "sigmoid", "init": "small"}, {"init": "xavier"}),
    ("he_init", {"activation": "tanh", "init": "he"}, {"init": "xavier"}),
    ("he_init", {"activation": "relu", "init": "xavier"}, {"init": "he"}),
    ("he_init", {"activation": "relu", "init": "he"}, None),
    ("he_init", {"activation": "sigmoid", "init": "xavier"}, None),
    ("batchnorm", {}, {"batchnorm": True}),
    ("batchnorm", {"batchnorm": True}, None),
    ("clipping", {}, {"clip": 1.0}),
    ("clipping", {"clip": 5.0}, {"clip": 1.0}),
    ("clipping", {"clip": 0.5}, None),
    ("weight_reg", {}, {"l2": 1e-3}),
    ("weight_reg", {"l2": 0.01}, {"l2": 0.02}),
    ("weight_reg", {"l2": 0.7}, {"l2": 1.0}),
    ("weight_reg", {"l2": 1.0}, None),
    ("smaller_lr", {"lr": 0.01}, {"lr": pytest.approx(0.001)}),
    ("smaller_lr", {"lr": 5e-6}, {"lr": 1e-6}),
    ("smaller_lr", {"lr": 1e-6}, None),
    ("larger_lr", {"lr": 0.01}, {"lr": pytest.approx(0.1)}),
    ("larger_lr", {"lr": 2.0}, {"lr": 10.0}),
    ("larger_lr", {"lr": 10.0}, None),
    ("standardize", {}, {"scaling": "zscore"}),
    ("standardize", {"scaling": "minmax"}, {"scaling": "zscore"}),
    ("standardize", {"scaling": "zscore"}, None),
    ("dropout", {}, {"dropout": 0.2}),
    ("dropout", {"dropout": 0.4}, {"dropout": 0.6}),
    ("dropout", {"dropout": 0.5}, None),
    ("wider", {"hidden": [16, 16]}, {"hidden": [32, 32]}),
    ("wider", {"hidden": [200, 16]}, {"hidden": [256, 32]}),
    ("wider", {"hidden": [256, 256]}, None),
    ("wider", {"hidden": []}, None),
    ("more_data", {"n_samples": 400}, {"n_samples": 800}),
    ("more_data", {"n_samples": 3000}, {"n_samples": 5000}),
    ("more_data", {"n_samples": 5000}, None),
    ("residual", {}, None),
    ("lstm", {}, None),
    ("pretrain", {}, None),
    ("redesign", {}, None),
    ("no_such_remedy", {}, None),
])
def test_remedy_patch(key, raw, patch):
    config = parse_config(raw)
    got = remedy_patch(key, config)
    assert got == patch
    if patch is None:
        with pytest.raises(ValueError, match=key):
            apply_remedy(key, config)
        return
    if "n_samples" in got:
        assert type(got["n_samples"]) is int
    before = dict(config)
    applied = apply_remedy(key, config)
    assert config == before  # not changed in place
    assert parse_config(applied) == applied  # a remedied configuration is a valid one
    assert config_difference(config, applied) == list(got)


# ---------------------------------------------------------------------- Session
def test_session_is_deterministic_also_interleaved_with_dropout_and_rrelu():
    raw = {"activation": "rrelu", "dropout": 0.3, "n_samples": 120, "seed": 5}
    alone = Session(raw)
    alone.train(steps=20)
    a, b, other = Session(raw), Session(raw), Session({**raw, "seed": 6})
    for _ in range(4):
        a.train(steps=5)
        tidu.manual_seed(123)  # a draw from the global generator between calls
        tidu.rand(3)
        other.train(steps=3)
        b.train(steps=5)
    reference = _params(alone)
    for session in (a, b):
        assert session.step == 20
        for name, value in _params(session).items():
            np.testing.assert_array_equal(value, reference[name])
        assert json.dumps(session.frame(force_diagnosis=True)) == json.dumps(
            alone.frame(force_diagnosis=True))
    different = Session({**raw, "seed": 6})
    different.train(steps=20)
    assert any(not np.array_equal(v, reference[k]) for k, v in _params(different).items())
    assert different.frame()["classes"] != alone.frame()["classes"] or \
        different.history != alone.history


def test_default_config_learns_the_spirals():
    session = Session()
    session.train(steps=3000)
    assert session.history["val_accuracy"][-1] > 0.9
    assert session.diverged is None


_ACTIVATIONS = CHOICES["activation"]
_CASES = [(act, CHOICES["init"][(i + shift) % 8], CHOICES["optimizer"][(3 * i + shift) % 8],
           CHOICES["schedule"][(i + shift) % 4], CHOICES["loss"][(i + 2 * shift) % 4])
          for shift in (0, 1) for i, act in enumerate(_ACTIVATIONS)]


def test_the_cases_cover_every_value():
    for j, field in enumerate(("activation", "init", "optimizer", "schedule", "loss")):
        assert {case[j] for case in _CASES} == set(CHOICES[field]), field


@pytest.mark.parametrize("activation, init, optimizer, schedule, loss", _CASES)
def test_every_combination_trains_with_a_finite_loss(activation, init, optimizer, schedule, loss):
    session = Session({"activation": activation, "init": init, "optimizer": optimizer,
                       "schedule": schedule, "loss": loss, "n_samples": 60, "batch_size": 8,
                       "hidden": [8, 8], "horizon_epochs": 4, "step_epochs": 1,
                       "warmup_epochs": 1})
    assert session.train(steps=20) == 20
    assert session.diverged is None
    assert all(math.isfinite(v) for v in session.history["loss"])
    assert session.history["loss"] and all(math.isfinite(v) for v in session.history["val_loss"])
    _json(session.frame())


@pytest.mark.parametrize("activation", _ACTIVATIONS)
def test_the_sine_dataset_draws_a_curve(activation):
    session = Session({"dataset": "sine", "loss": "mse", "activation": activation,
                       "n_samples": 60, "hidden": [8]})
    session.train(steps=10)
    frame = _json(session.frame())
    assert "classes" not in frame and set(frame["curve"]) == {"x", "y"}
    assert len(frame["curve"]["x"]) == len(frame["curve"]["y"]) > 10
    assert frame["curve"]["x"] == sorted(frame["curve"]["x"])
    assert "accuracy" not in frame["metrics"] and frame["metrics"]["val_loss"] is not None
    assert session.points()["regression"] is True


def test_a_classification_draws_a_lattice():
    session = Session({"dataset": "moons", **SMALL})
    session.train(steps=5)
    surface = session.surface()
    assert surface["grid"] == GRID
    assert len(surface["classes"]) == len(surface["confidence"]) == GRID * GRID
    assert set(surface["classes"]) <= {0, 1}
    assert all(0.5 <= c <= 1.0 for c in surface["confidence"])


def test_batch_size_zero_is_full_batch_and_one_is_per_sample():
    full = Session({**SMALL, "batch_size": 0})
    assert full.steps_per_epoch == 1 and full.batch_size == len(full.X_train)
    full.train(steps=3)
    assert len(full.history["loss"]) == 3
    single = Session({**SMALL, "batch_size": 1})
    sizes = []
    loss_fn = single.loss_fn
    single.loss_fn = lambda out, y: (sizes.append(out.shape[0]), loss_fn(out, y))[1]
    n = len(single.X_train)
    assert single.steps_per_epoch == n
    single.train(steps=n)
    # n one-sample steps, then the epoch's evaluation of the validation and training parts
    assert sizes == [1] * n + [len(single.X_val), n] and len(single.history["loss"]) == 1


@pytest.mark.parametrize("field, penalty", [
    ("l2", lambda ws: 0.5 * sum(float((w.astype(np.float64) ** 2).sum()) for w in ws)),
    ("l1", lambda ws: sum(float(np.abs(w.astype(np.float64)).sum()) for w in ws)),
])
def test_weight_penalties_raise_the_loss_by_the_penalty(field, penalty):
    base = Session(SMALL)
    weights = [v for k, v in _params(base).items() if k.endswith("weight")]
    penalized = Session({**SMALL, field: 0.1})
    base.train(steps=1)
    penalized.train(steps=1)
    difference = penalized.epoch_losses[0] - base.epoch_losses[0]
    assert difference == pytest.approx(0.1 * penalty(weights), rel=1e-4)


def _gradient_norms(session) -> list:
    """The total gradient norm the optimizer sees at each step."""
    norms, step = [], session.optimizer.step

    def watched(*args, **kwargs):
        norms.append(math.sqrt(sum(float((p.grad.numpy().astype(np.float64) ** 2).sum())
                                   for p in session.model.parameters() if p.grad is not None)))
        return step(*args, **kwargs)
    session.optimizer.step = watched
    return norms


def test_clipping_bounds_the_gradient_norm():
    raw = {**SMALL, "hidden": [4], "init": "large", "optimizer": "sgd", "lr": 1.0,
           "batch_size": 0}
    free = Session(raw)
    free_norms = _gradient_norms(free)
    free.train(steps=10)
    assert free_norms[0] > 0.2  # so the clip has work to do
    clipped = Session({**raw, "clip": 0.1})
    norms = _gradient_norms(clipped)
    clipped.train(steps=10)
    assert len(norms) == 10 and max(norms) <= 0.1 * (1 + 1e-5)
    assert norms[0] == pytest.approx(0.1, rel=1e-4)  # the first gradient is the free one's, cut


def test_a_huge_learning_rate_diverges_and_stops():
    session = Session({"lr": 10.0, "init": "large", "optimizer": "sgd", "hidden": [128, 128],
                       "activation": "elu", "n_samples": 200})
    with np.errstate(all="ignore"):
        done = session.train(steps=300)
        assert done < 300
        diverged = session.diverged
        assert diverged is not None and diverged["step"] == session.step == done - 1
        assert isinstance(diverged["where"], str) and diverged["where"]
        assert session.train(steps=10) == 0 and session.step == done - 1
        frame = _json(session.frame(force_diagnosis=True))
    assert frame["diverged"] == _json(diverged)
    assert frame["step"] == session.step


def test_vanishing_gradients_are_found_and_removed_by_batchnorm():
    raw = {"hidden": [8] * 6, "activation": "sigmoid", "init": "small"}
    session = Session(raw)
    session.train(steps=300)
    findings = session.findings(force=True)
    kinds = [f["kind"] for f in findings]
    assert "vanishing_gradients" in kinds
    vanishing = findings[kinds.index("vanishing_gradients")]
    applicable = {r["key"]: r["applicable"] for r in vanishing["remedies"]}
    assert applicable["relu"] and applicable["batchnorm"] and not applicable.get("residual", False)
    checked = session.check_remedies("vanishing_gradients")
    by_key = {c["key"]: c for c in checked}
    assert by_key["relu"]["removed"] is False
    assert by_key["batchnorm"]["removed"] is True
    assert all(c["steps"] == 300 for c in checked)
    assert all("vanishing_gradients" not in c["findings"] for c in checked if c["removed"])
    _json(checked)
    remedied = Session(apply_remedy("batchnorm", session.config))
    remedied.train(steps=300)
    assert "vanishing_gradients" not in [f["kind"] for f in remedied.findings(force=True)]
    with pytest.raises(ValueError, match="exploding_gradients"):
        session.check_remedies("exploding_gradients")


def test_findings_are_empty_before_training():
    assert Session(SMALL).findings(force=True) == []


def test_run_record_matches_the_history():
    session = Session(SMALL)
    n = session.steps_per_epoch
    session.train(steps=3 * n + 1)
    record = _json(session.run_record())
    assert len(record["epochs"]) == 3
    for i, epoch in enumerate(record["epochs"]):
        assert epoch == {k: v[i] for k, v in session.history.items()}
    assert record["metrics"] == {**record["epochs"][-1], "steps": float(3 * n + 1)}
    assert record["config"] == {"playground": session.config} and record["seed"] == 0
    empty = Session(SMALL).run_record()
    assert empty["epochs"] == [] and empty["metrics"] == {"steps": 0.0}


def test_frames_are_json_safe_with_one_heat_row_per_recorded_step():
    session = Session({**SMALL, "hidden": [8, 8, 8]})
    layers = session.points()["layers"]
    assert layers == [info.name for info in session.monitor.layers] and len(layers) == 4
    first = _json(session.frame())
    assert first["step"] == 0 and first["findings"] == [] and first["heat"]["steps"] == []
    assert first["metrics"]["val_accuracy"] is None and first["lr"] == 0.01
    session.train(steps=25)
    frame = _json(session.frame(force_diagnosis=True))
    heat = frame["heat"]
    assert heat["steps"] == list(range(25))
    assert len(heat["log10_grad"]) == 25 and all(len(row) == len(layers)
                                                 for row in heat["log10_grad"])
    assert len(frame["update_ratio"]) == len(layers)
    ratios = frame["update_ratios"]  # one series over the recorded steps per layer
    assert len(ratios) == len(layers) and all(len(r) == 25 for r in ratios)
    assert [r[-1] for r in ratios] == frame["update_ratio"]
    assert frame["curves"]["epoch"] == list(range(1, len(session.history["loss"]) + 1))
    assert frame["epoch"] == 25 // session.steps_per_epoch
    points = _json(session.points())
    assert len(points["train"]["x"]) == len(session.X_train)
    assert points["train"]["label"] == session.data.y_train.astype(int).tolist()


def test_a_divergence_at_the_loss_names_only_the_loss():
    session = Session({"lr": 10.0, "init": "large", "optimizer": "sgd", "hidden": [64, 64],
                       "dataset": "sine", "loss": "mse", "n_samples": 200})
    with np.errstate(all="ignore"):
        session.train(steps=50)
    where = session.diverged["where"]
    assert where.startswith("loss") and "None" not in where, where


def test_check_remedies_diagnoses_first_when_called_right_after_training():
    session = Session({"hidden": [8] * 6, "activation": "sigmoid", "init": "small"})
    session.train(steps=300)
    results = session.check_remedies("vanishing_gradients")
    assert any(r["removed"] for r in results)
