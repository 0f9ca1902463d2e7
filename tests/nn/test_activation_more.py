"""More activations (GELU, SiLU, Mish, Softplus, ReLU6, Hardtanh, LogSigmoid, SELU, CELU,
Softsign, Hardswish, Hardsigmoid, Threshold, Softmin, GLU, Tanhshrink) and ``inplace=``:
oracle against torch in float64 (forward and gradient, also at the corners), finite
differences, modules, errors, dtype kept."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import ArgumentError, GraphError, ShapeError
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

TF = torch.nn.functional

FUNCS = {
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "mish": (F.mish, TF.mish),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=3.0),
                      lambda x: TF.softplus(x, beta=2.0, threshold=3.0)),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh_range": (lambda x: F.hardtanh(x, -2.0, 3.0), lambda x: TF.hardtanh(x, -2.0, 3.0)),
    "relu6": (F.relu6, TF.relu6),
    "selu": (F.selu, TF.selu),
    "celu": (F.celu, TF.celu),
    "celu_alpha": (lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5)),
    "softsign": (F.softsign, TF.softsign),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0), lambda x: TF.threshold(x, 0.5, -2.0)),
    "tanhshrink": (F.tanhshrink, TF.tanhshrink),
    "softmin": (lambda x: F.softmin(x, dim=1), lambda x: TF.softmin(x, dim=1)),
    "softmin_last": (lambda x: F.softmin(x, -1), lambda x: TF.softmin(x, -1)),
    "glu": (F.glu, TF.glu),
    "glu_dim0": (lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0)),
}

# the corners of every piecewise function, and large values (softplus' linear part)
CORNERS = np.array([-30.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0, 25.0, 2.5])


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_matches_torch(name):
    x = np.random.default_rng(len(name)).standard_normal((4, 6, 2)) * 3
    compare_fn(*FUNCS[name], x)


@pytest.mark.parametrize("name", sorted(n for n in FUNCS if not n.startswith(("glu", "softmin"))))
def test_gradient_at_the_corners_is_pytorchs(name):
    compare_fn(*FUNCS[name], CORNERS)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_finite_differences(name):
    # away from the corners, where the derivative exists
    x = np.random.default_rng(7).uniform(-4, 4, (4, 4))
    x[np.isclose(np.abs(x) % 3.0, 0.0, atol=1e-3)] += 0.01
    finite_difference_check(FUNCS[name][0], x, rtol=1e-5, atol=1e-7)


def test_softmin_default_dim_is_pytorchs_implicit_one():
    for shape in [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 2)]:
        x = np.random.default_rng(1).standard_normal(shape)
        with pytest.warns(UserWarning):
            expected = TF.softmin(torch.from_numpy(x))  # torch warns about the implicit dim
        np.testing.assert_allclose(F.softmin(tidu.Tensor(x, dtype=np.float64)).cpu().numpy(), expected.cpu().numpy(), rtol=1e-12)


def test_gelu_of_large_inputs_is_finite_and_exact():
    compare_fn(F.gelu, TF.gelu, np.array([-40.0, -10.0, 10.0, 40.0]))
    compare_fn(F.softplus, TF.softplus, np.array([-800.0, 800.0, 19.9, 20.1]))
    compare_fn(F.logsigmoid, TF.logsigmoid, np.array([-800.0, 800.0]))


MODULES = [
    (lambda: nn.GELU(), lambda: torch.nn.GELU()),
    (lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh")),
    (nn.SiLU, torch.nn.SiLU), (nn.Mish, torch.nn.Mish), (nn.ReLU6, torch.nn.ReLU6),
    (nn.SELU, torch.nn.SELU), (nn.Hardsigmoid, torch.nn.Hardsigmoid),
    (nn.Hardswish, torch.nn.Hardswish), (nn.LogSigmoid, torch.nn.LogSigmoid),
    (nn.Softsign, torch.nn.Softsign), (nn.Tanhshrink, torch.nn.Tanhshrink),
    (lambda: nn.Softplus(beta=0.5, threshold=5), lambda: torch.nn.Softplus(beta=0.5, threshold=5)),
    (lambda: nn.Hardtanh(-0.5, 2.0), lambda: torch.nn.Hardtanh(-0.5, 2.0)),
    (lambda: nn.CELU(alpha=2.0), lambda: torch.nn.CELU(alpha=2.0)),
    (lambda: nn.Threshold(0.1, 20), lambda: torch.nn.Threshold(0.1, 20)),
    (lambda: nn.Softmin(dim=1), lambda: torch.nn.Softmin(dim=1)),
    (lambda: nn.GLU(), lambda: torch.nn.GLU()),
    (lambda: nn.GLU(dim=1), lambda: torch.nn.GLU(dim=1)),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_modules_match_torch(i):
    make_t, make_p = MODULES[i]
    x = np.random.default_rng(i).standard_normal((3, 4, 6)) * 3
    compare_module(make_t(), make_p(), x)


def test_reprs_match_torch():
    for mt, mp in MODULES + [(lambda: nn.ReLU(inplace=True), lambda: torch.nn.ReLU(inplace=True)),
                             (lambda: nn.LeakyReLU(0.2, inplace=True),
                              lambda: torch.nn.LeakyReLU(0.2, inplace=True)),
                             (lambda: nn.ELU(inplace=True), lambda: torch.nn.ELU(inplace=True))]:
        assert repr(mt()) == repr(mp())


# --------------------------------------------------------------------------- inplace=
INPLACE = {
    "relu": (lambda x: F.relu(x, inplace=True), torch.relu_),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1, inplace=True), lambda x: TF.leaky_relu_(x, 0.1)),
    "elu": (lambda x: F.elu(x, inplace=True), lambda x: TF.elu_(x)),
    "hardtanh": (lambda x: F.hardtanh(x, inplace=True), lambda x: TF.hardtanh_(x)),
    "relu6": (lambda x: F.relu6(x, inplace=True), lambda x: TF.relu6(x, inplace=True)),
    "selu": (lambda x: F.selu(x, inplace=True), lambda x: TF.selu_(x)),
    "celu": (lambda x: F.celu(x, inplace=True), lambda x: TF.celu_(x)),
    "silu": (lambda x: F.silu(x, inplace=True), lambda x: TF.silu(x, inplace=True)),
    "mish": (lambda x: F.mish(x, inplace=True), lambda x: TF.mish(x, inplace=True)),
    "hardswish": (lambda x: F.hardswish(x, inplace=True), lambda x: TF.hardswish(x, inplace=True)),
    "hardsigmoid": (lambda x: F.hardsigmoid(x, inplace=True),
                    lambda x: TF.hardsigmoid(x, inplace=True)),
    "threshold": (lambda x: F.threshold(x, 0.2, 5.0, inplace=True),
                  lambda x: TF.threshold_(x, 0.2, 5.0)),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_writes_into_the_input_and_keeps_the_gradient(name):
    f, tf = INPLACE[name]
    x = np.random.default_rng(3).standard_normal((3, 5)) * 3
    # a non-leaf in a recorded graph: the result is the input itself, gradients as torch
    compare_fn(lambda a: (lambda h: (f(h), h)[1])(a * 2.0), lambda a: (lambda h: (tf(h), h)[1])(a * 2.0), x)
    # without a graph the array is overwritten and the same tensor returned
    t = tidu.Tensor(x.copy(), dtype=np.float64)
    assert f(t) is t
    np.testing.assert_allclose(t.cpu().numpy(), tf(torch.from_numpy(x.copy())).cpu().numpy(), rtol=1e-12)


def test_inplace_on_a_leaf_that_requires_grad_raises_as_torch():
    x = tidu.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(GraphError):
        F.relu(x, inplace=True)
    with pytest.raises(RuntimeError):
        torch.relu_(torch.ones(3, requires_grad=True))
    with pytest.raises(GraphError):
        nn.ReLU(inplace=True)(x)


def test_relu_inplace_module_in_a_network_matches_torch():
    seq_t = nn.Sequential(nn.Linear(4, 5), nn.ReLU(inplace=True), nn.Linear(5, 3), nn.Hardswish(True))
    seq_p = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(inplace=True),
                                torch.nn.Linear(5, 3), torch.nn.Hardswish(True))
    compare_module(seq_t, seq_p, np.random.default_rng(0).standard_normal((6, 4)))


# --------------------------------------------------------------------------- dtype and errors
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_float32_is_kept(name):
    x = tidu.Tensor(np.linspace(-4, 4, 12, dtype=np.float32).reshape(2, 6), requires_grad=True)
    out = FUNCS[name][0](x)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32


def test_errors():
    x = tidu.Tensor(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="even"):
        F.glu(x)
    with pytest.raises(ArgumentError, match="approximate"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ArgumentError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ArgumentError, match="min_val"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(TypeError):
        F.silu(tidu.Tensor(np.ones(3, dtype=np.int64)))


# --------------------------------------------------------------------------- channel and alpha dropout
# (here because dropout is an activation-layer concern in the same scripts; masks come from
# tidu's generator, so they are checked by their law and formula, not against torch's draws)
@pytest.mark.parametrize("fn,shape,spatial", [(F.dropout1d, (300, 40, 3), 1),
                                              (F.dropout1d, (40, 3), 1),
                                              (F.dropout2d, (300, 40, 2, 3), 2),
                                              (F.dropout3d, (400, 2, 1, 2), 3),
                                              (F.dropout3d, (100, 40, 2, 1, 2), 3)])
def test_channel_dropout_drops_whole_channels(fn, shape, spatial):
    tidu.manual_seed(0)
    p = 0.3
    x = np.random.default_rng(0).uniform(1, 2, shape)
    t = tidu.Tensor(x, requires_grad=True, dtype=np.float64)
    out = fn(t, p)
    scale = out.cpu().numpy() / x
    flat = scale.reshape(scale.shape[:-spatial] + (-1,))
    np.testing.assert_allclose(flat, np.broadcast_to(flat[..., :1], flat.shape), rtol=1e-12,
                               err_msg="one draw per channel")
    np.testing.assert_allclose(np.unique(flat.round(12)), [0.0, 1.0 / (1 - p)], rtol=1e-12)
    drawn = flat[..., 0]
    assert abs((drawn == 0).mean() - p) < 4 * np.sqrt(p * (1 - p) / drawn.size)
    out.backward(tidu.Tensor(np.ones(shape), dtype=np.float64))
    np.testing.assert_allclose(t.grad.cpu().numpy(), scale, rtol=1e-12)     # dx = mask/(1 − p)


def test_channel_dropout_eval_p0_p1_seed_and_inplace():
    x = tidu.Tensor(np.ones((2, 3, 4, 4)), dtype=np.float64)
    assert F.dropout2d(x, 0.5, training=False) is x
    assert F.dropout2d(x, 0.0) is x
    assert not F.dropout2d(x, 1.0).cpu().numpy().any()
    tidu.manual_seed(3)
    a = F.dropout2d(x).cpu().numpy()
    tidu.manual_seed(3)
    np.testing.assert_array_equal(F.dropout2d(x).cpu().numpy(), a)
    m = nn.Dropout2d(0.5).eval()
    assert m(x) is x
    y = tidu.Tensor(np.ones((2, 3, 4)), dtype=np.float64)
    assert F.dropout1d(y, 0.5, inplace=True) is y
    assert set(np.unique(y.cpu().numpy())) <= {0.0, 2.0}


def test_dropout2d_of_a_3d_input_is_channel_dropout_over_n_c_with_a_warning_as_torch():
    x = tidu.Tensor(np.ones((50, 4, 6)), dtype=np.float64)
    with pytest.warns(UserWarning, match="dropout2d"):
        out = F.dropout2d(x, 0.5).cpu().numpy()
    assert np.all(out == out[:, :, :1]) and len(np.unique(out[:, :, 0])) == 2
    with pytest.warns(UserWarning, match="dropout2d"):
        TF.dropout2d(torch.ones(50, 4, 6), 0.5)


def test_channel_dropout_errors():
    with pytest.raises(ShapeError, match="dropout2d"):
        F.dropout2d(tidu.Tensor(np.ones((2, 3))))
    with pytest.raises(ShapeError, match="dropout1d"):
        F.dropout1d(tidu.Tensor(np.ones((2, 3, 4, 5))))
    with pytest.raises(ArgumentError, match="between 0 and 1"):
        nn.Dropout2d(1.5)


def test_alpha_dropout_keeps_mean_and_variance_and_matches_the_formula():
    tidu.manual_seed(1)
    p, alpha = 0.2, 1.7580993408473766
    x = np.random.default_rng(1).standard_normal(200_000)
    t = tidu.Tensor(x, requires_grad=True, dtype=np.float64)
    out = F.alpha_dropout(t, p, training=True)
    y = out.cpu().numpy()
    a = ((alpha ** 2 * p + 1) * (1 - p)) ** -0.5
    dropped = np.isclose(y, -a * alpha * (1 - p), rtol=0, atol=1e-12) & ~np.isclose(
        a * x + a * alpha * p, -a * alpha * (1 - p), rtol=0, atol=1e-12)
    kept = ~dropped
    np.testing.assert_allclose(y[kept], a * x[kept] + a * alpha * p, rtol=1e-12)
    assert abs(dropped.mean() - p) < 0.01
    # zero mean, unit variance kept (torch's draw has the same moments)
    ref = TF.alpha_dropout(torch.from_numpy(x), p, training=True).cpu().numpy()
    for arr in (y, ref):
        assert abs(arr.mean()) < 0.01 and abs(arr.std() - 1) < 0.01
    out.backward(tidu.Tensor(np.ones_like(x), dtype=np.float64))
    np.testing.assert_allclose(t.grad.cpu().numpy(), a * kept, rtol=1e-12)


def test_alpha_dropout_defaults_and_module():
    x = tidu.Tensor(np.ones(5), dtype=np.float64)
    assert F.alpha_dropout(x) is x                      # training=False by default, as torch
    assert not F.alpha_dropout(x, 1.0, training=True).cpu().numpy().any()
    m = nn.AlphaDropout(0.3)
    assert m.eval()(x) is x
    assert m.train()(x).shape == (5,)
    assert repr(m) == "AlphaDropout(p=0.3)"
