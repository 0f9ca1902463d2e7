"""Activations (functional and module form): oracle against torch in float64 with shapes
drawn by hypothesis, PyTorch's gradient at the kinks, finite differences, rrelu's random
slopes, maxout against torch written by hand, errors, dtype kept, softmax stability."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional

# name -> (tidu fn, torch fn) of one float input
ELEMENTWISE = {
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "relu": (F.relu, torch.relu),
    "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "elu": (F.elu, TF.elu),
    "elu_alpha_0.5": (lambda x: F.elu(x, alpha=0.5), lambda x: TF.elu(x, alpha=0.5)),
    "elu_alpha_2": (lambda x: F.elu(x, 2.0), lambda x: TF.elu(x, 2.0)),
    "rrelu_eval": (F.rrelu, lambda x: TF.rrelu(x, training=False)),
    "rrelu_eval_bounds": (lambda x: F.rrelu(x, 0.1, 0.5), lambda x: TF.rrelu(x, 0.1, 0.5)),
    "softmax": (F.softmax, lambda x: torch.softmax(x, -1)),
    "softmax_dim0": (lambda x: F.softmax(x, 0), lambda x: torch.softmax(x, 0)),
    "log_softmax": (F.log_softmax, lambda x: torch.log_softmax(x, -1)),
    "log_softmax_dim0": (lambda x: F.log_softmax(x, dim=0), lambda x: torch.log_softmax(x, 0)),
}

shapes = st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple)
seeds = st.integers(0, 2**16)


def _torch_maxout(x, pool_size):
    k = x.shape[-1] // pool_size
    return x.unflatten(-1, (k, pool_size)).amax(-1)


class TorchMaxout(torch.nn.Module):
    """The oracle for tidu.nn.Maxout: torch.nn.Linear then the hand-written maxout."""

    def __init__(self, in_features, out_features, pool_size):
        super().__init__()
        self.pool_size = pool_size
        self.linear = torch.nn.Linear(in_features, out_features * pool_size)

    def forward(self, x):
        return _torch_maxout(self.linear(x), self.pool_size)


# --------------------------------------------------------------------------- oracle
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@given(shape=shapes, seed=seeds)
def test_activation_matches_torch(name, shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape) * 3
    compare_fn(*ELEMENTWISE[name], x)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_gradient_at_the_kink_is_pytorchs(name):
    # exact zeros (and ties for softmax): relu 0, leaky/rrelu the slope, elu alpha
    x = np.array([[-2.0, -0.0, 0.0, 0.0, 1.5], [0.0, 0.0, 0.0, 0.0, 0.0]])
    compare_fn(*ELEMENTWISE[name], x)


@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple), seed=seeds,
       per_channel=st.booleans())
def test_prelu_matches_torch(shape, seed, per_channel):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    channels = shape[1] if len(shape) >= 2 else 1
    w = rng.uniform(-0.5, 0.5, channels if per_channel else 1)
    compare_fn(F.prelu, TF.prelu, x, w)


def test_prelu_at_zero_uses_the_slope_as_torch():
    x = np.array([[0.0, -1.0, 2.0], [0.0, 0.0, -3.0]])
    compare_fn(F.prelu, TF.prelu, x, np.array([0.3]))
    compare_fn(F.prelu, TF.prelu, x, np.array([0.3, -0.2, 0.7]))


@given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
       k=st.integers(1, 4), pool=st.integers(1, 4), seed=seeds)
def test_maxout_matches_torch_by_hand(lead, k, pool, seed):
    x = np.random.default_rng(seed).standard_normal(lead + (k * pool,))
    out = compare_fn(lambda t: F.maxout(t, pool), lambda t: _torch_maxout(t, pool), x)
    assert out.shape == lead + (k,)


def test_maxout_groups_consecutive_features_and_ties_share_the_gradient():
    x = np.array([[1.0, 3.0, 2.0, 5.0, 5.0, 0.0]])
    out = compare_fn(lambda t: F.maxout(t, 3), lambda t: _torch_maxout(t, 3), x)
    np.testing.assert_array_equal(out._data, [[3.0, 5.0]])
    t = tidu.Tensor(x, requires_grad=True, dtype=np.float64)
    F.maxout(t, 3).sum().backward()
    np.testing.assert_array_equal(t.grad._data, [[0, 1, 0, 0.5, 0.5, 0]])


# --------------------------------------------------------------------------- modules
@pytest.mark.parametrize("make", [
    lambda: (nn.Sigmoid(), torch.nn.Sigmoid()),
    lambda: (nn.Tanh(), torch.nn.Tanh()),
    lambda: (nn.ReLU(), torch.nn.ReLU()),
    lambda: (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    lambda: (nn.LeakyReLU(0.3), torch.nn.LeakyReLU(0.3)),
    lambda: (nn.ELU(), torch.nn.ELU()),
    lambda: (nn.ELU(alpha=0.7), torch.nn.ELU(alpha=0.7)),
    lambda: (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    lambda: (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
    lambda: (nn.PReLU(), torch.nn.PReLU()),
    lambda: (nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)),
], ids=["sigmoid", "tanh", "relu", "leaky", "leaky_0.3", "elu", "elu_0.7", "softmax",
        "log_softmax", "prelu", "prelu_3"])
@given(seed=seeds, spatial=st.lists(st.integers(1, 3), max_size=2).map(tuple))
def test_activation_modules_match_torch(make, seed, spatial):
    tidu_m, torch_m = make()
    x = np.random.default_rng(seed).standard_normal((2, 3) + spatial)
    compare_module(tidu_m, torch_m, x)


def test_prelu_module_learns_its_slopes_like_torch():
    tidu_m, torch_m = nn.PReLU(4), torch.nn.PReLU(4)
    np.testing.assert_array_equal(tidu_m.weight._data, np.full(4, 0.25, np.float32))
    assert list(tidu_m.state_dict()) == list(torch_m.state_dict()) == ["weight"]
    with torch.no_grad():
        torch_m.weight.uniform_(-1, 1)
    compare_module(tidu_m, torch_m, np.random.default_rng(1).standard_normal((3, 4, 5, 2)))


def test_rrelu_module_in_eval_matches_torch():
    x = np.random.default_rng(2).standard_normal((4, 6))
    compare_module(nn.RReLU(), torch.nn.RReLU(), x, train=False)
    compare_module(nn.RReLU(0.05, 0.4), torch.nn.RReLU(0.05, 0.4), x, train=False)


@pytest.mark.parametrize("in_f,out_f,pool", [(5, 3, 2), (4, 1, 4), (3, 2, 1)])
@given(seed=seeds, lead=st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple))
def test_maxout_module_matches_torch_linear_then_max(in_f, out_f, pool, seed, lead):
    torch.manual_seed(seed)
    x = np.random.default_rng(seed).standard_normal(lead + (in_f,))
    out = compare_module(nn.Maxout(in_f, out_f, pool), TorchMaxout(in_f, out_f, pool), x)
    assert out.shape == lead + (out_f,)


def test_maxout_module_layout_and_default_init():
    tidu.manual_seed(0)
    m = nn.Maxout(64, 10, 3)
    assert list(m.state_dict()) == ["linear.weight", "linear.bias"]
    assert m.linear.weight.shape == (30, 64) and m.linear.bias.shape == (30,)
    bound = 1 / np.sqrt(64)  # PyTorch's Linear default: U(−1/√in, 1/√in)
    w = m.linear.weight._data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert "pool_size=3" in repr(m)


# --------------------------------------------------------------------------- rrelu training
def test_rrelu_training_draws_a_slope_per_element_in_range():
    tidu.manual_seed(3)
    lower, upper = 0.1, 0.3
    x_np = np.random.default_rng(3).standard_normal((200, 50))
    x_np[x_np == 0] = 1.0
    x = tidu.Tensor(x_np, requires_grad=True, dtype=np.float64)
    out = F.rrelu(x, lower, upper, training=True)
    out.sum().backward()
    neg = x_np < 0
    slope = out._data[neg] / x_np[neg]
    assert slope.min() >= lower and slope.max() <= upper
    assert abs(slope.mean() - (lower + upper) / 2) < 0.01  # U(l, u) has mean (l+u)/2
    assert abs(slope.std() - (upper - lower) / np.sqrt(12)) < 0.01
    assert len(np.unique(slope)) > 0.99 * slope.size  # one draw per element
    np.testing.assert_allclose(x.grad._data[neg], slope, rtol=1e-12)  # gradient = sampled slope
    np.testing.assert_array_equal(x.grad._data[~neg], 1.0)
    np.testing.assert_array_equal(out._data[~neg], x_np[~neg])


def test_rrelu_training_is_reproducible_with_manual_seed_and_random_otherwise():
    x = tidu.Tensor(-np.ones((10, 10)))
    tidu.manual_seed(7)
    a = F.rrelu(x, training=True)._data
    b = F.rrelu(x, training=True)._data
    tidu.manual_seed(7)
    c = F.rrelu(x, training=True)._data
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)
    assert a.dtype == np.float32


def test_rrelu_module_follows_train_and_eval_mode():
    x = tidu.Tensor(-np.ones((50, 20)))
    m = nn.RReLU()
    train_out = m(x)._data
    assert np.unique(train_out).size > 100
    m.eval()
    np.testing.assert_allclose(m(x)._data, -(1 / 8 + 1 / 3) / 2, rtol=1e-6)


# --------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("fn", [
    F.sigmoid, F.tanh, F.relu, F.leaky_relu, F.elu, lambda x: F.elu(x, 1.7), F.rrelu,
    F.softmax, F.log_softmax, lambda x: F.softmax(x, 0), lambda x: F.maxout(x, 2),
], ids=["sigmoid", "tanh", "relu", "leaky_relu", "elu", "elu_1.7", "rrelu_eval", "softmax",
        "log_softmax", "softmax_dim0", "maxout"])
def test_finite_differences(fn):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.1, 2.0, (3, 4)) * rng.choice([-1, 1], (3, 4))  # away from the kinks
    finite_difference_check(fn, x)


def test_finite_differences_prelu():
    rng = np.random.default_rng(5)
    x = rng.uniform(0.1, 2.0, (2, 3, 2)) * rng.choice([-1, 1], (2, 3, 2))
    finite_difference_check(F.prelu, x, np.array([0.2, -0.4, 0.6]))
    finite_difference_check(F.prelu, x, np.array([0.3]))


def test_finite_differences_maxout_module():
    tidu.manual_seed(0)
    m = nn.Maxout(3, 2, 2).double()
    x = np.random.default_rng(6).standard_normal((2, 3))
    finite_difference_check(lambda t, w, b: F.maxout(F.linear(t, w, b), 2), x,
                            m.linear.weight._data, m.linear.bias._data)


# --------------------------------------------------------------------------- stability
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_huge_logits_stays_finite_and_matches_torch(name):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4 - 1, -1e4]])
    out = compare_fn(*ELEMENTWISE[name], x)
    assert np.isfinite(out._data).all()
    t = tidu.Tensor(x.astype(np.float32), requires_grad=True)
    y = ELEMENTWISE[name][0](t)
    (y * tidu.Tensor(np.arange(9.0).reshape(3, 3))).sum().backward()
    assert np.isfinite(y._data).all() and np.isfinite(t.grad._data).all()


def test_sigmoid_and_elu_of_huge_inputs_stay_finite():
    x = tidu.Tensor(np.array([-1e4, -80.0, 0.0, 80.0, 1e4]), requires_grad=True)
    for fn in (F.sigmoid, F.elu, F.tanh):
        x.grad = None
        with np.errstate(all="raise"):
            y = fn(x)
            y.sum().backward()
        assert np.isfinite(y._data).all() and np.isfinite(x.grad._data).all()


# --------------------------------------------------------------------------- dtype
@pytest.mark.parametrize("fn", [
    F.sigmoid, F.tanh, F.relu, F.leaky_relu, lambda x: F.leaky_relu(x, np.float64(0.2)),
    F.elu, lambda x: F.elu(x, np.float64(0.5)), F.rrelu, lambda x: F.rrelu(x, training=True),
    F.softmax, F.log_softmax, lambda x: F.maxout(x, 2),
    lambda x: F.prelu(x, tidu.Tensor(np.full(3, 0.25), requires_grad=True, dtype=x.dtype)),
    nn.PReLU(), nn.ELU(), nn.RReLU(), nn.Maxout(4, 2, 2),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(fn, dtype):
    if isinstance(fn, nn.Module):
        fn.to(dtype)
    x = tidu.Tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True,
                    dtype=dtype)
    y = fn(x)
    assert y.dtype == dtype
    y.sum().backward()
    assert x.grad.dtype == dtype
    if isinstance(fn, nn.Module):
        for p in fn.parameters():
            assert p.grad is not None and p.grad.dtype == dtype


# --------------------------------------------------------------------------- errors
def test_prelu_errors_name_the_shapes():
    x = tidu.Tensor(np.ones((2, 3, 4)))
    with pytest.raises(tidu.ShapeError, match=r"prelu: weight has 4 slopes .*\(2, 3, 4\).*3 channel"):
        F.prelu(x, tidu.Tensor(np.ones(4)))
    with pytest.raises(tidu.ShapeError, match="scalar or 1-D"):
        F.prelu(x, tidu.Tensor(np.ones((1, 3))))
    with pytest.raises(tidu.DTypeError, match="float64.*float32"):
        F.prelu(x, tidu.Tensor(np.ones(3), dtype=np.float64))
    with pytest.raises(tidu.ShapeError, match=r"PReLU\(num_parameters=5\): expected input with 5 "
                                              r"channels in dim 1, got shape \(2, 3, 4\)"):
        nn.PReLU(5)(x)
    with pytest.raises(ValueError, match="num_parameters"):
        nn.PReLU(0)


def test_maxout_errors():
    x = tidu.Tensor(np.ones((2, 5)))
    with pytest.raises(tidu.ShapeError, match=r"maxout: .*\(2, 5\).*multiple of pool_size=2"):
        F.maxout(x, 2)
    with pytest.raises(ValueError, match="pool_size"):
        F.maxout(x, 0)
    with pytest.raises(ValueError, match="pool_size"):
        nn.Maxout(5, 2, 0)
    m = nn.Maxout(4, 2, 2)
    with pytest.raises(tidu.ShapeError, match=r"Maxout\(in_features=4.*4 features.*\(2, 5\)"):
        m(x)


def test_activation_argument_errors():
    with pytest.raises(ValueError, match="lower bound 0.5 must not exceed upper bound 0.2"):
        F.rrelu(tidu.Tensor(np.ones(3)), 0.5, 0.2, training=True)
    with pytest.raises(ValueError, match="lower bound"):
        nn.RReLU(0.5, 0.2)
    with pytest.raises(tidu.DTypeError, match="elu: expected a float tensor, got dtype int64"):
        F.elu(tidu.Tensor(np.array([1, 2])))


def test_sigmoid_keeps_relative_precision_in_the_left_tail():
    """σ(−30) is 9.4e-14 in float32, not 0 (as torch): BCE on σ(z) stays finite there."""
    x = np.array([-100.0, -30.0, -5.0, 0.0, 5.0, 30.0], dtype=np.float32)
    ours = F.sigmoid(tidu.tensor(x)).cpu().numpy()
    theirs = torch.sigmoid(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-7, atol=1e-40)  # (denormals may differ)
    assert ours[1] > 0 and np.isfinite(np.log(ours[:3])).all()
