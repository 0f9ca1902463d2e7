"""More reductions, as PyTorch's: prod, cumprod, logsumexp, norm (torch.norm and
``tidu.linalg.vector_norm``), median, var_mean, std_mean, aminmax."""
from __future__ import annotations

import numbers
from collections import namedtuple

import numpy as np

from .._checks import normalize_dim, normalize_dims
from ..backend import like, to_numpy, xp_of
from ..errors import ArgumentError, DTypeError, ShapeError, shape_str
from ..tensor import Tensor
from .reduction import _expand, amax, amin, mean, std, var

MedianResult = namedtuple("median", ["values", "indices"])
AminmaxResult = namedtuple("aminmax", ["min", "max"])
CummaxResult = namedtuple("cummax", ["values", "indices"])
CumminResult = namedtuple("cummin", ["values", "indices"])


def _wrap(out):
    return out if not isinstance(out, np.generic) else np.asarray(out)


def _exclusive_products(x, axis):
    """For each element, the product of the others along ``axis`` (exact with zeros):
    the exclusive running product from the left times the one from the right."""
    xl = np.moveaxis(x, axis, -1)
    ones = xp_of(x).ones_like(xl[..., :1])
    left = np.cumprod(np.concatenate([ones, xl[..., :-1]], axis=-1), axis=-1)
    rev = np.flip(xl, -1)
    right = np.flip(np.cumprod(np.concatenate([ones, rev[..., :-1]], axis=-1), axis=-1), -1)
    return np.moveaxis(left * right, -1, axis)


