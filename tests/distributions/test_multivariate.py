"""MultivariateNormal (from covariance, precision or scale_tril) and Dirichlet against
torch.distributions in float64, with gradients; draws and rsample gradients."""
import numpy as np
import pytest
import torch

import tidu
import tidu.distributions as D

from ..oracle import compare_fn
from ._helpers import positive, rng, within_se

TD = torch.distributions


def _spd(n, batch=(), seed=0):
    a = rng(seed).standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_mvn_matches_torch(kind):
    loc = rng(1).standard_normal((2, 3))
    m = _spd(3, (2,), 2)
    if kind == "scale_tril":
        m = np.linalg.cholesky(m)
    x = rng(3).standard_normal((4, 2, 3))

    def fn(lib):
        def run(loc, m, x):
            if lib is TD and kind != "scale_tril":  # torch reads the lower triangle only
                m = (m + m.mT) / 2
            elif lib is D and kind != "scale_tril":
                m = (m + m.mT) / 2
            d = lib.MultivariateNormal(loc, **{kind: m})
            return (d.log_prob(x), d.entropy(), d.mean, d.mode, d.variance, d.scale_tril,
                    d.covariance_matrix, d.precision_matrix)
        return run

    compare_fn(fn(D), fn(TD), loc, m, x)


def test_mvn_broadcasts_loc_and_matrix():
    d = D.MultivariateNormal(tidu.Tensor(np.zeros((4, 1, 2))), tidu.Tensor(_spd(2, (3,))))
    assert d.batch_shape == (4, 3) and d.event_shape == (2,)
    assert tuple(d.sample((5,)).shape) == (5, 4, 3, 2)
    assert tuple(d.expand((2, 4, 3)).sample().shape) == (2, 4, 3, 2)


def test_mvn_draws_and_rsample_gradients():
    tidu.manual_seed(0)
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    loc = tidu.Tensor(np.array([1.0, -1.0]), dtype=np.float64, requires_grad=True)
    tril = tidu.Tensor(np.linalg.cholesky(cov), dtype=np.float64, requires_grad=True)
    d = D.MultivariateNormal(loc, scale_tril=tril)
    x = d.rsample((20000,))
    assert x.dtype == np.float64
    xs = x.detach().cpu().numpy()
    within_se(xs, np.array([1.0, -1.0]), np.diag(cov))
    assert abs(np.cov(xs.T)[0, 1] - 0.6) < 0.05
    x.pow(2).mean(0).sum().backward()
    np.testing.assert_allclose(loc.grad.cpu().numpy(), [2.0, -2.0], atol=0.08)
    assert tril.grad is not None


def test_mvn_errors_match_torch():
    with pytest.raises(ValueError, match="Exactly one of"):
        D.MultivariateNormal(tidu.Tensor(np.zeros(2)))
    with pytest.raises(ValueError, match="covariance_matrix"):
        D.MultivariateNormal(tidu.Tensor(np.zeros(2)), tidu.Tensor(-np.eye(2)))


def test_dirichlet_matches_torch():
    a = positive((2, 4), 1, 0.5, 3.0)
    x = rng(2).uniform(0.1, 1.0, (3, 2, 4))
    x /= x.sum(-1, keepdims=True)
    fn = lambda lib: lambda a, x: (lambda d: (d.log_prob(x), d.entropy(), d.mean,
                                              d.variance))(lib.Dirichlet(a))
    compare_fn(fn(D), fn(TD), a, x)


def test_dirichlet_mode_matches_torch_in_every_case():
    a = np.array([[2.0, 3.0, 1.5], [0.5, 0.3, 0.9], [0.5, 2.0, 3.0]])
    np.testing.assert_allclose(D.Dirichlet(tidu.Tensor(a)).mode.cpu().numpy(),
                               TD.Dirichlet(torch.tensor(a)).mode.numpy())


def test_dirichlet_draws_and_rsample_gradients():
    tidu.manual_seed(1)
    a = np.array([0.5, 2.0, 4.0])
    conc = tidu.Tensor(a, dtype=np.float64, requires_grad=True)
    d = D.Dirichlet(conc)
    x = d.rsample((20000,))
    xs = x.detach().cpu().numpy()
    assert xs.shape == (20000, 3) and np.allclose(xs.sum(-1), 1)
    a0 = a.sum()
    within_se(xs, a / a0, a * (a0 - a) / (a0 ** 2 * (a0 + 1)))
    # d E[x₀]/dα = (α₀ − α)/α₀² row of the mean's Jacobian
    x[:, 0].mean().backward()
    expected = np.array([(a0 - a[0]) / a0 ** 2, -a[0] / a0 ** 2, -a[0] / a0 ** 2])
    np.testing.assert_allclose(conc.grad.cpu().numpy(), expected, atol=0.01)
    assert tuple(D.Dirichlet(tidu.Tensor(np.ones((2, 3)))).sample((4,)).shape) == (4, 2, 3)
