"""Bad coefficients of penalties, constraints, gradient clipping and the callbacks'
numeric arguments are refused, one `HyperParameterError` each naming the function or class and
the argument: NaN, ±inf, values outside the range, non-numbers.  Valid edge values (λ = 0,
clip_value = 0, norm_type = inf, a negative min_delta…) still work, the clipping ones as
PyTorch's."""
import math

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import HyperParameterError
from tidu.nn.utils import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from tidu.regularization import (elastic_net_penalty, max_norm_, proximal_l1_, scaled_penalty)
from tidu.train import EarlyStopping, MaxNorm, ProximalL1, Regularizer

NAN, INF = math.nan, math.inf
NOT_NUMBERS = ["0.1", True, None, [0.1]]
NON_NEGATIVE = [NAN, INF, -INF, -1e-3] + NOT_NUMBERS
NO_LIMIT_OK = [NAN, -INF, -1e-3] + NOT_NUMBERS  # inf means "no limit", as in PyTorch
POSITIVE = [NAN, INF, -INF, 0.0, -1.0] + NOT_NUMBERS
UNIT = [NAN, INF, -INF, -0.1, 1.5] + NOT_NUMBERS
ANY_REAL = [NAN, INF, -INF, "0.1", True, [0.1]]
COUNT0 = [-1, 2.5, NAN, INF, "3", True, None]


def _weight():
    w = tidu.tensor([[1.0, -2.0], [0.5, 0.0]], requires_grad=True, dtype=tidu.float64)
    w.grad = tidu.tensor([[3.0, -4.0], [0.0, 1.0]], dtype=tidu.float64)
    return w


# (owner named in the message, argument, a call taking the value, bad values)
CASES = [
    ("elastic_net_penalty", "l1_ratio", lambda v: elastic_net_penalty([_weight()], l1_ratio=v),
     UNIT),
    ("l1_penalty", "scale", lambda v: scaled_penalty("l1", [_weight()], v), NON_NEGATIVE),
    ("l2_penalty", "scale", lambda v: scaled_penalty("l2", [_weight()], v), NON_NEGATIVE),
    ("elastic_net_penalty", "scale", lambda v: scaled_penalty("elastic_net", [_weight()], v),
     NON_NEGATIVE),
    ("elastic_net_penalty", "l1_ratio",
     lambda v: scaled_penalty("elastic_net", [_weight()], 1.0, l1_ratio=v), UNIT),
    ("max_norm_", "max_norm", lambda v: max_norm_([_weight()], v), POSITIVE),
    ("proximal_l1_", "lr", lambda v: proximal_l1_([_weight()], lr=v, lam=0.1), NON_NEGATIVE),
    ("proximal_l1_", "lam", lambda v: proximal_l1_([_weight()], lr=0.1, lam=v), NON_NEGATIVE),
    ("Regularizer", "lam", lambda v: Regularizer("l1", lam=v), NON_NEGATIVE),
    ("Regularizer", "lam", lambda v: Regularizer(lambda ps: ps[0].sum(), lam=v), NON_NEGATIVE),
    ("Regularizer", "l1_ratio", lambda v: Regularizer("elastic_net", l1_ratio=v), UNIT),
    ("MaxNorm", "max_norm", lambda v: MaxNorm(v), POSITIVE),
    ("ProximalL1", "lam", lambda v: ProximalL1(v), NON_NEGATIVE),
    ("clip_grad_norm_", "max_norm", lambda v: clip_grad_norm_([_weight()], v), NO_LIMIT_OK),
    ("clip_grad_norm_", "norm_type", lambda v: clip_grad_norm_([_weight()], 1.0, norm_type=v),
     [NAN, -INF, 0.0, -1.0, "two", True, None]),
    ("get_total_norm", "norm_type", lambda v: get_total_norm([_weight().grad], norm_type=v),
     [NAN, -INF, 0.0, -2.0, "two", True]),
    ("clip_grads_with_norm_", "max_norm",
     lambda v: clip_grads_with_norm_([_weight()], v, tidu.tensor(5.0)), NO_LIMIT_OK),
    ("clip_grad_value_", "clip_value", lambda v: clip_grad_value_([_weight()], v), NO_LIMIT_OK),
    ("EarlyStopping", "patience", lambda v: EarlyStopping(patience=v), COUNT0),
    ("EarlyStopping", "start_from_epoch", lambda v: EarlyStopping(start_from_epoch=v), COUNT0),
    ("EarlyStopping", "min_delta", lambda v: EarlyStopping(min_delta=v), ANY_REAL + [None]),
    ("EarlyStopping", "baseline", lambda v: EarlyStopping(baseline=v), ANY_REAL),
]
BAD = [(owner, arg, call, value) for owner, arg, call, values in CASES for value in values]


