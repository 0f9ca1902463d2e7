"""Index-driven ops, as PyTorch's: gather, index_select, masked_fill, sort, topk, scatter.

Values are picked with integer index tensors (int dtypes); gradients go back to the picked
positions, and an input position picked more than once (gather, index_select) receives the
sum of its gradients.
"""
from __future__ import annotations

import numbers
from collections import namedtuple

import numpy as np

from .._checks import check_number, normalize_dim
from ..backend import index_add, like, xp_of
from ..errors import ArgumentError, DTypeError, IndexRangeError, ShapeError, shape_str
from ..tensor import Tensor

#: ``(values, indices)`` as torch.return_types.sort / topk (a tuple with named fields)
SortResult = namedtuple("SortResult", ["values", "indices"])
TopKResult = namedtuple("TopKResult", ["values", "indices"])


def _index_array(index, like_arr, op: str, name: str = "index"):
    """An integer index tensor (or array / list) as an array on ``like_arr``'s device."""
    idx = index._data if isinstance(index, Tensor) else like(like_arr, np.asarray(index))
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"{op}: {name} must be an integer tensor, got dtype {idx.dtype}")
    return idx


def _check_range(idx, size: int, op: str, dim: int) -> None:
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise IndexRangeError(f"{op}: index {bad} is out of bounds for dim {dim} of size {size} "
                              f"(indices must lie in [0, {size - 1}])")


def _along(idx, dim: int):
    """The full advanced index that picks ``x[i0, …, idx[i0, …], …]`` element-wise, so that
    ``x[_along(idx, dim)]`` is ``take_along_axis`` and `index_add` scatters back."""
    xp = xp_of(idx)
    parts = []
    for axis, n in enumerate(idx.shape):
        if axis == dim:
            parts.append(idx)
        else:
            shape = [1] * idx.ndim
            shape[axis] = n
            parts.append(xp.arange(n).reshape(shape))
    return tuple(parts)


def _scatter_back(g, idx, dim, shape):
    """Zeros of ``shape`` with ``g`` added at the positions ``idx`` picked along ``dim``."""
    full = np.zeros_like(g, shape=shape)
    if idx.ndim == 0:  # a 0-d tensor (idx 0-d too) picked its one element
        return full + g
    index_add(full, _along(idx, dim), g)
    return full


def gather(a: Tensor, dim: int, index) -> Tensor:
    """``out[i][j][k] = a[index[i][j][k]][j][k]`` for dim=0 (and likewise along any ``dim``),
    as torch.gather: ``index`` has ``a``'s rank, is no larger than ``a`` off ``dim``, and
    the output has ``index``'s shape.  The gradient scatter-adds back into ``a``."""
    dim = normalize_dim(dim, a.ndim, "gather")
    idx = _index_array(index, a._data, "gather")
    x = a._data
    if idx.ndim != x.ndim:
        raise ShapeError(f"gather: index has {idx.ndim} dims, the input {x.ndim} (shape "
                         f"{shape_str(x.shape)}); they must have the same number of dims")
    for axis, (ni, nx) in enumerate(zip(idx.shape, x.shape)):
        if axis != dim and ni > nx:
            raise ShapeError(f"gather: index {shape_str(idx.shape)} is larger than the input "
                             f"{shape_str(x.shape)} at dim {axis} (only dim {dim} may differ)")
    _check_range(idx, x.shape[dim] if x.ndim else 1, "gather", dim)
    if x.ndim == 0:
        return Tensor._op(x.copy(), (a,), lambda g: (g,))
    out = x[_along(idx, dim)]
    shape = x.shape
    return Tensor._op(out, (a,), lambda g: (_scatter_back(g, idx, dim, shape),))


