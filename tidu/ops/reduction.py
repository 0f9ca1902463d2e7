"""Reductions over axes (``axis`` an int, a tuple or None; ``keepdims``): sum, mean, max,
min, var, std, argmax, argmin (which also take PyTorch's ``dim=`` / ``keepdim=`` spellings;
max/min with ``dim`` return PyTorch's ``(values, indices)``), amax, amin, cumsum, all, any."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._checks import normalize_dim, normalize_dims
from ..errors import ArgumentError, ShapeError, shape_str
from ..tensor import Tensor


_UNSET = object()


def _aliases(op, axis, keepdims, dim, keepdim):
    """PyTorch's ``dim=`` / ``keepdim=`` as keyword aliases of ``axis=`` / ``keepdims=``;
    giving both spellings of one argument is refused."""
    if dim is not _UNSET:
        if axis is not None:
            raise ArgumentError(f"{op}: give axis= or its alias dim=, not both")
        axis = dim
    if keepdim is not _UNSET:
        if keepdims is not False:
            raise ArgumentError(f"{op}: give keepdims= or its alias keepdim=, not both")
        keepdims = bool(keepdim)
    return axis, keepdims


def _norm_axes(axis, ndim, op):
    """The reduced axes, sorted and non-negative; an axis outside [-ndim, ndim) is refused
    (NumPy-style wrapping would silently reduce another axis)."""
    return normalize_dims(axis, ndim, op, "axis")


def _expand(g, axes, keepdims):
    """Give a reduced gradient back the reduced axes (as size 1) so it broadcasts."""
    return g if keepdims else np.expand_dims(g, axes)


def _count(shape, axes):
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


def sum(a: Tensor, axis=None, keepdims: bool = False,
        *, dim=_UNSET, keepdim=_UNSET) -> Tensor:  # noqa: A001
    axis, keepdims = _aliases("sum", axis, keepdims, dim, keepdim)
    axes = _norm_axes(axis, a.ndim, "sum")
    shape = a._data.shape
    return Tensor._op(a._data.sum(axis=axes, keepdims=keepdims), (a,),
                      lambda g: (np.broadcast_to(_expand(g, axes, keepdims), shape),))


def mean(a: Tensor, axis=None, keepdims: bool = False,
         *, dim=_UNSET, keepdim=_UNSET) -> Tensor:
    axis, keepdims = _aliases("mean", axis, keepdims, dim, keepdim)
    axes = _norm_axes(axis, a.ndim, "mean")
    shape = a._data.shape
    scale = 1.0 / _count(shape, axes)
    return Tensor._op(a._data.mean(axis=axes, keepdims=keepdims), (a,),
                      lambda g: (np.broadcast_to(_expand(g, axes, keepdims) * scale, shape),))


#: ``(values, indices)`` as torch.return_types.max / min (a tuple with named fields)
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def max(a: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool = False):  # noqa: A001
    """PyTorch's three ``max``es: ``max(a)`` the largest value (ties share the gradient evenly,
    as torch.max()); ``max(a, dim, keepdim=False)`` the named tuple ``(values, indices)``
    along ``dim``, whose gradient goes to the index picked (the first of ties, as torch);
    ``max(a, other)`` with a tensor ``other``: the element-wise maximum.  tidu's NumPy
    spelling ``max(a, axis=…, keepdims=…)`` (an int or a tuple of axes) gives the values
    only, as torch.amax."""
    return _max_or_min(a, dim, keepdim, axis, keepdims, "max")


def min(a: Tensor, dim=None, keepdim: bool = False, *, axis=None, keepdims: bool = False):  # noqa: A001
    """The mirror image of `max`: ``min(a)``, ``min(a, dim)`` → ``(values, indices)``,
    ``min(a, other)`` element-wise, ``min(a, axis=…)`` as torch.amin."""
    return _max_or_min(a, dim, keepdim, axis, keepdims, "min")


def amax(a: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Largest value over ``dim`` (an int or tuple; all dims when empty), ties sharing the
    gradient evenly, as torch.amax."""
    return _extreme(a, dim if dim != () else None, bool(keepdim), np.max, "amax")


