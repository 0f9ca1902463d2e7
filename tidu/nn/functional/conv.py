"""2-D convolution (im2col + one matmul, one graph node), 1-D convolution on a 2-D view, and
torch-style padding.

Shapes are NCHW as PyTorch: input (N, C_in, H, W) (or unbatched (C_in, H, W)), weight
(C_out, C_in, kH, kW), bias (C_out,).  With stride s, padding p and dilation d per spatial dim,

    H_out = ⌊(H + p_top + p_bottom − d·(kH − 1) − 1) / s⌋ + 1        (W likewise)
    out[n, o, y, x] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x_pad[n, c, s·y + d·i, s·x + d·j]

(a cross-correlation, as in PyTorch and every framework; the notes' "flip the kernel" convolution
is the same thing with w rotated by 180°).

Forward: the padded input is viewed (`as_strided`, no copy) as its sliding windows
(C, kH, kW, N, H_out, W_out), copied once into the column matrix X̂ of shape
(C·kH·kW, N·H_out·W_out) ("im2col"; compiled, `tidu.kernels.conv`, unless
TIDU_KERNELS=numpy), and out = W₂ X̂ with W₂ = w reshaped to (C_out, C·kH·kW): one matmul
for the whole batch (BLAS runs one large product faster than N small ones), whose
(C_out, N, …) result is transposed into NCHW.  With groups, X̂ is per sample
(N, C·kH·kW, H_out·W_out) and the product is batched over the samples and the groups.
Backward, for the output gradient G reshaped to (C_out, N·H_out·W_out) (per sample
(N, C_out, H_out·W_out) with groups):
    ∂w = G X̂ᵀ                                (one matmul; with groups Σ_n G[n] X̂[n]ᵀ)
    ∂b = Σ_{n,y,x} G[n, :, y, x]
    ∂x = col2im(W₂ᵀ G[n])                   (one matmul, then for each of the kH·kW kernel
                                              offsets one strided slice add; no pixel loops;
                                              at stride 1 the adds run compiled,
                                              `tidu.kernels.conv`, unless TIDU_KERNELS=numpy)

conv1d runs conv2d on the (N, C_in, 1, L) view of its input with the (C_out, C_in/groups, 1, k)
view of its weight (stride (1, s), padding (0, p), dilation (1, d)); the views are
differentiable reshapes, so the gradients are conv2d's, reshaped back.
"""
from __future__ import annotations

import numpy as np

from ...backend import as_strided, like, xp_of
from ..._checks import single_int as _single
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...kernels import use_compiled
from ...ops.elementwise import lift
from ...ops.shape import pad as _pad_op
from ...tensor import Tensor

__all__ = ["conv1d", "conv2d", "pad"]


