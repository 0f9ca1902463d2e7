"""torch's top-level extras (tidu/ops/torch_extras*.py, windows_special.py,
torch_functional.py, torch_settings.py) against PyTorch in float64, gradients included."""
import warnings

import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close, compare_fn, finite_difference_check

RNG = np.random.default_rng(11)


def _x(*shape):
    return RNG.standard_normal(shape)


def _t(arr):
    return tidu.tensor(np.asarray(arr))


# --------------------------------------------------------------------------- Size
def test_size_is_a_tuple_with_numel_and_repr():
    s = tidu.Size([2, 3])
    assert s == (2, 3) and isinstance(s, tuple)
    assert s.numel() == 6 and tidu.Size().numel() == 1
    assert repr(s) == "tidu.Size([2, 3])"
    assert isinstance(s[1:], tidu.Size) and s[1:] == (3,)
    with pytest.raises(TypeError, match="Size: sizes must be ints"):
        tidu.Size([2.5])


# --------------------------------------------------------------------------- aliases
@pytest.mark.parametrize("name", ["multiply", "subtract", "greater", "greater_equal", "less",
                                  "less_equal", "not_equal", "ldexp"])
def test_binary_aliases(name):
    a, b = _x(3, 4), _x(4)
    grad = name in ("multiply", "subtract", "ldexp")
    compare_fn(getattr(tidu, name), getattr(torch, name), a, b, grad=grad)


def test_subtract_alpha_negative_absolute_concat():
    compare_fn(lambda a, b: tidu.subtract(a, b, alpha=2.5),
               lambda a, b: torch.subtract(a, b, alpha=2.5), _x(2, 3), _x(2, 3))
    compare_fn(tidu.negative, torch.negative, _x(3))
    compare_fn(tidu.absolute, torch.absolute, _x(3) + 0.1)
    compare_fn(lambda a, b: tidu.concat([a, b], 1), lambda a, b: torch.concat([a, b], 1),
               _x(2, 3), _x(2, 1))


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
def test_divide_rounding_modes(mode):
    compare_fn(lambda a, b: tidu.divide(a, b, rounding_mode=mode),
               lambda a, b: torch.divide(a, b, rounding_mode=mode), _x(3, 4) * 5, _x(4) + 2.0)
    ia, ib = np.array([7, -7, 6, -6, 5]), np.array([2, 2, -4, 3, -3])
    compare_fn(lambda a, b: tidu.divide(a, b, rounding_mode=mode),
               lambda a, b: torch.divide(a, b, rounding_mode=mode), ia, ib, grad=False)
    if mode is not None:
        assert tidu.divide(_t(ia), _t(ib), rounding_mode=mode).dtype == np.int64
    with pytest.raises(ValueError, match="divide: rounding_mode must be None, 'trunc' or 'floor'"):
        tidu.divide(_t([1.0]), _t([2.0]), rounding_mode="round")


def test_clone_detach():
    compare_fn(tidu.clone, torch.clone, _x(2, 3))
    x = tidu.tensor(_x(2), requires_grad=True)
    d = tidu.detach(x * 2)
    assert not d.requires_grad
    with pytest.raises(TypeError, match="clone: input must be a tensor"):
        tidu.clone([1.0])


# --------------------------------------------------------------------------- fused
def test_addcmul_addcdiv():
    compare_fn(lambda i, a, b: tidu.addcmul(i, a, b, value=0.5),
               lambda i, a, b: torch.addcmul(i, a, b, value=0.5), _x(3, 4), _x(4), _x(3, 1))
    compare_fn(lambda i, a, b: tidu.addcdiv(i, a, b, value=-2),
               lambda i, a, b: torch.addcdiv(i, a, b, value=-2), _x(3, 4), _x(4), _x(3, 1) + 3)


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, -2.0)])
def test_addmv_addr_addbmm_baddbmm(beta, alpha):
    kw = dict(beta=beta, alpha=alpha)
    compare_fn(lambda i, m, v: tidu.addmv(i, m, v, **kw),
               lambda i, m, v: torch.addmv(i, m, v, **kw), _x(3), _x(3, 4), _x(4))
    compare_fn(lambda i, a, b: tidu.addr(i, a, b, **kw),
               lambda i, a, b: torch.addr(i, a, b, **kw), _x(3, 1), _x(3), _x(4))
    compare_fn(lambda i, a, b: tidu.addbmm(i, a, b, **kw),
               lambda i, a, b: torch.addbmm(i, a, b, **kw), _x(3, 5), _x(2, 3, 4), _x(2, 4, 5))
    compare_fn(lambda i, a, b: tidu.baddbmm(i, a, b, **kw),
               lambda i, a, b: torch.baddbmm(i, a, b, **kw), _x(2, 3, 5), _x(2, 3, 4), _x(2, 4, 5))


