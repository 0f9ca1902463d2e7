"""Reductions over axes (``axis`` an int, a tuple or None; ``keepdims``): sum, mean, max,
min, var, std."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor


def _norm_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(ax) % ndim for ax in axes)) if ndim else ()


def _expand(g, axes, keepdims):
    """Give a reduced gradient back the reduced axes (as size 1) so it broadcasts."""
    return g if keepdims else np.expand_dims(g, axes)


def _count(shape, axes):
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


def sum(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    axes = _norm_axes(axis, a.ndim)
    shape = a.data.shape
    return Tensor._op(a.data.sum(axis=axes, keepdims=keepdims), (a,),
                      lambda g: (np.broadcast_to(_expand(g, axes, keepdims), shape),))


def mean(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    axes = _norm_axes(axis, a.ndim)
    shape = a.data.shape
    scale = 1.0 / _count(shape, axes)
    return Tensor._op(a.data.mean(axis=axes, keepdims=keepdims), (a,),
                      lambda g: (np.broadcast_to(_expand(g, axes, keepdims) * scale, shape),))


def max(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Largest value; ties share the gradient evenly (as torch.amax)."""
    return _extreme(a, axis, keepdims, np.max)


def min(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Smallest value; ties share the gradient evenly (as torch.amin)."""
    return _extreme(a, axis, keepdims, np.min)


def _extreme(a, axis, keepdims, reduce):
    axes = _norm_axes(axis, a.ndim)
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
    axes = _norm_axes(axis, a.ndim)
    centred, denom, ss = _centred(a.data, axes, correction)
    out_kd = ss / denom
    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,),
                      lambda g: (_expand(g, axes, keepdims) * centred * (2.0 / denom),))


def std(a: Tensor, axis=None, keepdims: bool = False, correction: int = 1) -> Tensor:
    """sqrt(var); d std / dx = (x − x̄) / ((n − correction)·std)."""
    axes = _norm_axes(axis, a.ndim)
    centred, denom, ss = _centred(a.data, axes, correction)
    out_kd = np.sqrt(ss / denom)
    return Tensor._op(out_kd if keepdims else out_kd.squeeze(axes), (a,),
                      lambda g: (_expand(g, axes, keepdims) * centred / (denom * out_kd),))
