"""PyTorch's tensor API on tidu (issue 11): every function/method against torch in float64,
forward and backward (tests/oracle.py), plus the errors PyTorch also raises."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn, finite_difference_check
from tidu.errors import ArgumentError, DimError, DTypeError, IndexRangeError, ShapeError

RNG = np.random.default_rng(11)


def _x(*shape, positive=False):
    x = RNG.standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


# ----------------------------------------------------------------------------- element-wise
UNARY = ["sin", "cos", "tanh", "sigmoid", "relu", "square", "sign", "floor", "ceil", "round"]
POSITIVE = ["log1p", "expm1", "rsqrt"]


@pytest.mark.parametrize("name", UNARY + POSITIVE)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_unary_function_and_method(name, shape):
    x = _x(*shape, positive=name in POSITIVE) * 3
    compare_fn(getattr(tidu, name), getattr(torch, name), x)
    compare_fn(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), x)


def test_round_decimals():
    x = np.array([0.125, 1.5, 2.5, -0.5, 3.14159])
    compare_fn(lambda a: tidu.round(a, decimals=2), lambda a: torch.round(a, decimals=2), x)
    with pytest.raises(DTypeError, match="decimals"):
        tidu.round(tidu.tensor(x), decimals=1.5)


@pytest.mark.parametrize("name", ["sin", "cos", "log1p", "expm1", "rsqrt", "square"])
def test_unary_finite_differences(name):
    finite_difference_check(getattr(tidu, name), _x(2, 3, positive=True))


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_are_bool_tensors(name):
    a = np.round(_x(3, 4))
    b = np.round(_x(4))
    out = getattr(tidu.tensor(a), name)(tidu.tensor(b))
    expect = getattr(torch.tensor(a), name)(torch.tensor(b)).numpy()
    assert out.dtype == np.bool_ and not out.requires_grad
    np.testing.assert_array_equal(out._data, expect)
    np.testing.assert_array_equal(getattr(tidu, name)(tidu.tensor(a), 0.0)._data,
                                  getattr(torch, name)(torch.tensor(a), 0.0).numpy())


# ----------------------------------------------------------------------------- shape
SHAPE_CASES = {
    "view_as": (lambda a: a.view_as(tidu.zeros(4, 3)), lambda a: a.view_as(torch.zeros(4, 3)),
                (3, 4)),
    "t_2d": (lambda a: a.t(), lambda a: a.t(), (3, 4)),
    "t_1d": (lambda a: tidu.t(a), lambda a: torch.t(a), (4,)),
    "expand": (lambda a: a.expand(2, 3, -1, 4), lambda a: a.expand(2, 3, -1, 4), (3, 1, 1)),
    "expand_tuple": (lambda a: a.expand((5, 2)), lambda a: a.expand((5, 2)), (2,)),
    "expand_as": (lambda a: a.expand_as(tidu.zeros(2, 3, 4)),
                  lambda a: a.expand_as(torch.zeros(2, 3, 4)), (3, 1)),
    "repeat": (lambda a: a.repeat(2, 3), lambda a: a.repeat(2, 3), (3, 2)),
    "repeat_lead": (lambda a: a.repeat(2, 1, 3), lambda a: a.repeat(2, 1, 3), (3, 2)),
    "repeat_0d": (lambda a: a.repeat(4), lambda a: a.repeat(4), ()),
    "clone": (lambda a: a.clone() * 2, lambda a: a.clone() * 2, (3, 2)),
    "contiguous": (lambda a: a.t().contiguous(), lambda a: a.t().contiguous(), (3, 2)),
}


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_shape_ops(name):
    tf, pf, shape = SHAPE_CASES[name]
    compare_fn(tf, pf, _x(*shape))


@pytest.mark.parametrize("call, error", [
    (lambda a: a.expand(3, 5), ShapeError),        # dim of size 4 cannot grow to 5
    (lambda a: a.expand(4), ShapeError),           # fewer sizes than dims
    (lambda a: a.expand(-1, 3, 4), ShapeError),    # -1 for a new leading dim
    (lambda a: a.repeat(2), ShapeError),           # fewer counts than dims
    (lambda a: a.reshape(3, 4, 1).t(), DimError),  # t() of a 3-D tensor
])
def test_shape_errors(call, error):
    with pytest.raises(error):
        call(tidu.tensor(_x(3, 4)))


def test_clone_is_a_copy_and_contiguous_keeps_self():
    a = tidu.tensor(_x(3, 2))
    c = a.clone()
    c._data[0, 0] = 99.0
    assert a._data[0, 0] != 99.0
    assert a.contiguous() is a


# ----------------------------------------------------------------------------- indexing
@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_gather_scatters_back_with_repeats(dim):
    x = _x(3, 4, 5)
    shape = list(x.shape)
    shape[dim] = 6  # larger than the input along dim: indices repeat
    index = RNG.integers(0, x.shape[dim], size=shape)
    index = index[:2] if dim != 0 else index  # smaller than the input off dim
    compare_fn(lambda a, i: tidu.gather(a, dim, i), lambda a, i: torch.gather(a, dim, i), x, index)
    compare_fn(lambda a, i: a.gather(dim, i), lambda a, i: a.gather(dim, i), x, index)


@pytest.mark.parametrize("index, error", [
    (np.array([[0, 4]]), IndexRangeError),          # out of bounds
    (np.array([[-1, 0]]), IndexRangeError),         # negative (PyTorch refuses too)
    (np.array([0, 1]), ShapeError),                 # rank differs
    (np.zeros((5, 1), dtype=np.int64), ShapeError),  # larger than the input off dim
    (np.array([[0.0, 1.0]]), DTypeError),           # not integers
])
def test_gather_errors(index, error):
    with pytest.raises(error):
        tidu.gather(tidu.tensor(_x(3, 4)), 1, tidu.tensor(index))
    with pytest.raises(DimError):
        tidu.gather(tidu.tensor(_x(3, 4)), 2, tidu.tensor(np.array([[0]])))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select_accumulates_repeats(dim):
    x = _x(4, 5)
    index = np.array([3, 0, 3, 1, 3])
    compare_fn(lambda a, i: tidu.index_select(a, dim, i),
               lambda a, i: torch.index_select(a, dim, i), x, index)
    compare_fn(lambda a, i: a.index_select(dim, i), lambda a, i: a.index_select(dim, i), x, index)


def test_index_select_errors():
    a = tidu.tensor(_x(4, 5))
    with pytest.raises(IndexRangeError):
        a.index_select(0, tidu.tensor([4]))
    with pytest.raises(ShapeError):
        a.index_select(0, tidu.tensor([[0]]))
    with pytest.raises(DimError):
        a.index_select(2, tidu.tensor([0]))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the oracle sums -inf·w
@pytest.mark.parametrize("mask_shape", [(3, 4), (4,), (3, 1)])
@pytest.mark.parametrize("value", [0.0, -1e9, float("-inf")])
def test_masked_fill(mask_shape, value):
    x = _x(3, 4)
    mask = RNG.random(mask_shape) > 0.5
    compare_fn(lambda a, m: a.masked_fill(m, value), lambda a, m: a.masked_fill(m, value),
               x, mask, atol=0)


def test_masked_fill_tensor_value_gets_gradient():
    x, v = _x(3, 4), np.array(0.7)
    mask = RNG.random((3, 4)) > 0.5
    compare_fn(lambda a, b: tidu.masked_fill(a, tidu.tensor(mask), b),
               lambda a, b: torch.masked_fill(a, torch.tensor(mask), b), x, v)


def test_masked_fill_errors():
    a = tidu.tensor(_x(3, 4))
    with pytest.raises(DTypeError):
        a.masked_fill(tidu.tensor(np.ones((3, 4))), 0.0)  # mask not bool
    with pytest.raises(ShapeError):
        a.masked_fill(tidu.tensor(np.ones((2, 4), dtype=bool)), 0.0)
    with pytest.raises(ShapeError):
        a.masked_fill(tidu.tensor(np.ones((3, 4), dtype=bool)), tidu.tensor([1.0, 2.0]))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort(dim, descending):
    x = _x(4, 5)
    out = compare_fn(lambda a: tidu.sort(a, dim=dim, descending=descending),
                     lambda a: torch.sort(a, dim=dim, descending=descending), x)
    assert out.indices.dtype == np.int64 and out.values is out[0]
    compare_fn(lambda a: a.sort(dim, descending), lambda a: a.sort(dim, descending), x)


def test_sort_is_stable_and_nan_is_largest():
    x = np.array([2.0, 1.0, np.nan, 1.0, 2.0])
    for descending in (False, True):
        v, i = tidu.tensor(x).sort(descending=descending)
        tv, ti = torch.sort(torch.tensor(x), descending=descending, stable=True)
        np.testing.assert_array_equal(v._data, tv.numpy())
        np.testing.assert_array_equal(i._data, ti.numpy())


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, -1])
def test_topk(k, largest, dim):
    x = _x(5, 6)
    compare_fn(lambda a: tidu.topk(a, k, dim=dim, largest=largest),
               lambda a: torch.topk(a, k, dim=dim, largest=largest), x)
    compare_fn(lambda a: a.topk(k, dim, largest), lambda a: a.topk(k, dim, largest), x)


def test_topk_errors():
    a = tidu.tensor(_x(3, 4))
    with pytest.raises(ArgumentError):
        a.topk(5)
    with pytest.raises(ArgumentError):
        a.topk(-1)
    with pytest.raises(DimError):
        a.topk(1, dim=2)


# ----------------------------------------------------------------------------- reductions
@pytest.mark.parametrize("dim", [0, 1, -1, -3])
def test_cumsum(dim):
    x = _x(3, 4, 2)
    compare_fn(lambda a: tidu.cumsum(a, dim), lambda a: torch.cumsum(a, dim), x)
    compare_fn(lambda a: a.cumsum(dim=dim), lambda a: a.cumsum(dim=dim), x)
    with pytest.raises(DimError):
        tidu.cumsum(tidu.tensor(x), 3)


def test_cumsum_of_ints_is_int64():
    x = np.array([[1, 2], [3, 4]], dtype=np.int32)
    out = tidu.tensor(x).cumsum(0)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out._data, torch.tensor(x).cumsum(0).numpy())


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_all_any(name, dim, keepdim):
    x = RNG.random((3, 4)) > 0.3
    x[0] = True
    t_in, p_in = tidu.tensor(x), torch.tensor(x)
    if dim is None:
        out, expect = getattr(t_in, name)(), getattr(torch, name)(p_in)
    else:
        out = getattr(tidu, name)(t_in, dim, keepdim)
        expect = getattr(p_in, name)(dim=dim, keepdim=keepdim)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out._data, expect.numpy())


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std"])
def test_dim_keepdim_aliases(name):
    x = _x(3, 4)
    compare_fn(lambda a: getattr(a, name)(dim=1, keepdim=True),
               lambda a: getattr(a, name)(dim=1, keepdim=True), x)
    a = tidu.tensor(x)
    np.testing.assert_array_equal(getattr(a, name)(dim=0)._data, getattr(a, name)(axis=0)._data)
    with pytest.raises(ArgumentError, match="not both"):
        getattr(a, name)(axis=0, dim=0)
    with pytest.raises(ArgumentError, match="not both"):
        getattr(a, name)(keepdims=True, keepdim=True)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_extreme_aliases(name):
    x = _x(3, 4)
    out = getattr(tidu.tensor(x), name)(dim=1, keepdim=True)
    np.testing.assert_array_equal(out._data,
                                  getattr(torch.tensor(x), name)(dim=1, keepdim=True).numpy())


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_max_min_along_a_dim_give_values_and_indices(name, dim, keepdim):
    # ties included: the gradient goes to the index returned, as PyTorch's
    x = np.round(_x(4, 5), 0)
    out = compare_fn(lambda a: getattr(a, name)(dim, keepdim=keepdim),
                     lambda a: getattr(a, name)(dim, keepdim=keepdim), x)
    assert out._fields == ("values", "indices") and out.indices.dtype == np.int64
    compare_fn(lambda a: getattr(tidu, name)(a, dim=dim), lambda a: getattr(torch, name)(a, dim=dim), x)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_whole_tensor_and_elementwise(name):
    x = np.round(_x(3, 4), 0)  # ties: the full reduction shares the gradient evenly, as torch
    compare_fn(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), x)
    compare_fn(lambda a, b: getattr(tidu, name)(a, b), lambda a, b: getattr(torch, name)(a, b),
               _x(3, 4), _x(3, 4))
    compare_fn(lambda a: getattr(tidu, "a" + name)(a, (0, 1)),
               lambda a: getattr(torch, "a" + name)(a, (0, 1)), x)
    with pytest.raises(ArgumentError, match="one int"):
        getattr(tidu.tensor(x), name)((0, 1))


@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_and_scatter_add(dim):
    x = _x(3, 4)
    index = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])  # rows along dim 0; repeats for scatter_add
    if dim == 1:
        index = np.array([[3, 0], [1, 2], [0, 3]])
    # (torch differentiates src only when it has the index's shape)
    compare_fn(lambda a, s: tidu.scatter_add(a, dim, tidu.tensor(index), s),
               lambda a, s: torch.scatter_add(a, dim, torch.tensor(index), s), x,
               _x(*index.shape))
    unique = np.argsort(RNG.random((3, 4)), axis=dim)[:2] if dim == 0 else \
        np.argsort(RNG.random((3, 4)), axis=1)[:, :2]
    compare_fn(lambda a, s: a.scatter(dim, tidu.tensor(unique), s),
               lambda a, s: a.scatter(dim, torch.tensor(unique), s), x, _x(*unique.shape))
    compare_fn(lambda a: a.scatter(dim, tidu.tensor(unique), value=2.5),
               lambda a: a.scatter(dim, torch.tensor(unique), 2.5), x)


def test_scatter_one_hot_idiom_and_errors():
    labels = np.array([2, 0, 1])
    ours = tidu.zeros(3, 4).scatter_(1, tidu.tensor(labels).unsqueeze(1), 1.0)
    theirs = torch.zeros(3, 4).scatter_(1, torch.tensor(labels).unsqueeze(1), 1.0)
    np.testing.assert_array_equal(ours.cpu().numpy(), theirs.numpy())
    with pytest.raises(IndexRangeError):
        tidu.zeros(3, 4).scatter_(1, tidu.tensor([[4]]), 1.0)
    with pytest.raises(ShapeError):
        tidu.zeros(3, 4).scatter_(1, tidu.tensor([0, 1]), 1.0)


# ----------------------------------------------------------------------------- linalg
def test_mm_and_bmm():
    compare_fn(tidu.mm, torch.mm, _x(3, 4), _x(4, 2))
    compare_fn(lambda a, b: a.mm(b), lambda a, b: a.mm(b), _x(3, 4), _x(4, 2))
    compare_fn(tidu.bmm, torch.bmm, _x(2, 3, 4), _x(2, 4, 5))
    compare_fn(lambda a, b: a.bmm(b), lambda a, b: a.bmm(b), _x(2, 3, 4), _x(2, 4, 5))


@pytest.mark.parametrize("fn, a, b", [
    (tidu.mm, (3,), (3, 2)), (tidu.mm, (2, 3, 4), (4, 2)), (tidu.mm, (3, 4), (3, 2)),
    (tidu.bmm, (3, 4), (4, 2)), (tidu.bmm, (2, 3, 4), (3, 4, 2)), (tidu.bmm, (2, 3, 4), (2, 3, 2)),
])
def test_mm_bmm_shape_errors(fn, a, b):
    with pytest.raises(ShapeError):
        fn(tidu.tensor(_x(*a)), tidu.tensor(_x(*b)))


# ----------------------------------------------------------------------------- conversions
def test_one_element_conversions():
    assert bool(tidu.tensor([0.0])) is False and bool(tidu.tensor(2.0)) is True
    assert int(tidu.tensor([[3.7]])) == 3 and float(tidu.tensor(2)) == 2.0
    assert [10, 20, 30][tidu.tensor(2)] == 30
    assert int(tidu.tensor(-3.7)) == int(torch.tensor(-3.7))


@pytest.mark.parametrize("convert", [bool, int, float])
def test_many_values_do_not_convert(convert):
    with pytest.raises(ValueError, match="ambiguous"):
        convert(tidu.tensor([1.0, 2.0]))


def test_float_tensor_is_no_index():
    with pytest.raises(TypeError):
        [1, 2][tidu.tensor(1.0)]


@pytest.mark.parametrize("method, dtype", [("int", np.int32), ("bool", np.bool_),
                                           ("long", np.int64), ("double", np.float64)])
def test_casts(method, dtype):
    x = np.array([[0.0, 1.5], [-2.5, 3.0]])
    out = getattr(tidu.tensor(x), method)()
    assert out.dtype == dtype
    np.testing.assert_array_equal(out._data, getattr(torch.tensor(x), method)().numpy())


def test_type():
    a = tidu.tensor(_x(2), dtype=np.float64, requires_grad=True)
    assert a.type() == "tidu.DoubleTensor" and tidu.tensor([1]).type() == "tidu.LongTensor"
    assert a.type(np.float32).dtype == np.float32 and a.type(np.float32).requires_grad
    ints = a.type(np.int64)
    assert ints.dtype == np.int64 and not ints.requires_grad


def test_cat_and_stack_take_dim_as_torch():
    a, b = _x(2, 3), _x(2, 3)
    compare_fn(lambda x, y: tidu.cat([x, y], dim=1), lambda x, y: torch.cat([x, y], dim=1), a, b)
    compare_fn(lambda x, y: tidu.stack((x, y), dim=-1), lambda x, y: torch.stack((x, y), dim=-1), a, b)
    with pytest.raises(ArgumentError, match="not both"):
        tidu.cat([tidu.tensor(a)], 1, dim=1)