def test_beta_zero_ignores_nan_input():
    nan = np.full(3, np.nan)
    compare_fn(lambda i, m, v: tidu.addmv(i, m, v, beta=0),
               lambda i, m, v: torch.addmv(i, m, v, beta=0), nan, _x(3, 4), _x(4), grad=False)


# --------------------------------------------------------------------------- broadcasting
def test_broadcast_tensors_and_shapes():
    compare_fn(lambda a, b, c: tidu.broadcast_tensors(a, b, c),
               lambda a, b, c: torch.broadcast_tensors(a, b, c), _x(3, 1), _x(4), _x(1, 1))
    s = tidu.broadcast_shapes((2, 1), (3,), 1)
    assert s == torch.broadcast_shapes((2, 1), (3,), 1) and isinstance(s, tidu.Size)
    with pytest.raises(ValueError, match=r"broadcast_shapes: shapes \(2, 3\), \(4,\) cannot be"):
        tidu.broadcast_shapes((2, 3), (4,))


# --------------------------------------------------------------------------- splitting
@pytest.mark.parametrize("spec,dim", [(3, 1), (4, 0), ([1, 4], 1), ([2, 1, 6], 1), ((0,), 0)])
def test_tensor_split(spec, dim):
    compare_fn(lambda a: tidu.tensor_split(a, spec, dim), lambda a: torch.tensor_split(a, spec, dim),
               _x(5, 7))


def test_tensor_split_tensor_spec_and_errors():
    compare_fn(lambda a: tidu.tensor_split(a, tidu.tensor([1, 3]), 1),
               lambda a: torch.tensor_split(a, torch.tensor([1, 3]), 1), _x(2, 5))
    compare_fn(lambda a: tidu.tensor_split(a, tidu.tensor(2)),
               lambda a: torch.tensor_split(a, torch.tensor(2)), _x(5))
    with pytest.raises(ValueError, match="tensor_split: number of sections must be larger than 0"):
        tidu.tensor_split(_t(_x(4)), 0)
    with pytest.raises(ValueError, match="expected at least a 1-dimensional tensor"):
        tidu.tensor_split(_t(1.0), 2)


@pytest.mark.parametrize("name,shape,spec", [("hsplit", (6,), 3), ("hsplit", (2, 6), [1, 4]),
                                             ("vsplit", (4, 3), 2), ("dsplit", (2, 2, 6), [3])])
def test_h_v_d_split(name, shape, spec):
    compare_fn(lambda a: getattr(tidu, name)(a, spec), lambda a: getattr(torch, name)(a, spec),
               _x(*shape))


def test_directional_split_errors():
    with pytest.raises(ValueError, match="hsplit: attempted to split along dimension 1, but the "
                                         "size of the dimension 5 is not divisible by the split_size 2"):
        tidu.hsplit(_t(_x(2, 5)), 2)
    with pytest.raises(ValueError, match="vsplit: requires a tensor with at least 2 dimension"):
        tidu.vsplit(_t(_x(4)), 2)
    with pytest.raises(ValueError, match="dsplit: requires a tensor with at least 3 dimension"):
        tidu.dsplit(_t(_x(4, 2)), 2)


# --------------------------------------------------------------------------- selection
def test_moveaxis_take_along_dim():
    compare_fn(lambda a: tidu.moveaxis(a, 0, -1), lambda a: torch.moveaxis(a, 0, -1), _x(2, 3, 4))
    idx = RNG.integers(0, 4, size=(3, 2))
    compare_fn(lambda a, i: tidu.take_along_dim(a, i, 1), lambda a, i: torch.take_along_dim(a, i, 1),
               _x(3, 4), idx)
    compare_fn(lambda a, i: tidu.take_along_dim(a, i), lambda a, i: torch.take_along_dim(a, i),
               _x(3, 4), np.array([0, 11, 5]))
    bidx = RNG.integers(0, 4, size=(1, 5))   # broadcasts against input's dim 0
    compare_fn(lambda a, i: tidu.take_along_dim(a, i, 1), lambda a, i: torch.take_along_dim(a, i, 1),
               _x(3, 4), bidx)
    with pytest.raises(TypeError, match="take_along_dim: indices must be an integer tensor"):
        tidu.take_along_dim(_t(_x(3)), _t(_x(3)), 0)


