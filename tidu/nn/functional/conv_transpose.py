"""Transposed convolutions ("deconvolutions"): conv_transpose2d and conv_transpose1d, as
torch.nn.functional's.

A transposed convolution is the input-gradient of a convolution with the same weight: with
input x (N, C_in, H, W), weight w (C_in, C_out/groups, kH, kW), stride s, padding p,
dilation d and output_padding op,

    full[n, o, s·y + d·i, s·x + d·j] += Σ_c x[n, c, y, x] · w[c, o, i, j]
    out = full[:, :, p : p + H_out, p : p + W_out] + b[o]
    H_out = (H − 1)·s − 2p + d·(kH − 1) + op + 1                     (W likewise)

Forward: one matmul of the columns X̂ = W₂ᵀ x[n] (W₂ = w as (C_in, C_out·kH·kW), batched over
the groups) and col2im (one strided add per kernel offset, tidu's conv backward helper).
Backward, for the output gradient G: G padded by p (its op extra rows are cut by the windows),
viewed as its sliding windows (im2col, stride s, dilation d) into Ĝ (N, C_out·kH·kW, H·W):

    ∂x[n] = W₂ Ĝ[n]          (a plain convolution of G with w)
    ∂w    = Σ_n x[n] Ĝ[n]ᵀ
    ∂b    = Σ_{n,y,x} G[n, :, y, x]

conv_transpose1d runs conv_transpose2d on the (N, C_in, 1, L) view with a (1, k) kernel.
"""
from __future__ import annotations

import numpy as np

from ...backend import as_strided
from ..._checks import single_int as _single
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...ops.elementwise import lift
from ...tensor import Tensor
from .conv import _check_bias, _col2im, _pad_input, _pair

__all__ = ["conv_transpose1d", "conv_transpose2d"]


