"""Numerical summaries, as PyTorch's: diff, nansum, nanmean, quantile, nanquantile, cov,
corrcoef.  diff, nansum, nanmean, cov and corrcoef are compositions of differentiable ops;
the quantiles sort, then interpolate between two order statistics with their own backward
(the gradient goes to the two values that were interpolated, through the sort)."""
from __future__ import annotations

import numbers
import numpy as np

from .._checks import normalize_dim
from ..backend import index_add, like, xp_of
from ..errors import ArgumentError, DimError, DTypeError, ShapeError, shape_str
from ..tensor import Tensor
from .elementwise import clip, div, mul, sqrt, sub
from .diagonals import diagonal
from .elementwise_more import _float_input
from .indexing import sort
from .linalg import matmul
from .reduction import sum as _sum
from .shape import concatenate, getitem, reshape, transpose
from .shape_more import movedim

__all__ = ["diff", "nansum", "nanmean", "quantile", "nanquantile", "cov", "corrcoef"]


def _tensor(t, op, name="input"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {name} must be a tensor, got {type(t).__name__}")


# --------------------------------------------------------------------------- diff
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:  # noqa: A002
    """The n-th forward difference along ``dim``: out[i] = x[i+1] − x[i], applied ``n``
    times (default n=1, dim=−1), after joining ``prepend`` / ``append`` to ``input`` along
    ``dim``; bool tensors give x[i+1] ≠ x[i], as torch.diff."""
    _tensor(input, "diff")
    if input.ndim == 0:
        raise DimError("diff: expects input to be at least one-dimensional")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ArgumentError(f"diff: order must be non-negative, got n={n!r}")
    d = normalize_dim(dim, input.ndim, "diff")
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is not None:
            _tensor(extra, "diff", name)
            if extra.ndim != input.ndim:
                raise ShapeError(f"diff: {name} {shape_str(extra.shape)} must have the same "
                                 f"number of dims as input {shape_str(input.shape)}")
    x = input
    if prepend is not None or append is not None:
        x = concatenate([t for t in (prepend, input, append) if t is not None], dim=d)
    head = (slice(None),) * d
    for _ in range(int(n)):  # n is the order (small), each step vectorized
        later, earlier = getitem(x, head + (slice(1, None),)), getitem(x, head + (slice(None, -1),))
        if x._data.dtype == np.bool_:
            x = Tensor._wrap(later._data != earlier._data)
        else:
            x = sub(later, earlier)
    return x


# --------------------------------------------------------------------------- nan reductions
def _nan_zeroed(input, op):
    _tensor(input, op)
    x = input._data
    if x.dtype.kind != "f":
        return input, None
    xp = xp_of(x)
    nan = xp.isnan(x)
    keep = (~nan).astype(x.dtype)
    # g·[x not NaN] rather than a select, so an infinite g gives NaN there, as PyTorch
    return Tensor._op(xp.where(nan, 0, x), (input,), lambda g: (g * keep,)), nan


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """Σ x over ``dim`` (default all) with NaN counted as 0, as torch.nansum; the gradient
    is 0 at NaN entries."""
    zeroed, _ = _nan_zeroed(input if dtype is None else input.to(dtype), "nansum")
    return _sum(zeroed, dim=dim, keepdim=keepdim)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """(Σ of the non-NaN x) / (their count) over ``dim`` (default all), as torch.nanmean;
    all-NaN slices give NaN.  Float inputs only."""
    _tensor(input, "nanmean")
    if dtype is not None:
        input = input.to(dtype)  # noqa: A001
    if input._data.dtype.kind != "f":
        raise DTypeError(f"nanmean: expects a float tensor, got dtype {input._data.dtype}")
    zeroed, nan = _nan_zeroed(input, "nanmean")
    total = _sum(zeroed, dim=dim, keepdim=keepdim)
    counts = _sum(Tensor._wrap((~nan).astype(input._data.dtype)), dim=dim, keepdim=keepdim)
    with np.errstate(invalid="ignore", divide="ignore"):
        return div(total, counts)


# --------------------------------------------------------------------------- quantiles
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _q_array(q, x, op):
    """``q`` as an array of ``x``'s dtype on its device, and whether it was a scalar."""
    if isinstance(q, Tensor):
        if q._data.dtype != x.dtype:
            raise DTypeError(f"{op}: q tensor must have the same dtype as input ({x.dtype}), "
                             f"got {q._data.dtype}")
        if q.ndim > 1:
            raise DimError(f"{op}: q must be a scalar or a 1-D tensor, got shape "
                           f"{shape_str(q.shape)}")
        qa, scalar = q._data, q.ndim == 0
    elif isinstance(q, numbers.Real) and not isinstance(q, bool):
        qa, scalar = like(x, np.asarray(float(q), dtype=x.dtype)), True
    else:
        raise TypeError(f"{op}: q must be a float or a tensor, got {type(q).__name__}")
    if qa.size and not bool(((qa >= 0) & (qa <= 1)).all()):
        raise ArgumentError(f"{op}: q values must be in the range [0, 1]")
    return qa.reshape(-1), scalar


def _interpolate(sorted_t, lo, hi, weight):
    """out = v[lo] + weight·(v[hi] − v[lo]) along the last dim of ``sorted_t`` (rows ×
    m), lo/hi/weight of shape (Q, rows); the gradient splits g between the two picks."""
    v = sorted_t._data
    xp = xp_of(v)
    rows, m = v.shape
    row = xp.arange(rows)[None, :]
    low, high = v[row, lo], v[row, hi]
    out = low + weight * (high - low)

    def backward(g):
        full = xp.zeros(rows * m, dtype=g.dtype)
        flat_row = row * m
        index_add(full, (flat_row + lo).reshape(-1), (g * (1 - weight)).reshape(-1))
        index_add(full, (flat_row + hi).reshape(-1), (g * weight).reshape(-1))
        return (full.reshape(rows, m),)

    return Tensor._op(out, (sorted_t,), backward)


def _quantile(op, input, q, dim, keepdim, interpolation, ignore_nan):
    _tensor(input, op)
    x = input._data
    if x.dtype.kind != "f":
        raise DTypeError(f"{op}: input tensor must be either float or double dtype, got "
                         f"{x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ArgumentError(f"{op}: interpolation must be one of {', '.join(_INTERPOLATIONS)}, "
                            f"got {interpolation!r}")
    if x.size == 0:
        raise ShapeError(f"{op}: input tensor must be non-empty")
    qa, scalar_q = _q_array(q, x, op)
    if dim is None:
        src, kept = reshape(input, (1, -1)), (1,) * x.ndim if keepdim else ()
    else:
        d = normalize_dim(dim, x.ndim, op)
        moved = movedim(input, d, -1) if x.ndim else reshape(input, (1,))
        batch = tuple(moved.shape[:-1])
        src = reshape(moved, (-1, moved.shape[-1]))
        kept = (batch[:d] + (1,) + batch[d:]) if keepdim and x.ndim else batch
    xp = xp_of(x)
    values = sort(src, dim=-1).values  # NaN sorts last
    nan = xp.isnan(src._data)
    m = src.shape[-1]
    if ignore_nan:
        count = m - nan.sum(axis=-1)
        empty = count == 0
    else:
        count = xp.full(src.shape[0], m)
        empty = nan.any(axis=-1)
    rank = qa[:, None] * (xp.maximum(count, 1) - 1).astype(x.dtype)[None, :]   # (Q, rows)
    # a slice that must give NaN picks its last sorted value, a NaN (and its gradient, as torch)
    rank = xp.where(empty[None, :], m - 1, rank).astype(x.dtype, copy=False)
    lo, hi = xp.floor(rank), xp.ceil(rank)
    if interpolation == "linear":
        weight = rank - lo
    elif interpolation == "lower":
        weight, hi = xp.zeros_like(rank), lo
    elif interpolation == "higher":
        weight, lo = xp.zeros_like(rank), hi
    elif interpolation == "midpoint":
        weight = xp.where(hi > lo, 0.5, 0.0).astype(x.dtype)
    else:  # nearest: round half to even, as PyTorch
        weight, lo = xp.zeros_like(rank), xp.round(rank)
        hi = lo
    out = _interpolate(values, lo.astype(np.int64), hi.astype(np.int64), weight)
    return reshape(out, kept if scalar_q else (qa.shape[0],) + tuple(kept))


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles (q a float or a 1-D tensor in [0, 1]) over ``dim`` (default all
    values): with the n sorted values v and r = q·(n − 1), 'linear' (default) gives
    v[⌊r⌋] + (r − ⌊r⌋)(v[⌈r⌉] − v[⌊r⌋]); 'lower' v[⌊r⌋], 'higher' v[⌈r⌉], 'midpoint' their
    mean, 'nearest' v[round(r)].  A tensor q puts its dim first.  NaN in a slice gives NaN,
    as torch.quantile."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """`quantile` over the non-NaN values of each slice only (NaN where all are NaN), as
    torch.nanquantile."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


# --------------------------------------------------------------------------- covariance
def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:  # noqa: A002
    """The covariance of the variables in the rows of ``input`` (a 1-D tensor is one
    variable), observations in the columns: with weights w = fweights·aweights (default 1),
    μ = Σ w·x / Σ w and C = (x − μ) diag(w) (x − μ)ᵀ / (Σ w − correction·Σ(w·a)/Σ w), the
    last term correction alone without aweights (default correction=1, Bessel's), as
    torch.cov; the normalizer is clamped at 0."""
    _tensor(input, "cov")
    if input.ndim > 2:
        raise DimError(f"cov: expected input to have two or fewer dimensions but got an input "
                       f"with {input.ndim} dimensions")
    x = _float_input(input, "cov")
    x = reshape(x, (1, -1)) if x.ndim < 2 else x
    n_obs = x.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        _tensor(weights, "cov", name)
        if weights.ndim > 1 or weights._data.size != n_obs:
            raise ShapeError(f"cov: expected {name} to have one dimension with {n_obs} "
                             f"entries (one per observation), got shape {shape_str(weights.shape)}")
        if name == "fweights" and weights._data.dtype.kind not in "iu":
            raise DTypeError(f"cov: expected fweights to have an integral dtype, got "
                             f"{weights._data.dtype}")
        if name == "aweights" and weights._data.dtype.kind != "f":
            raise DTypeError(f"cov: expected aweights to have a floating point dtype, got "
                             f"{weights._data.dtype}")
        if bool((weights._data < 0).any()):
            raise ArgumentError(f"cov: {name} cannot be negative")
        weights = reshape(weights, (-1,))
        w = weights if w is None else mul(w, weights)
    if w is None:
        w_sum = float(n_obs)
        mean = div(_sum(x, dim=1, keepdim=True), w_sum)
        norm = w_sum - correction
    else:
        w = w if w._data.dtype == x._data.dtype else Tensor._wrap(w._data.astype(x._data.dtype))
        w_sum = _sum(w)
        mean = div(_sum(mul(x, w), dim=1, keepdim=True), w_sum)
        norm = (sub(w_sum, correction) if aweights is None or correction == 0 else
                sub(w_sum, div(mul(_sum(mul(w, aweights)), correction), w_sum)))
    norm = clip(norm, 0, None) if isinstance(norm, Tensor) else max(norm, 0)
    centred = sub(x, mean)
    weighted = centred if w is None else mul(centred, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = div(matmul(centred, transpose(weighted, 0, 1)), norm)
    return reshape(c, ()) if input.ndim < 2 else c


def corrcoef(input: Tensor) -> Tensor:  # noqa: A002
    """Pearson's correlation coefficients R_ij = C_ij / √(C_ii·C_jj) of the covariance C =
    cov(input) of the rows of ``input``, clipped to [−1, 1], as torch.corrcoef."""
    c = cov(input)
    if c.ndim == 0:
        return div(c, c)
    n = c.shape[0]
    std = sqrt(diagonal(c))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = div(div(c, reshape(std, (n, 1))), reshape(std, (1, n)))
    return clip(c, -1, 1)