def test_unravel_index():
    out = tidu.unravel_index(tidu.tensor([5, -1, 0]), (3, 4))
    ref = torch.unravel_index(torch.tensor([5, -1, 0]), (3, 4))
    for a, b in zip(out, ref):
        assert_close(a, b, "unravel_index")
    with pytest.raises(IndexError, match=r"unravel_index: 'indices' must be in range \[-12, 11\]"):
        tidu.unravel_index(tidu.tensor([12]), (3, 4))


@pytest.mark.parametrize("k,dim,keepdim", [(1, -1, False), (3, 0, True), (2, 1, False)])
def test_kthvalue(k, dim, keepdim):
    out = compare_fn(lambda a: tuple(tidu.kthvalue(a, k, dim, keepdim)),
                     lambda a: tuple(torch.kthvalue(a, k, dim, keepdim)), _x(4, 5))
    assert type(tidu.kthvalue(_t(_x(3)), 1)).__name__ == "kthvalue" and out is not None
    with pytest.raises(IndexError, match="kthvalue: k=6 is out of range"):
        tidu.kthvalue(_t(_x(5)), 6)


def test_nanmedian():
    x = _x(4, 5)
    x[0, 1] = x[2, 3] = x[2, 0] = np.nan
    x[3] = np.nan
    compare_fn(lambda a: tuple(tidu.nanmedian(a, 1)), lambda a: tuple(torch.nanmedian(a, 1)), x)
    compare_fn(lambda a: tuple(tidu.nanmedian(a, 0, True)),
               lambda a: tuple(torch.nanmedian(a, 0, True)), x)
    compare_fn(tidu.nanmedian, torch.nanmedian, x)
    with pytest.raises(ValueError, match="nanmedian: of an empty tensor"):
        tidu.nanmedian(_t(np.zeros(0)))


def test_msort():
    compare_fn(tidu.msort, torch.msort, _x(4, 3))


# --------------------------------------------------------------------------- numerics
@pytest.mark.parametrize("dim", [0, -1])
def test_logcumsumexp(dim):
    x = _x(4, 5) * 30  # wide range: a naive log(cumsum(exp)) would overflow
    compare_fn(lambda a: tidu.logcumsumexp(a, dim), lambda a: torch.logcumsumexp(a, dim), x)
    finite_difference_check(lambda a: tidu.logcumsumexp(a, dim), _x(3, 4))


def test_inner_ger_vdot_dist():
    compare_fn(tidu.inner, torch.inner, _x(2, 3, 4), _x(5, 4))
    compare_fn(tidu.inner, torch.inner, _x(3), np.array(2.5))
    compare_fn(tidu.ger, torch.ger, _x(3), _x(4))
    compare_fn(tidu.vdot, torch.vdot, _x(5), _x(5))
    for p in (2, 1, 3.5, float("inf"), 0):
        compare_fn(lambda a, b: tidu.dist(a, b, p), lambda a, b: torch.dist(a, b, p), _x(3, 4),
                   _x(4), grad=p != 0)
    with pytest.raises(ValueError, match="inner: last dims must match"):
        tidu.inner(_t(_x(3)), _t(_x(4)))


def test_gcd_lcm_nextafter():
    a, b = np.array([12, -18, 0, 7]), np.array([8, 12, 5, 0])
    compare_fn(tidu.gcd, torch.gcd, a, b, grad=False)
    compare_fn(tidu.lcm, torch.lcm, a, b, grad=False)
    compare_fn(tidu.nextafter, torch.nextafter, _x(4), _x(4), grad=False, rtol=0, atol=0)
    with pytest.raises(TypeError, match="gcd: expected integer tensors, got dtype float64"):
        tidu.gcd(_t(_x(2)), _t(_x(2)))


def test_ldexp_integer_exponent():
    # non-negative: torch's gradient for a negative integer exponent uses 2**e in integers (0)
    compare_fn(tidu.ldexp, torch.ldexp, _x(4), np.array([0, 1, 2, 3]))