def index_select(a: Tensor, dim: int, index) -> Tensor:
    """The slices ``index`` (a 1-D or 0-d integer tensor) of ``a`` along ``dim``, in that
    order, as torch.index_select; repeated indices add up in the gradient."""
    dim = normalize_dim(dim, a.ndim, "index_select")
    idx = _index_array(index, a._data, "index_select")
    if idx.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D (or 0-d), got shape "
                         f"{shape_str(idx.shape)}")
    idx = idx.reshape(-1)
    x = a._data
    _check_range(idx, x.shape[dim] if x.ndim else 1, "index_select", dim)
    if x.ndim == 0:
        return Tensor._op(x.reshape(()).copy(), (a,), lambda g: (g.sum().reshape(()),))
    where = (slice(None),) * dim + (idx,)
    out = x[where]
    shape = x.shape

    def backward(g):
        full = np.zeros_like(g, shape=shape)
        index_add(full, where, g)
        return (full,)

    return Tensor._op(out, (a,), backward)


def fill_value(value, a: Tensor, op: str):
    """``(fill array in a's dtype and device, parents)`` for ops that write one value: a
    number, or a 0-d tensor — which then is a parent and gets the filled entries' gradient."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError(f"{op}: value must be a number or a 0-d tensor, got shape "
                             f"{shape_str(value.shape)}")
        return value._data.astype(a._data.dtype), (a, value)
    if not isinstance(value, (numbers.Number, np.generic)):
        raise ArgumentError(f"{op}: value must be a number or a 0-d tensor, got "
                            f"{value!r} ({type(value).__name__})")
    return like(a._data, np.asarray(value).astype(a._data.dtype)), (a,)


def masked_fill(a: Tensor, mask, value) -> Tensor:
    """``a`` with ``value`` where the bool ``mask`` (broadcast to ``a``'s shape) is True,
    as torch.masked_fill.  ``value`` is a number or a 0-d tensor (which then also receives
    the gradient of every filled position); ``a``'s gradient is zero where filled."""
    m = mask._data if isinstance(mask, Tensor) else like(a._data, np.asarray(mask))
    if m.dtype != np.bool_:
        raise DTypeError(f"masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
    x = a._data
    try:
        m = np.broadcast_to(m, x.shape)
    except ValueError:
        raise ShapeError(f"masked_fill: mask {shape_str(m.shape)} cannot be broadcast to the "
                         f"input's shape {shape_str(x.shape)}") from None
    fill, parents = fill_value(value, a, "masked_fill")
    out = np.where(m, fill, x)

    def backward(g):
        zero = g.dtype.type(0)
        gv = None
        if len(parents) == 2 and value.requires_grad:
            gv = np.where(m, g, zero).sum().astype(value._data.dtype)
        return np.where(m, zero, g), gv

    return Tensor._op(out, parents, backward)


def _argsort(x, dim: int, descending: bool):
    """Stable argsort along ``dim``; descending keeps equal values in their original order
    (NaN sorts as the largest value, as in PyTorch)."""
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    rev = np.flip(np.argsort(np.flip(x, dim), axis=dim, kind="stable"), dim)
    return (n - 1) - rev


def sort(a: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """``(values, indices)`` of ``a`` sorted along ``dim`` (ascending unless
    ``descending``), as torch.sort; the sort is always stable here.  The values' gradient
    goes back to the positions they came from; indices are int64."""
    dim = normalize_dim(dim, a.ndim, "sort")
    x = a._data
    if x.ndim == 0:
        return SortResult(Tensor._op(x.copy(), (a,), lambda g: (g,)),
                          Tensor._wrap(np.zeros_like(x, dtype=np.int64)))
    idx = _argsort(x, dim, bool(descending)).astype(np.int64)
    return _picked(a, idx, dim, SortResult)


def topk(a: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) entries
    along ``dim``, as torch.topk; returned in sorted order (``sorted`` is accepted: they are
    always sorted here).  The values' gradient goes back to the picked positions."""
    dim = normalize_dim(dim, a.ndim, "topk")
    x = a._data
    size = x.shape[dim] if x.ndim else 1
    k = int(check_number(k, "k", "topk", low=0, integer=True, error=ArgumentError))
    if k > size:
        raise ArgumentError(f"topk: k={k} is out of range for dim {dim} of size {size}")
    if x.ndim == 0:
        if k == 1:
            return TopKResult(Tensor._op(x.copy(), (a,), lambda g: (g,)),
                              Tensor._wrap(np.zeros_like(x, dtype=np.int64)))
        return TopKResult(Tensor._op(x.reshape(0)[:0].reshape(0), (a,),
                                     lambda g: (np.zeros_like(x),)),
                          Tensor._wrap(np.zeros_like(x, dtype=np.int64, shape=(0,))))
    idx = _argsort(x, dim, bool(largest)).astype(np.int64)
    idx = idx[(slice(None),) * dim + (slice(0, k),)]
    return _picked(a, idx, dim, TopKResult)


def _picked(a, idx, dim, result):
    x = a._data
    shape = x.shape
    values = Tensor._op(x[_along(idx, dim)], (a,),
                        lambda g: (_scatter_back(g, idx, dim, shape),))
    return result(values, Tensor._wrap(idx))


def scatter(a: Tensor, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    """A copy of ``a`` with ``out[index[i][j]][j] = src[i][j]`` for dim=0 (and likewise along
    any ``dim``), as torch.scatter: ``index`` has ``a``'s rank and is no larger than ``src``
    anywhere nor than ``a`` off ``dim``; ``value=`` (a number) writes one value instead of
    ``src``.  ``reduce='add'`` adds instead of writing (torch.scatter_add); with repeated
    indices and no reduce, the last write wins (PyTorch leaves that order undefined).
    Gradients: ``a``'s is zero where written (kept with 'add'); ``src``'s is the gradient
    gathered at the written positions."""
    dim = normalize_dim(dim, a.ndim, "scatter")
    idx = _index_array(index, a._data, "scatter")
    x = a._data
    if (src is None) == (value is None):
        raise ArgumentError("scatter: give exactly one of src (a tensor) and value (a number)")
    if reduce not in (None, "add"):
        raise ArgumentError(f"scatter: reduce must be None or 'add', got {reduce!r}")
    if idx.ndim != x.ndim:
        raise ShapeError(f"scatter: index has {idx.ndim} dims, the input {x.ndim} (shape "
                         f"{shape_str(x.shape)}); they must have the same number of dims")
    if src is not None and not isinstance(src, Tensor):
        raise ArgumentError(f"scatter: src must be a tensor, got {type(src).__name__} "
                            f"(a number goes in value=)")
    for axis, ni in enumerate(idx.shape):
        if (axis != dim and ni > x.shape[axis]) or (src is not None and ni > src.shape[axis]):
            raise ShapeError(f"scatter: index {shape_str(idx.shape)} is larger than the input "
                             f"{shape_str(x.shape)} or src at dim {axis}")
    _check_range(idx, x.shape[dim] if x.ndim else 1, "scatter", dim)
    where = _along(idx, dim) if x.ndim else ()
    picked = tuple(slice(0, n) for n in idx.shape)
    if src is not None:
        if src._data.dtype != x.dtype and not (src._data.dtype.kind == "f" == x.dtype.kind):
            vals = src._data[picked].astype(x.dtype)
        elif src._data.dtype != x.dtype:
            raise DTypeError(f"scatter: src has dtype {src._data.dtype}, the input {x.dtype}")
        else:
            vals = src._data[picked]
        parents = (a, src)
    else:
        vals = like(x, np.asarray(value, dtype=x.dtype))
        parents = (a,)
    out = x.copy()
    if reduce == "add":
        index_add(out, where, np.broadcast_to(vals, idx.shape) if vals.ndim == 0 else vals)
    else:
        out[where] = vals

    def backward(g):
        ga = g
        if reduce is None:
            ga = g.copy()
            ga[where] = 0
        gs = None
        if src is not None and src.requires_grad:
            gs = np.zeros_like(g, shape=src.shape)
            gs[picked] = g[where]
        return (ga, gs)[:len(parents)]

    return Tensor._op(out, parents, backward)


def scatter_add(a: Tensor, dim: int, index, src) -> Tensor:
    """``scatter(a, dim, index, src, reduce='add')``: repeated indices add up (torch.scatter_add)."""
    return scatter(a, dim, index, src, reduce="add")
