"""Poisson, Binomial, Geometric and OneHotCategorical against torch.distributions in float64
(values and parameter gradients), seeded draws (shape, dtype, moments) and PyTorch's
errors."""
import numpy as np
import pytest
import torch

import tidu
import tidu.distributions as D

from ..oracle import compare_fn
from ._helpers import positive, rng, within_se

TD = torch.distributions


def test_poisson_matches_torch():
    rate = positive(4, 1, 0.5, 6.0)
    k = np.array([[0.0, 1.0, 3.0, 7.0], [2.0, 0.0, 5.0, 1.0]])
    fn = lambda lib: lambda r, k: (lib.Poisson(r).log_prob(k), lib.Poisson(r).mean,
                                   lib.Poisson(r).mode, lib.Poisson(r).variance)
    compare_fn(fn(D), fn(TD), rate, k)
    with pytest.raises(NotImplementedError):
        D.Poisson(1.0).entropy()


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_binomial_matches_torch(given):
    p = rng(1).uniform(0.1, 0.9, 4)
    param = p if given == "probs" else np.log(p / (1 - p))
    n = np.array(6.0)
    k = np.array([[0.0, 2.0, 6.0, 3.0], [1.0, 5.0, 4.0, 0.0]])

    def fn(lib):
        def run(q, k):
            d = lib.Binomial(torch.tensor(6.0) if lib is TD else tidu.Tensor(n, dtype=np.float64), **{given: q})
            return d.log_prob(k), d.entropy(), d.mean, d.mode, d.variance
        return run

    compare_fn(fn(D), fn(TD), param, k)


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_geometric_matches_torch(given):
    p = rng(2).uniform(0.1, 0.9, 4)
    param = p if given == "probs" else np.log(p / (1 - p))
    k = np.array([[0.0, 2.0, 6.0, 3.0], [1.0, 5.0, 4.0, 0.0]])
    fn = lambda lib: lambda q, k: (lambda d: (d.log_prob(k), d.entropy(), d.mean, d.mode,
                                              d.variance))(lib.Geometric(**{given: q}))
    compare_fn(fn(D), fn(TD), param, k)


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_one_hot_categorical_matches_torch(given):
    p = rng(3).uniform(0.1, 1.0, (2, 4))
    p /= p.sum(-1, keepdims=True)
    param = p if given == "probs" else np.log(p) + 0.3
    x = np.eye(4, dtype=np.int64)[[[1, 3], [0, 2], [2, 2]]]
    fn = lambda lib: lambda q, x: (lambda d: (d.log_prob(x), d.entropy(), d.mean, d.mode,
                                              d.variance))(lib.OneHotCategorical(**{given: q}))
    compare_fn(fn(D), fn(TD), param, x)


def test_one_hot_categorical_draws_and_support():
    tidu.manual_seed(0)
    p = np.array([0.1, 0.2, 0.7])
    d = D.OneHotCategorical(tidu.Tensor(p))
    assert d.batch_shape == () and d.event_shape == (3,)
    draws = d.sample((20000,)).cpu().numpy()
    assert draws.shape == (20000, 3) and draws.dtype == np.float32
    assert np.all(draws.sum(-1) == 1)
    within_se(draws, p, p * (1 - p))
    assert tuple(d.enumerate_support().shape) == (3, 3)
    with pytest.raises(ValueError, match="support"):
        d.log_prob(tidu.Tensor([1.0, 1.0, 0.0]))


@pytest.mark.parametrize("make,mean,var", [
    (lambda: D.Poisson(tidu.Tensor([0.5, 7.0])), [0.5, 7.0], [0.5, 7.0]),
    (lambda: D.Binomial(10, tidu.Tensor([0.2, 0.6])), [2.0, 6.0], [1.6, 2.4]),
    (lambda: D.Geometric(tidu.Tensor([0.2, 0.7])), [4.0, 3 / 7], [20.0, (3 / 7) / 0.7]),
])
def test_discrete_draws(make, mean, var):
    tidu.manual_seed(1)
    d = make()
    small = d.sample((3, 1))
    assert tuple(small.shape) == (3, 1, 2) and small.dtype == np.float32
    draws = d.sample((20000,)).cpu().numpy().astype(np.float64)
    assert np.all(draws == np.floor(draws)) and np.all(draws >= 0)
    within_se(draws, np.array(mean), np.array(var))
    assert not d.has_rsample


def test_discrete_errors_match_torch():
    with pytest.raises(ValueError, match="but not both"):
        D.Geometric(probs=0.5, logits=0.0)
    with pytest.raises(ValueError, match="but not both"):
        D.Binomial(3)
    with pytest.raises(ValueError, match="support"):
        D.Poisson(1.0).log_prob(tidu.Tensor(0.5))
    with pytest.raises(ValueError, match="support"):
        D.Binomial(3, 0.5).log_prob(tidu.Tensor(4.0))
    with pytest.raises(NotImplementedError):
        D.Poisson(1.0).rsample()


def test_binomial_total_count_is_validated():
    with pytest.raises(ValueError, match="total_count"):
        D.Binomial(tidu.Tensor([-1.0]), probs=tidu.Tensor([0.5]))
    assert tuple(D.Binomial(4, tidu.Tensor([0.2, 0.5])).enumerate_support().shape) == (5, 2)
