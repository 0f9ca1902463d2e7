"""tidu.autograd.detect_anomaly: the first NaN/inf of a forward result or a backward gradient
raises AnomalyError naming the op, its input shapes, the phase and where it was created."""
import warnings

import numpy as np
import pytest

import tidu
import tidu.autograd
from tidu import nn
from tidu.autograd import detect_anomaly, set_detect_anomaly
from tidu.errors import AnomalyError, TiduError
from tidu.nn import functional as F

pytestmark = pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")


class Sqrt(nn.Module):
    def forward(self, x):
        return x.sqrt()


def _raises(fn):
    with detect_anomaly(), np.errstate(all="ignore"):
        with pytest.raises(AnomalyError) as info:
            fn()
    return info.value


@pytest.mark.parametrize("make, op, inputs", [
    (lambda: tidu.Tensor([1.0, -1.0, 2.0], requires_grad=True).log(), "log", "(3,) float32"),
    (lambda: tidu.Tensor([[1.0, 2.0]], requires_grad=True) / tidu.Tensor([[0.0, 1.0]]), "div",
     "(1, 2) float32, (1, 2) float32"),
    (lambda: tidu.Tensor(np.full((2, 3), 100.0)).exp(), "exp", "(2, 3) float32"),
    (lambda: F.cross_entropy(tidu.Tensor(np.array([[np.inf, 0.0, 1.0]]), requires_grad=True),
                             tidu.Tensor(np.array([1]))), "cross_entropy", "(1, 3) float32"),
    (lambda: F.mse_loss(tidu.Tensor(np.full((4,), 1e20), requires_grad=True),
                        tidu.Tensor(np.zeros(4))), "mse_loss", "(4,) float32, (4,) float32"),
])
def test_forward_anomaly_names_op_and_shapes(make, op, inputs):
    err = _raises(make)
    assert isinstance(err, TiduError) and isinstance(err, RuntimeError)
    assert err.op == op and err.phase == "forward" and err.inputs == inputs
    assert f"'{op}'" in str(err) and inputs in str(err)
    assert "test_anomaly.py" in err.site  # the line of user code that called the op


def test_cross_entropy_with_a_nan_logit_says_the_input_was_already_bad():
    err = _raises(lambda: F.cross_entropy(tidu.Tensor(np.array([[np.nan, 0.0, 1.0]])),
                                          tidu.Tensor(np.array([1]))))
    assert err.op == "cross_entropy" and "already non-finite" in str(err)


def test_forward_anomaly_inside_a_module_names_the_module():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model[2].weight._data[...] = 3e38
    model[2].bias._data[...] = 3e38
    err = _raises(lambda: model(tidu.Tensor(np.ones((5, 3)))))
    assert err.op == "linear" and err.phase == "forward"
    assert err.inputs == "(5, 4) float32, (2, 4) float32, (2,) float32"
    assert "in the forward of Linear" in err.site and "test_anomaly.py" in err.site


def test_backward_anomaly_names_op_and_where_it_was_created():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), Sqrt(), nn.Linear(4, 1))
    model[0].bias._data[...] = -100.0  # relu outputs 0: sqrt(0) is finite, its derivative not

    def step():
        loss = model(tidu.Tensor(np.ones((2, 3)))).sum()
        loss.backward()

    err = _raises(step)
    assert err.op == "sqrt" and err.phase == "backward" and err.inputs == "(2, 4) float32"
    assert "in the forward of Sqrt" in err.site and "return x.sqrt()" in err.site
    assert "returned a gradient with inf" in str(err)


def test_backward_of_a_graph_built_outside_anomaly_mode():
    x = tidu.Tensor([0.0, 4.0], requires_grad=True)
    y = (x.sqrt() * 3.0).sum()
    with detect_anomaly(), np.errstate(all="ignore"):
        with pytest.raises(AnomalyError) as info:
            y.backward()
    assert info.value.op == "sqrt" and info.value.phase == "backward"
    assert "outside detect_anomaly" in info.value.site


def test_no_check_without_the_mode_and_with_check_nan_false():
    with np.errstate(all="ignore"):
        assert np.isnan(tidu.Tensor([-1.0]).log()._data).all()
        with detect_anomaly(check_nan=False):
            x = tidu.Tensor([0.0], requires_grad=True)
            x.sqrt().sum().backward()
            assert np.isinf(x.grad._data).all()


def _train(anomaly: bool):
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 3))
    opt = tidu.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((32, 6)), rng.integers(0, 3, 32)
    losses = []
    for _ in range(3):
        if anomaly:
            with detect_anomaly():
                loss = F.cross_entropy(model(tidu.Tensor(X)), tidu.Tensor(y))
                opt.zero_grad()
                loss.backward()
        else:
            loss = F.cross_entropy(model(tidu.Tensor(X)), tidu.Tensor(y))
            opt.zero_grad()
            loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, {k: v.clone() for k, v in model.state_dict().items()}


def test_a_clean_model_gives_identical_results_under_detect_anomaly():
    plain_losses, plain_state = _train(False)
    checked_losses, checked_state = _train(True)
    assert plain_losses == checked_losses
    for key in plain_state:
        np.testing.assert_array_equal(plain_state[key], checked_state[key])


def test_mode_switches_and_restores():
    plain_op = tidu.Tensor._op
    assert not tidu.autograd.is_anomaly_enabled()
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = detect_anomaly()
    with mode:
        assert tidu.autograd.is_anomaly_enabled() and tidu.Tensor._op is not plain_op
        with set_detect_anomaly(False):
            assert not tidu.autograd.is_anomaly_enabled() and tidu.Tensor._op is plain_op
        assert tidu.autograd.is_anomaly_enabled()
    assert not tidu.autograd.is_anomaly_enabled() and tidu.Tensor._op is plain_op
    set_detect_anomaly(True)  # as a function: on until switched off
    try:
        assert tidu.autograd.is_anomaly_enabled()
    finally:
        set_detect_anomaly(False)
    assert tidu.Tensor._op is plain_op

    @detect_anomaly()
    def bad():
        return tidu.Tensor([-1.0]).log()

    with np.errstate(all="ignore"), pytest.raises(AnomalyError, match="'log'"):
        bad()
    assert not tidu.autograd.is_anomaly_enabled()


def test_the_lazy_import():
    import importlib
    assert importlib.import_module("tidu").autograd.detect_anomaly is detect_anomaly
    assert tidu.autograd.AnomalyError is AnomalyError
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the mode warns on construction, as PyTorch's
        with pytest.raises(UserWarning, match="should only be enabled for debugging"):
            detect_anomaly()
    assert not tidu.autograd.is_anomaly_enabled()