def test_scalar_tensor():
    t = tidu.scalar_tensor(3)
    assert t.shape == () and t.dtype == np.float32 and t.item() == 3.0
    assert tidu.scalar_tensor(1.5, dtype=tidu.float64).dtype == np.float64
    with pytest.raises(TypeError, match="scalar_tensor: s must be a number"):
        tidu.scalar_tensor([1])


def test_predicates_and_typename():
    f, i, u = _t(_x(2)), tidu.tensor([1, 2]), tidu.tensor(np.array([1], dtype=np.uint8))
    assert not tidu.is_complex(f)
    assert tidu.is_signed(f) and tidu.is_signed(i) and not tidu.is_signed(u)
    assert not tidu.is_signed(tidu.tensor([True]))
    assert tidu.is_same_size(f, i) and not tidu.is_same_size(f, u)
    assert tidu.typename(tidu.tensor([1.0], dtype=tidu.float64)) == "tidu.DoubleTensor"
    assert tidu.typename(3) == torch.typename(3) == "int"
    assert tidu.typename(np.zeros(1)) == torch.typename(np.zeros(1))


# --------------------------------------------------------------------------- in-place
@pytest.mark.parametrize("name", ["relu_", "sigmoid_", "tanh_", "exp_", "abs_", "neg_", "zero_"])
def test_inplace_forms(name):
    x = np.abs(_x(3, 2)) if name == "sqrt_" else _x(3, 2)
    t, p = _t(x.copy()), torch.tensor(x.copy())
    assert getattr(tidu, name)(t) is t
    getattr(torch, name)(p)
    assert_close(t, p, name)


def test_inplace_sqrt_clamp_fill():
    x = np.abs(_x(4)) + 0.1
    t, p = _t(x.copy()), torch.tensor(x.copy())
    tidu.sqrt_(t)
    torch.sqrt_(p)
    assert_close(t, p, "sqrt_")
    tidu.clamp_(t, 0.5, 1.0)
    torch.clamp_(p, 0.5, 1.0)
    assert_close(t, p, "clamp_")
    tidu.fill_(t, 2.0)
    torch.fill_(p, 2.0)
    assert_close(t, p, "fill_")
    with pytest.raises(TypeError, match="relu_: input must be a tensor"):
        tidu.relu_(np.zeros(2))


# --------------------------------------------------------------------------- windows
@pytest.mark.parametrize("name", ["hann", "hamming", "bartlett", "blackman", "kaiser"])
@pytest.mark.parametrize("length", [0, 1, 2, 7, 10])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(name, length, periodic):
    ours = getattr(tidu, f"{name}_window")(length, periodic, dtype=tidu.float64)
    ref = getattr(torch, f"{name}_window")(length, periodic, dtype=torch.float64)
    assert_close(ours, ref, name)


def test_window_defaults_and_errors():
    assert_close(tidu.kaiser_window(9, beta=5.0, dtype=tidu.float64),
                 torch.kaiser_window(9, True, 5.0, dtype=torch.float64), "kaiser beta")
    assert_close(tidu.hamming_window(8, alpha=0.5, beta=0.5, dtype=tidu.float64),
                 torch.hamming_window(8, True, 0.5, 0.5, dtype=torch.float64), "hamming")
    assert tidu.hann_window(5).dtype == np.float32
    with pytest.raises(ValueError, match="hann_window: requires non-negative window_length"):
        tidu.hann_window(-1)


# --------------------------------------------------------------------------- special
def test_i0_polygamma_mvlgamma():
    x = np.abs(_x(5)) + 0.5
    compare_fn(tidu.i0, torch.i0, _x(5))
    for n in (0, 1, 3):
        compare_fn(lambda a: tidu.polygamma(n, a), lambda a: torch.polygamma(n, a), x)
    for p in (1, 3):
        compare_fn(lambda a: tidu.mvlgamma(a, p), lambda a: torch.mvlgamma(a, p), x + 1.5)
    with pytest.raises(ValueError, match="polygamma: n must be a non-negative integer"):
        tidu.polygamma(-1, _t(x))
    with pytest.raises(ValueError, match=r"mvlgamma: all elements must be greater than \(p-1\)/2"):
        tidu.mvlgamma(_t(x * 0 + 0.5), 3)


