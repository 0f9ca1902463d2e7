"""More index-driven ops, as PyTorch's: argsort, masked_select, index_add, index_fill, take.
Gradients go back to the positions read; a position read more than once gets the sum."""
from __future__ import annotations

import numpy as np

from .._checks import normalize_dim
from ..backend import index_add as _index_add, like, xp_of
from ..errors import ArgumentError, DTypeError, ShapeError, shape_str
from ..tensor import Tensor
from .elementwise import unbroadcast
from .indexing import _argsort, _check_range, _index_array, fill_value


def argsort(a: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``a`` along ``dim`` (the indices of `sort`), int64, no
    gradient, as torch.argsort; the sort is always stable here."""
    d = normalize_dim(dim, a.ndim, "argsort")
    x = a._data
    if not x.ndim:
        return Tensor._wrap(xp_of(x).zeros_like(x, dtype=np.int64))
    return Tensor._wrap(_argsort(x, d, bool(descending)).astype(np.int64))


def masked_select(a: Tensor, mask) -> Tensor:
    """The entries of ``a`` where the bool ``mask`` holds, as a 1-D tensor in row-major order
    (``a`` and ``mask`` broadcast together), as torch.masked_select."""
    x = a._data
    m = mask._data if isinstance(mask, Tensor) else like(x, np.asarray(mask))
    if m.dtype != np.bool_:
        raise DTypeError(f"masked_select: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise ShapeError(f"masked_select: mask {shape_str(m.shape)} and input "
                         f"{shape_str(x.shape)} cannot be broadcast together") from None
    xb, mb = np.broadcast_to(x, shape), np.broadcast_to(m, shape)

    def backward(g):
        full = xp_of(g).zeros(shape, dtype=g.dtype)
        full[mb] = g
        return (unbroadcast(full, x.shape),)

    return Tensor._op(xb[mb], (a,), backward)


def _dim_index(a, dim, index, op):
    d = normalize_dim(dim, a.ndim, op)
    idx = _index_array(index, a._data, op)
    if idx.ndim > 1:
        raise ShapeError(f"{op}: index must be 1-D (or 0-d), got shape {shape_str(idx.shape)}")
    idx = idx.reshape(-1)
    _check_range(idx, a.shape[d] if a.ndim else 1, op, d)
    return d, idx


def _at(ndim, d, idx):
    return (slice(None),) * d + (idx,)


def index_add(a: Tensor, dim: int, index, source: Tensor, *, alpha=1) -> Tensor:
    """A copy of ``a`` with ``alpha·source[i]`` added at ``index[i]`` along ``dim`` (repeated
    indices accumulate), as torch.index_add: ``source`` has ``a``'s shape except
    ``len(index)`` along ``dim``.  Gradients: ``a`` gets g, ``source`` alpha·g[index]."""
    d, idx = _dim_index(a, dim, index, "index_add")
    if not isinstance(source, Tensor):
        raise ArgumentError(f"index_add: source must be a tensor, got {type(source).__name__}")
    x, s = a._data, source._data
    want = x.shape[:d] + (idx.shape[0],) + x.shape[d + 1:] if x.ndim else (idx.shape[0],)
    if s.shape != want and not (x.ndim == 0 and s.size == idx.size == 1):
        raise ShapeError(f"index_add: source has shape {shape_str(s.shape)}, expected "
                         f"{shape_str(want)} (the input's shape with len(index) along dim {d})")
    if s.dtype != x.dtype:
        if s.dtype.kind == "f" and x.dtype.kind == "f":
            raise DTypeError(f"index_add: source has dtype {s.dtype}, the input {x.dtype}")
        s = s.astype(x.dtype)
    out = x.copy()
    vals = s if alpha == 1 else s * alpha
    if x.ndim:
        _index_add(out, _at(x.ndim, d, idx), vals)
    else:
        out = out + vals.reshape(())

    def backward(g):
        gs = None
        if source.requires_grad:
            gs = (g[_at(g.ndim, d, idx)] if g.ndim else g.reshape(s.shape)) * alpha
            gs = gs.reshape(s.shape)
        return g, gs

    return Tensor._op(out, (a, source), backward)


def index_fill(a: Tensor, dim: int, index, value) -> Tensor:
    """A copy of ``a`` with every entry at ``index`` along ``dim`` set to ``value`` (a number
    or a 0-d tensor, which then gets the filled entries' gradient), as torch.index_fill;
    ``a``'s gradient is zero where filled."""
    d, idx = _dim_index(a, dim, index, "index_fill")
    x = a._data
    fill, parents = fill_value(value, a, "index_fill")
    at = _at(x.ndim, d, idx) if x.ndim else ()
    out = x.copy()
    out[at] = fill

    def backward(g):
        ga = g.copy()
        ga[at] = 0
        if len(parents) == 1:
            return (ga,)
        filled = xp_of(g).zeros(g.shape, dtype=bool)
        filled[at] = True
        gv = np.where(filled, g, 0 * g).sum().astype(value._data.dtype) if value.requires_grad else None
        return ga, gv

    return Tensor._op(out, parents, backward)


def take(a: Tensor, index) -> Tensor:
    """The entries of the flattened ``a`` at ``index`` (an integer tensor, any shape; the
    output has its shape), as torch.take.  Repeated indices sum their gradients."""
    x = a._data
    idx = _index_array(index, x, "take")
    n = x.size
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        raise IndexError(f"take: an index is out of range for a tensor of {n} elements")
    flat_idx = idx % n if n else idx
    shape = x.shape

    def backward(g):
        full = xp_of(g).zeros(n, dtype=g.dtype)
        _index_add(full, flat_idx.reshape(-1), g.reshape(-1))
        return (full.reshape(shape),)

    return Tensor._op(x.reshape(-1)[flat_idx], (a,), backward)


def bincount(input, weights=None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each value 0, 1, … occurs in a 1-D tensor of non-negative ints (summing
    ``weights`` instead of ones when given), length max(input)+1 or ``minlength``, as
    torch.bincount: int64 counts, or the weights' float dtype; no gradient."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bincount: input must be a tensor, got {type(input).__name__}")
    x = input._data
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise ShapeError(f"bincount: input must be a 1-D tensor of non-negative ints, got shape "
                         f"{shape_str(x.shape)} and dtype {x.dtype}")
    if x.size and int(x.min()) < 0:
        raise ArgumentError(f"bincount: input must be non-negative, found {int(x.min())}")
    w = None
    if weights is not None:
        w = weights._data if isinstance(weights, Tensor) else like(x, np.asarray(weights))
        if w.shape != x.shape:
            raise ShapeError(f"bincount: weights of shape {shape_str(w.shape)} must match the "
                             f"input's {shape_str(x.shape)}")
    xp = xp_of(x)
    out = xp.bincount(x.astype(np.int64), weights=w, minlength=int(minlength))
    if w is not None:
        out = out.astype(w.dtype if w.dtype.kind == "f" else np.float64, copy=False)
    return Tensor._wrap(out)


def index_put(a: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """A copy of ``a`` with ``a[indices] = values`` (``indices`` a tuple of index tensors, as
    torch.index_put); ``accumulate=True`` adds instead, repeated indices adding up.
    Gradients: ``a``'s is zero where written (kept with accumulate), ``values``' the gradient
    read at the indices."""
    if not isinstance(indices, tuple):
        raise TypeError(f"index_put: indices must be a tuple of index tensors, got "
                        f"{type(indices).__name__}")
    idx = tuple(i._data if isinstance(i, Tensor) else like(a._data, np.asarray(i)) for i in indices)
    v = values if isinstance(values, Tensor) else Tensor._wrap(like(a._data, np.asarray(values, dtype=a.dtype)))
    vd = v._data.astype(a._data.dtype, copy=False)
    out = a._data.copy()
    try:
        if accumulate:
            _index_add(out, idx, xp_of(out).broadcast_to(vd, out[idx].shape))
        else:
            out[idx] = vd
    except IndexError as err:
        raise IndexError(f"index_put on a tensor of shape {shape_str(a.shape)}: {err}") from None

    def backward(g):
        ga = g
        if not accumulate:
            ga = g.copy()
            ga[idx] = 0
        gv = unbroadcast(g[idx], v.shape) if v.requires_grad else None
        return ga, gv

    return Tensor._op(out, (a, v), backward)


def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """The distinct values of ``input`` (flattened, or the distinct slices along ``dim``),
    sorted, as torch.unique; with ``return_inverse`` also where each element went (input's
    shape, or one index per slice), with ``return_counts`` how often each occurs.  Returns a
    tensor, or a tuple when either extra is asked.  No gradient (as torch)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unique: input must be a tensor, got {type(input).__name__}")
    x = input._data
    xp = xp_of(x)
    if dim is not None:
        dim = normalize_dim(dim, x.ndim, "unique")
    values, inverse, counts = xp.unique(x, return_inverse=True, return_counts=True, axis=dim)
    if dim is None:
        inverse = inverse.reshape(x.shape)
    out = [Tensor._wrap(values)]
    if return_inverse:
        out.append(Tensor._wrap(inverse.reshape(-1).astype(np.int64).reshape(inverse.shape)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
