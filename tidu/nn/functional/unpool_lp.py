"""Max pooling that always returns its indices, max unpooling (its partial inverse), and
power-average (Lp) pooling, as PyTorch's functions of the same names.

    max_unpool:  out[n, c].flat[idx[n, c, y, x]] = in[n, c, y, x], every other cell 0,
                 default output H_out = (H − 1)·s − 2p + k (W, L likewise)
    lp_pool:     out = (Σ_{window} xᵖ)^{1/p}   (p = ``norm_type``; no padding)

Indices are PyTorch's: flat per (n, c) plane, into H·W (2-D) or L (1-D), as
``max_pool2d(..., return_indices=True)`` gives them.
"""
from __future__ import annotations

import numpy as np

from ...backend import xp_of
from ..._checks import single_int as _single
from ...errors import ArgumentError, DTypeError, IndexRangeError, ShapeError, shape_str
from ...tensor import Tensor
from .activation import relu
from .conv import _pair
from .pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d

__all__ = ["max_pool1d_with_indices", "max_pool2d_with_indices", "max_unpool1d",
           "max_unpool2d", "lp_pool1d", "lp_pool2d"]


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """`max_pool2d` returning (output, indices) whatever ``return_indices`` says, as
    `torch.nn.functional.max_pool2d_with_indices`; indices are flat into H·W (int64)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """`max_pool1d` returning (output, indices) whatever ``return_indices`` says, as
    `torch.nn.functional.max_pool1d_with_indices`; indices are into L (int64)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _unpool_size(in_spatial, kernel, stride, padding, output_size, who):
    """PyTorch's default output size (in − 1)·s − 2p + k, or ``output_size`` checked against
    it (each dim strictly between default − s and default + s)."""
    default = tuple((i - 1) * s - 2 * p + k for i, k, s, p in zip(in_spatial, kernel, stride, padding))
    if output_size is None:
        return default
    n = len(default)
    sizes = tuple(output_size.tolist() if hasattr(output_size, "tolist") else output_size)
    if len(sizes) == n + 2:
        sizes = sizes[2:]
    if len(sizes) != n:
        raise ArgumentError(f"{who}: output_size should be a sequence containing {n} or {n + 2} "
                            f"elements, but it has a length of '{len(sizes)}'")
    for d, (o, base, s) in enumerate(zip(sizes, default, stride)):
        if not base - s < o < base + s:
            raise ArgumentError(f'{who}: invalid output_size "{tuple(output_size)}" (dim {d} '
                                f'must be between {base - s} and {base + s})')
    return tuple(int(o) for o in sizes)


def _unpool(input, indices, spatial_out, who):
    """Scatter ``input`` (…, *spatial_in) to zeros (…, *spatial_out) at the flat ``indices``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(input).__name__}")
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype != np.int64:
        raise DTypeError(f"{who}: indices must be an int64 tensor (from max_pool with "
                         f"return_indices=True), got dtype {idx.dtype}")
    if tuple(idx.shape) != tuple(input.shape):
        raise ShapeError(f"{who}: expected shape of indices to be same as that of the input "
                         f"tensor ({shape_str(input.shape)}) but got indices tensor with shape "
                         f"{shape_str(idx.shape)}")
    xd = input._data
    xp = xp_of(xd)
    idx = xp.asarray(idx)
    k = len(spatial_out)
    lead = xd.shape[:xd.ndim - k]
    plane = int(np.prod(spatial_out))
    flat_in = xd.reshape(-1, int(np.prod(xd.shape[xd.ndim - k:], dtype=np.int64)))
    flat_idx = idx.reshape(flat_in.shape)
    if flat_idx.size and (bool((flat_idx < 0).any()) or bool((flat_idx >= plane).any())):
        bad = int(flat_idx.min()) if bool((flat_idx < 0).any()) else int(flat_idx.max())
        raise IndexRangeError(f"{who}: found an invalid max index: {bad} (output volumes are "
                              f"of size {' x '.join(map(str, spatial_out))})")
    out = xp.zeros((flat_in.shape[0], plane), dtype=xd.dtype)
    rows = xp.arange(flat_in.shape[0])[:, None]
    out[rows, flat_idx] = flat_in

    def backward(g):
        return (g.reshape(out.shape)[rows, flat_idx].reshape(xd.shape),)

    return Tensor._op(out.reshape(lead + tuple(spatial_out)), (input,), backward)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of `max_pool2d`, as `torch.nn.functional.max_unpool2d`: each value goes
    to its flat index in an H_out × W_out plane of zeros.  Input (N, C, H, W) or (C, H, W);
    defaults stride=None (= kernel_size), padding=0, output_size=None
    (H_out = (H − 1)·s − 2p + k).  Backward: the gradient gathered at the indices."""
    who = "max_unpool2d"
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        raise ShapeError(f"{who}: expected a 3-D or 4-D input tensor, got "
                         f"{shape_str(input.shape) if isinstance(input, Tensor) else type(input).__name__}")
    k = _pair(kernel_size, "kernel_size", who, 1)
    s = k if stride is None else _pair(stride, "stride", who, 1)
    p = _pair(padding, "padding", who, 0)
    size = _unpool_size(input.shape[-2:], k, s, p, output_size, who)
    return _unpool(input, indices, size, who)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of `max_pool1d`, as `torch.nn.functional.max_unpool1d`: each value goes
    to its index in a length-L_out row of zeros, L_out = (L − 1)·s − 2p + k by default.
    Input (N, C, L) or (C, L); defaults stride=None (= kernel_size), padding=0."""
    who = "max_unpool1d"
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        raise ShapeError(f"{who}: expected a 2-D or 3-D input tensor, got "
                         f"{shape_str(input.shape) if isinstance(input, Tensor) else type(input).__name__}")
    k = (_single(kernel_size, "kernel_size", who, 1),)
    s = k if stride is None else (_single(stride, "stride", who, 1),)
    p = (_single(padding, "padding", who, 0),)
    size = _unpool_size(input.shape[-1:], k, s, p, output_size, who)
    return _unpool(input, indices, size, who)


def _root_of_sum(avg: Tensor, norm_type, cells: int) -> Tensor:
    """(cells · mean)^{1/p}; PyTorch's sign(m)·relu(|m|) keeps a zero mean's gradient 0."""
    return (avg.sign() * relu(avg.abs()) * cells) ** (1.0 / norm_type)


def lp_pool2d(input: Tensor, norm_type, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over kH×kW windows, as `torch.nn.functional.lp_pool2d`:

        out = (Σ_{window} xᵖ)^{1/p},   p = norm_type (p = ∞ is max pooling, p = 1 sum pooling)

    Defaults stride=None (= kernel_size), ceil_mode=False (True is not implemented); no
    padding.  Gradients by autograd through xᵖ, the average and the root."""
    who = "lp_pool2d"
    kh, kw = _pair(kernel_size, "kernel_size", who, 1)
    avg = avg_pool2d(input ** norm_type, (kh, kw), stride, 0, ceil_mode)
    return _root_of_sum(avg, norm_type, kh * kw)


def lp_pool1d(input: Tensor, norm_type, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over windows of length k along the last dim, as
    `torch.nn.functional.lp_pool1d`: out = (Σ_{window} xᵖ)^{1/p}.  Defaults stride=None
    (= kernel_size), ceil_mode=False; no padding."""
    who = "lp_pool1d"
    k = _single(kernel_size, "kernel_size", who, 1)
    avg = avg_pool1d(input ** norm_type, k, stride, 0, ceil_mode)
    return _root_of_sum(avg, norm_type, k)