def amin(a: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Smallest value over ``dim``, as torch.amin."""
    return _extreme(a, dim if dim != () else None, bool(keepdim), np.min, "amin")


def _max_or_min(a, dim, keepdim, axis, keepdims, op):
    reduce = np.max if op == "max" else np.min
    if isinstance(dim, Tensor):  # max(a, other): element-wise
        from .elementwise import maximum, minimum
        return (maximum if op == "max" else minimum)(a, dim)
    if dim is None:
        return _extreme(a, axis, bool(keepdims or keepdim), reduce, op)
    if axis is not None:
        raise ArgumentError(f"{op}: give dim= (PyTorch: values and indices) or axis= (values "
                            f"only), not both")
    if isinstance(dim, (tuple, list)):
        raise ArgumentError(f"{op}: dim must be one int (PyTorch's max(dim) returns values and "
                            f"indices along one dim); for several dims use amax/axis=")
    dim = normalize_dim(dim, a.ndim, op)
    indices = _arg_extreme(a, dim if a.ndim else None, True, "arg" + op)._data
    x = a._data
    picked = np.take_along_axis(x, indices, dim) if x.ndim else x.copy()
    shape = x.shape

    def backward(g):
        g = g if keepdim or not x.ndim else np.expand_dims(g, dim)
        full = np.zeros_like(g, shape=shape)
        if not x.ndim:
            return (g.reshape(shape),)
        np.put_along_axis(full, indices, g, dim)
        return (full,)

    kept = indices  # the backward needs the indices with the dim kept
    if not keepdim and x.ndim:
        picked, kept = picked.squeeze(dim), kept.squeeze(dim)
    result = MaxResult if op == "max" else MinResult
    return result(Tensor._op(picked, (a,), backward), Tensor._wrap(kept.astype(np.int64)))


def _extreme(a, axis, keepdims, reduce, op):
    axes = _norm_axes(axis, a.ndim, op)
    if any(a._data.shape[ax] == 0 for ax in axes):
        raise ShapeError(f"{op}: cannot reduce over an empty dim of a tensor of shape "
                         f"{shape_str(a.shape)} (axis={axis}): there is no {op}imum")
    x = a._data
    out_kd = reduce(x, axis=axes, keepdims=True)

    def backward(g):
        hit = x == out_kd
        return (_expand(g, axes, keepdims) * hit / hit.sum(axis=axes, keepdims=True),)

    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,), backward)


def _centred(x, axes, correction):
    """x − x̄ over ``axes``, the denominator n − correction, and Σ(x − x̄)² (keepdims).
    Both sums accumulate in float64 for lower precisions: NumPy adds along a non-contiguous
    axis one row at a time, and in float32 that loses ~n·ε (1.6e-5 relative for the column
    std of 1797 digits, against PyTorch's 4e-8)."""
    acc = np.float64 if x.dtype.kind == "f" and x.dtype.itemsize < 8 else None
    centred = x - x.mean(axis=axes, keepdims=True, dtype=acc).astype(x.dtype, copy=False)
    ss = (centred * centred).sum(axis=axes, keepdims=True, dtype=acc).astype(x.dtype, copy=False)
    return centred, _count(x.shape, axes) - correction, ss


def _unbiased(op, axis, correction, unbiased):
    """PyTorch's older spellings: ``var(dim, unbiased=False)``, and ``var(True/False)`` (a bool
    where the dim goes is ``unbiased``) → ``correction`` 1 or 0."""
    if isinstance(axis, bool):
        axis, unbiased = None, axis
    if unbiased is not None:
        if correction != 1:
            raise ArgumentError(f"{op}: give correction= or the older unbiased=, not both")
        correction = 1 if unbiased else 0
    return axis, correction


def var(a: Tensor, axis=None, keepdims: bool = False, correction: int = 1,
        *, dim=_UNSET, keepdim=_UNSET, unbiased=None) -> Tensor:
    """Σ(x − x̄)² / (n − correction); ``correction=1`` (unbiased) is PyTorch's default
    (``unbiased=False`` is PyTorch's older ``correction=0``).
    d var / dx = 2(x − x̄) / (n − correction)."""
    axis, correction = _unbiased("var", axis, correction, unbiased)
    axis, keepdims = _aliases("var", axis, keepdims, dim, keepdim)
    axes = _norm_axes(axis, a.ndim, "var")
    centred, denom, ss = _centred(a._data, axes, correction)
    out_kd = ss / denom
    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,),
                      lambda g: (_expand(g, axes, keepdims) * centred * (2.0 / denom),))


