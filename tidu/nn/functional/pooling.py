"""Max and average pooling over NCHW (2-D) and NCL (1-D) input, fixed and adaptive windows.

With kernel k, stride s (default k), padding p and dilation d per spatial dim,

    H_out = ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1                      (W likewise; ceil_mode=False)
    max:  out[n, c, y, x] = max_{i,j} x_pad[n, c, s·y + d·i, s·x + d·j]     (x_pad padded with −∞)
    avg:  out[n, c, y, x] = (1/D) Σ_{i,j} x_pad[n, c, s·y + i, s·x + j]     (x_pad padded with 0)

where D = kH·kW with ``count_include_pad=True`` (default), the number of window cells inside
the unpadded input otherwise, or ``divisor_override``.

Forward and backward loop over the kH·kW kernel offsets only (each step a strided slice of the
whole batch); a 2×2 max pool with stride 2 on NumPy arrays runs as two compiled kernels
instead (`tidu.kernels.pooling`: one pass for the maxima, one scatter back), unless
``TIDU_KERNELS=numpy``.  The max-pool gradient goes to the first maximum of each window in row-major
order, as PyTorch (a window holding NaN outputs NaN and, with several NaNs, sends the gradient
to its first NaN where PyTorch picks its last).

Adaptive pooling fixes the output size instead of the window: output cell i of a dim of
input size H and output size O covers rows [⌊iH/O⌋, ⌈(i+1)H/O⌉) (PyTorch's start/end
formula; windows may differ in size by one and overlap).  Adaptive average pooling is
separable, out = Aₕ · x · A_wᵀ with Aₕ[i, h] = 1/len(window i) on window i, so forward and
backward are two small matrix products; (1, 1) is the global average of a ResNet head.
Adaptive max pooling gathers every window padded to the longest one (repeating its last cell,
which leaves the max unchanged) and sends the gradient to the first maximum.

The 1-D functions run the 2-D code on an (N, C, 1, L) view.
"""
from __future__ import annotations

import numpy as np

from ...backend import as_strided, index_add, like, xp_of
from ..._checks import single_int as _single
from ...kernels import use_compiled
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from .conv import _pad_input, _pair

__all__ = ["max_pool2d", "avg_pool2d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_max_pool2d", "adaptive_avg_pool1d", "adaptive_max_pool1d"]


