"""Where values first turned non-finite: TerminateOnNaN's report and GradientMonitor's finding
name the layer (forward: the first module whose output is non-finite from finite inputs;
backward: the first parameter, in backward order, whose gradient is) and the step."""

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.diagnose import GradientMonitor, diagnose
from tidu.nn import functional as F
from tidu.train import Callback, TerminateOnNaN, fit
from tidu.train.callbacks.terminate_on_nan import locate_nonfinite

POISON_STEP = 5


class Log(nn.Module):
    """log(x + offset): finite while offset keeps the argument positive."""

    def __init__(self):
        super().__init__()
        self.offset = 10.0

    def forward(self, x):
        return (x + self.offset).log()


class Exp(nn.Module):
    def forward(self, x):
        return x.exp()


class Sqrt(nn.Module):
    """sqrt(relu(x) + offset): with offset 0, the zeros of relu give an infinite derivative
    while the forward value stays finite."""

    def __init__(self):
        super().__init__()
        self.offset = 1.0

    def forward(self, x):
        return (F.relu(x) + self.offset).sqrt()


def _set(obj, name, value):
    object.__setattr__(obj, name, value)


def _fill(param, value):
    param._data[...] = value


CASES = {
    # name: (model builder, poison applied at POISON_STEP, expected report fields)
    "log_of_negative_in_custom_module": (
        lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), Log(), nn.Linear(8, 1)),
        lambda m: _set(m[3], "offset", -10.0),
        {"where": "forward", "layer": "3", "module": "Log"}),
    "linear_with_huge_weights_overflows": (
        lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(),
                              nn.Linear(8, 1)),
        lambda m: (_fill(m[2].weight, 3e38), _fill(m[2].bias, 3e38)),
        {"where": "forward", "layer": "2", "module": "Linear"}),
    "exp_overflow": (
        lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), Exp(), nn.Linear(8, 1)),
        lambda m: _fill(m[2].weight, 1e4),
        {"where": "forward", "layer": "3", "module": "Exp"}),
    "sqrt_at_zero_backward_only": (
        lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), Sqrt(), nn.Linear(8, 1)),
        lambda m: _set(m[3], "offset", 0.0),
        {"where": "backward", "layer": "2", "module": "Linear", "parameter": "2.weight"}),
    "loss_overflows_to_inf": (
        lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)),
        lambda m: _fill(m[2].weight, 1e19),
        {"where": "loss", "layer": "mse_loss", "module": None}),
}


class Poison(Callback):
    def __init__(self, step, fn):
        self.step, self.fn = step, fn

    def on_batch_begin(self, batch, logs=None):
        if self.trainer.global_step == self.step:
            self.fn(self.model)


def _data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((48, 4)).astype(np.float32)
    y = rng.standard_normal((48, 1)).astype(np.float32)
    return X, y


def _train(case, extra=()):
    build, poison, _ = CASES[case]
    tidu.manual_seed(0)
    model = build()
    guard = TerminateOnNaN(verbose=False)
    monitor = GradientMonitor()
    with np.errstate(all="ignore"):
        history = fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.01), _data(),
                      epochs=3, batch_size=8, verbose=0,
                      callbacks=[Poison(POISON_STEP, poison), guard, monitor, *extra])
    return model, guard, monitor, history


@pytest.mark.parametrize("case", sorted(CASES))
def test_terminate_on_nan_names_where_and_when(case):
    model, guard, _, history = _train(case)
    expected = CASES[case][2]
    report = guard.report
    assert report is not None, case
    assert report["step"] == POISON_STEP and report["epoch"] == 0 and report["batch"] == 5
    for key, value in expected.items():
        assert report[key] == value, (case, key, report)
    assert f"global step {POISON_STEP}" in history.stop_reason
    if expected["where"] in ("forward", "backward"):
        assert f"layer '{expected['layer']}' ({expected['module']}" in history.stop_reason \
            or f"layer '{expected['layer']}', {expected['module']}" in history.stop_reason
    # the bad gradients are listed in backward order: no layer after one closer to the input
    layers = [int(p.split(".")[0]) for p in report["parameters"]]
    assert layers == sorted(layers, reverse=True)
    assert report["parameter"] == (report["parameters"][0] if report["parameters"] else None)
    # the diagnosis left no hook behind and did not touch the model's kept weights
    assert all(m.__dict__.get("_hooks") is None for m in model.modules())


