"""tidu.special against torch.special (float64), gradients included."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn

RNG = np.random.default_rng(5)
X = RNG.standard_normal((3, 4)) * 2
P = RNG.uniform(0.02, 0.98, (3, 4))

UNARY = [("expit", X), ("erf", X), ("erfc", X), ("erfinv", P * 2 - 1), ("ndtr", X),
         ("ndtri", P), ("log_ndtr", X), ("sinc", X), ("gammaln", np.abs(X) + 0.1),
         ("digamma", np.abs(X) + 0.1), ("psi", np.abs(X) + 0.1), ("i0", X), ("i0e", X),
         ("i1", X), ("i1e", X), ("expm1", X), ("exp2", X), ("log1p", np.abs(X)), ("logit", P),
         ("entr", np.abs(X))]


@pytest.mark.parametrize("name,x", UNARY, ids=[n for n, _ in UNARY])
def test_unary(name, x):
    compare_fn(getattr(tidu.special, name), getattr(torch.special, name), x)


def test_entr_at_zero_and_negative():
    compare_fn(tidu.special.entr, torch.special.entr, np.array([0.0, -1.0, 2.0]), grad=False)


def test_round_and_logit_eps():
    compare_fn(tidu.special.round, torch.special.round, X)
    compare_fn(lambda t: tidu.special.logit(t, eps=0.1), lambda t: torch.special.logit(t, eps=0.1),
               P)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_binary(name):
    x = X.copy()
    x[0, 0] = 0.0
    compare_fn(getattr(tidu.special, name), getattr(torch.special, name), x, np.abs(X) + 0.1)
    compare_fn(lambda a: getattr(tidu.special, name)(a, 2.5),
               lambda a: getattr(torch.special, name)(a, 2.5), x)


def test_xlog1py_zero_x_gives_zero():
    out = tidu.special.xlog1py(tidu.tensor([0.0, 1.0]), tidu.tensor([-1.0, 1.0]))
    np.testing.assert_allclose(out, [0.0, np.log(2.0)], rtol=1e-6)


def test_softmax_family():
    compare_fn(lambda t: tidu.special.softmax(t, 1), lambda t: torch.special.softmax(t, 1), X)
    compare_fn(lambda t: tidu.special.log_softmax(t, 0), lambda t: torch.special.log_softmax(t, 0), X)
    compare_fn(lambda t: tidu.special.logsumexp(t, 1, keepdim=True),
               lambda t: torch.special.logsumexp(t, 1, keepdim=True), X)


def test_import_style():
    import tidu.special as sp
    assert sp.expit is tidu.special.expit
    with pytest.raises(TypeError, match="ndtr: input must be a tensor"):
        sp.ndtr(1.0)