@pytest.mark.parametrize("owner, arg, call, value", BAD,
                         ids=[f"{o}-{a}={v!r}" for o, a, _, v in BAD])
def test_every_bad_coefficient_is_refused_naming_the_owner_and_argument(owner, arg, call, value):
    with pytest.raises(HyperParameterError) as caught:
        call(value)
    message = str(caught.value)
    assert message.startswith(f"{owner}: {arg} must be"), message
    assert "got" in message


def test_a_refused_clipping_leaves_the_gradients_alone():
    w = _weight()
    before = w.grad._data.copy()
    for call in (lambda: clip_grad_norm_([w], NAN), lambda: clip_grad_value_([w], NAN),
                 lambda: clip_grad_norm_([w], 1.0, norm_type=NAN)):
        with pytest.raises(HyperParameterError):
            call()
        np.testing.assert_array_equal(w.grad._data, before)


# --------------------------------------------------------------------------- valid edges
def _torch_weight():
    w = torch.tensor([[1.0, -2.0], [0.5, 0.0]], dtype=torch.float64, requires_grad=True)
    w.grad = torch.tensor([[3.0, -4.0], [0.0, 1.0]], dtype=torch.float64)
    return w


@pytest.mark.parametrize("max_norm", [0.0, 1.0, 100.0, INF])
@pytest.mark.parametrize("norm_type", [1, 2.0, 3.5, INF, "inf"])
def test_clip_grad_norm_edges_match_pytorch(max_norm, norm_type):
    ours, ref = _weight(), _torch_weight()
    total = clip_grad_norm_([ours], max_norm, norm_type=norm_type)
    ref_total = torch.nn.utils.clip_grad_norm_([ref], max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(ref_total.item(), rel=1e-12)
    np.testing.assert_allclose(ours.grad._data, ref.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("clip_value", [0, 1.5, INF])
def test_clip_grad_value_edges_match_pytorch(clip_value):
    ours, ref = _weight(), _torch_weight()
    clip_grad_value_([ours], clip_value)
    torch.nn.utils.clip_grad_value_([ref], clip_value)
    np.testing.assert_array_equal(ours.grad._data, ref.grad.numpy())


def test_zero_coefficients_and_bounds_still_work():
    w = _weight()
    assert scaled_penalty("l2", [w], 0.0).item() == 0.0
    assert elastic_net_penalty([w], l1_ratio=0.0).item() == pytest.approx(0.5 * 5.25)
    assert elastic_net_penalty([w], l1_ratio=1.0).item() == pytest.approx(3.5)
    proximal_l1_([w], lr=0.0, lam=1.0)
    np.testing.assert_array_equal(w._data, [[1.0, -2.0], [0.5, 0.0]])
    max_norm_([w], 1e-12)
    assert np.all(np.linalg.norm(w._data, axis=1) <= 1e-12 * (1 + 1e-6))
    Regularizer("l2", lam=0.0)
    Regularizer("elastic_net", lam=np.float32(1e-3), l1_ratio=np.array(0.25))
    Regularizer("l2", l1_ratio=NAN)  # l1_ratio is only read (and checked) for elastic_net
    ProximalL1(0)
    MaxNorm(np.float64(3.0))


def test_early_stopping_edges_still_work():
    stop = EarlyStopping(patience=0, start_from_epoch=0, min_delta=-0.01, baseline=-5.0)
    assert (stop.patience, stop.min_delta, stop.baseline) == (0, 0.01, -5.0)  # Keras's |δ|
    assert EarlyStopping(patience=np.int64(3)).patience == 3
    model = nn.Linear(2, 1)
    X, y = np.random.default_rng(0).standard_normal((8, 2)), np.zeros((8, 1))
    history = tidu.train.fit(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.0),
                             (X, y), val_data=(X, y), epochs=4, verbose=0,
                             callbacks=[EarlyStopping(patience=1)])
    assert len(history.history["loss"]) == 2  # lr = 0: nothing improves after the first epoch