def test_backward_order_names_the_layer_closest_to_the_loss():
    # the sqrt's infinite derivative reaches layers 2 and 0; model order would name '0.weight'
    _, guard, _, history = _train("sqrt_at_zero_backward_only")
    assert guard.report["parameters"][:2] == ["2.weight", "2.bias"]
    assert set(guard.report["parameters"]) == {"2.weight", "2.bias", "0.weight", "0.bias"}
    assert "detect_anomaly" in history.stop_reason
    assert "4.weight" not in guard.report["parameters"]  # after the sqrt: finite


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_monitor_names_the_same_place(case):
    _, guard, monitor, _ = _train(case)
    origin = monitor.nonfinite_origin
    assert origin is not None and origin["step"] == POISON_STEP
    for key in ("where", "layer", "module"):
        assert origin[key] == guard.report[key], (case, key, origin)
    assert origin["parameter"] == guard.report["parameter"]
    finding = diagnose(monitor)["nonfinite"]
    assert f"NaN/inf values appeared at step {POISON_STEP}" in finding.summary
    assert f"'{guard.report['layer']}'" in finding.summary or \
        f"({guard.report['layer']})" in finding.summary


def test_gradient_monitor_forward_and_backward_order_per_step():
    _, _, monitor, _ = _train("log_of_negative_in_custom_module")
    s = monitor.stats
    bad = np.flatnonzero(s.first_nonfinite_act >= 0)
    assert s.steps[bad[0]] == POISON_STEP
    # the watched layers are 0, 2, 4 (parameters); the first with a non-finite activation in
    # forward order is 4 (after the Log), and in backward order the gradient breaks first at 4
    assert s.layers[s.first_nonfinite_act[bad[0]]].name == "4"
    assert s.layers[s.first_nonfinite_grad[bad[0]]].name == "4"
    assert (s.first_nonfinite_act[:bad[0]] == -1).all()
    evidence = diagnose(monitor)["nonfinite"].evidence
    assert evidence["first non-finite activation (forward order)"] == f"layer '4' at step {POISON_STEP}"


def test_gradient_monitor_by_hand_names_the_backward_parameter():
    build, poison, expected = CASES["sqrt_at_zero_backward_only"]
    tidu.manual_seed(0)
    model = build()
    X, y = _data()
    opt = tidu.optim.SGD(model.parameters(), lr=0.01)
    with GradientMonitor(model) as mon, np.errstate(all="ignore"):
        for step in range(4):
            if step == 2:
                poison(model)
            loss = F.mse_loss(model(tidu.Tensor(X[:8])), tidu.Tensor(y[:8]))
            opt.zero_grad()
            loss.backward()
            mon.record(loss)
            opt.step()
    origin = mon.nonfinite_origin
    assert origin["step"] == 2 and origin["where"] == "backward"
    assert origin["layer"] == "2" and origin["parameter"] == "2.weight"
    assert model.__dict__.get("_hooks") is None  # the monitor's hook left with it


def test_locate_replays_dropout_and_restores_batchnorm_and_rng():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), Log(),
                          nn.Linear(8, 1))
    _set(model[3], "offset", 0.0)  # log of the zeros dropout makes: -inf only where it drops
    x = tidu.Tensor(np.abs(_data()[0][:8]) + 1.0)
    rng = tidu.get_rng_state()
    with np.errstate(all="ignore"):
        out = model(x)
    assert not np.isfinite(out._data).all()
    mean = model[1].running_mean.clone()
    after = tidu.get_rng_state()
    located = locate_nonfinite(model, (x,), rng)
    assert located["where"] == "forward" and located["layer"] == "3"
    np.testing.assert_array_equal(model[1].running_mean, mean)
    assert tidu.get_rng_state() == after
    assert located["backward_order"][:2] == ["4.weight", "4.bias"]


def test_nan_in_the_input_is_named_as_such():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    x = _data()[0][:8].copy()
    x[3, 1] = np.nan
    located = locate_nonfinite(model, (tidu.Tensor(x),))
    assert located["where"] == "input" and located["layer"] == "input"
    with np.errstate(all="ignore"):
        located = locate_nonfinite(model, (tidu.Tensor(np.nan_to_num(x)),))
    assert located["where"] is None and located["output_finite"]
