"""F.one_hot and F.dropout's PyTorch signature (training=, inplace=), against PyTorch."""
import inspect

import numpy as np
import pytest
import torch

import tidu
from tidu.errors import ArgumentError, DTypeError, GraphError, IndexRangeError
from tidu.nn import functional as F


@pytest.mark.parametrize("shape, num_classes", [((5,), -1), ((5,), 7), ((2, 3), -1),
                                                 ((2, 3, 4), 9), ((), 4), ((0,), 3)])
def test_one_hot_equals_torch(shape, num_classes):
    x = np.random.default_rng(0).integers(0, 4, size=shape).astype(np.int64)
    out = F.one_hot(tidu.Tensor(x), num_classes)
    expected = torch.nn.functional.one_hot(torch.from_numpy(x), num_classes).numpy()
    assert out.dtype == np.int64 and not out.requires_grad
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out._data, expected)


def test_one_hot_default_infers_classes():
    out = F.one_hot(tidu.Tensor(np.array([0, 3], dtype=np.int64)))
    assert out.shape == (2, 4)


@pytest.mark.parametrize("values, num_classes, error, match", [
    ([0, -1], -1, IndexRangeError, "non-negative"),
    ([0, 3], 3, IndexRangeError, "smaller than num_classes=3"),
    ([0, 1], 0, IndexRangeError, "smaller than num_classes=0"),
    ([0, 1], -2, IndexRangeError, "smaller than num_classes=-2"),
    ([], -1, ArgumentError, "empty"),
    ([0, 1], 2.0, ArgumentError, "num_classes must be an int"),
    ([0, 1], True, ArgumentError, "num_classes must be an int"),
])
def test_one_hot_errors_where_torch_raises(values, num_classes, error, match):
    x = np.array(values, dtype=np.int64)
    with pytest.raises(error, match=match):
        F.one_hot(tidu.Tensor(x), num_classes)
    with pytest.raises((RuntimeError, TypeError)):
        torch.nn.functional.one_hot(torch.from_numpy(x), num_classes)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.bool_])
def test_one_hot_refuses_non_int64(dtype):
    x = np.array([0, 1]).astype(dtype)
    with pytest.raises(DTypeError, match="int64"):
        F.one_hot(tidu.Tensor(x, dtype=dtype))
    with pytest.raises(RuntimeError, match="LongTensor"):
        torch.nn.functional.one_hot(torch.from_numpy(x))
    with pytest.raises(TypeError):
        F.one_hot(x)


def test_dropout_signature_matches_torch():
    ours = inspect.signature(F.dropout)
    theirs = inspect.signature(torch.nn.functional.dropout)
    assert list(ours.parameters)[1:] == list(theirs.parameters)[1:]
    assert [p.default for p in ours.parameters.values()][1:] == \
        [p.default for p in theirs.parameters.values()][1:]


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_inplace_writes_into_input(p):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 40)) + 5.0
    tidu.manual_seed(3)
    expected = F.dropout(tidu.Tensor(x.copy(), dtype=np.float64), p, training=True)._data
    t = tidu.Tensor(x.copy(), dtype=np.float64)
    tidu.manual_seed(3)
    out = F.dropout(t, p, training=True, inplace=True)
    assert out is t
    np.testing.assert_array_equal(t._data, expected)
    kept = t._data != 0
    np.testing.assert_allclose(t._data[kept], x[kept] / (1 - p) if p < 1 else x[kept])
    if p == 1.0:
        assert not kept.any()


def test_dropout_training_false_returns_input_unchanged():
    t = tidu.Tensor(np.ones((3, 3)))
    assert F.dropout(t, 0.5, training=False, inplace=True) is t
    assert np.all(t._data == 1)


def test_dropout_inplace_on_leaf_requiring_grad_is_refused_as_torch():
    x = np.ones((4, 4))
    with pytest.raises(GraphError, match="in place"):
        F.dropout(tidu.Tensor(x, requires_grad=True), 0.5, inplace=True)
    with pytest.raises(RuntimeError, match="in-place"):
        torch.nn.functional.dropout(torch.ones(4, 4, requires_grad=True), 0.5, inplace=True)
    with tidu.no_grad():  # allowed without recording, as in torch
        leaf = tidu.Tensor(x.copy(), requires_grad=True)
        assert F.dropout(leaf, 0.5, inplace=True) is leaf


def test_dropout_inplace_in_a_graph_keeps_gradients():
    x = tidu.Tensor(np.ones((30, 30)), requires_grad=True, dtype=np.float64)
    h = x * 2.0
    tidu.manual_seed(0)
    y = F.dropout(h, 0.5, inplace=True)
    y.sum().backward()
    mask = y._data != 0
    np.testing.assert_allclose(x.grad._data, np.where(mask, 4.0, 0.0))


def test_dropout_refuses_non_bool_inplace():
    with pytest.raises(ArgumentError, match="inplace must be a bool"):
        F.dropout(tidu.Tensor(np.ones(3)), 0.5, inplace="yes")