# --------------------------------------------------------------------------- argument helpers
def _pair(value, name: str, who: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (PyTorch's ``_pair``), each ≥ ``minimum``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif (isinstance(value, (tuple, list)) and len(value) == 2
          and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ArgumentError(f"{who}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ArgumentError(f"{who}: {name} must be ≥ {minimum}, got {value!r}")
    return pair


def _conv_padding(padding, kernel, dilation, stride, who) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from an int, a pair, 'valid' or 'same' (as PyTorch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same":
            if stride != (1, 1):
                raise ArgumentError(f"{who}: padding='same' is not supported for strided "
                                    f"convolutions (stride={stride}), as in PyTorch")
            out = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                out += [total // 2, total - total // 2]  # the extra pixel goes after, as PyTorch
            return tuple(out)
        raise ArgumentError(f"{who}: padding must be an int, a pair, 'valid' or 'same', "
                            f"got {padding!r}")
    ph, pw = _pair(padding, "padding", who, 0)
    return ph, ph, pw, pw


def _pad_input(xd: np.ndarray, pads, value) -> np.ndarray:
    """``xd`` (N, C, H, W) with (top, bottom, left, right) borders of ``value``
    (``xd`` itself, no copy, when there are none)."""
    pt, pb, pl, pr = pads
    if not (pt or pb or pl or pr):
        return xd
    n, c, h, w = xd.shape
    out = xp_of(xd).empty((n, c, h + pt + pb, w + pl + pr), dtype=xd.dtype)
    out.fill(value)
    out[:, :, pt:pt + h, pl:pl + w] = xd
    return out


def _out_size(size, k, s, d):
    return (size - d * (k - 1) - 1) // s + 1


# --------------------------------------------------------------------------- conv2d
def conv2d(input, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation over NCHW input, as `torch.nn.functional.conv2d`.

    out[n, o, y, x] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x_pad[n, c, s·y + d·i, s·x + d·j],
    H_out = ⌊(H + 2p − d·(kH − 1) − 1)/s⌋ + 1.

    ``stride`` (default 1), ``padding`` (default 0; also 'valid' or 'same', the latter for
    stride 1 only, with the odd extra pixel after as PyTorch) and ``dilation`` (default 1) are
    ints or (height, width) pairs.  ``groups`` (default 1) splits the C_in input channels and
    the C_out filters into ``groups`` blocks; block g's filters see only block g's channels:
    weight (C_out, C_in/groups, kH, kW), C_out divisible by groups (``groups == C_in`` is a
    depthwise convolution).  Input (N, C_in, H, W) or unbatched (C_in, H, W); bias (C_out,)
    or None.  One graph node; see the module docstring for the im2col forward and the
    backward formulas (with groups, the one matmul is batched over the groups).  Shape errors
    are `ShapeError`s (PyTorch raises RuntimeError) with PyTorch's wording.
    """
    return _conv2d(input, weight, bias, stride, padding, dilation, groups, "conv2d")


def _check_bias(bias, out_channels: int, dtype, who: str) -> None:
    """A convolution's bias: None, or a Tensor of shape (out_channels,) and the weight's
    dtype."""
    if bias is None:
        return
    o = out_channels
    if not isinstance(bias, Tensor):
        raise TypeError(f"{who}: bias must be a Tensor or None, got {type(bias).__name__}")
    if bias.shape != (o,):
        raise ShapeError(f"{who}: bias must have shape ({o},) for {o} output channels, "
                         f"got shape {shape_str(bias.shape)}")
    if bias.dtype != dtype:
        raise DTypeError(f"{who}: bias dtype {bias.dtype} differs from weight dtype "
                         f"{dtype} (tidu never upcasts silently)")


def _conv2d(input, weight, bias, stride, padding, dilation, groups, who) -> Tensor:
    if not isinstance(weight, Tensor):
        raise TypeError(f"{who}: weight must be a Tensor, got {type(weight).__name__}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ArgumentError(f"{who}: groups must be a positive int (non-positive groups is not "
                            f"supported), got {groups!r}")
    groups = int(groups)
    w = weight._data
    if w.ndim != 4:
        raise ShapeError(f"{who}: weight must be 4-D (out_channels, in_channels, kH, kW), "
                         f"got shape {shape_str(w.shape)}")
    if w.dtype.kind != "f":
        raise DTypeError(f"{who}: weight must be a float tensor, got dtype {w.dtype}")
    x = lift(input, weight, who)
    if x.ndim not in (3, 4):
        raise ShapeError(f"{who}: expected a 4-D input (N, C_in, H, W) or a 3-D unbatched input "
                         f"(C_in, H, W) with C_in = {w.shape[1] * groups}, got shape {shape_str(x.shape)}")
    unbatched = x.ndim == 3
    xd = x._data[None] if unbatched else x._data
    n, c, h, wd = xd.shape
    o, c_w, kh, kw = w.shape
    if o % groups:
        raise ShapeError(f"{who}: Given groups={groups}, expected weight to be divisible by "
                         f"{groups} at dimension 0, but got weight of shape "
                         f"{shape_str(w.shape)} instead")
    if c != c_w * groups:
        raise ShapeError(f"{who}: Given groups={groups}, weight of shape {shape_str(w.shape)} "
                         f"expects input with {c_w * groups} channels, but got input of shape "
                         f"{shape_str(x.shape)} with {c} channels instead")
    _check_bias(bias, o, w.dtype, who)
    sh, sw = _pair(stride, "stride", who, 1)
    dh, dw = _pair(dilation, "dilation", who, 1)
    pads = _conv_padding(padding, (kh, kw), (dh, dw), (sh, sw), who)
    pt, pb, pl, pr = pads
    hp, wp = h + pt + pb, wd + pl + pr
    ekh, ekw = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if hp < ekh or wp < ekw:
        raise ShapeError(f"{who}: padded input size per channel ({hp} x {wp}) is smaller than "
                         f"the kernel size ({ekh} x {ekw}, dilation included); input shape "
                         f"{shape_str(x.shape)}, weight shape {shape_str(w.shape)}, "
                         f"padding {padding!r}")
    ho, wo = _out_size(hp, kh, sh, dh), _out_size(wp, kw, sw, dw)
    k, l = c * kh * kw, ho * wo

    xpad = _pad_input(xd, pads, 0)
    if groups == 1:  # (C_out, K) @ (K, N·L), then (C_out, N, L) → (N, C_out, L)
        w2 = w.reshape(o, k)
        cols = _im2col_channel_major(xpad, (kh, kw), (ho, wo), (sh, sw), (dh, dw))
        out = np.matmul(w2, cols).reshape(o, n, ho, wo).transpose(1, 0, 2, 3).copy()
    else:  # block g: (C_out/g, K/g) @ (K/g, L), batched over the samples and the groups
        s_n, s_c, s_h, s_w = xpad.strides
        windows = as_strided(xpad, (n, c, kh, kw, ho, wo),
                             (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw), writeable=False)
        cols = windows.reshape(n, k, l)
        del windows
        w2 = w.reshape(groups, o // groups, k // groups)
        out = np.matmul(w2, cols.reshape(n, groups, k // groups, l)).reshape(n, o, ho, wo)
    if bias is not None:
        out += bias._data[:, None, None]

    parents = (x, weight) if bias is None else (x, weight, bias)
    saved_cols = cols if weight.requires_grad else None
    del cols

    def backward(g):
        if unbatched:
            g = g[None]
        g3 = g.reshape(n, o, l) if groups == 1 else g.reshape(n, groups, o // groups, l)
        gx = gw = gb = None
        if x.requires_grad:
            w2t = w2.swapaxes(-1, -2)
            dxp = (_col2im_unit_stride(w2t, g, (c, kh, kw), (hp, wp), (dh, dw), w.dtype)
                   if (sh, sw) == (1, 1) else
                   _col2im(np.matmul(w2t, g3), (c, kh, kw), (hp, wp), (sh, sw), (dh, dw)))
            gx = dxp[:, :, pt:pt + h, pl:pl + wd]
            if unbatched:
                gx = gx[0]
        if weight.requires_grad:
            if groups == 1:  # (C_out, N·L) @ (N·L, K)
                g_major = g3.transpose(1, 0, 2).reshape(o, n * l)
                gw = np.matmul(g_major, saved_cols.T).reshape(w.shape)
            else:
                cols_t = saved_cols.reshape(n, groups, k // groups, l).swapaxes(-1, -2)
                gw = np.matmul(g3, cols_t).sum(axis=0).reshape(w.shape)
        if bias is None:
            return gx, gw
        if bias.requires_grad:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb

    return Tensor._op(out[0] if unbatched else out, parents, backward)


# --------------------------------------------------------------------------- conv1d
def conv1d(input, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation over (N, C_in, L) input, as `torch.nn.functional.conv1d`.

    out[n, o, x] = b[o] + Σ_{c,i} w[o, c, i] · x_pad[n, c, s·x + d·i],
    L_out = ⌊(L + 2p − d·(k − 1) − 1)/s⌋ + 1.

    ``stride`` (default 1), ``padding`` (default 0; also 'valid' or 'same', the latter for
    stride 1 only, the odd extra element after as PyTorch) and ``dilation`` (default 1) are
    ints or 1-tuples; ``groups`` (default 1) as in `conv2d`.  Weight (C_out, C_in/groups, k),
    bias (C_out,) or None; input (N, C_in, L) or unbatched (C_in, L).  Computed by `conv2d` on
    the (N, C_in, 1, L) view with a (1, k) kernel.
    """
    return _conv1d(input, weight, bias, stride, padding, dilation, groups, "conv1d")


def _conv1d(input, weight, bias, stride, padding, dilation, groups, who) -> Tensor:
    if not isinstance(weight, Tensor):
        raise TypeError(f"{who}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 3:
        raise ShapeError(f"{who}: weight must be 3-D (out_channels, in_channels/groups, "
                         f"kernel_size), got shape {shape_str(weight.shape)}")
    x = lift(input, weight, who)
    if x.ndim not in (2, 3):
        raise ShapeError(f"{who}: expected a 3-D input (N, C_in, L) or a 2-D unbatched input "
                         f"(C_in, L), got shape {shape_str(x.shape)}")
    s = _single(stride, "stride", who, 1)
    d = _single(dilation, "dilation", who, 1)
    pad2 = padding if isinstance(padding, str) else (0, _single(padding, "padding", who, 0))
    k = weight.shape[2]
    if isinstance(groups, (int, np.integer)) and not isinstance(groups, bool) and groups >= 1:
        if weight.shape[0] % groups:
            raise ShapeError(f"{who}: Given groups={groups}, expected weight to be divisible by "
                             f"{groups} at dimension 0, but got weight of shape "
                             f"{shape_str(weight.shape)} instead")
        if x.shape[-2] != weight.shape[1] * groups:
            raise ShapeError(f"{who}: Given groups={groups}, weight of shape "
                             f"{shape_str(weight.shape)} expects input with "
                             f"{weight.shape[1] * groups} channels, but got input of shape "
                             f"{shape_str(x.shape)} with {x.shape[-2]} channels instead")
        pads = _conv_padding(pad2, (1, k), (1, d), (1, s), who)
        if x.shape[-1] + pads[2] + pads[3] < d * (k - 1) + 1:
            raise ShapeError(f"{who}: padded input length ({x.shape[-1] + pads[2] + pads[3]}) "
                             f"is smaller than the kernel size ({d * (k - 1) + 1}, dilation "
                             f"included); input shape {shape_str(x.shape)}, weight shape "
                             f"{shape_str(weight.shape)}, padding {padding!r}")
    out = _conv2d(x.unsqueeze(-2), weight.unsqueeze(2), bias, (1, s), pad2, (1, d), groups, who)
    return out.squeeze(-2)


# --------------------------------------------------------------------------- im2col
def _im2col_channel_major(xpad, kernel, out_size, stride, dilation):
    """The column matrix X̂ (C·kH·kW, N·H_out·W_out) of the padded input (N, C, H_p, W_p):
    X̂[(c, i, j), (n, y, x)] = x_pad[n, c, s_h·y + d_h·i, s_w·x + d_w·j]."""
    (kh, kw), (ho, wo), (sh, sw), (dh, dw) = kernel, out_size, stride, dilation
    n, c = xpad.shape[:2]
    shape = (c, kh, kw, n, ho, wo)
    if use_compiled(xpad):
        from ...kernels.conv import im2col_channel_major
        cols = np.empty(shape, dtype=xpad.dtype)
        im2col_channel_major(xpad, kh, kw, sh, sw, dh, dw, cols)
    else:
        s_n, s_c, s_h, s_w = xpad.strides
        cols = as_strided(xpad, shape, (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw),
                          writeable=False)
    return cols.reshape(c * kh * kw, n * ho * wo)


# --------------------------------------------------------------------------- col2im
def _col2im(dcols, ckk, padded, stride, dilation):
    """∂x_pad from the column gradient (N, C·kH·kW, H_out·W_out): one strided add per
    kernel offset (the inverse of the im2col gather)."""
    (c, kh, kw), (hp, wp), (sh, sw), (dh, dw) = ckk, padded, stride, dilation
    n = dcols.shape[0]
    ho, wo = _out_size(hp, kh, sh, dh), _out_size(wp, kw, sw, dw)
    dcols = dcols.reshape(n, c, kh, kw, ho, wo)
    dxp = xp_of(dcols).zeros((n, c, hp, wp), dtype=dcols.dtype)
    hspan, wspan = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i * dh:i * dh + hspan:sh, j * dw:j * dw + wspan:sw] += dcols[:, :, i, j]
    return dxp


def _col2im_unit_stride(w2t, g, ckk, padded, dilation, dtype):
    """∂x_pad = col2im(W₂ᵀ G) for stride 1, with long contiguous adds.

    G is widened with zero columns from W_out to W_pad, so row y of the output lines up with
    row y of the padded input: the kernel offset (i, j) then maps the whole flattened
    (H_out·W_pad) column gradient onto x_pad's flat range starting at d_h·i·W_pad + d_w·j —
    one contiguous add per offset instead of H_out short row adds (the widened columns carry
    zero gradient, so what wraps into the next row adds nothing)."""
    (c, kh, kw), (hp, wp), (dh, dw) = ckk, padded, dilation
    n, o, ho, wo = g.shape
    span = ho * wp
    xp = xp_of(g)
    gw = xp.zeros((n, o, ho, wp), dtype=dtype)
    gw[..., :wo] = g
    # w2t: (K, C_out), or (groups, K/groups, C_out/groups) batched over the groups
    lead = (n, o) if w2t.ndim == 2 else (n, w2t.shape[0], o // w2t.shape[0])
    dcols = np.matmul(w2t, gw.reshape(lead + (span,))).reshape(n, c, kh * kw, span)
    flat = xp.zeros((n, c, hp * wp + dw * (kw - 1)), dtype=dtype)  # slack for the last offset
    starts = [i * dh * wp + j * dw for i in range(kh) for j in range(kw)]
    if use_compiled(dcols, flat):
        from ...kernels.conv import col2im_flat
        col2im_flat(dcols, np.array(starts, dtype=np.int64), flat)
    else:
        for k, start in enumerate(starts):
            flat[:, :, start:start + span] += dcols[:, :, k]
    return flat[:, :, :hp * wp].reshape(n, c, hp, wp)


# --------------------------------------------------------------------------- pad
def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dims, as `torch.nn.functional.pad`: ``pad`` lists (before, after) pairs
    starting from the LAST dim, e.g. (left, right, top, bottom) pads W then H.

    ``mode``: 'constant' (default) surrounds x by ``value`` (None means 0, as PyTorch);
    'reflect' mirrors x without repeating the edge (width < size: [1 2 3] → 3 2 [1 2 3] 2 1),
    'replicate' repeats the edge (1 1 [1 2 3] 3 3), 'circular' wraps around (2 3 [1 2 3] 1 2,
    width ≤ size).  Widths must be ≥ 0 (PyTorch's negative widths crop).  Backward: the
    gradient of each output element goes back to the input element it copies (the borders'
    gradients add onto the elements they mirror).
    """
    if mode not in _INDEX_MODES and mode != "constant":
        raise ArgumentError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                            f"got {mode!r}")
    if mode != "constant" and value not in (None, 0):
        raise ArgumentError(f"pad: mode={mode!r} takes no value (got value={value!r})")
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    widths = list(pad)
    if (len(widths) % 2 or len(widths) // 2 > input.ndim
            or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool)
                       for p in widths)):
        raise ArgumentError(f"pad: expected an even number of ints, at most 2 per dim "
                            f"({2 * input.ndim} for an input of shape {shape_str(input.shape)}), "
                            f"got {tuple(pad)!r}")
    if any(p < 0 for p in widths):
        raise ArgumentError(f"pad: negative widths (cropping) are not supported, got {tuple(pad)!r}")
    pairs = [(0, 0)] * input.ndim
    for d in range(len(widths) // 2):
        pairs[input.ndim - 1 - d] = (int(widths[2 * d]), int(widths[2 * d + 1]))
    if mode != "constant":
        return _pad_by_index(input, pairs, mode)
    return _pad_op(input, pairs, 0.0 if value is None else value)


_INDEX_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}  # NumPy's names


def _pad_by_index(x: Tensor, pairs: list, mode: str) -> Tensor:
    """Non-constant padding as one gather per padded dim: the source index of every output
    position is NumPy's padding of arange(n) in the same mode."""
    out = x
    for dim, (before, after) in enumerate(pairs):
        if before == after == 0:
            continue
        n = x.shape[dim]
        limit = {"reflect": n - 1, "circular": n}.get(mode, np.inf if n else -1)
        if before > limit or after > limit:
            raise ArgumentError(f"pad: mode={mode!r} allows widths up to {limit:g} for dim {dim} "
                                f"of size {n}, got ({before}, {after})")
        idx = np.pad(np.arange(n), (before, after), mode=_INDEX_MODES[mode])
        out = out.index_select(dim, Tensor._wrap(like(x._data, idx)))
    return out