def prod(a: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of the elements, over all of them (``dim=None``) or along one ``dim``, as
    torch.prod (integer and bool inputs give int64).  d/dxᵢ = Π_{j≠i} xⱼ, exact when some
    xⱼ are zero."""
    x = a._data
    if dtype is not None:
        x = x.astype(dtype)
    elif x.dtype.kind in "biu":
        x = x.astype(np.int64)
    if dim is None:
        flat = x.reshape(-1)
        out = _wrap(flat.prod())
        if keepdim:
            raise ArgumentError("prod: keepdim needs a dim (as torch.prod)")

        def backward_all(g):
            return ((g * _exclusive_products(flat, 0)).reshape(x.shape),)

        return Tensor._op(out, (a,), backward_all)
    if isinstance(dim, (tuple, list)):
        raise ArgumentError(f"prod: dim must be one int (as torch.prod), got {dim!r}")
    d = normalize_dim(dim, x.ndim, "prod")
    if not x.ndim:
        return Tensor._op(x.copy(), (a,), lambda g: (g,))
    out = x.prod(axis=d, keepdims=bool(keepdim))
    return Tensor._op(out, (a,),
                      lambda g: (_expand(g, (d,), keepdim) * _exclusive_products(x, d),))


def cumprod(a: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running product along ``dim``: out[i] = Π_{j ≤ i} x[j] (as torch.cumprod; integer
    and bool inputs give int64).  Gradient: ∂L/∂xᵢ = Σ_{j ≥ i} gⱼ Π_{k ≤ j, k ≠ i} xₖ —
    (Σ_{j≥i} gⱼ outⱼ)/xᵢ when no x is zero, otherwise the products themselves (n² work
    along ``dim``)."""
    d = normalize_dim(dim, a.ndim, "cumprod")
    x = a._data
    if dtype is not None:
        x = x.astype(dtype)
    elif x.dtype.kind in "biu":
        x = x.astype(np.int64)
    if not x.ndim:
        return Tensor._op(x.copy(), (a,), lambda g: (g,))
    out = np.cumprod(x, axis=d)

    def backward(g):
        if bool((x != 0).all()):
            rev = np.flip(np.cumsum(np.flip(g * out, d), axis=d), d)
            return (rev / x,)
        xl, gl = np.moveaxis(x, d, -1), np.moveaxis(g, d, -1)
        n = xl.shape[-1]
        xp = xp_of(x)
        k = xp.arange(n)
        after = k[None, :] > k[:, None]                          # [i, k]: k > i
        # span[..., i, j] = Π_{i<k≤j} xₖ ; prefix[..., i] = Π_{k<i} xₖ
        span = np.cumprod(np.where(after, xl[..., None, :], xp.ones_like(xl[..., None, :])), -1)
        ones = xp.ones_like(xl[..., :1])
        prefix = np.cumprod(np.concatenate([ones, xl[..., :-1]], -1), -1)
        upper = k[None, :] >= k[:, None]                         # [i, j]: j ≥ i
        terms = np.where(upper, prefix[..., :, None] * span * gl[..., None, :], 0 * span)
        return (np.moveaxis(terms.sum(-1), -1, d),)

    return Tensor._op(out, (a,), backward)


def cummax(a: Tensor, dim: int) -> CummaxResult:
    """Running maximum along ``dim`` and where it was reached, as torch.cummax:
    values[i] = max_{j ≤ i} x[j], indices[i] = the last j ≤ i with x[j] = values[i] (ties go
    to the latest, as PyTorch).  The gradient of values[i] goes to x[indices[i]]."""
    return _cumulative_extreme(a, dim, np.maximum, CummaxResult, "cummax")


def cummin(a: Tensor, dim: int) -> CumminResult:
    """Running minimum along ``dim`` and its index (the latest of ties), as torch.cummin."""
    return _cumulative_extreme(a, dim, np.minimum, CumminResult, "cummin")


def _cumulative_extreme(a, dim, pick, result, op):
    d = normalize_dim(dim, a.ndim, op)
    x = a._data
    if not x.ndim:
        return result(Tensor._op(x.copy(), (a,), lambda g: (g,)),
                      Tensor._wrap(xp_of(x).zeros((), dtype=np.int64)))
    values = pick.accumulate(x, axis=d)
    shape = [1] * x.ndim
    shape[d] = x.shape[d]
    positions = xp_of(x).arange(x.shape[d]).reshape(shape)
    # at each position that reaches the running extreme take its index, else keep the last
    indices = np.maximum.accumulate(np.where(x == values, positions, -1), axis=d)

    def backward(g):  # each row (the dim last) adds its gradients at the picked indices
        n = x.shape[d]
        rows = np.moveaxis(g, d, -1).reshape(-1, n)
        picked = np.moveaxis(indices, d, -1).reshape(-1, n)
        grad = np.zeros_like(rows)
        np.add.at(grad, (xp_of(x).arange(rows.shape[0])[:, None], picked), rows)
        return (np.moveaxis(grad.reshape(np.moveaxis(g, d, -1).shape), -1, d),)

    return result(Tensor._op(values, (a,), backward), Tensor._wrap(indices.astype(np.int64)))


def logsumexp(a: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log Σ exp(x) over ``dim`` (an int or a tuple), computed as m + log Σ exp(x − m) with
    m the max (so it neither overflows nor underflows), as torch.logsumexp.
    d/dxᵢ = exp(xᵢ − out) (the softmax)."""
    if a._data.dtype.kind != "f":
        raise DTypeError(f"logsumexp: expects a float tensor, got dtype {a._data.dtype}")
    axes = normalize_dims(dim, a.ndim, "logsumexp")
    x = a._data
    m = x.max(axis=axes, keepdims=True) if x.size else xp_of(x).zeros_like(x.sum(axis=axes, keepdims=True))
    m = np.where(np.isfinite(m), m, xp_of(x).zeros_like(m))
    with np.errstate(divide="ignore"):  # an all −inf slice gives −inf, as torch
        out_kd = m + np.log(np.exp(x - m).sum(axis=axes, keepdims=True))
    out = out_kd if keepdim else out_kd.squeeze(axes)
    return Tensor._op(out, (a,), lambda g: (_expand(g, axes, keepdim) * np.exp(x - out_kd),))


def vector_norm(a: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """(Σ|x|ᵖ)^(1/p) over ``dim`` (an int, a tuple, or None: all elements), as
    torch.linalg.vector_norm (default ord 2): ord inf → max|x|, −inf → min|x|, 0 → the
    number of nonzeros.  Gradients: p=2 x/‖x‖; p=1 sign x; ±inf sign x shared among the
    elements reaching the extreme; general p sign(x)|x|^(p−1)/‖x‖^(p−1); zero where the norm
    is 0 (as PyTorch)."""
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real):
        raise ArgumentError(f"vector_norm: ord must be a number (2, 1, inf, …), got {ord!r}")
    x = a._data if dtype is None else a._data.astype(dtype)
    if x.dtype.kind != "f":
        raise DTypeError(f"norm: expects a float tensor, got dtype {x.dtype} (as torch)")
    axes = normalize_dims(dim, x.ndim, "norm")
    p = float(ord)
    ax = np.abs(x)
    if p == np.inf or p == -np.inf:
        if x.size == 0 or any(x.shape[i] == 0 for i in axes):
            raise ShapeError(f"norm: ord={ord} of an empty tensor of shape {shape_str(x.shape)}")
        out_kd = (ax.max if p > 0 else ax.min)(axis=axes, keepdims=True)
    elif p == 0:
        out_kd = (x != 0).sum(axis=axes, keepdims=True).astype(x.dtype)
    elif p == 1:
        out_kd = ax.sum(axis=axes, keepdims=True)
    elif p == 2:
        out_kd = np.sqrt((x * x).sum(axis=axes, keepdims=True))
    else:
        out_kd = (ax ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)

    def backward(g):
        g = _expand(g, axes, keepdim)
        if p == 0:
            return (0 * x,)
        if p == 1:
            return (g * np.sign(x),)
        if p in (np.inf, -np.inf):
            hit = ax == out_kd
            return (g * np.sign(x) * hit / hit.sum(axis=axes, keepdims=True),)
        safe = np.where(out_kd == 0, 1 + 0 * out_kd, out_kd)
        if p == 2:
            scaled = x / safe
        else:
            scaled = np.sign(x) * ax ** (p - 1) / safe ** (p - 1)
        return (g * np.where(out_kd == 0, 0 * scaled, scaled),)

    return Tensor._op(_wrap(out_kd if keepdim else out_kd.squeeze(axes)), (a,), backward)


def norm(a: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.norm / Tensor.norm: ``p`` 'fro' (default; the 2-norm of the elements over
    ``dim``, all of them when None) or a number (the vector p-norm over ``dim``, see
    `vector_norm`).  The nuclear norm ('nuc') is not implemented in tidu."""
    if isinstance(p, str):
        if p != "fro":
            raise ArgumentError(f"norm: p={p!r} is not supported; tidu has 'fro' and numeric p "
                                f"(the nuclear norm 'nuc' is not implemented)")
        if dim is not None and isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise ArgumentError(f"norm: p='fro' takes at most 2 dims, got dim={dim!r}")
        p = 2
    return vector_norm(a, p, dim, keepdim, dtype=dtype)


def median(a: Tensor, dim=None, keepdim: bool = False):
    """The lower median (the ⌊(n−1)/2⌋-th smallest value, not the mean of the two middle
    ones), as torch.median: ``median(a)`` the value over all elements (its gradient shared
    among the elements equal to it); ``median(a, dim, keepdim=False)`` the named tuple
    ``(values, indices)`` along ``dim``, whose gradient goes to the index picked.  NaN
    handling differs: PyTorch returns NaN when the input holds one, tidu sorts NaN last."""
    x = a._data
    if dim is None:
        if x.size == 0:
            raise ShapeError("median: of an empty tensor (as torch, there is none)")
        flat = np.sort(x.reshape(-1))
        val = flat[(flat.shape[0] - 1) // 2]
        out = _wrap(val)

        def backward_all(g):
            hit = x == out
            return (g * hit / hit.sum(),)

        return Tensor._op(out, (a,), backward_all)
    d = normalize_dim(dim, x.ndim, "median")
    if not x.ndim:
        return MedianResult(Tensor._op(x.copy(), (a,), lambda g: (g,)),
                            Tensor._wrap(xp_of(x).zeros_like(x, dtype=np.int64)))
    n = x.shape[d]
    if n == 0:
        raise ShapeError(f"median: dim {d} of shape {shape_str(x.shape)} is empty")
    order = np.argsort(x, axis=d, kind="stable")
    idx = np.take(order, [(n - 1) // 2], axis=d).astype(np.int64)
    values = np.take_along_axis(x, idx, d)

    def backward(g):
        full = xp_of(g).zeros(x.shape, dtype=g.dtype)
        np.put_along_axis(full, idx, g if keepdim else np.expand_dims(g, d), d)
        return (full,)

    if not keepdim:
        values, kept = values.squeeze(d), idx.squeeze(d)
    else:
        kept = idx
    return MedianResult(Tensor._op(values, (a,), backward), Tensor._wrap(kept))


def var_mean(a: Tensor, dim=None, *, correction: int = 1, keepdim: bool = False):
    """``(var, mean)`` over ``dim`` in one call (as torch.var_mean; correction=1 unbiased)."""
    return (var(a, dim=dim, keepdim=keepdim, correction=correction),
            mean(a, dim=dim, keepdim=keepdim))


def std_mean(a: Tensor, dim=None, *, correction: int = 1, keepdim: bool = False):
    """``(std, mean)`` over ``dim`` in one call (as torch.std_mean)."""
    return (std(a, dim=dim, keepdim=keepdim, correction=correction),
            mean(a, dim=dim, keepdim=keepdim))


def aminmax(a: Tensor, *, dim=None, keepdim: bool = False):
    """The named tuple ``(min, max)`` over all elements or along ``dim`` (as torch.aminmax)."""
    dims = () if dim is None else dim
    return AminmaxResult(amin(a, dims, keepdim), amax(a, dims, keepdim))


ModeResult = namedtuple("mode", ["values", "indices"])


def mode(a: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest of ties) and an index where it
    occurs, as torch.mode: the named tuple ``(values, indices)``; the values' gradient goes
    to that index.  Indices: the last occurrence, as torch's CPU kernel."""
    x = a._data
    if not x.ndim:
        return ModeResult(Tensor._op(x.copy(), (a,), lambda g: (g,)),
                          Tensor._wrap(xp_of(x).zeros((), dtype=np.int64)))
    d = normalize_dim(dim, x.ndim, "mode")
    n = x.shape[d]
    if n == 0:
        raise ShapeError(f"mode: dim {d} of shape {shape_str(x.shape)} is empty")
    device_x, x = x, to_numpy(x)  # counting runs is host work; the results go back below
    xs = np.moveaxis(x, d, -1)
    srt = np.sort(xs, axis=-1)
    # run lengths of equal values in each sorted row: the longest run wins, the first (smallest)
    # of equally long runs
    new = np.ones(srt.shape, dtype=bool)
    new[..., 1:] = srt[..., 1:] != srt[..., :-1]
    run_id = np.cumsum(new, axis=-1) - 1
    counts = np.zeros(srt.shape, dtype=np.int64)
    rows = np.indices(srt.shape[:-1])
    np.add.at(counts, (*[r[..., None] for r in rows], run_id), 1)
    best_run = counts.argmax(axis=-1)
    start = np.argmax(run_id == best_run[..., None], axis=-1)
    values = np.take_along_axis(srt, start[..., None], -1)[..., 0]
    last = n - 1 - np.argmax(np.flip(xs == values[..., None], -1), axis=-1)
    idx = like(device_x, np.expand_dims(last.astype(np.int64), d))
    values = like(device_x, values)
    shape = x.shape

    def backward(g):
        g = g if keepdim else np.expand_dims(g, d)
        full = np.zeros_like(g, shape=shape)
        np.put_along_axis(full, idx, g, d)
        return (full,)

    vals = np.expand_dims(values, d) if keepdim else values
    return ModeResult(Tensor._op(vals, (a,), backward),
                      Tensor._wrap(idx if keepdim else idx.squeeze(d)))