def std(a: Tensor, axis=None, keepdims: bool = False, correction: int = 1,
        *, dim=_UNSET, keepdim=_UNSET, unbiased=None) -> Tensor:
    """sqrt(var); d std / dx = (x − x̄) / ((n − correction)·std)."""
    axis, correction = _unbiased("std", axis, correction, unbiased)
    axis, keepdims = _aliases("std", axis, keepdims, dim, keepdim)
    axes = _norm_axes(axis, a.ndim, "std")
    centred, denom, ss = _centred(a._data, axes, correction)
    out_kd = np.sqrt(ss / denom)
    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,),
                      lambda g: (_expand(g, axes, keepdims) * centred / (denom * out_kd),))


def argmax(a: Tensor, axis=None, keepdims: bool = False,
           *, dim=_UNSET, keepdim=_UNSET) -> Tensor:
    """Index of the largest value (the first of ties), over the flattened tensor when
    ``axis`` is None; int64, no gradient."""
    axis, keepdims = _aliases("argmax", axis, keepdims, dim, keepdim)
    return _arg_extreme(a, axis, keepdims, "argmax")


def argmin(a: Tensor, axis=None, keepdims: bool = False,
           *, dim=_UNSET, keepdim=_UNSET) -> Tensor:
    """Index of the smallest value (the first of ties); int64, no gradient."""
    axis, keepdims = _aliases("argmin", axis, keepdims, dim, keepdim)
    return _arg_extreme(a, axis, keepdims, "argmin")


def _arg_extreme(a, axis, keepdims, op):
    if axis is not None:
        axis = normalize_dims(axis, a.ndim, op, "axis")
        if len(axis) != 1:
            raise ShapeError(f"{op}: axis must be one int or None, got {axis}")
        axis = axis[0] if a.ndim else None
    if (a._data.size == 0 if axis is None else a._data.shape[axis] == 0):
        raise ShapeError(f"{op}: cannot take the {op} over an empty dim of a tensor of shape "
                         f"{shape_str(a.shape)}")
    out = getattr(a._data, op)(axis=axis, keepdims=keepdims)
    # NumPy returns a scalar for a full reduction; tensors hold arrays
    return Tensor._wrap(np.asarray(out) if isinstance(out, np.generic) else out)


def cumsum(a: Tensor, dim: int) -> Tensor:
    """Running sum along ``dim``: out[i] = Σ_{j ≤ i} x[j] (as torch.cumsum; integer and bool
    inputs give int64).  The gradient is the reversed running sum of the incoming one."""
    dim = normalize_dim(dim, a.ndim, "cumsum")
    x = a._data
    if x.ndim == 0:
        return Tensor._op(x.astype(np.int64) if x.dtype.kind in "biu" else x.copy(), (a,),
                          lambda g: (g,))
    out = np.cumsum(x, axis=dim, dtype=np.int64 if x.dtype.kind in "biu" else None)
    return Tensor._op(out, (a,),
                      lambda g: (np.flip(np.cumsum(np.flip(g, dim), axis=dim), dim),))


def all_(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether every element is nonzero (True), over all dims or ``dim`` (an int or a tuple),
    as torch.all; a bool tensor, no gradient.  Exported as ``all``."""
    return _logical(a, dim, keepdim, np.all, "all")


def any_(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether any element is nonzero (True), over all dims or ``dim``, as torch.any; a bool
    tensor, no gradient.  Exported as ``any``."""
    return _logical(a, dim, keepdim, np.any, "any")


def _logical(a, dim, keepdim, reduce, op):
    axes = normalize_dims(dim, a.ndim, op)
    out = reduce(a._data, axis=axes, keepdims=bool(keepdim))
    return Tensor._wrap(np.asarray(out) if isinstance(out, (np.generic, bool)) else out)