@pytest.mark.parametrize("shape,scale", [((3, 3), 0.5), ((2, 4, 4), 4.0), ((1, 1), 1.0)])
def test_matrix_exp(shape, scale):
    compare_fn(tidu.matrix_exp, torch.matrix_exp, _x(*shape) * scale, rtol=1e-9)
    with pytest.raises(ValueError, match="matrix_exp: expected a square matrix"):
        tidu.matrix_exp(_t(_x(2, 3)))


def _chol(*batch, n=3):
    a = _x(*batch, n, n)
    return np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + n * np.eye(n))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_inverse(upper):
    L = _chol(2)
    if upper:
        L = np.swapaxes(L, -1, -2).copy()
    compare_fn(lambda b, l: tidu.cholesky_solve(b, l, upper),
               lambda b, l: torch.cholesky_solve(b, l, upper), _x(2, 3, 2), L)
    compare_fn(lambda l: tidu.cholesky_inverse(l[0], upper),
               lambda l: torch.cholesky_inverse(l[0], upper), L)
    with pytest.raises(ValueError, match="cholesky_solve: L must be square with as many rows as B"):
        tidu.cholesky_solve(_t(_x(4, 2)), _t(L[0]))


# --------------------------------------------------------------------------- functional
def test_functional_aliases_same_signature():
    compare_fn(lambda x, w, b: tidu.conv1d(x, w, b, padding=1),
               lambda x, w, b: torch.conv1d(x, w, b, padding=1), _x(2, 3, 6), _x(4, 3, 3), _x(4))
    compare_fn(lambda x: tidu.max_pool1d(x, 2), lambda x: torch.max_pool1d(x, 2), _x(2, 3, 6))
    compare_fn(lambda x: tidu.max_pool2d(x, 2, 1), lambda x: torch.max_pool2d(x, 2, 1), _x(1, 2, 4, 4))
    compare_fn(lambda x: tidu.adaptive_max_pool1d(x, 3), lambda x: torch.adaptive_max_pool1d(x, 3),
               _x(2, 3, 7))
    compare_fn(lambda x: tidu.celu(x, 0.7), lambda x: torch.celu(x, 0.7), _x(5))
    compare_fn(tidu.selu, torch.selu, _x(5))
    compare_fn(lambda x: tidu.threshold(x, 0.1, -2.0), lambda x: torch.threshold(x, 0.1, -2.0), _x(5))
    compare_fn(lambda x: tidu.hardshrink(x, 0.3), lambda x: torch.hardshrink(x, 0.3), _x(6))
    compare_fn(lambda x: tidu.pixel_shuffle(x, 2), lambda x: torch.pixel_shuffle(x, 2), _x(1, 4, 2, 2))


def test_functional_aliases_top_level_signatures():
    x, w, b, rm, rv = _x(4, 3, 5), _x(3), _x(3), _x(3), np.abs(_x(3)) + 0.5
    compare_fn(lambda x, w, b: tidu.batch_norm(x, w, b, tidu.tensor(rm), tidu.tensor(rv), False,
                                               0.1, 1e-5, False),
               lambda x, w, b: torch.batch_norm(x, w, b, torch.tensor(rm), torch.tensor(rv), False,
                                                0.1, 1e-5, False), x, w, b)
    compare_fn(lambda x, w, b: tidu.layer_norm(x, (5,), None, None, 1e-3) * 1 + 0 * w.sum() * b.sum(),
               lambda x, w, b: torch.layer_norm(x, (5,), None, None, 1e-3) * 1 + 0 * w.sum() * b.sum(),
               x, w, b)
    compare_fn(lambda x, w, b: tidu.group_norm(x, 3, w, b), lambda x, w, b: torch.group_norm(x, 3, w, b),
               x, w, b)
    compare_fn(lambda x: tidu.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
               lambda x: torch.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False), x)
    compare_fn(lambda x: tidu.dropout(x, 0.5, False), lambda x: torch.dropout(x, 0.5, False), x)
    compare_fn(lambda x: tidu.feature_alpha_dropout(x, 0.3, False),
               lambda x: torch.feature_alpha_dropout(x, 0.3, False), x)
    compare_fn(lambda w, i: tidu.embedding(w, i), lambda w, i: torch.embedding(w, i), _x(5, 3),
               np.array([[0, 4], [2, 2]]))
    compare_fn(lambda w, i: tidu.embedding(w, i, 2), lambda w, i: torch.embedding(w, i, 2), _x(5, 3),
               np.array([[0, 4], [2, 2]]))


