"""histc, histogram, bucketize, searchsorted, isin, argwhere, unique_consecutive against
PyTorch (float64 / int64); none has a gradient."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close

RNG = np.random.default_rng(11)


def _both(x):
    return tidu.tensor(x), torch.tensor(x)


def _same(a, b, what):
    assert_close(a, b, what)
    assert a.dtype == np.dtype(str(b.dtype).replace("torch.", "")), (what, a.dtype, b.dtype)


@pytest.mark.parametrize("bins,lo,hi", [(100, 0, 0), (7, -1.0, 1.0), (4, 0.5, 0.5), (3, -5, 5)])
def test_histc(bins, lo, hi):
    t, p = _both(RNG.standard_normal(50))
    _same(tidu.histc(t, bins, lo, hi), torch.histc(p, bins, lo, hi), "histc")
    _same(t.histc(bins=bins, min=lo, max=hi), p.histc(bins=bins, min=lo, max=hi), "method")


def test_histc_edge_cases_and_errors():
    t, p = _both(np.array([1.0, 1.0, 1.0]))
    _same(tidu.histc(t, 4), torch.histc(p, 4), "equal values widen by 1")
    t, p = _both(np.array([0.0, 0.25, 0.5, 1.0]))
    _same(tidu.histc(t, 4, 0, 1), torch.histc(p, 4, 0, 1), "max lands in the last bin")
    with pytest.raises(ValueError, match="bins must be > 0"):
        tidu.histc(t, 0)
    with pytest.raises(ValueError, match="max must be larger than min"):
        tidu.histc(t, 3, 2, 1)
    with pytest.raises(TypeError, match="expects a float tensor"):
        tidu.histc(tidu.tensor([1, 2]))


@pytest.mark.parametrize("density", [False, True])
def test_histogram(density):
    x = RNG.standard_normal(40)
    w = RNG.random(40)
    t, p = _both(x)
    for kwargs_t, kwargs_p in [({}, {}), ({"range": (-1.0, 2.0)}, {"range": (-1.0, 2.0)}),
                               ({"weight": tidu.tensor(w)}, {"weight": torch.tensor(w)})]:
        ht, hp = (tidu.histogram(t, 6, density=density, **kwargs_t),
                  torch.histogram(p, 6, density=density, **kwargs_p))
        _same(ht.hist, hp.hist, "hist")
        _same(ht.bin_edges, hp.bin_edges, "bin_edges")
    edges = np.array([-2.0, -0.5, 0.0, 0.3, 2.0])
    ht = t.histogram(tidu.tensor(edges), density=density)
    hp = p.histogram(torch.tensor(edges), density=density)
    _same(ht[0], hp[0], "hist, tensor bins")
    _same(ht[1], hp[1], "edges, tensor bins")


def test_histogram_equal_values_and_errors():
    t, p = _both(np.array([1.0, 1.0]))
    ht, hp = tidu.histogram(t, 4), torch.histogram(p, 4)
    _same(ht.hist, hp.hist, "hist")
    _same(ht.bin_edges, hp.bin_edges, "edges widened by 0.5")
    with pytest.raises(ValueError, match="bins must be > 0"):
        tidu.histogram(t, 0)
    with pytest.raises(ValueError, match="weight .* must have the shape"):
        tidu.histogram(t, 3, weight=tidu.ones(3, dtype=tidu.float64))
    with pytest.raises(ValueError, match="min should not exceed max"):
        tidu.histogram(t, 3, range=(2.0, 1.0))


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("out_int32", [False, True])
def test_bucketize_searchsorted_1d(right, out_int32):
    b = np.array([-1.0, 0.0, 0.0, 0.5, 2.0])
    v = np.concatenate([RNG.standard_normal(7), b]).reshape(3, 4)  # ties with every edge
    (bt, bp), (vt, vp) = _both(b), _both(v)
    _same(tidu.bucketize(vt, bt, right=right, out_int32=out_int32),
          torch.bucketize(vp, bp, right=right, out_int32=out_int32), "bucketize")
    _same(tidu.searchsorted(bt, vt, right=right, out_int32=out_int32),
          torch.searchsorted(bp, vp, right=right, out_int32=out_int32), "searchsorted")
    _same(tidu.bucketize(0.0, bt, right=right), torch.bucketize(0.0, bp, right=right), "scalar")
    _same(tidu.searchsorted(bt, 0.5, right=right), torch.searchsorted(bp, 0.5, right=right), "scalar")


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_nd_and_sorter(side):
    seq = np.sort(RNG.standard_normal((3, 5)), axis=1)
    seq[0, 2] = seq[0, 1]
    vals = np.concatenate([RNG.standard_normal((3, 3)), seq[:, 1:2]], axis=1)
    (st, sp), (vt, vp) = _both(seq), _both(vals)
    _same(tidu.searchsorted(st, vt, side=side), torch.searchsorted(sp, vp, side=side), "N-D")
    unsorted = RNG.permutation(7).astype(np.float64)
    order = np.argsort(unsorted)
    q = np.array([0.5, 3.0, 6.5, -1.0])
    _same(tidu.searchsorted(tidu.tensor(unsorted), tidu.tensor(q), side=side,
                            sorter=tidu.tensor(order)),
          torch.searchsorted(torch.tensor(unsorted), torch.tensor(q), side=side,
                             sorter=torch.tensor(order)), "sorter")


def test_searchsorted_errors():
    s = tidu.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="side and right can't be set to opposites"):
        tidu.searchsorted(s, s, right=True, side="left")
    with pytest.raises(ValueError, match="side can only be 'left' or 'right'"):
        tidu.searchsorted(s, s, side="middle")
    with pytest.raises(ValueError, match="same leading dims"):
        tidu.searchsorted(tidu.ones(2, 3), tidu.ones(3, 1))
    with pytest.raises(IndexError, match="boundaries must be a 1-D"):
        tidu.bucketize(s, tidu.ones(2, 2))


@pytest.mark.parametrize("invert", [False, True])
def test_isin(invert):
    e, t = np.array([[1, 2, 3], [4, 5, 6]]), np.array([2, 6, 9])
    _same(tidu.isin(tidu.tensor(e), tidu.tensor(t), invert=invert),
          torch.isin(torch.tensor(e), torch.tensor(t), invert=invert), "tensors")
    _same(tidu.isin(tidu.tensor(e), 5, invert=invert), torch.isin(torch.tensor(e), 5, invert=invert),
          "number test")
    _same(tidu.isin(6, tidu.tensor(t)), torch.isin(6, torch.tensor(t)), "number element")
    with pytest.raises(TypeError, match="isin: expects elements or test_elements to be a tensor"):
        tidu.isin(1, 2)


def test_argwhere():
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    _same(tidu.argwhere(tidu.tensor(x)), torch.argwhere(torch.tensor(x)), "2-D")
    _same(tidu.tensor(x).argwhere(), torch.tensor(x).argwhere(), "method")
    _same(tidu.argwhere(tidu.tensor(3.0)), torch.argwhere(torch.tensor(3.0)), "0-d")


@pytest.mark.parametrize("inverse,counts", [(False, False), (True, False), (False, True), (True, True)])
def test_unique_consecutive(inverse, counts):
    x = np.array([[1, 1, 2], [2, 3, 3], [1, 1, 1]])
    out_t = tidu.unique_consecutive(tidu.tensor(x), return_inverse=inverse, return_counts=counts)
    out_p = torch.unique_consecutive(torch.tensor(x), return_inverse=inverse, return_counts=counts)
    out_t, out_p = (out_t, out_p) if isinstance(out_p, tuple) else ((out_t,), (out_p,))
    assert len(out_t) == len(out_p)
    for a, b in zip(out_t, out_p):
        _same(a, b, "flattened")
    rows = np.array([[1, 2], [1, 2], [3, 4], [1, 2], [1, 2]])
    for dim in (0, 1):
        out_t = tidu.tensor(rows).unique_consecutive(return_inverse=inverse, return_counts=counts,
                                                     dim=dim)
        out_p = torch.tensor(rows).unique_consecutive(return_inverse=inverse, return_counts=counts,
                                                      dim=dim)
        out_t, out_p = (out_t, out_p) if isinstance(out_p, tuple) else ((out_t,), (out_p,))
        for a, b in zip(out_t, out_p):
            _same(a, b, f"dim={dim}")


def test_unique_consecutive_empty():
    a = tidu.unique_consecutive(tidu.tensor(np.zeros(0)), return_counts=True)
    b = torch.unique_consecutive(torch.tensor(np.zeros(0)), return_counts=True)
    _same(a[0], b[0], "values")
    _same(a[1], b[1], "counts")
