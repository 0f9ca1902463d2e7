"""Dropout (inverted, statistics, gradient = mask/(1−p), seeding, eval identity, p checked)
and embedding (oracle against torch with index shapes drawn by hypothesis, repeated indices
accumulate, padding_idx, PyTorch's init, errors, dtype kept)."""
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
seeds = st.integers(0, 2**16)


# --------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 0.9])
def test_dropout_in_eval_is_the_identity(p):
    x = tidu.Tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)
    y = F.dropout(x, p, training=False)
    np.testing.assert_array_equal(y._data, x._data)
    compare_fn(lambda t: F.dropout(t, p, training=False), lambda t: TF.dropout(t, p, training=False),
               np.random.default_rng(1).standard_normal((3, 4)))
    m = nn.Dropout(p).eval()
    np.testing.assert_array_equal(m(x)._data, x._data)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_training_keeps_the_mean_and_drops_a_fraction_p(p):
    tidu.manual_seed(1)
    n = 200_000
    x = tidu.Tensor(np.full(n, 2.0), dtype=np.float64)
    y = F.dropout(x, p)._data
    dropped = np.mean(y == 0)
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(y[y != 0], 2.0 / (1 - p), rtol=1e-12)  # survivors scaled
    # E[y] = x: the sample mean is within 5 standard errors (var of y = x²·p/(1−p))
    assert abs(y.mean() - 2.0) < 5 * 2.0 * np.sqrt(p / (1 - p) / n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [0.25, 0.6])
def test_dropout_gradient_is_mask_over_keep_probability(dtype, p):
    tidu.manual_seed(2)
    x_np = np.random.default_rng(2).uniform(0.5, 2.0, (50, 40))
    x = tidu.Tensor(x_np, requires_grad=True, dtype=dtype)
    y = F.dropout(x, p)
    g = np.random.default_rng(3).standard_normal(y.shape).astype(dtype)
    y.backward(g)
    mask = y._data != 0
    assert 0 < mask.mean() < 1
    expected = g * mask / dtype(1 - p)
    np.testing.assert_allclose(x.grad._data, expected, rtol=1e-6)
    np.testing.assert_allclose(y._data, x._data * mask / dtype(1 - p), rtol=1e-6)
    assert y.dtype == dtype and x.grad.dtype == dtype


def test_dropout_is_reproducible_with_manual_seed():
    x = tidu.Tensor(np.ones((30, 30)))
    tidu.manual_seed(42)
    a = F.dropout(x)._data
    b = F.dropout(x)._data
    tidu.manual_seed(42)
    c = F.dropout(x)._data
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)
    tidu.manual_seed(42)
    np.testing.assert_array_equal(nn.Dropout()(x)._data, a)


def test_dropout_extreme_probabilities():
    x = tidu.Tensor(np.random.default_rng(4).standard_normal((5, 6)), requires_grad=True)
    y = F.dropout(x, 1.0)
    np.testing.assert_array_equal(y._data, 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, 0.0)
    assert np.isfinite(x.grad._data).all()
    np.testing.assert_array_equal(F.dropout(x, 0.0)._data, x._data)
    with torch.no_grad():
        assert (TF.dropout(torch.ones(5), 1.0) == 0).all()  # torch agrees for p = 1


def test_dropout_module_follows_train_and_eval_mode():
    m = nn.Dropout(0.5)
    assert repr(m) == "Dropout(p=0.5)"
    x = tidu.Tensor(np.ones((100, 100)))
    assert (m(x)._data == 0).any()
    m.eval()
    np.testing.assert_array_equal(m(x)._data, 1.0)
    m.train()
    assert (m(x)._data == 0).any()


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", None, True])
def test_dropout_probability_is_validated(p):
    with pytest.raises(ValueError, match=r"dropout probability has to be between 0 and 1"):
        F.dropout(tidu.Tensor(np.ones(3)), p)
    with pytest.raises(ValueError, match=r"Dropout: dropout probability has to be between 0 and 1"):
        nn.Dropout(p)


def test_dropout_rejects_integer_tensors():
    with pytest.raises(tidu.DTypeError, match="dropout: expected a float tensor, got dtype int64"):
        F.dropout(tidu.Tensor(np.array([1, 2, 3])))


# --------------------------------------------------------------------------- embedding
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
       num=st.integers(1, 6), dim=st.integers(1, 4), seed=seeds,
       padding=st.one_of(st.none(), st.integers(-1, 0)))
def test_embedding_matches_torch(shape, num, dim, seed, padding):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, num, shape)  # small tables: indices repeat
    w = rng.standard_normal((num, dim))
    out = compare_fn(lambda i, w: F.embedding(i, w, padding_idx=padding),
                     lambda i, w: TF.embedding(i, w, padding_idx=padding), idx, w)
    assert out.shape == shape + (dim,)


