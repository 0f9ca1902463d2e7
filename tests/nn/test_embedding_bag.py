"""F.embedding_bag / nn.EmbeddingBag and F.pdist against torch in float64 (same weights):
sum/mean/max, 2-D input or offsets (include_last_offset, empty bags), per_sample_weights,
padding_idx, forward and gradients; pdist for p in 0, 1, 2, 3, ∞; bad input errors."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check
from tidu.errors import ArgumentError, ShapeError

TF = torch.nn.functional
RNG = np.random.default_rng(96)
W = RNG.standard_normal((10, 4))
IDX2 = np.array([[1, 2, 4, 5], [4, 3, 2, 9], [0, 0, 7, 1]])
IDX1 = np.array([1, 2, 4, 5, 4, 3, 2, 9, 7])
OFF = np.array([0, 2, 2, 6])  # bag 1 empty


def _both(fn, *ints):
    """tidu and torch callables with the integer arrays bound (torch gets int64 tensors)."""
    return (lambda *xs: fn(F, tidu.tensor, *xs), lambda *xs: fn(TF, torch.tensor, *xs))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_two_dim_input_each_row_a_bag(mode):
    t, p = _both(lambda f, T, w: f.embedding_bag(T(IDX2), w, mode=mode))
    compare_fn(t, p, W)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("last", [False, True])
def test_offsets_with_an_empty_bag(mode, last):
    # with include_last_offset the last offset is the input's length (PyTorch's contract)
    off = np.append(OFF, len(IDX1)) if last else OFF
    t, p = _both(lambda f, T, w: f.embedding_bag(T(IDX1), w, T(off), mode=mode,
                                                 include_last_offset=last))
    compare_fn(t, p, W)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_padding_idx_is_left_out_of_bags_and_counts(mode):
    t, p = _both(lambda f, T, w: f.embedding_bag(T(IDX1), w, T(OFF), mode=mode, padding_idx=4))
    compare_fn(t, p, W)
    t, p = _both(lambda f, T, w: f.embedding_bag(T(IDX2), w, mode=mode, padding_idx=2))
    compare_fn(t, p, W)


def test_per_sample_weights_get_their_gradient():
    psw = RNG.standard_normal(IDX1.shape)
    t, p = _both(lambda f, T, w, s: f.embedding_bag(T(IDX1), w, T(OFF), mode="sum",
                                                    per_sample_weights=s, padding_idx=2))
    compare_fn(t, p, W, psw)
    psw2 = RNG.standard_normal(IDX2.shape)
    t, p = _both(lambda f, T, w, s: f.embedding_bag(T(IDX2), w, mode="sum", per_sample_weights=s))
    compare_fn(t, p, W, psw2)
    finite_difference_check(lambda w, s: F.embedding_bag(tidu.tensor(IDX2), w, mode="sum",
                                                         per_sample_weights=s), W[:, :2], psw2)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_module_matches_torch_with_copied_weights(mode):
    tm = nn.EmbeddingBag(10, 4, mode=mode, padding_idx=3)
    pm = torch.nn.EmbeddingBag(10, 4, mode=mode, padding_idx=3)
    off = tidu.tensor(OFF), torch.tensor(OFF)
    compare_module(tm, pm, IDX1, call=lambda m, i: m(i, off[0] if m is tm else off[1]))
    compare_module(tm, pm, IDX2)


def test_module_defaults_init_and_weight():
    m = nn.EmbeddingBag(1000, 8, padding_idx=0)
    assert m.mode == "mean" and not m.include_last_offset
    w = m.weight.cpu().numpy()
    assert np.all(w[0] == 0)
    assert abs(w[1:].mean()) < 0.05 and abs(w[1:].std() - 1) < 0.05  # N(0, 1) as torch
    m = nn.EmbeddingBag(10, 4, _weight=tidu.tensor(W), mode="sum")
    np.testing.assert_array_equal(m.weight.cpu().numpy(), W)
    out = m(tidu.tensor(IDX1), tidu.tensor(OFF))
    np.testing.assert_allclose(out.cpu().numpy(), TF.embedding_bag(
        torch.tensor(IDX1), torch.tensor(W), torch.tensor(OFF), mode="sum").numpy(), rtol=1e-12)


def test_embedding_bag_errors():
    w = tidu.tensor(W)
    with pytest.raises(ArgumentError, match="mode"):
        F.embedding_bag(tidu.tensor(IDX2), w, mode="median")
    with pytest.raises(ArgumentError, match="offsets must be None"):
        F.embedding_bag(tidu.tensor(IDX2), w, tidu.tensor(OFF))
    with pytest.raises(ValueError):
        TF.embedding_bag(torch.tensor(IDX2), torch.tensor(W), torch.tensor(OFF))
    with pytest.raises(ArgumentError, match="offsets has to be a 1-D tensor"):
        F.embedding_bag(tidu.tensor(IDX1), w)
    with pytest.raises(ArgumentError, match="offsets must start at 0"):
        F.embedding_bag(tidu.tensor(IDX1), w, tidu.tensor([1, 3]))
    with pytest.raises(ArgumentError, match="per_sample_weights.*mode='sum'"):
        F.embedding_bag(tidu.tensor(IDX2), w, per_sample_weights=tidu.tensor(np.ones(IDX2.shape)))
    with pytest.raises(NotImplementedError):
        TF.embedding_bag(torch.tensor(IDX2), torch.tensor(W),
                         per_sample_weights=torch.ones(IDX2.shape, dtype=torch.float64))
    with pytest.raises(ShapeError, match="per_sample_weights"):
        F.embedding_bag(tidu.tensor(IDX2), w, mode="sum", per_sample_weights=tidu.tensor(np.ones(3)))
    with pytest.raises(IndexError):
        F.embedding_bag(tidu.tensor(np.array([[1, 10]])), w)
    with pytest.raises(ShapeError, match="1-D or 2-D"):
        F.embedding_bag(tidu.tensor(np.zeros((1, 2, 2), dtype=np.int64)), w)
    for kw in ({"max_norm": 1.0}, {"scale_grad_by_freq": True}, {"sparse": True}):
        with pytest.raises(NotImplementedError, match=next(iter(kw))):
            nn.EmbeddingBag(10, 4, **kw)


# --------------------------------------------------------------------------- pdist
@pytest.mark.parametrize("p", [0, 1, 2, 3, float("inf"), 0.5])
def test_pdist_matches_torch(p):
    x = RNG.standard_normal((5, 3))
    compare_fn(lambda t: F.pdist(t, p), lambda t: TF.pdist(t, p), x)


def test_pdist_default_p_coincident_rows_and_finite_differences():
    x = RNG.standard_normal((4, 3))
    x[2] = x[0]  # a zero distance: gradient 0 there, as torch
    compare_fn(F.pdist, TF.pdist, x)
    finite_difference_check(lambda t: F.pdist(t, 3), RNG.standard_normal((4, 2)))
    assert tuple(F.pdist(tidu.tensor(np.zeros((1, 3)))).shape) == (0,)


def test_pdist_errors():
    with pytest.raises(ShapeError, match="2D"):
        F.pdist(tidu.tensor(np.zeros(3)))
    with pytest.raises(RuntimeError):
        TF.pdist(torch.zeros(3))
    with pytest.raises(ArgumentError, match="non-negative"):
        F.pdist(tidu.tensor(np.zeros((3, 2))), -1)
    with pytest.raises(RuntimeError):
        TF.pdist(torch.zeros(3, 2), -1)
    with pytest.raises(TypeError, match="floating"):
        F.pdist(tidu.tensor(np.zeros((3, 2), dtype=np.int64)))
