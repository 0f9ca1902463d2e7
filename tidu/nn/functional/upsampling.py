"""Resizing (as `torch.nn.functional.interpolate`) of (N, C, L) and (N, C, H, W) inputs.

Each spatial dim is resized on its own (the modes here are separable).  For output position
i of a dim of input size n and output size m, with s = 1/scale_factor when a scale factor is
given (and not recomputed), else n/m:

    nearest        src = min(⌊i·s⌋, n − 1)              (floored as a float32, as PyTorch)
    nearest-exact  src = min(⌊(i + ½)·s⌋, n − 1)
    linear         align_corners=False: t = max(s·(i + ½) − ½, 0)
                   align_corners=True:  t = i·(n − 1)/(m − 1)   (0 when m = 1)
                   out = (1 − λ)·x[i₀] + λ·x[i₁],  i₀ = ⌊t⌋, i₁ = min(i₀ + 1, n − 1), λ = t − i₀

Every step is a gather along one dim (`index_select`), so the gradient is the matching
scatter-add, computed by tidu's autograd.  'area' is adaptive average pooling.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...backend import like
from ...errors import DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "area")
_REFUSED = ("bicubic", "trilinear", "lanczos")
_NEEDS = {"linear": 3, "bilinear": 4}


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _sizes(input, size, scale_factor, recompute):
    """(output sizes, scales handed to the kernel: a float per dim or None), as PyTorch."""
    dims = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        if recompute:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an "
                             "explicit size.")
        out = list(size) if isinstance(size, (list, tuple)) else [size] * dims
        if len(out) != dims:
            raise ValueError(f"interpolate: input and output must have the same number of "
                             f"spatial dimensions, but got input with spatial dimensions of "
                             f"{spatial} and output size of {size!r}")
        if not all(_is_int(o) for o in out):
            raise TypeError(f"interpolate: expected size to be an int or a tuple of ints, got "
                            f"{size!r}")
        return [int(o) for o in out], None
    if scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    factors = (list(scale_factor) if isinstance(scale_factor, (list, tuple))
               else [scale_factor] * dims)
    if len(factors) != dims:
        raise ValueError(f"interpolate: input and scale_factor must have the same number of "
                         f"spatial dimensions, but got input with spatial dimensions of "
                         f"{spatial} and scale_factor of shape {scale_factor!r}")
    factors = [float(f) for f in factors]
    out = [int(math.floor(n * f)) for n, f in zip(spatial, factors)]
    return out, (None if recompute else factors)


def _nearest_index(n: int, m: int, scale, exact: bool, dtype) -> np.ndarray:
    """Source index of each of the m outputs, rounded as PyTorch's CPU kernel: the scale in
    the input's precision (double for float64 input, else float32), the position
    i·s (nearest) or (i + ½)·s (nearest-exact), floored as a float32 (``floorf``).
    The rounding decides the index at ties (plain float64 differs for, e.g., n = 6, m = 74)."""
    dt = np.float64 if dtype == np.float64 else np.float32
    s = dt(1.0 / scale) if scale is not None else dt(n) / dt(m)
    i = np.arange(m)
    if not exact:
        src = i.astype(dt) * s
    elif dt is np.float32:  # its vectorized float path: one fused s·(i + ½) − ½, then + ½
        src = np.maximum((np.float64(s) * (i + 0.5) - 0.5).astype(dt), dt(0)) + dt(0.5)
    else:
        src = (i + 0.5) * s
    return np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n - 1)


def _linear_weights(n: int, m: int, scale, align_corners: bool, dtype):
    """(i₀, i₁, λ) of every output position, in the input's float precision as PyTorch."""
    one = dtype.type(1)
    i = np.arange(m).astype(dtype)
    if align_corners:
        s = dtype.type(n - 1) / dtype.type(m - 1) if m > 1 else dtype.type(0)
        t = s * i
    else:
        s = dtype.type(1.0 / scale) if scale is not None else dtype.type(n) / dtype.type(m)
        t = np.maximum(s * (i + dtype.type(0.5)) - dtype.type(0.5), dtype.type(0))
    i0 = t.astype(np.int64)
    i1 = i0 + (i0 < n - 1)
    lam = np.clip(t - i0.astype(dtype), 0, one)
    return i0, i1, lam