def test_embedding_repeated_indices_accumulate_and_padding_gets_nothing():
    w = tidu.Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True, dtype=np.float64)
    idx = np.array([[1, 1, 3], [1, 0, 0]])
    out = F.embedding(idx, w, padding_idx=0)
    np.testing.assert_array_equal(out._data[0, 2], [9.0, 10.0, 11.0])
    g = np.arange(18.0).reshape(2, 3, 3)
    out.backward(g)
    expected = np.zeros((4, 3))
    expected[1] = g[0, 0] + g[0, 1] + g[1, 0]
    expected[3] = g[0, 2]
    np.testing.assert_array_equal(w.grad._data, expected)  # row 0 (padding) and row 2 unused: 0


@pytest.mark.parametrize("padding_idx", [None, 0, 2, -1])
@given(seed=seeds, shape=st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple))
def test_embedding_module_matches_torch(padding_idx, seed, shape):
    torch.manual_seed(seed)
    idx = np.random.default_rng(seed).integers(0, 5, shape)
    compare_module(nn.Embedding(5, 3, padding_idx=padding_idx),
                   torch.nn.Embedding(5, 3, padding_idx=padding_idx), idx)


def test_embedding_finite_differences():
    rng = np.random.default_rng(5)
    idx = np.array([[0, 2, 2], [3, 0, 2]])
    finite_difference_check(lambda w: F.embedding(idx, w), rng.standard_normal((4, 2)))
    # (padding_idx deliberately departs from the true derivative: tested above)


def test_embedding_module_init_padding_row_and_state_dict():
    tidu.manual_seed(0)
    m = nn.Embedding(1000, 64, padding_idx=3)
    w = m.weight._data
    assert w.dtype == np.float32 and w.shape == (1000, 64)
    np.testing.assert_array_equal(w[3], 0.0)
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1.0) < 0.01  # N(0, 1) as PyTorch
    assert list(m.state_dict()) == ["weight"]
    assert repr(m) == repr(torch.nn.Embedding(1000, 64, padding_idx=3))
    assert nn.Embedding(5, 2, padding_idx=-2).padding_idx == 3
    # a training step leaves the padding row at zero
    out = m(tidu.Tensor(np.array([[3, 1, 3]])))
    out.sum().backward()
    np.testing.assert_array_equal(m.weight.grad._data[3], 0.0)
    np.testing.assert_array_equal(m.weight.grad._data[1], 1.0)


def test_embedding_from_pretrained():
    table = np.arange(6.0).reshape(3, 2)
    m = nn.Embedding.from_pretrained(table)
    assert m.weight.dtype == np.float64 and not m.weight.requires_grad
    np.testing.assert_array_equal(m(tidu.Tensor(np.array([2, 0])))._data, [[4.0, 5.0], [0.0, 1.0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int64, np.int32, np.uint8])
def test_embedding_dtypes(dtype, index_dtype):
    m = nn.Embedding(6, 3, dtype=dtype)
    out = m(tidu.Tensor(np.array([[1, 5], [5, 5]], dtype=index_dtype)))
    assert out.dtype == dtype and out.shape == (2, 2, 3)
    out.sum().backward()
    assert m.weight.grad.dtype == dtype
    np.testing.assert_array_equal(m.weight.grad._data[5], 3.0)


def test_embedding_errors():
    m = nn.Embedding(4, 2)
    with pytest.raises(tidu.IndexRangeError, match=r"Embedding\(4, 2\): index 4 is out of range for 4 "
                                         r"embeddings \(valid indices are 0 … 3\)"):
        m(tidu.Tensor(np.array([0, 4])))
    with pytest.raises(IndexError, match=r"index -1 is out of range"):
        m(tidu.Tensor(np.array([[0, -1]])))
    with pytest.raises(tidu.DTypeError, match=r"Embedding\(4, 2\): expected integer indices.*float32"):
        m(tidu.Tensor(np.array([0.0, 1.0])))
    with pytest.raises(tidu.DTypeError, match=r"embedding: expected integer indices.*bool"):
        F.embedding(np.array([True, False]), m.weight)
    with pytest.raises(ValueError, match=r"padding_idx=4 must be within num_embeddings=4"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(ValueError, match=r"padding_idx=-5"):
        F.embedding(np.array([0]), m.weight, padding_idx=-5)
    with pytest.raises(tidu.ShapeError, match=r"embedding: weight must be 2-D .*\(4,\)"):
        F.embedding(np.array([0]), tidu.Tensor(np.ones(4)))
