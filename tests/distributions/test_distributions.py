"""tidu.distributions against torch.distributions in float64: log_prob, entropy, moments,
cdf and kl_divergence values and their gradients with respect to every parameter; shapes
and statistics of seeded draws; reparameterized gradients; and PyTorch's ValueErrors."""
import math

import numpy as np
import pytest
import torch

import tidu
import tidu.distributions as D
from tidu.backend import device_of, get_default_device

from ..oracle import compare_fn

TD = torch.distributions


def _rng(seed=0):
    return np.random.default_rng(seed)


def _positive(shape, seed=0):
    return _rng(seed).uniform(0.5, 2.0, shape)


def _probs(shape, seed=0):
    p = _rng(seed).uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


def _moments(d):
    return d.mean, d.stddev, d.variance, d.entropy()


def _t(x, **kwargs):
    return tidu.Tensor(np.asarray(x, dtype=np.float64), dtype=np.float64, **kwargs)


# --------------------------------------------------------------------------- Normal
def test_normal_matches_torch_with_broadcast_parameters():
    loc, scale = _rng(1).standard_normal((3, 1)), _positive((4,), 2)
    value = _rng(3).standard_normal((2, 3, 4))
    def run(lib):
        def fn(m, s, x):
            d = lib.Normal(m, s)
            return (d.log_prob(x), d.cdf(x)) + _moments(d) + (d.mode,)
        return fn

    compare_fn(run(D), run(TD), loc, scale, value)


def test_normal_icdf_matches_torch():
    loc, scale = _rng(1).standard_normal(5), _positive(5, 2)
    p = _rng(3).uniform(0.05, 0.95, 5)
    compare_fn(lambda m, s, q: D.Normal(m, s).icdf(q), lambda m, s, q: TD.Normal(m, s).icdf(q),
               loc, scale, p)


def test_normal_of_numbers_is_default_dtype_scalar():
    d = D.Normal(0.0, 2.0)
    assert d.batch_shape == () and d.event_shape == ()
    assert d.loc.dtype == np.float32 and d.sample().dtype == np.float32
    lp = d.log_prob(tidu.Tensor(1.5))
    expected = TD.Normal(0.0, 2.0).log_prob(torch.tensor(1.5)).item()
    assert lp.dtype == np.float32 and abs(lp.item() - expected) < 1e-6


def test_number_parameter_takes_the_tensor_dtype():
    d = D.Normal(_t([0.0, 1.0]), 3.0)
    assert d.scale.dtype == np.float64 and d.batch_shape == (2,)
    np.testing.assert_allclose(d.stddev.cpu().numpy(), [3.0, 3.0])


# --------------------------------------------------------------------------- Uniform
def test_uniform_matches_torch():
    low = _rng(1).standard_normal(4)
    high = low + _positive(4, 2)
    value = low + (high - low) * _rng(3).uniform(0.1, 0.9, (3, 4))

    def run(lib):
        def fn(a, b, x):
            d = lib.Uniform(a, b)
            return (d.log_prob(x), d.cdf(x)) + _moments(d)
        return fn

    compare_fn(run(D), run(TD), low, high, value)


def test_uniform_outside_support():
    d = D.Uniform(_t([0.0]), _t([1.0]), validate_args=False)
    lp = d.log_prob(_t([-0.5, 0.5, 1.0]))
    np.testing.assert_array_equal(lp.cpu().numpy(), [-np.inf, 0.0, -np.inf])
    with pytest.raises(ValueError, match="within the support"):
        D.Uniform(0.0, 1.0).log_prob(tidu.Tensor(2.0))
    with pytest.raises(ValueError, match="Expected parameter low"):
        D.Uniform(1.0, 0.0)


# --------------------------------------------------------------------------- Categorical
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_categorical_matches_torch(param):
    raw = _probs((2, 3, 5), 1) * 3 if param == "probs" else _rng(1).standard_normal((2, 3, 5))
    value = _rng(2).integers(0, 5, (4, 2, 3))

    def run(lib):
        def fn(w, k):
            d = lib.Categorical(**{param: w})
            return d.log_prob(k), d.entropy(), d.probs, d.logits
        return fn

    compare_fn(run(D), run(TD), raw, value)


def test_categorical_with_a_zero_probability():
    probs = np.array([[0.0, 0.3, 0.7], [0.5, 0.5, 0.0]])
    out = compare_fn(lambda p: D.Categorical(probs=p).entropy(),
                     lambda p: TD.Categorical(probs=p).entropy(), probs)
    assert np.isfinite(out.cpu().numpy()).all()


