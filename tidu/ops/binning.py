"""Counting and searching, as PyTorch's: histc, histogram, bucketize, searchsorted, isin,
argwhere, unique_consecutive.  Their results are counts, indices or masks, so none carries a
gradient (as in PyTorch)."""
from __future__ import annotations

import numbers
from collections import namedtuple

import numpy as np

from .._checks import normalize_dim
from ..backend import like, xp_of
from ..errors import ArgumentError, DimError, DTypeError, ShapeError, shape_str
from ..tensor import Tensor

__all__ = ["histc", "histogram", "bucketize", "searchsorted", "isin", "argwhere",
           "unique_consecutive"]

histogram_result = namedtuple("histogram", ["hist", "bin_edges"])


def _tensor(t, op, name="input"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a tensor, got {type(t).__name__}")
    return t._data


def _float(x, op):
    if x.dtype.kind != "f":
        raise DTypeError(f"{op}: expects a float tensor, got dtype {x.dtype}")


def _bins_count(bins, op):
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral):
        raise ArgumentError(f"{op}: bins must be an int or a tensor, got {bins!r}")
    if bins <= 0:
        raise ArgumentError(f"{op}: bins must be > 0, got {bins}")
    return int(bins)


def _count_in_bins(x, edges, weight, xp):
    """Weighted counts of x in the bins [e₀, e₁), …, [e_{n−1}, e_n] (the last one closed);
    values outside [e₀, e_n] (and NaN) are left out."""
    nbins = edges.shape[0] - 1
    flat = x.reshape(-1)
    idx = xp.searchsorted(edges, flat, side="right") - 1
    idx = xp.where(flat == edges[-1], nbins - 1, idx)
    inside = (flat >= edges[0]) & (flat <= edges[-1])
    w = xp.ones_like(flat) if weight is None else weight.reshape(-1)
    return xp.bincount(idx[inside], weights=w[inside], minlength=nbins).astype(x.dtype)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts of ``input`` in ``bins`` equal-width bins over [min, max] (defaults 100, 0, 0;
    min = max means the data's own min and max, widened by ±1 when all values are equal);
    values outside are ignored, as torch.histc.  Float inputs; no gradient."""
    x = _tensor(input, "histc")
    _float(x, "histc")
    nbins = _bins_count(bins, "histc")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise ArgumentError(f"histc: max must be larger than min, got min={min}, max={max}")
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ArgumentError(f"histc: range of [{lo}, {hi}] is not finite")
    xp = xp_of(x)
    flat = x.reshape(-1)
    inside = (flat >= lo) & (flat <= hi)
    idx = ((flat - lo) * nbins / (hi - lo)).astype(np.int64)
    idx = xp.minimum(idx, nbins - 1)  # x = max falls in the last bin
    return Tensor._wrap(xp.bincount(idx[inside], minlength=nbins).astype(x.dtype))


def histogram(input: Tensor, bins=100, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """``(hist, bin_edges)``: the (weighted) counts of ``input`` in the bins; ``bins`` an
    int (that many equal bins over ``range``, default the data's min and max, widened by
    ±0.5 when equal) or a 1-D tensor of increasing edges; each bin is [eᵢ, eᵢ₊₁), the last
    closed.  ``density=True`` gives hist / (Σ hist · width), as torch.histogram."""
    x = _tensor(input, "histogram")
    _float(x, "histogram")
    xp = xp_of(x)
    if weight is not None:
        w = _tensor(weight, "histogram", "weight")
        if w.shape != x.shape:
            raise ShapeError(f"histogram: weight {shape_str(w.shape)} must have the shape of "
                             f"input {shape_str(x.shape)}")
        weight = w.astype(x.dtype, copy=False)
    if isinstance(bins, Tensor):
        if range is not None:
            raise ArgumentError("histogram: range cannot be given with a tensor of bin edges")
        edges = bins._data
        if edges.ndim != 1 or edges.shape[0] < 1:
            raise DimError(f"histogram: bins must be a 1-D tensor with at least one edge, got "
                           f"shape {shape_str(edges.shape)}")
        if edges.dtype != x.dtype:
            raise DTypeError(f"histogram: bins ({edges.dtype}) must have input's dtype "
                             f"({x.dtype})")
        if edges.shape[0] > 1 and not bool((edges[1:] >= edges[:-1]).all()):
            raise ArgumentError("histogram: bin edges must be increasing")
    else:
        nbins = _bins_count(bins, "histogram")
        if range is not None:
            lo, hi = (float(v) for v in range)
        elif x.size:
            lo, hi = float(x.min()), float(x.max())
        else:
            lo = hi = 0.0
        if lo > hi:
            raise ArgumentError(f"histogram: min should not exceed max, got range=({lo}, {hi})")
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ArgumentError(f"histogram: range of [{lo}, {hi}] is not finite")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = xp.linspace(lo, hi, nbins + 1, dtype=x.dtype)
    if edges.shape[0] == 1:
        return histogram_result(Tensor._wrap(xp.zeros(0, dtype=x.dtype)), Tensor._wrap(edges.copy()))
    hist = _count_in_bins(x, edges, weight, xp)
    if density:
        with np.errstate(invalid="ignore", divide="ignore"):
            hist = hist / (hist.sum() * xp.diff(edges))
    return histogram_result(Tensor._wrap(hist), Tensor._wrap(edges.copy()))


def _search_values(values, seq, op):
    """``values`` as an array on ``seq``'s device, and whether it was a Python number."""
    if isinstance(values, Tensor):
        return values._data, False
    if isinstance(values, numbers.Real):
        return like(seq, np.asarray(values)), True
    raise TypeError(f"{op}: values must be a tensor or a number, got {type(values).__name__}")


def _int_result(idx, out_int32):
    return Tensor._wrap(idx.astype(np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence: Tensor, values, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter=None) -> Tensor:
    """For each value v the index i with seq[i−1] < v ≤ seq[i] ('left', the default) or
    seq[i−1] ≤ v < seq[i] (``right=True`` / ``side='right'``), searched along the last dim
    of ``sorted_sequence`` (a 1-D sequence serves every value; an N-D one must share
    ``values``' leading dims); ``sorter`` gives the indices that sort an unsorted sequence.
    int64 indices (int32 with ``out_int32``), as torch.searchsorted."""
    seq = _tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    v, scalar = _search_values(values, seq, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise ArgumentError(f"searchsorted: side can only be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise ArgumentError("searchsorted: side and right can't be set to opposites, got "
                                "side of left while right was True")
        right = side == "right"
    xp = xp_of(seq)
    if seq.ndim == 0:
        raise DimError("searchsorted: sorted_sequence must have at least 1 dim")
    if sorter is not None:
        order = _tensor(sorter, "searchsorted", "sorter")
        if order.shape != seq.shape:
            raise ShapeError(f"searchsorted: sorter {shape_str(order.shape)} must have the "
                             f"shape of sorted_sequence {shape_str(seq.shape)}")
        seq = xp.take_along_axis(seq, order.astype(np.int64), axis=-1)
    if seq.ndim == 1:
        return _int_result(xp.searchsorted(seq, v, side="right" if right else "left"), out_int32)
    if scalar or v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]:
        raise ShapeError(f"searchsorted: boundaries {shape_str(seq.shape)} and input value "
                         f"{shape_str(v.shape)} must have the same leading dims (all but the "
                         f"last)")
    # how many entries of each row lie before each value: a count of comparisons per row
    before = seq[..., None, :] <= v[..., :, None] if right else seq[..., None, :] < v[..., :, None]
    return _int_result(before.sum(axis=-1), out_int32)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """The bucket of each value: i with b[i−1] < x ≤ b[i] (default) or b[i−1] ≤ x < b[i]
    (``right=True``) for 1-D increasing ``boundaries``, as torch.bucketize (a number gives a
    0-d tensor)."""
    b = _tensor(boundaries, "bucketize", "boundaries")
    if b.ndim != 1:
        raise DimError(f"bucketize: boundaries must be a 1-D tensor, got shape "
                       f"{shape_str(b.shape)}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """True where an element of ``elements`` occurs in ``test_elements`` (False with
    ``invert=True``); either may be a number, not both; the result has ``elements``' shape,
    as torch.isin."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin: expects elements or test_elements to be a tensor, got "
                        f"{type(elements).__name__} and {type(test_elements).__name__}")
    ref = elements._data if isinstance(elements, Tensor) else test_elements._data
    a = elements._data if isinstance(elements, Tensor) else like(ref, np.asarray(elements))
    b = (test_elements._data if isinstance(test_elements, Tensor)
         else like(ref, np.asarray(test_elements)))
    return Tensor._wrap(xp_of(ref).isin(a, b, assume_unique=assume_unique, invert=invert))


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """The indices of the nonzero elements as an (N, ndim) int64 tensor, one row per
    element in row-major order, as torch.argwhere."""
    x = _tensor(input, "argwhere")
    return Tensor._wrap(xp_of(x).argwhere(x).astype(np.int64))


def unique_consecutive(input: Tensor, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim=None):
    """``input`` with each run of equal consecutive values (of the flattened tensor, or of
    slices along ``dim``) collapsed to one; with ``return_inverse`` the run each element (or
    slice) belongs to, with ``return_counts`` each run's length.  A tensor, or a tuple when
    an extra is asked, as torch.unique_consecutive; no gradient."""
    x = _tensor(input, "unique_consecutive")
    xp = xp_of(x)
    if dim is None:
        flat = x.reshape(-1)
        starts = flat[1:] != flat[:-1]
        axis_len, pick = flat.shape[0], lambda mask: flat[mask]
    else:
        d = normalize_dim(dim, x.ndim, "unique_consecutive")
        if x.ndim == 0:
            raise DimError("unique_consecutive: dim given for a 0-d tensor")
        moved = xp.moveaxis(x, d, 0)
        axis_len = moved.shape[0]
        starts = (moved[1:] != moved[:-1]).reshape(max(axis_len - 1, 0), -1).any(axis=1)
        pick = lambda mask: xp.moveaxis(moved[mask], 0, d)  # noqa: E731
    first = xp.ones(min(axis_len, 1), dtype=bool)
    new_run = xp.concatenate([first, starts])
    out = [Tensor._wrap(pick(new_run))]
    if return_inverse:
        inverse = xp.cumsum(new_run) - 1
        out.append(Tensor._wrap((inverse.reshape(x.shape) if dim is None else inverse).astype(np.int64)))
    if return_counts:
        bounds = xp.concatenate([xp.nonzero(new_run)[0].astype(np.int64),
                                 xp.full(1, axis_len, dtype=np.int64)])
        out.append(Tensor._wrap(xp.diff(bounds).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
