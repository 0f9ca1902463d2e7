"""The trapezoidal rule along one dim, as PyTorch's: trapezoid (alias trapz) and
cumulative_trapezoid.

    trapezoid(y, x)[…] = Σᵢ (x[i+1] − x[i]) · (y[i+1] + y[i]) / 2      (along ``dim``)

Both are built from differentiable tidu ops (narrow, sub, mul, sum/cumsum), so gradients
flow to ``y`` and to ``x`` through the same graph as any other expression.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import normalize_dim
from ..errors import ArgumentError, ShapeError, shape_str
from ..tensor import Tensor, get_default_dtype
from .reduction import cumsum, sum as _sum
from .shape import reshape
from .shape_more import narrow

__all__ = ["trapezoid", "trapz", "cumulative_trapezoid"]


def _spacing(y: Tensor, x, dx, dim: int, who: str):
    """(y as float, the spacing: a number or a tensor of x's differences along ``dim``)."""
    if not isinstance(y, Tensor):
        raise TypeError(f"{who}: y must be a tensor, got {type(y).__name__}")
    if y._data.dtype.kind != "f":  # integer samples integrate to the default float dtype
        y = Tensor._wrap(y._data.astype(get_default_dtype()))
    if y.ndim == 0:
        raise ShapeError(f"{who}: y must have at least one dim, got a 0-d tensor")
    dim = normalize_dim(dim, y.ndim, who)
    if x is not None and dx is not None:
        raise ArgumentError(f"{who}: give either x (sample points) or dx (spacing), not both")
    if x is None:
        dx = 1 if dx is None else dx
        if not isinstance(dx, (numbers.Number, np.generic)) or isinstance(dx, bool):
            raise ArgumentError(f"{who}: dx must be a number, got {type(dx).__name__}")
        return y, dx, dim
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: x must be a tensor of sample points (use dx= for a constant "
                        f"spacing), got {type(x).__name__}")
    n = y.shape[dim]
    if x.ndim == 1:  # one x per sample point, laid along ``dim``
        if x.shape[0] != n:
            raise ShapeError(f"{who}: there must be one x value for each sample point: x has "
                             f"{x.shape[0]}, y has {n} along dim {dim}")
        x = reshape(x, tuple(n if d == dim else 1 for d in range(y.ndim)))
    elif x.ndim < y.ndim:
        x = reshape(x, (1,) * (y.ndim - x.ndim) + tuple(x.shape))
    if x.ndim != y.ndim or x.shape[dim] != n:
        raise ShapeError(f"{who}: x of shape {shape_str(x.shape)} does not match y of shape "
                         f"{shape_str(y.shape)} along dim {dim}")
    if n == 0:
        return y, 1, dim
    return y, narrow(x, dim, 1, n - 1) - narrow(x, dim, 0, n - 1), dim


def _panels(y: Tensor, spacing, dim: int) -> Tensor:
    """The area of each panel: spacing · (y[i+1] + y[i]) / 2 along ``dim``."""
    n = y.shape[dim]
    return (narrow(y, dim, 1, n - 1) + narrow(y, dim, 0, n - 1)) * spacing * 0.5


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """∫ y along ``dim`` by the trapezoidal rule, as torch.trapezoid: with sample points ``x``
    (1-D, one per sample, or broadcastable to ``y``) or a constant spacing ``dx`` (default 1).
    The result has ``dim`` removed; fewer than two samples give zeros.  Integer ``y`` gives
    the default float dtype.  tidu differs: ``x`` and ``dx`` are one signature (torch has two
    overloads) and giving both is an error.

    Examples:
        >>> import tidu
        >>> float(tidu.trapezoid(tidu.tensor([1.0, 2.0, 3.0]), dx=0.5))
        2.0
    """
    y, spacing, dim = _spacing(y, x, dx, dim, "trapezoid")
    if y.shape[dim] == 0:
        return _sum(y, dim=dim)  # zeros, dim removed
    return _sum(_panels(y, spacing, dim), dim=dim)


def trapz(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """An alias of `trapezoid` (as torch.trapz)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None,
                         dim: int = -1) -> Tensor:
    """The running trapezoidal integral along ``dim``: out[k] = Σ_{i ≤ k} panel i, with
    ``y.shape[dim] − 1`` entries along ``dim`` (as torch.cumulative_trapezoid; no leading 0).

    Examples:
        >>> import tidu
        >>> tidu.cumulative_trapezoid(tidu.tensor([1.0, 2.0, 3.0])).tolist()
        [1.5, 4.0]
    """
    y, spacing, dim = _spacing(y, x, dx, dim, "cumulative_trapezoid")
    if y.shape[dim] == 0:
        return y
    return cumsum(_panels(y, spacing, dim), dim)