def conv_transpose2d(input, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution over NCHW input, as `torch.nn.functional.conv_transpose2d`
    (the gradient of `conv2d` with respect to its input; see the module docstring).

    H_out = (H − 1)·stride − 2·padding + dilation·(kH − 1) + output_padding + 1.
    Weight (C_in, C_out/groups, kH, kW), bias (C_out,) or None, input (N, C_in, H, W) or
    unbatched (C_in, H, W).  ``stride`` (1), ``padding`` (0), ``output_padding`` (0) and
    ``dilation`` (1) are ints or (height, width) pairs; output_padding must be smaller than
    stride or dilation (as torch); string paddings are refused as in torch.  ``groups`` (1)
    splits the input channels and the filters into blocks.  One graph node.
    """
    return _conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, "conv_transpose2d")


def _check_weight(weight, who, ndim):
    if not isinstance(weight, Tensor):
        raise TypeError(f"{who}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != ndim:
        spatial = "kH, kW" if ndim == 4 else "kernel_size"
        raise ShapeError(f"{who}: weight must be {ndim}-D (in_channels, out_channels/groups, "
                         f"{spatial}), got shape {shape_str(weight.shape)}")


def _check_groups(groups, who) -> int:
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ArgumentError(f"{who}: groups must be a positive int, got {groups!r}")
    return int(groups)


def _conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      who) -> Tensor:
    _check_weight(weight, who, 4)
    groups = _check_groups(groups, who)
    w = weight._data
    if w.dtype.kind != "f":
        raise DTypeError(f"{who}: weight must be a float tensor, got dtype {w.dtype}")
    x = lift(input, weight, who)
    if x.ndim not in (3, 4):
        raise ShapeError(f"{who}: expected a 4-D input (N, C_in, H, W) or a 3-D unbatched input "
                         f"(C_in, H, W) with C_in = {w.shape[0]}, got shape {shape_str(x.shape)}")
    unbatched = x.ndim == 3
    xd = x._data[None] if unbatched else x._data
    n, c, h, wd = xd.shape
    c_w, og, kh, kw = w.shape
    if c_w % groups:
        raise ShapeError(f"{who}: Given groups={groups}, expected weight to be divisible by "
                         f"{groups} at dimension 0, but got weight of shape "
                         f"{shape_str(w.shape)} instead")
    if c != c_w:
        raise ShapeError(f"{who}: Given transposed=1, weight of shape {shape_str(w.shape)}, "
                         f"expected input {shape_str(x.shape)} to have {c_w} channels, but got "
                         f"{c} channels instead")
    o = og * groups
    _check_bias(bias, o, w.dtype, who)
    if isinstance(padding, str):
        raise ArgumentError(f"{who}: padding must be an int or a pair of ints, got {padding!r} "
                            f"(string paddings do not exist for transposed convolutions)")
    sh, sw = _pair(stride, "stride", who, 1)
    dh, dw = _pair(dilation, "dilation", who, 1)
    ph, pw = _pair(padding, "padding", who, 0)
    oph, opw = _pair(output_padding, "output_padding", who, 0)
    if not ((oph < sh or oph < dh) and (opw < sw or opw < dw)):
        raise ArgumentError(f"{who}: output padding must be smaller than either stride or "
                            f"dilation, but got output_padding=({oph}, {opw}), stride=({sh}, "
                            f"{sw}), dilation=({dh}, {dw})")
    hf, wf = (h - 1) * sh + dh * (kh - 1) + 1, (wd - 1) * sw + dw * (kw - 1) + 1
    ho, wo = hf + oph - 2 * ph, wf + opw - 2 * pw
    if ho < 1 or wo < 1:
        raise ShapeError(f"{who}: Given input size per channel: ({h} x {wd}). Calculated output "
                         f"size per channel: ({ho} x {wo}). Output size is too small")
    kk, l = og * kh * kw, h * wd
    cg = c // groups

    # columns: (N, groups, C_out/g·kH·kW, H·W) = W₂ᵀ x, then col2im into the full output
    w2 = w.reshape(groups, cg, kk)
    x4 = xd.reshape(n, groups, cg, l)
    cols = np.matmul(w2.swapaxes(-1, -2), x4).reshape(n, o * kh * kw, l)
    full = _col2im(cols, (o, kh, kw), (hf, wf), (sh, sw), (dh, dw))
    del cols
    if oph or opw:  # the extra rows/columns receive no input, only the bias
        full = _pad_input(full, (0, oph, 0, opw), 0)
    out = full[:, :, ph:ph + ho, pw:pw + wo]
    if bias is not None:
        out = out + bias._data[:, None, None]
    elif ph or pw:
        out = out.copy()
    del full

    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        if unbatched:
            g = g[None]
        # G padded back to the full (uncropped) size, seen as its windows (im2col)
        gp = _pad_input(g, (ph, ph, pw, pw), 0) if (ph or pw) else g
        s_n, s_c, s_h, s_w = gp.strides
        windows = as_strided(gp, (n, o, kh, kw, h, wd),
                             (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw), writeable=False)
        gcols = windows.reshape(n, groups, kk, l)
        gx = gw = gb = None
        if x.requires_grad:
            gx = np.matmul(w2, gcols).reshape(n, c, h, wd)
            if unbatched:
                gx = gx[0]
        if weight.requires_grad:
            gw = np.matmul(x4, gcols.swapaxes(-1, -2)).sum(axis=0).reshape(w.shape)
        if bias is None:
            return gx, gw
        if bias.requires_grad:
            gb = g.sum(axis=(0, 2, 3))
        return gx, gw, gb

    return Tensor._op(out[0] if unbatched else out, parents, backward)


def conv_transpose1d(input, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution over (N, C_in, L) input, as
    `torch.nn.functional.conv_transpose1d`:
    L_out = (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
    Weight (C_in, C_out/groups, k), bias (C_out,) or None, input (N, C_in, L) or unbatched
    (C_in, L); ``stride``, ``padding``, ``output_padding``, ``dilation`` ints or 1-tuples.
    Computed by `conv_transpose2d` on the (N, C_in, 1, L) view with a (1, k) kernel."""
    return _conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, "conv_transpose1d")


def _conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      who) -> Tensor:
    _check_weight(weight, who, 3)
    x = lift(input, weight, who)
    if x.ndim not in (2, 3):
        raise ShapeError(f"{who}: expected a 3-D input (N, C_in, L) or a 2-D unbatched input "
                         f"(C_in, L), got shape {shape_str(x.shape)}")
    if isinstance(padding, str):
        raise ArgumentError(f"{who}: padding must be an int, got {padding!r} (string paddings "
                            f"do not exist for transposed convolutions)")
    s = _single(stride, "stride", who, 1)
    d = _single(dilation, "dilation", who, 1)
    p = _single(padding, "padding", who, 0)
    op = _single(output_padding, "output_padding", who, 0)
    if not (op < s or op < d):
        raise ArgumentError(f"{who}: output padding must be smaller than either stride or "
                            f"dilation, but got output_padding={op}, stride={s}, dilation={d}")
    out = _conv_transpose2d(x.unsqueeze(-2), weight.unsqueeze(2), bias, (1, s), (0, p), (0, op),
                            groups, (1, d), who)
    return out.squeeze(-2)