def test_categorical_moments_and_mode():
    d = D.Categorical(probs=_t([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]]))
    assert d.batch_shape == (2,) and d.event_shape == () and d.param_shape == (2, 3)
    assert np.isnan(d.mean.cpu().numpy()).all() and d.mean.shape == (2,)
    np.testing.assert_array_equal(d.mode.cpu().numpy(), [1, 0])
    support = d.enumerate_support()
    assert support.shape == (3, 2) and support.dtype == np.int64
    np.testing.assert_array_equal(support.cpu().numpy()[:, 1], [0, 1, 2])


# --------------------------------------------------------------------------- Bernoulli
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_bernoulli_matches_torch(param):
    raw = _rng(1).uniform(0.05, 0.95, (3, 4)) if param == "probs" else 3 * _rng(1).standard_normal((3, 4))
    value = _rng(2).integers(0, 2, (2, 3, 4)).astype(np.float64)

    def run(lib):
        def fn(w, x):
            d = lib.Bernoulli(**{param: w})
            return (d.log_prob(x), d.probs, d.logits) + _moments(d)
        return fn

    compare_fn(run(D), run(TD), raw, value)


def test_bernoulli_large_logits_stay_exact():
    logits = np.array([-40.0, -25.0, 25.0, 40.0])
    value = np.array([1.0, 0.0, 1.0, 0.0])
    compare_fn(lambda l, x: D.Bernoulli(logits=l).log_prob(x),
               lambda l, x: TD.Bernoulli(logits=l).log_prob(x), logits, value, rtol=1e-12)


def test_bernoulli_mode_and_support():
    d = D.Bernoulli(_t([0.2, 0.5, 0.9]))
    np.testing.assert_array_equal(d.mode.cpu().numpy(), [0.0, np.nan, 1.0])
    assert d.enumerate_support().shape == (2, 3)
    with pytest.raises(ValueError, match="within the support"):
        d.log_prob(_t([0.5, 1.0, 0.0]))


# --------------------------------------------------------------------------- Independent
def test_independent_matches_torch():
    loc, scale = _rng(1).standard_normal((2, 3, 4)), _positive((2, 3, 4), 2)
    value = _rng(3).standard_normal((5, 2, 3, 4))

    def run(lib):
        def fn(m, s, x):
            d = lib.Independent(lib.Normal(m, s), 2)
            return d.log_prob(x), d.entropy(), d.mean, d.variance
        return fn

    out = compare_fn(run(D), run(TD), loc, scale, value)
    assert out[0].shape == (5, 2)
    d = D.Independent(D.Normal(_t(loc), _t(scale)), 2)
    assert d.batch_shape == (2,) and d.event_shape == (3, 4) and d.has_rsample
    assert d.rsample((6,)).shape == (6, 2, 3, 4)


# --------------------------------------------------------------------------- KL
def _kl_case(make):
    def run(lib):
        return lambda *xs: lib.kl_divergence(*make(lib, *xs))
    return run


KL_CASES = {
    "normal": (lambda lib, a, b, c, e: (lib.Normal(a, b), lib.Normal(c, e)),
               lambda: (_rng(1).standard_normal((3, 1)), _positive((3, 1), 2),
                        _rng(3).standard_normal(4), _positive(4, 4))),
    "categorical": (lambda lib, p, l: (lib.Categorical(probs=p), lib.Categorical(logits=l)),
                    lambda: (_probs((3, 5), 1), _rng(2).standard_normal((2, 1, 5)))),
    "bernoulli": (lambda lib, p, l: (lib.Bernoulli(probs=p), lib.Bernoulli(logits=l)),
                  # same shapes: torch's masked assignment cannot broadcast the pair
                  lambda: (_rng(1).uniform(0.05, 0.95, (3, 4)), _rng(2).standard_normal((3, 4)))),
    "uniform": (lambda lib, a, b, c, e: (lib.Uniform(a, a + b), lib.Uniform(c - 1, a + b + e)),
                lambda: (_rng(1).standard_normal(4), _positive(4, 2), _rng(1).standard_normal(4),
                         _positive(4, 4))),
    "independent": (lambda lib, a, b, c, e: (lib.Independent(lib.Normal(a, b), 1),
                                             lib.Independent(lib.Normal(c, e), 1)),
                    lambda: (_rng(1).standard_normal((2, 3)), _positive((2, 3), 2),
                             _rng(3).standard_normal((2, 3)), _positive((2, 3), 4))),
}


