"""``Tensor.fill_diagonal_`` and ``renorm`` / ``Tensor.renorm_``, as PyTorch's.

fill_diagonal_(v, wrap=False) sets t[k, k, …, k] = v for k < min(sizes); on a 2-D matrix
taller than wide by more than one row, ``wrap=True`` restarts the diagonal every
``width + 1`` rows (the flat indices k·(width + 1) of the row-major matrix, as torch).

renorm(x, p, dim, maxnorm) rescales each sub-tensor x_i = x.select(dim, i) whose p-norm
‖x_i‖_p exceeds ``maxnorm``:

    y_i = x_i · f_i,   f_i = maxnorm / (‖x_i‖_p + 1e-7)   if ‖x_i‖_p > maxnorm,   else 1

(torch's 1e-7, so a rescaled row's norm is a hair below maxnorm).  One graph node; with
n = ‖x_i‖_p and G = Σ_j g_ij x_ij,

    ∂L/∂x_i = g_i f_i − [active] · maxnorm / (n + 1e-7)² · G · ∂n/∂x_i,

∂n/∂x = sign(x)|x|^(p−1) / n^(p−1) (x/n for p = 2, sign x for p = 1; for p = inf, sign x
shared among the elements reaching the max).  Both in-place methods follow the rules of
`tidu.ops.inplace` (a leaf that requires grad raises outside ``no_grad``; in a recorded
graph the tensor is rebased onto the op).
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import normalize_dim
from ..backend import xp_of
from ..errors import ArgumentError, DTypeError, ShapeError, shape_str
from ..tensor import Tensor
from .inplace import _inplace, scalar_value

__all__ = ["fill_diagonal_", "renorm", "renorm_"]

_EPS = 1e-7  # torch's renorm epsilon


# --------------------------------------------------------------------------- fill_diagonal_
def _diagonal_index(shape: tuple, wrap: bool, xp):
    """The index (one array per dim) of the elements fill_diagonal_ writes."""
    if len(shape) == 2:
        h, w = shape
        if wrap and h > w + 1:
            flat = xp.arange(0, h * w, w + 1)
            return flat // w, flat % w
    k = xp.arange(min(shape))
    return (k,) * len(shape)


def fill_diagonal_(t, fill_value, wrap: bool = False) -> Tensor:
    """The main diagonal ← ``fill_value`` in place (as torch.Tensor.fill_diagonal_, default
    wrap=False).  The tensor must be at least 2-D, with all dims equal when it has more than
    two.  Returns the tensor.  Gradient: zero on the diagonal, the rest passes through."""
    op = "fill_diagonal_"
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    fill_value = scalar_value(fill_value, op, "fill_value")
    shape = t._data.shape
    if len(shape) < 2:
        raise ShapeError(f"{op}: dimensions must larger than 1 (as torch): the tensor must be "
                         f"at least 2-D, got shape {shape_str(shape)}")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise ShapeError(f"{op}: all dimensions of input must be of equal length for a tensor "
                         f"of more than 2 dims, got shape {shape_str(shape)}")
    idx = _diagonal_index(shape, bool(wrap), xp_of(t._data))

    def fill(old: Tensor) -> Tensor:
        arr = old._data.copy()
        arr[idx] = fill_value

        def backward(g):
            g = g.copy()
            g[idx] = 0
            return (g,)

        return Tensor._op(arr, (old,), backward)

    return _inplace(t, op, fill)


# --------------------------------------------------------------------------- renorm
def renorm(input, p, dim, maxnorm) -> Tensor:
    """Each sub-tensor along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled to norm
    ``maxnorm`` (as torch.renorm; see the module docstring for the formula and gradient).
    ``p`` > 0 (inf allowed), ``maxnorm`` ≥ 0, a float tensor of at least 2 dims."""
    op = "renorm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    for name, v in (("p", p), ("maxnorm", maxnorm)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{op}: {name} must be a number, got {v!r}")
    p, maxnorm = float(p), float(maxnorm)
    x = input._data
    if x.ndim < 2:
        raise ShapeError(f"{op}: input needs at least 2 dimensions, got {x.ndim} dimensions "
                         f"(shape {shape_str(x.shape)})")
    if x.dtype.kind != "f":
        raise DTypeError(f"{op}: expects a float tensor, got dtype {x.dtype}")
    if not p > 0:
        raise ArgumentError(f"{op}: non-positive-norm not supported: p must be > 0, got {p}")
    if not maxnorm >= 0:
        raise ArgumentError(f"{op}: expected maxnorm to be >= 0 but got {maxnorm}")
    d = normalize_dim(dim, x.ndim, op)
    axes = tuple(i for i in range(x.ndim) if i != d)
    ax = np.abs(x)
    if p == np.inf:
        n = ax.max(axis=axes, keepdims=True)
    elif p == 1:
        n = ax.sum(axis=axes, keepdims=True)
    elif p == 2:
        n = np.sqrt((x * x).sum(axis=axes, keepdims=True))
    else:
        n = (ax ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
    active = n > maxnorm
    denom = n + _EPS
    factor = np.where(active, maxnorm / denom, 1.0).astype(x.dtype, copy=False)
    out = x * factor

    def backward(g):
        gx = g * factor
        if not active.any():
            return (gx,)
        safe = np.where(active, n, 1.0)  # n > maxnorm ≥ 0 where active
        if p == np.inf:
            hit = ax == n
            dn = np.sign(x) * hit / hit.sum(axis=axes, keepdims=True)
        elif p == 1:
            dn = np.sign(x)
        elif p == 2:
            dn = x / safe
        else:
            dn = np.sign(x) * ax ** (p - 1) / safe ** (p - 1)
        coef = np.where(active, -maxnorm / (denom * denom), 0.0) * (g * x).sum(axis=axes,
                                                                             keepdims=True)
        return ((gx + coef * dn).astype(x.dtype, copy=False),)

    return Tensor._op(out, (input,), backward)


def renorm_(t, p, dim, maxnorm) -> Tensor:
    """`renorm` in place (as torch.Tensor.renorm_); returns the tensor."""
    return _inplace(t, "renorm_", lambda a: renorm(a, p, dim, maxnorm))
