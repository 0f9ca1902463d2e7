"""Reductions over axes (``axis`` an int, a tuple or None; ``keepdims``): sum, mean, max,
min, var, std."""
from __future__ import annotations

import numpy as np

from .._checks import normalize_dims
from ..errors import ShapeError, shape_str
from ..tensor import Tensor


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


def sum(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    axes = _norm_axes(axis, a.ndim, "sum")
    shape = a.data.shape
    return Tensor._op(a.data.sum(axis=axes, keepdims=keepdims), (a,),
                      lambda g: (np.broadcast_to(_expand(g, axes, keepdims), shape),))


def mean(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    axes = _norm_axes(axis, a.ndim, "mean")
    shape = a.data.shape
    scale = 1.0 / _count(shape, axes)
    return Tensor._op(a.data.mean(axis=axes, keepdims=keepdims), (a,),
                      lambda g: (np.broadcast_to(_expand(g, axes, keepdims) * scale, shape),))


def max(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value; ties share the gradient evenly (as torch.amax)."""
    return _extreme(a, axis, keepdims, np.max, "max")


def min(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value; ties share the gradient evenly (as torch.amin)."""
    return _extreme(a, axis, keepdims, np.min, "min")


def _extreme(a, axis, keepdims, reduce, op):
    axes = _norm_axes(axis, a.ndim, op)
    if any(a.data.shape[ax] == 0 for ax in axes):
        raise ShapeError(f"{op}: cannot reduce over an empty dim of a tensor of shape "
                         f"{shape_str(a.shape)} (axis={axis}): there is no {op}imum")
    x = a.data
    out_kd = reduce(x, axis=axes, keepdims=True)

    def backward(g):
        hit = x == out_kd
        return (_expand(g, axes, keepdims) * hit / hit.sum(axis=axes, keepdims=True),)

    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,), backward)


def _centred(x, axes, correction):
    """x − x̄ over ``axes``, the denominator n − correction, and Σ(x − x̄)² (keepdims)."""
    centred = x - x.mean(axis=axes, keepdims=True)
    return centred, _count(x.shape, axes) - correction, (centred * centred).sum(axis=axes, keepdims=True)


def var(a: Tensor, axis=None, keepdims: bool = False, correction: int = 1) -> Tensor:
    """Σ(x − x̄)² / (n − correction); ``correction=1`` (unbiased) is PyTorch's default.
    d var / dx = 2(x − x̄) / (n − correction)."""
    axes = _norm_axes(axis, a.ndim, "var")
    centred, denom, ss = _centred(a.data, axes, correction)
    out_kd = ss / denom
    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,),
                      lambda g: (_expand(g, axes, keepdims) * centred * (2.0 / denom),))


def std(a: Tensor, axis=None, keepdims: bool = False, correction: int = 1) -> Tensor:
    """sqrt(var); d std / dx = (x − x̄) / ((n − correction)·std)."""
    axes = _norm_axes(axis, a.ndim, "std")
    centred, denom, ss = _centred(a.data, axes, correction)
    out_kd = np.sqrt(ss / denom)
    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,),
                      lambda g: (_expand(g, axes, keepdims) * centred / (denom * out_kd),))


def argmax(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the largest value (the first of ties), over the flattened tensor when
    ``axis`` is None; int64, no gradient."""
    return _arg_extreme(a, axis, keepdims, "argmax")


def argmin(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the smallest value (the first of ties); int64, no gradient."""
    return _arg_extreme(a, axis, keepdims, "argmin")


def _arg_extreme(a, axis, keepdims, op):
    if axis is not None:
        axis = normalize_dims(axis, a.ndim, op, "axis")
        if len(axis) != 1:
            raise ShapeError(f"{op}: axis must be one int or None, got {axis}")
        axis = axis[0] if a.ndim else None
    if (a.data.size == 0 if axis is None else a.data.shape[axis] == 0):
        raise ShapeError(f"{op}: cannot take the {op} over an empty dim of a tensor of shape "
                         f"{shape_str(a.shape)}")
    out = getattr(a.data, op)(axis=axis, keepdims=keepdims)
    # NumPy returns a scalar for a full reduction; tensors hold arrays
    return Tensor._wrap(np.asarray(out) if isinstance(out, np.generic) else out)