@pytest.mark.parametrize("case", KL_CASES)
def test_kl_divergence_matches_torch(case):
    make, inputs = KL_CASES[case]
    run = _kl_case(make)
    compare_fn(run(D), run(TD), *inputs())


def test_kl_with_zero_probabilities_and_disjoint_supports():
    p, q = np.array([0.0, 0.4, 0.6]), np.array([0.5, 0.5, 0.0])
    kl = D.kl_divergence(D.Categorical(probs=_t(p)), D.Categorical(probs=_t(q))).item()
    assert kl == TD.kl_divergence(TD.Categorical(torch.tensor(p)), TD.Categorical(torch.tensor(q))).item() == math.inf
    kl = D.kl_divergence(D.Categorical(probs=_t(q)), D.Categorical(probs=_t([0.5, 0.25, 0.25])))
    assert abs(kl.item() - 0.5 * math.log(2)) < 1e-12  # the p = 0 term adds 0
    b = D.kl_divergence(D.Bernoulli(_t([0.0, 1.0, 0.3])), D.Bernoulli(_t([0.5, 1.0, 0.0])))
    expected = TD.kl_divergence(TD.Bernoulli(torch.tensor([0.0, 1.0, 0.3], dtype=torch.float64)),
                                TD.Bernoulli(torch.tensor([0.5, 1.0, 0.0], dtype=torch.float64)))
    np.testing.assert_allclose(b.cpu().numpy(), expected.cpu().numpy(), rtol=1e-9)
    u = D.kl_divergence(D.Uniform(_t([0.0, 0.0]), _t([1.0, 1.0])), D.Uniform(_t([-1.0, 0.5]), _t([1.0, 2.0])))
    np.testing.assert_allclose(u.cpu().numpy(), [math.log(2), math.inf])


def test_kl_unknown_pair_and_register_kl():
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.5))

    class Scaled(D.Normal):
        pass

    assert abs(D.kl_divergence(Scaled(0.0, 1.0), D.Normal(1.0, 1.0)).item() - 0.5) < 1e-6

    @D.register_kl(Scaled, D.Normal)
    def _kl_scaled(p, q):
        return p.loc * 0 + 42.0

    assert D.kl_divergence(Scaled(0.0, 1.0), D.Normal(1.0, 1.0)).item() == 42.0
    assert abs(D.kl_divergence(D.Normal(0.0, 1.0), D.Normal(1.0, 1.0)).item() - 0.5) < 1e-6
    with pytest.raises(TypeError, match="Distribution subclass"):
        D.register_kl(int, D.Normal)


# --------------------------------------------------------------------------- draws
def _on_default_device(t):
    assert device_of(t._data) == get_default_device()


@pytest.mark.parametrize("name", ["normal", "uniform", "bernoulli", "categorical"])
def test_sample_shapes_dtypes_and_no_gradient(name):
    param = _t(_rng(1).uniform(0.2, 0.8, (2, 3)), requires_grad=True)
    d, dtype = {
        "normal": (lambda: D.Normal(param, 1.0), np.float64),
        "uniform": (lambda: D.Uniform(param, 2.0), np.float64),
        "bernoulli": (lambda: D.Bernoulli(param), np.float64),
        "categorical": (lambda: D.Categorical(param), np.int64),
    }[name]
    d = d()
    batch = (2, 3) if name != "categorical" else (2,)
    assert d.batch_shape == batch and d.event_shape == ()
    for shape in ((), (5,), (4, 1)):
        s = d.sample(shape)
        assert s.shape == tuple(shape) + batch and s.dtype == dtype and not s.requires_grad
        _on_default_device(s)
    if d.has_rsample:
        r = d.rsample((7,))
        assert r.shape == (7,) + batch and r.requires_grad
    assert d.expand((4,) + batch).sample((2,)).shape == (2, 4) + batch
    with pytest.raises(TypeError, match="sample_shape"):
        d.sample(5)


def test_normal_rsample_gradients():
    tidu.manual_seed(0)
    loc = _t([0.5, -1.0], requires_grad=True)
    scale = _t([2.0, 0.5], requires_grad=True)
    x = D.Normal(loc, scale).rsample((10, 3))
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.cpu().numpy(), [30.0, 30.0])
    eps = (x.detach().cpu().numpy() - loc.detach().cpu().numpy()) / scale.detach().cpu().numpy()
    np.testing.assert_allclose(scale.grad.cpu().numpy(), eps.sum((0, 1)), rtol=1e-12)


