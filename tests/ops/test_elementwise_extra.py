"""tidu.ops.elementwise_extra (issue 11): trigonometric/hyperbolic functions and inverses,
erfc, erfinv, sinc, logit, xlogy, logaddexp(2), deg2rad/rad2deg, copysign, float_power,
fmax/fmin — each function and Tensor method against torch in float64, forward and backward
(tests/oracle.py); the no-grad predicates exactly; errors where torch raises."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn, finite_difference_check
from tidu.errors import DTypeError, ShapeError

RNG = np.random.default_rng(25)


def _n(*shape):
    return RNG.standard_normal(shape)


def _u(lo, hi, *shape):
    return RNG.uniform(lo, hi, shape)


def _host(t):
    return t.cpu().numpy()


UNARY = [
    ("tan", _u(-1.2, 1.2, 3, 4)), ("sinh", _n(3, 4)), ("cosh", _n(3, 4)),
    ("asin", _u(-0.9, 0.9, 3, 4)), ("acos", _u(-0.9, 0.9, 3, 4)), ("atan", _n(3, 4)),
    ("asinh", _n(3, 4)), ("acosh", 1.2 + np.abs(_n(3, 4))), ("atanh", _u(-0.9, 0.9, 3, 4)),
    ("arcsin", _u(-0.9, 0.9, 5)), ("arccos", _u(-0.9, 0.9, 5)), ("arctan", _n(5)),
    ("arcsinh", _n(5)), ("arccosh", 1.5 + np.abs(_n(5))), ("arctanh", _u(-0.9, 0.9, 5)),
    ("erfc", _n(3, 4)), ("erfinv", _u(-0.95, 0.95, 3, 4)),
    ("sinc", np.array([0.0, 0.3, -1.7, 2.5, 1e-3])), ("logit", _u(0.05, 0.95, 3, 4)),
    ("deg2rad", 90 * _n(3, 4)), ("rad2deg", _n(3, 4)),
]


@pytest.mark.parametrize("name,x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_torch_as_function_and_method(name, x):
    compare_fn(getattr(tidu, name), getattr(torch, name), x)
    compare_fn(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)


@pytest.mark.parametrize("name", ["tan", "asinh", "erfc", "erfinv", "sinc", "logit"])
def test_unary_gradient_by_finite_differences(name):
    finite_difference_check(getattr(tidu, name), _u(0.1, 0.8, 2, 3))


def test_logit_eps_clamps_and_zeroes_the_clamped_gradient():
    x = np.array([0.02, 0.1, 0.5, 0.85, 0.97])
    compare_fn(lambda t: tidu.logit(t, eps=0.2), lambda t: torch.logit(t, eps=0.2), x)
    compare_fn(lambda t: t.logit(0.2), lambda t: t.logit(0.2), x)


def test_out_of_domain_gives_nan_as_torch():
    x = np.array([-0.5, 0.3, 1.5, 2.0])
    for name in ("asin", "acos", "atanh", "acosh", "logit"):
        compare_fn(getattr(tidu, name), getattr(torch, name), x)


BINARY = [
    ("xlogy", np.array([[0.0, 1.5, -2.0, 0.7], [3.0, 0.0, 0.2, -1.0], [1.0, 2.0, 0.0, 0.5]]),
     _u(0.2, 3.0, 4)),
    ("logaddexp", _n(3, 4), _n(4)), ("logaddexp2", _n(3, 4), _n(3, 1)),
    ("copysign", _n(3, 4), _n(3, 4)),
    ("fmax", np.array([1.0, np.nan, 2.0, -1.0, np.nan]), np.array([0.5, 3.0, np.nan, 4.0, 1.0])),
    ("fmin", np.array([1.0, np.nan, 2.0, -1.0, np.nan]), np.array([0.5, 3.0, np.nan, 4.0, 1.0])),
    ("float_power", 0.5 + np.abs(_n(3, 4)), _n(3, 4)),
]


@pytest.mark.parametrize("name,x,y", BINARY, ids=[b[0] for b in BINARY])
def test_binary_matches_torch_as_function_and_method(name, x, y):
    compare_fn(getattr(tidu, name), getattr(torch, name), x, y)
    compare_fn(lambda a, b: getattr(a, name)(b), lambda a, b: getattr(a, name)(b), x, y)


def test_fmax_ties_send_the_gradient_to_input():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])
    compare_fn(tidu.fmax, torch.fmax, x, y)
    compare_fn(tidu.fmin, torch.fmin, x, y)


def test_xlogy_with_a_number_and_nan():
    y = np.array([0.5, np.nan, 2.0])
    compare_fn(lambda t: tidu.xlogy(t, 2.0), lambda t: torch.xlogy(t, 2.0), np.array([0.0, 1.0, 3.0]))
    compare_fn(tidu.xlogy, torch.xlogy, np.array([0.0, 0.0, 1.0]), y)


def test_float_power_is_float64_whatever_the_inputs():
    out = tidu.float_power(tidu.tensor([1, 2, 3]), 2)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(_host(out), torch.float_power(torch.tensor([1, 2, 3]), 2).numpy())
    out = tidu.float_power(tidu.tensor([1.0, 2.0], dtype=np.float32), tidu.tensor([0.5, 3.0]))
    assert out.dtype == np.float64


def test_integer_inputs_give_the_default_float_dtype():
    for name in ("tan", "sinh", "erfc", "deg2rad"):
        got = getattr(tidu, name)(tidu.tensor([1, 2, 3]))
        expect = getattr(torch, name)(torch.tensor([1, 2, 3]))
        assert got.dtype == np.float32
        np.testing.assert_allclose(_host(got), expect.numpy(), rtol=1e-6)


SPECIAL = np.array([[1.0, -0.0, -np.inf], [np.inf, 0.0, -2.5]])


@pytest.mark.parametrize("name", ["signbit", "isposinf", "isneginf", "sgn", "positive"])
def test_no_grad_predicates_and_sign_exactly(name):
    for t, p in ((tidu.tensor(SPECIAL), torch.tensor(SPECIAL)),
                 (tidu.tensor([3, -1, 0]), torch.tensor([3, -1, 0]))):
        for got, expect in ((getattr(tidu, name)(t), getattr(torch, name)(p)),
                            (getattr(t, name)(), getattr(p, name)())):
            assert _host(got).dtype == expect.numpy().dtype
            np.testing.assert_array_equal(_host(got), expect.numpy())
            if name in ("signbit",):
                np.testing.assert_array_equal(np.signbit(_host(got)), np.signbit(expect.numpy()))


def test_sgn_has_zero_gradient_and_positive_passes_it_through():
    x = tidu.tensor(_n(2, 3), requires_grad=True)
    tidu.sgn(x).sum().backward()  # torch's gradient is a ZeroTensor, not comparable
    np.testing.assert_array_equal(_host(x.grad), np.zeros((2, 3)))
    compare_fn(tidu.positive, torch.positive, _n(2, 3))


def test_heaviside_matches_torch():
    x = np.array([-1.5, 0.0, 2.0, 0.0])
    v = np.array([0.5, 0.25, 0.3, 1.0])
    got = tidu.heaviside(tidu.tensor(x), tidu.tensor(v))
    np.testing.assert_array_equal(_host(got), torch.heaviside(torch.tensor(x), torch.tensor(v)).numpy())
    got = tidu.tensor(x).heaviside(tidu.tensor([0.5], dtype=np.float64))
    np.testing.assert_array_equal(_host(got), torch.tensor(x).heaviside(torch.tensor([0.5], dtype=torch.float64)).numpy())


def test_errors():
    with pytest.raises(TypeError, match="tan: input must be a tensor"):
        tidu.tan([1.0, 2.0])
    with pytest.raises(TypeError):
        torch.tan([1.0, 2.0])
    with pytest.raises(DTypeError, match="positive.*bool"):
        tidu.positive(tidu.tensor([True, False]))
    with pytest.raises(RuntimeError):
        torch.positive(torch.tensor([True, False]))
    with pytest.raises(ShapeError, match="xlogy"):
        tidu.xlogy(tidu.tensor(_n(3)), tidu.tensor(_u(1, 2, 4)))
    with pytest.raises(RuntimeError):
        torch.xlogy(torch.tensor(_n(3)), torch.tensor(_u(1, 2, 4)))
    with pytest.raises(TypeError, match="heaviside: input must be a tensor"):
        tidu.heaviside(1.0, tidu.tensor([0.5]))
    with pytest.raises(TypeError, match="signbit"):
        tidu.signbit(np.array([1.0]))