def _resize_dim(x: Tensor, dim: int, m: int, scale, mode: str, align_corners: bool) -> Tensor:
    n = x.shape[dim]
    if mode != "linear":
        idx = _nearest_index(n, m, scale, mode == "nearest-exact", x._data.dtype)
        return x.index_select(dim, Tensor._wrap(like(x._data, idx)))
    i0, i1, lam = _linear_weights(n, m, scale, align_corners, x._data.dtype)
    lam = lam.reshape((m,) + (1,) * (x.ndim - 1 - dim))
    lo = x.index_select(dim, Tensor._wrap(like(x._data, i0)))
    hi = x.index_select(dim, Tensor._wrap(like(x._data, i1)))
    lam_t = Tensor._wrap(like(x._data, lam))
    return lo + (hi - lo) * lam_t


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) ``input`` to ``size`` or by ``scale_factor`` (exactly
    one given; an output size is ⌊n·scale_factor⌋), as `torch.nn.functional.interpolate`.

    ``mode``: 'nearest' (default; src = min(⌊i·n/m⌋, n−1)), 'nearest-exact'
    (min(⌊(i+½)·n/m⌋, n−1)), 'linear' (3-D) / 'bilinear' (4-D) (out = (1−λ)x[i₀] + λx[i₁] at
    source t = (i+½)·n/m − ½, or t = i·(n−1)/(m−1) with ``align_corners=True``), 'area'
    (adaptive average pooling).  A given scale factor is used as n/m = 1/scale_factor unless
    ``recompute_scale_factor=True``.  Defaults as PyTorch (align_corners None meaning False).
    'bicubic', 'trilinear', 'lanczos', 5-D inputs and ``antialias=True`` are not implemented.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if mode in _REFUSED:
        raise NotImplementedError(f"interpolate: mode={mode!r} is not implemented in tidu; use "
                                  f"one of {', '.join(map(repr, _MODES))}")
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: input of shape {shape_str(input.shape)} with "
                                  f"mode {mode!r}: expected one of "
                                  f"{', '.join(map(repr, _MODES))}")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented in tidu; use "
                                  "antialias=False (the default)")
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("interpolate: align_corners option can only be set with the "
                             "interpolating modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"interpolate: tidu supports 3-D (N, C, L) and 4-D "
                                  f"(N, C, H, W) inputs, got shape {shape_str(input.shape)}")
    if mode in _NEEDS and input.ndim != _NEEDS[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_NEEDS[mode]}D input")
    if mode == "area" and size is None:
        recompute_scale_factor = True
    out_sizes, scales = _sizes(input, size, scale_factor, recompute_scale_factor)
    if min(out_sizes) < 1 or 0 in input.shape[2:]:
        raise ShapeError(f"interpolate: input of shape {shape_str(input.shape)} and output "
                         f"size {tuple(out_sizes)} must both be non-empty")
    if mode == "area":
        pool = adaptive_avg_pool1d if input.ndim == 3 else adaptive_avg_pool2d
        return pool(input, out_sizes[0] if input.ndim == 3 else tuple(out_sizes))
    if mode in ("linear", "bilinear"):
        if input._data.dtype.kind != "f":
            raise DTypeError(f"interpolate: mode={mode!r} needs a float input, got dtype "
                             f"{input._data.dtype}")
        mode = "linear"
    out = input
    for k, m in enumerate(out_sizes):
        out = _resize_dim(out, 2 + k, m, None if scales is None else scales[k], mode,
                          bool(align_corners))
    return out


def upsample(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None):
    """Deprecated alias of `interpolate` (as `torch.nn.functional.upsample`, which warns;
    so does tidu)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: `interpolate` with mode='nearest' (as PyTorch, which warns; so does tidu)."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: `interpolate` with mode='bilinear', align_corners=True (as PyTorch, which
    warns; so does tidu)."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
