"""kl_divergence for same-family pairs of the added distributions against PyTorch in
float64, with gradients to both distributions' parameters."""
import numpy as np
import pytest
import torch

import tidu
import tidu.distributions as D

from ..oracle import compare_fn
from ._helpers import positive, rng

TD = torch.distributions


def _real(seed):
    return rng(seed).standard_normal(4)


def _unit(seed):
    return rng(seed).uniform(0.1, 0.9, 4)


CASES = {
    "Exponential": (lambda: [positive(4, 1)], lambda: [positive(4, 2)]),
    "Gamma": (lambda: [positive(4, 1), positive(4, 2)], lambda: [positive(4, 3), positive(4, 4)]),
    "Beta": (lambda: [positive(4, 1), positive(4, 2)], lambda: [positive(4, 3), positive(4, 4)]),
    "Laplace": (lambda: [_real(1), positive(4, 2)], lambda: [_real(3), positive(4, 4)]),
    "Poisson": (lambda: [positive(4, 1)], lambda: [positive(4, 2)]),
    "LogNormal": (lambda: [_real(1), positive(4, 2)], lambda: [_real(3), positive(4, 4)]),
    "HalfNormal": (lambda: [positive(4, 1)], lambda: [positive(4, 2)]),
    "Cauchy": (lambda: [_real(1), positive(4, 2)], lambda: [_real(3), positive(4, 4)]),
    "Gumbel": (lambda: [_real(1), positive(4, 2)], lambda: [_real(3), positive(4, 4)]),
    "Geometric": (lambda: [_unit(1)], lambda: [_unit(2)]),
    "Dirichlet": (lambda: [positive((2, 3), 1)], lambda: [positive((2, 3), 2)]),
    "OneHotCategorical": (lambda: [positive((2, 3), 1) / 3], lambda: [positive((2, 3), 2) / 3]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_kl_matches_torch(name):
    make_p, make_q = CASES[name]
    p_args, q_args = make_p(), make_q()
    n = len(p_args)

    def fn(lib):
        def run(*args):
            if name == "OneHotCategorical":
                args = [a / a.sum(-1, keepdim=True) for a in args]
            return lib.kl_divergence(getattr(lib, name)(*args[:n]), getattr(lib, name)(*args[n:]))
        return fn_wrap(run)
    fn_wrap = lambda f: f
    compare_fn(fn(D), fn(TD), *p_args, *q_args)


def test_kl_binomial_matches_torch():
    fn = lambda lib: lambda p, q: lib.kl_divergence(lib.Binomial(5, p), lib.Binomial(5, q))
    compare_fn(fn(D), fn(TD), _unit(1), _unit(2))
    with pytest.raises(NotImplementedError):
        D.kl_divergence(D.Binomial(5, 0.5), D.Binomial(6, 0.5))


def test_kl_mvn_matches_torch_with_broadcasting():
    def spd(seed):
        a = rng(seed).standard_normal((2, 3, 3))
        return np.linalg.cholesky(a @ a.transpose(0, 2, 1) + 3 * np.eye(3))

    fn = lambda lib: lambda m1, l1, m2, l2: lib.kl_divergence(
        lib.MultivariateNormal(m1, scale_tril=l1), lib.MultivariateNormal(m2, scale_tril=l2))
    compare_fn(fn(D), fn(TD), rng(1).standard_normal((2, 3)), spd(2),
               rng(3).standard_normal(3), spd(4)[0])


def test_kl_poisson_zero_rates():
    kl = D.kl_divergence(D.Poisson(tidu.Tensor([1.0, 0.0, 0.0])),
                         D.Poisson(tidu.Tensor([0.0, 0.0, 2.5])))
    # KL(Poi(0) ‖ Poi(λ)) = λ; PyTorch's NaN there is 0·log 0
    np.testing.assert_array_equal(kl.cpu().numpy(), [np.inf, 0.0, 2.5])


def test_kl_unregistered_pair_raises():
    with pytest.raises(NotImplementedError, match="Gamma.*Laplace"):
        D.kl_divergence(D.Gamma(1.0, 1.0), D.Laplace(0.0, 1.0))