def _geometry(x, kernel_size, stride, padding, dilation, ceil_mode, who):
    """Validate the arguments as PyTorch; return the batched array and the geometry."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(x).__name__}")
    if ceil_mode:
        raise NotImplementedError(f"{who}: ceil_mode=True is not supported; tidu implements "
                                  f"only ceil_mode=False (the default: H_out rounds down)")
    if x.ndim not in (3, 4):
        raise ShapeError(f"{who}: expected a 4-D input (N, C, H, W) or a 3-D unbatched input "
                         f"(C, H, W), got shape {shape_str(x.shape)}")
    kh, kw = _pair(kernel_size, "kernel_size", who, 1)
    sh, sw = (kh, kw) if stride is None or stride == () else _pair(stride, "stride", who, 1)
    ph, pw = _pair(padding, "padding", who, 0)
    dh, dw = _pair(dilation, "dilation", who, 1)
    if ph > kh // 2 or pw > kw // 2:
        raise ArgumentError(f"{who}: padding should be at most half of the kernel size, got "
                            f"padding ({ph}, {pw}) for kernel_size ({kh}, {kw})")
    xd = x._data[None] if x.ndim == 3 else x._data
    n, c, h, w = xd.shape
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if ho < 1 or wo < 1:
        raise ShapeError(f"{who}: input of shape {shape_str(x.shape)} is too small for "
                         f"kernel_size ({kh}, {kw}), stride ({sh}, {sw}), padding ({ph}, {pw}), "
                         f"dilation ({dh}, {dw}): the output would be {ho} x {wo}")
    return xd, (n, c, h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo)


def _offset_slice(i, j, geo):
    """Index of the (i, j) kernel offset's cells, over all windows, in the padded input."""
    (sh, sw), (dh, dw), (ho, wo) = geo
    return (slice(None), slice(None), slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


# --------------------------------------------------------------------------- max
def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over each kH×kW window (dilated by ``dilation``), as `torch.nn.functional.max_pool2d`.

    out[n, c, y, x] = max_{i,j} x_pad[n, c, s·y + d·i, s·x + d·j], padding with −∞.
    Defaults as PyTorch: ``stride=None`` (= kernel_size), ``padding=0`` (at most half the
    kernel), ``dilation=1``; ``ceil_mode=True`` is not implemented.  With
    ``return_indices=True`` also returns the flat index (into H·W) of each maximum, as an int64
    tensor.  Backward: each output gradient goes to the first maximum of its window; windows
    that overlap add up.
    """
    xd, (n, c, h, w), (kh, kw), stride, (ph, pw), dil, (ho, wo) = _geometry(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    x = input
    dtype = xd.dtype
    low = -np.inf if dtype.kind == "f" else np.iinfo(dtype).min
    xpad = _pad_input(xd, (ph, ph, pw, pw), low)
    (sh, sw), (dh, dw) = stride, dil
    if (kh, kw, sh, sw, dh, dw) == (2, 2, 2, 2, 1, 1) and use_compiled(xpad):
        return _max_pool2x2_compiled(input, xpad, (h, w), (ph, pw), return_indices)
    s_n, s_c, s_h, s_w = xpad.strides
    # The kH·kW strided cells of every window, copied once into contiguous planes.
    planes = as_strided(xpad, (kh, kw, n, c, ho, wo),
                        (s_h * dh, s_w * dw, s_n, s_c, s_h * sh, s_w * sw),
                        writeable=False).reshape(kh * kw, n, c, ho, wo)
    planes = planes.copy()  # C-contiguous
    out = planes[0].copy()
    for k in range(1, kh * kw):
        np.maximum(out, planes[k], out=out)  # NaN-propagating, as PyTorch
    nan = bool(np.isnan(out).any()) if dtype.kind == "f" else False
    geo = (stride, dil, (ho, wo))
    padded_shape = xpad.shape
    del xpad

    def hits(k):
        """Where plane k holds its window's maximum (NaN counts as the maximum)."""
        m = planes[k] == out
        if nan:
            m |= np.isnan(planes[k])
        return m

    # Windows that do not overlap write their cells directly; windows that tile the padded
    # input exactly leave no cell unwritten, so its buffer need not be zeroed first.
    disjoint = sh > dh * (kh - 1) and sw > dw * (kw - 1)
    tiled = (disjoint and (sh, sw) == (kh, kw) and (dh, dw) == (1, 1)
             and padded_shape[2:] == (ho * sh, wo * sw))

    def backward(g):
        g4 = g[None] if input.ndim == 3 else g
        rest = g4.copy()  # gradient not yet routed: zeroed at each window's first maximum
        xp = xp_of(g)
        dxp = (xp.empty if tiled else xp.zeros)(padded_shape, dtype=g.dtype)
        last = kh * kw - 1
        for k in range(last + 1):
            cells = _offset_slice(*divmod(k, kw), geo)
            if disjoint:
                gk = dxp[cells]
                np.multiply(rest, hits(k), out=gk)
            else:
                gk = rest * hits(k)
                dxp[cells] += gk
            if k < last:
                rest -= gk
        gx = dxp[:, :, ph:ph + h, pw:pw + w]
        return (gx[0] if input.ndim == 3 else gx,)

    result = Tensor._op(out[0] if input.ndim == 3 else out, (x,), backward)
    if not return_indices:
        return result
    xp = xp_of(out)
    arg = xp.zeros(out.shape, dtype=np.int64)
    taken = xp.zeros(out.shape, dtype=bool)
    for k in range(kh * kw):
        first = hits(k) & ~taken
        taken |= first
        arg += k * first
    return result, _flat_indices(arg, input.ndim, (kw, (sh, sw), (ph, pw), (dh, dw), w))


def _flat_indices(arg, ndim, geo):
    """PyTorch's ``return_indices``: the flat index into H·W of each window's maximum, from
    its kernel offset ``arg`` (N, C, H_out, W_out)."""
    kw, (sh, sw), (ph, pw), (dh, dw), w = geo
    xp = xp_of(arg)
    i, j = xp.divmod(arg.astype(np.int64), kw)
    rows = xp.arange(arg.shape[-2])[:, None] * sh - ph + i * dh
    cols = xp.arange(arg.shape[-1])[None, :] * sw - pw + j * dw
    idx = rows * w + cols
    return Tensor._wrap(idx[0] if ndim == 3 else idx)


def _max_pool2x2_compiled(input, xpad, hw, pads, return_indices):
    """max_pool2d with a 2×2 kernel and stride 2 by the compiled kernels
    (`tidu.kernels.pooling`): the maximum and its offset in one pass, one scatter back."""
    from ...kernels.pooling import max_pool2x2_backward, max_pool2x2_forward
    (h, w), (ph, pw) = hw, pads
    n, c, hp, wp = xpad.shape
    ho, wo = (hp - 2) // 2 + 1, (wp - 2) // 2 + 1
    out = np.empty((n, c, ho, wo), dtype=xpad.dtype)
    arg = np.empty((n, c, ho, wo), dtype=np.int32)
    max_pool2x2_forward(xpad.reshape(n * c, hp, wp), out.reshape(n * c, ho, wo),
                        arg.reshape(n * c, ho, wo))

    def backward(g):
        g4 = np.ascontiguousarray(g[None] if input.ndim == 3 else g, dtype=xpad.dtype)
        dxp = np.zeros(xpad.shape, dtype=xpad.dtype)
        max_pool2x2_backward(g4.reshape(n * c, ho, wo), arg.reshape(n * c, ho, wo),
                             dxp.reshape(n * c, hp, wp))
        gx = dxp[:, :, ph:ph + h, pw:pw + w]
        return (gx[0] if input.ndim == 3 else gx,)

    result = Tensor._op(out[0] if input.ndim == 3 else out, (input,), backward)
    if not return_indices:
        return result
    return result, _flat_indices(arg, input.ndim, (2, (2, 2), (ph, pw), (1, 1), w))


# --------------------------------------------------------------------------- avg
def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """Mean over each kH×kW window, as `torch.nn.functional.avg_pool2d`.

    out[n, c, y, x] = (1/D) Σ_{i,j} x_pad[n, c, s·y + i, s·x + j], zero padding, with
    D = kH·kW when ``count_include_pad=True`` (default), the number of cells of the window
    inside the unpadded input when False, or ``divisor_override`` when given.
    Defaults as PyTorch: ``stride=None`` (= kernel_size), ``padding=0`` (at most half the
    kernel); ``ceil_mode=True`` is not implemented.
    Backward: every cell of a window receives out-gradient / D (overlaps add up).
    """
    xd, (n, c, h, w), (kh, kw), stride, (ph, pw), dil, (ho, wo) = _geometry(
        input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    dtype = xd.dtype
    if dtype.kind != "f":
        raise DTypeError(f"avg_pool2d: expected a float input, got dtype {dtype}")
    if divisor_override is not None:
        if (isinstance(divisor_override, bool) or divisor_override == 0
                or not isinstance(divisor_override, (int, np.integer))):
            raise ArgumentError(f"avg_pool2d: divisor_override must be a nonzero int or None, "
                                f"got {divisor_override!r}")
        scale = dtype.type(1.0 / divisor_override)
    elif count_include_pad or (ph == 0 and pw == 0):
        scale = dtype.type(1.0 / (kh * kw))
    else:  # cells of each window inside the input: separable into rows × columns
        sh, sw = stride
        r0 = np.arange(ho) * sh - ph
        c0 = np.arange(wo) * sw - pw
        rows = np.minimum(r0 + kh, h) - np.maximum(r0, 0)
        cols = np.minimum(c0 + kw, w) - np.maximum(c0, 0)
        scale = like(xd, (1.0 / np.outer(rows, cols)).astype(dtype))
    xpad = _pad_input(xd, (ph, ph, pw, pw), 0)
    geo = (stride, dil, (ho, wo))
    out = xpad[_offset_slice(0, 0, geo)].copy()
    for k in range(1, kh * kw):
        out += xpad[_offset_slice(*divmod(k, kw), geo)]
    out *= scale
    padded_shape = xpad.shape
    del xpad

    def backward(g):
        g4 = g[None] if input.ndim == 3 else g
        gs = g4 * scale
        dxp = xp_of(g).zeros(padded_shape, dtype=g.dtype)
        for k in range(kh * kw):
            dxp[_offset_slice(*divmod(k, kw), geo)] += gs
        gx = dxp[:, :, ph:ph + h, pw:pw + w]
        return (gx[0] if input.ndim == 3 else gx,)

    return Tensor._op(out[0] if input.ndim == 3 else out, (input,), backward)


# --------------------------------------------------------------------------- 1-D
def _as_2d(input, who: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ShapeError(f"{who}: expected a 3-D input (N, C, L) or a 2-D unbatched input "
                         f"(C, L), got shape {shape_str(input.shape)}")
    return input.unsqueeze(-2)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """Max over each window of length k along the last dim of (N, C, L) or (C, L), as
    `torch.nn.functional.max_pool1d`: out[n, c, x] = max_i x_pad[n, c, s·x + d·i]
    (padding with −∞), L_out = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1.  Defaults stride=None
    (= kernel_size), padding=0, dilation=1; ``return_indices`` gives each maximum's index
    into L.  The 2-D code on an (N, C, 1, L) view."""
    who = "max_pool1d"
    k = _single(kernel_size, "kernel_size", who, 1)
    s = k if stride is None or stride == () else _single(stride, "stride", who, 1)
    p = _single(padding, "padding", who, 0)
    d = _single(dilation, "dilation", who, 1)
    out = max_pool2d(_as_2d(input, who), (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over each window of length k along the last dim, as
    `torch.nn.functional.avg_pool1d`: out[n, c, x] = (1/D) Σ_i x_pad[n, c, s·x + i] (zero
    padding; D = k, or the cells inside the input with ``count_include_pad=False``).
    Defaults stride=None (= kernel_size), padding=0, count_include_pad=True."""
    who = "avg_pool1d"
    k = _single(kernel_size, "kernel_size", who, 1)
    s = k if stride is None or stride == () else _single(stride, "stride", who, 1)
    p = _single(padding, "padding", who, 0)
    return avg_pool2d(_as_2d(input, who), (1, k), (1, s), (0, p), ceil_mode,
                      count_include_pad).squeeze(-2)


# --------------------------------------------------------------------------- adaptive
def _output_size(output_size, spatial: tuple, who: str) -> tuple:
    """``output_size`` (an int, or a tuple whose None entries keep the input's size)."""
    n = len(spatial)
    if isinstance(output_size, (int, np.integer)) and not isinstance(output_size, bool):
        sizes = (int(output_size),) * n
    elif isinstance(output_size, (tuple, list)) and len(output_size) == n:
        sizes = tuple(spatial[i] if o is None else o for i, o in enumerate(output_size))
    else:
        raise ArgumentError(f"{who}: output_size must be an int or a tuple of {n} ints (or None), "
                            f"got {output_size!r}")
    for o in sizes:
        if isinstance(o, bool) or not isinstance(o, (int, np.integer)) or o < 1:
            raise ArgumentError(f"{who}: output_size entries must be positive ints, got "
                                f"{output_size!r}")
    return tuple(int(o) for o in sizes)


def _bounds(size: int, out: int):
    """PyTorch's adaptive windows: start ⌊i·size/out⌋, end ⌈(i+1)·size/out⌉."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _avg_matrix(size: int, out: int, dtype) -> np.ndarray:
    """A[i, h] = 1/(end_i − start_i) for start_i ≤ h < end_i, else 0 (shape (out, size))."""
    start, end = _bounds(size, out)
    h = np.arange(size)
    inside = (h >= start[:, None]) & (h < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_input(input, who: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise ShapeError(f"{who}: expected a 4-D input (N, C, H, W) or a 3-D unbatched input "
                         f"(C, H, W), got shape {shape_str(input.shape)}")
    if input._data.dtype.kind != "f":
        raise DTypeError(f"{who}: expected a float input, got dtype {input._data.dtype}")
    if 0 in input.shape[-2:]:
        raise ShapeError(f"{who}: the spatial dims of the input must be non-empty, got shape "
                         f"{shape_str(input.shape)}")
    return input._data[None] if input.ndim == 3 else input._data


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average over PyTorch's adaptive windows so the output is ``output_size`` (an int or
    (H_out, W_out), None keeping that input dim), as `torch.nn.functional.adaptive_avg_pool2d`.
    out = Aₕ x A_wᵀ per (n, c), window i of a dim of size H spanning
    [⌊iH/O⌋, ⌈(i+1)H/O⌉).  Backward: dx = Aₕᵀ g A_w."""
    who = "adaptive_avg_pool2d"
    xd = _adaptive_input(input, who)
    ho, wo = _output_size(output_size, xd.shape[2:], who)
    ah = like(xd, _avg_matrix(xd.shape[2], ho, xd.dtype))
    aw = like(xd, _avg_matrix(xd.shape[3], wo, xd.dtype))
    out = ah @ xd @ aw.T
    unbatched = input.ndim == 3

    def backward(g):
        gx = ah.T @ (g[None] if unbatched else g) @ aw
        return (gx[0] if unbatched else gx,)

    return Tensor._op(out[0] if unbatched else out, (input,), backward)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max over PyTorch's adaptive windows (see `adaptive_avg_pool2d`), as
    `torch.nn.functional.adaptive_max_pool2d`.  ``return_indices=True`` also returns the flat
    index (into H·W) of each maximum (int64).  Backward: each output gradient goes to the first
    maximum of its window; overlapping windows add up."""
    who = "adaptive_max_pool2d"
    xd = _adaptive_input(input, who)
    n, c, h, w = xd.shape
    ho, wo = _output_size(output_size, (h, w), who)
    xp = xp_of(xd)

    def cells(size, out):
        start, end = _bounds(size, out)
        k = int((end - start).max())
        return np.minimum(start[:, None] + np.arange(k), (end - 1)[:, None]), k

    rows, kh = cells(h, ho)          # (ho, kh): the window's rows, the last one repeated
    cols, kw = cells(w, wo)
    flat = like(xd, (rows[:, None, :, None] * w + cols[None, :, None, :]).reshape(ho, wo, kh * kw))
    windows = xd.reshape(n, c, h * w)[:, :, flat]                 # (n, c, ho, wo, kh·kw)
    arg = windows.argmax(axis=-1)                                 # the first maximum (or NaN)
    idx = xp.take_along_axis(xp.broadcast_to(flat, windows.shape), arg[..., None], -1)[..., 0]
    out = xp.take_along_axis(windows, arg[..., None], -1)[..., 0]
    unbatched = input.ndim == 3

    def backward(g):
        g4 = g[None] if unbatched else g
        dx = xp.zeros((n * c, h * w), dtype=g.dtype)
        rowsel = xp.arange(n * c)[:, None]
        index_add(dx, (rowsel, idx.reshape(n * c, -1)), g4.reshape(n * c, -1))
        gx = dx.reshape(n, c, h, w)
        return (gx[0] if unbatched else gx,)

    result = Tensor._op(out[0] if unbatched else out, (input,), backward)
    if not return_indices:
        return result
    return result, Tensor._wrap(idx[0] if unbatched else idx)


def _size_1d(output_size, who: str):
    if isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = output_size[0]
    if isinstance(output_size, bool) or not isinstance(output_size, (int, np.integer)):
        raise ArgumentError(f"{who}: output_size must be an int, got {output_size!r}")
    return (1, int(output_size))


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average over PyTorch's adaptive windows along L of (N, C, L) or (C, L), as
    `torch.nn.functional.adaptive_avg_pool1d` (``output_size`` an int)."""
    who = "adaptive_avg_pool1d"
    return adaptive_avg_pool2d(_as_2d(input, who), _size_1d(output_size, who)).squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max over PyTorch's adaptive windows along L, as
    `torch.nn.functional.adaptive_max_pool1d`; indices are into L."""
    who = "adaptive_max_pool1d"
    out = adaptive_max_pool2d(_as_2d(input, who), _size_1d(output_size, who), return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)