@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_functional_losses_with_int_reduction(reduction):
    a, t = _x(3, 4), np.abs(_x(3, 4))
    compare_fn(lambda a, t: tidu.kl_div(a, t, reduction), lambda a, t: torch.kl_div(a, t, reduction),
               a, t)
    compare_fn(lambda a, p, n: tidu.triplet_margin_loss(a, p, n, reduction=reduction),
               lambda a, p, n: torch.triplet_margin_loss(a, p, n, reduction=reduction),
               _x(3, 4), _x(3, 4), _x(3, 4))
    y = np.sign(_x(5))
    compare_fn(lambda a, b: tidu.margin_ranking_loss(a, b, tidu.tensor(y), 0.2, reduction),
               lambda a, b: torch.margin_ranking_loss(a, b, torch.tensor(y), 0.2, reduction),
               _x(5), _x(5))
    compare_fn(lambda a, t: tidu.poisson_nll_loss(a, t, True, True, 1e-8, reduction),
               lambda a, t: torch.poisson_nll_loss(a, t, True, True, 1e-8, reduction), a, t + 1)
    pw = np.abs(_x(4))
    compare_fn(lambda a, t: tidu.binary_cross_entropy_with_logits(a, t, None, tidu.tensor(pw), reduction),
               lambda a, t: torch.binary_cross_entropy_with_logits(a, t, None, torch.tensor(pw), reduction),
               a, RNG.random((3, 4)))


def test_functional_alias_errors_and_training_dropout():
    with pytest.raises(ValueError, match=r"kl_div: reduction must be 0 \('none'\), 1"):
        tidu.kl_div(_t(_x(2)), _t(_x(2)), 5)
    with pytest.raises(ValueError, match="embedding: scale_grad_by_freq=True and sparse=True"):
        tidu.embedding(_t(_x(3, 2)), tidu.tensor([0]), -1, True)
    x = _t(np.ones((200, 6, 3)))
    y = tidu.feature_alpha_dropout(x, 0.5, True).cpu().numpy()
    assert (y == y[:, :, :1]).all()                      # one draw per (n, c)
    assert len(np.unique(y.round(8))) == 2
    with pytest.raises(ValueError, match="feature_alpha_dropout: feature dropout requires at least 2 dimensions"):
        tidu.feature_alpha_dropout(_t(_x(3)), 0.5, True)
    assert tidu.conv2d is tidu.nn.functional.conv2d


# --------------------------------------------------------------------------- settings
@pytest.mark.host_only("process-wide switches, no tensors")
def test_settings():
    assert tidu.get_float32_matmul_precision() == "highest"
    tidu.set_float32_matmul_precision("medium")
    assert tidu.get_float32_matmul_precision() == "medium"
    with pytest.warns(UserWarning, match="bad is not one of 'highest', 'high', or 'medium'"):
        tidu.set_float32_matmul_precision("bad")
    assert tidu.get_float32_matmul_precision() == "medium"
    tidu.set_float32_matmul_precision("highest")
    assert tidu.set_flush_denormal(True) is False
    assert not tidu.is_warn_always_enabled()
    tidu.set_warn_always(True)
    assert tidu.is_warn_always_enabled()
    tidu.set_warn_always(False)
    assert tidu.get_num_interop_threads() >= 1
    tidu.set_num_interop_threads(3)
    assert tidu.get_num_interop_threads() == 3
    with pytest.raises(ValueError, match="set_num_interop_threads: Expected positive number"):
        tidu.set_num_interop_threads(0)
    assert not tidu.is_inference_mode_enabled()


def test_anomaly_switch_is_autograds():
    assert not tidu.is_anomaly_enabled()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tidu.set_anomaly_enabled(True)
        assert tidu.is_anomaly_enabled() and tidu.autograd.is_anomaly_enabled()
    finally:
        tidu.set_anomaly_enabled(False)
    assert not tidu.autograd.is_anomaly_enabled()


def test_is_inference_mode_enabled_inside_block():
    with tidu.inference_mode():
        assert tidu.is_inference_mode_enabled()
        with tidu.inference_mode(False):
            assert not tidu.is_inference_mode_enabled()
    with tidu.no_grad():
        assert not tidu.is_inference_mode_enabled()
    assert not tidu.is_inference_mode_enabled()
