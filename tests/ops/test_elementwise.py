"""Element-wise ops: oracle (torch, float64) with broadcast shapes drawn by hypothesis, and
finite differences."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import tidu
from tests.oracle import compare_fn, finite_difference_check

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "maximum": (tidu.maximum, torch.maximum),
    "minimum": (tidu.minimum, torch.minimum),
    "pow": (lambda a, b: tidu.abs(a) ** b, lambda a, b: torch.abs(a) ** b),
}

UNARY = {
    "neg": (lambda a: -a, lambda a: -a),
    "exp": (tidu.exp, torch.exp),
    "log": (lambda a: tidu.log(tidu.abs(a) + 0.5), lambda a: torch.log(torch.abs(a) + 0.5)),
    "sqrt": (lambda a: tidu.sqrt(tidu.abs(a) + 0.5), lambda a: torch.sqrt(torch.abs(a) + 0.5)),
    "abs": (tidu.abs, torch.abs),
    "clip": (lambda a: tidu.clip(a, -0.5, 0.7), lambda a: torch.clamp(a, -0.5, 0.7)),
    "clip_min": (lambda a: a.clip(min=0.1), lambda a: a.clamp(min=0.1)),
    "pow_scalar": (lambda a: a ** 3, lambda a: a ** 3),
    "square": (lambda a: a ** 2, lambda a: a ** 2),
    "rsub_scalar": (lambda a: 2.0 - a, lambda a: 2.0 - a),
    "rdiv_scalar": (lambda a: 1.0 / (a * a + 1.0), lambda a: 1.0 / (a * a + 1.0)),
}


def _draw(rng, shape, positive=False):
    x = rng.standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4),
       seed=st.integers(0, 2**16))
def test_binary_ops_match_torch(name, shapes, seed):
    rng = np.random.default_rng(seed)
    a = _draw(rng, shapes.input_shapes[0])
    b = _draw(rng, shapes.input_shapes[1], positive=name in ("div", "pow"))
    compare_fn(*BINARY[name], a, b)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
       seed=st.integers(0, 2**16))
def test_unary_ops_match_torch(name, shape, seed):
    compare_fn(*UNARY[name], _draw(np.random.default_rng(seed), shape))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_finite_differences(name):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 1)), np.abs(rng.standard_normal((1, 4))) + 0.5
    finite_difference_check(BINARY[name][0], a, b)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_finite_differences(name):
    x = np.random.default_rng(2).standard_normal((2, 3))
    x[np.abs(np.abs(x) - 0.5) < 0.05] += 0.2  # keep away from clip's kinks
    x[np.abs(np.abs(x) - 0.7) < 0.05] += 0.2
    finite_difference_check(UNARY[name][0], x)


def test_where_matches_torch():
    rng = np.random.default_rng(3)
    cond = rng.random((3, 4)) > 0.5
    compare_fn(lambda a, b: tidu.where(tidu.Tensor(cond), a, b),
               lambda a, b: torch.where(torch.from_numpy(cond), a, b),
               rng.standard_normal((3, 4)), rng.standard_normal((1, 4)))
    finite_difference_check(lambda a, b: tidu.where(cond, a, b),
                            rng.standard_normal((3, 4)), rng.standard_normal((4,)))


def test_maximum_splits_ties_like_torch():
    a = np.array([1.0, 2.0, 3.0])
    compare_fn(tidu.maximum, torch.maximum, a, a.copy())
    compare_fn(tidu.minimum, torch.minimum, a, np.array([1.0, 5.0, 0.0]))


def test_pow_tensor_exponent_grad():
    rng = np.random.default_rng(4)
    compare_fn(lambda a, b: a ** b, lambda a, b: a ** b,
               np.abs(rng.standard_normal((2, 3))) + 0.5, rng.standard_normal((2, 3)))


def test_float32_is_kept_through_ops():
    x = tidu.Tensor(np.ones((2, 3)), requires_grad=True)
    assert x.dtype == np.float32
    y = tidu.exp(x * 2.5 + 1) / 3 - x ** 2
    y = tidu.sqrt(tidu.abs(y)).clip(0, 5)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_mixed_float_dtypes_are_refused():
    a = tidu.Tensor(np.ones(3), dtype=np.float32)
    b = tidu.Tensor(np.ones(3), dtype=np.float64)
    with pytest.raises(tidu.DTypeError, match="float32.*float64|float64.*float32"):
        a + b


def test_broadcast_mismatch_names_op_and_shapes():
    with pytest.raises(tidu.ShapeError, match=r"mul: shapes \(2, 3\) and \(4,\)"):
        tidu.Tensor(np.ones((2, 3))) * tidu.Tensor(np.ones(4))


def test_integer_tensor_is_cast_to_float_partner():
    x = tidu.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = x * tidu.Tensor(np.array([1, 2, 3]))
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [1, 2, 3])


def test_add_and_sub_with_alpha_match_torch():
    from tests.oracle import compare_fn
    a, b = np.random.default_rng(1).normal(size=(2, 3, 4))
    compare_fn(lambda x, y: tidu.add(x, y, alpha=2.5) * x.sub(y, alpha=-0.5),
               lambda x, y: torch.add(x, y, alpha=2.5) * x.sub(y, alpha=-0.5), a, b)