def test_uniform_rsample_gradients():
    tidu.manual_seed(0)
    low, high = _t([0.0, 1.0], requires_grad=True), _t([1.0, 3.0], requires_grad=True)
    x = D.Uniform(low, high).rsample((50,))
    x.sum().backward()
    u = (x.detach().cpu().numpy() - [0.0, 1.0]) / [1.0, 2.0]
    np.testing.assert_allclose(high.grad.cpu().numpy(), u.sum(0), rtol=1e-12)
    np.testing.assert_allclose(low.grad.cpu().numpy(), 50 - u.sum(0), rtol=1e-12)
    assert (u >= 0).all() and (u < 1).all()


N = 20000


def _within(samples, mean, std, what, k=4.0):
    err = abs(float(samples.mean()) - mean)
    assert err < k * std / math.sqrt(len(samples)), f"{what}: mean off by {err}"


def test_continuous_sample_statistics():
    tidu.manual_seed(1)
    x = D.Normal(_t([1.5, -2.0]), _t([0.5, 3.0])).sample((N,)).cpu().numpy()
    _within(x[:, 0], 1.5, 0.5, "normal 0")
    _within(x[:, 1], -2.0, 3.0, "normal 1")
    assert abs(x[:, 1].std() - 3.0) < 0.1
    u = D.Uniform(-1.0, 3.0).sample((N,)).cpu().numpy()
    _within(u, 1.0, 4 / math.sqrt(12), "uniform")
    assert u.min() >= -1.0 and u.max() < 3.0


def test_discrete_sample_frequencies():
    tidu.manual_seed(2)
    b = D.Bernoulli(_t([0.1, 0.7])).sample((N,)).cpu().numpy()
    assert set(np.unique(b)) <= {0.0, 1.0}
    for j, p in enumerate((0.1, 0.7)):
        _within(b[:, j], p, math.sqrt(p * (1 - p)), f"bernoulli {j}")
    probs = np.array([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25]])
    k = D.Categorical(probs=_t(probs)).sample((N,)).cpu().numpy()
    assert k.shape == (N, 2)
    assert not (k[:, 0] == 1).any()
    for row in range(2):
        for cat in range(4):
            p = probs[row, cat]
            _within((k[:, row] == cat).astype(float), p, math.sqrt(p * (1 - p)) + 1e-12,
                    f"categorical row {row} category {cat}")


def test_seeded_draws_repeat():
    d = D.Categorical(logits=_t([0.0, 1.0, 2.0]))
    tidu.manual_seed(7)
    first = d.sample((20,)).cpu().numpy()
    tidu.manual_seed(7)
    np.testing.assert_array_equal(d.sample((20,)).cpu().numpy(), first)


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("cls", [D.Categorical, D.Bernoulli])
def test_probs_xor_logits(cls):
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both"):
        cls()
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both"):
        cls(probs=_t([0.5, 0.5]), logits=_t([0.0, 0.0]))


def test_parameter_validation():
    with pytest.raises(ValueError, match="parameter scale .* GreaterThan"):
        D.Normal(0.0, _t([1.0, -1.0]))
    assert D.Normal(0.0, -1.0, validate_args=False).batch_shape == ()
    with pytest.raises(ValueError, match="parameter probs .* Interval"):
        D.Bernoulli(probs=_t([1.5]))
    with pytest.raises(ValueError, match="parameter probs .* Simplex"):
        D.Categorical(probs=_t([-1.0, 2.0]))
    with pytest.raises(ValueError, match="at least one-dimensional"):
        D.Categorical(probs=tidu.Tensor(0.5))
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        D.Independent(D.Normal(tidu.zeros(3), 1.0), 2)
    with pytest.raises(ValueError, match="numbers.Number or tidu.Tensor"):
        D.Normal("0", 1.0)


def test_value_validation():
    d = D.Categorical(probs=_t([[0.5, 0.5], [0.1, 0.9]]))
    with pytest.raises(ValueError, match="within the support"):
        d.log_prob(tidu.Tensor(np.array([0, 2])))
    with pytest.raises(ValueError, match="not broadcastable"):
        D.Normal(tidu.zeros(3), 1.0).log_prob(tidu.zeros(2))
    with pytest.raises(ValueError, match="must be a Tensor"):
        D.Normal(0.0, 1.0).log_prob(3.0)
    lp = D.Normal(0.0, 1.0, validate_args=False).log_prob(0.0)
    assert abs(lp.item() + 0.5 * math.log(2 * math.pi)) < 1e-6
