"""Sliding blocks to columns and back, as `torch.nn.functional.unfold` (im2col) and
`torch.nn.functional.fold` (col2im).

With kernel k, dilation d, padding p and stride s per spatial dim, the blocks of an
(N, C, H, W) input number L = L_H·L_W, L_H = ⌊(H + 2p − d·(k − 1) − 1)/s⌋ + 1, and

    unfold(x)[n, (c, i, j), (y, x)] = x_pad[n, c, s·y + d·i, s·x + d·j]
    fold(cols)[n, c, h, w] = Σ over every (i, j, y, x) landing on (h, w) of cols[n, (c, i, j), (y, x)]

so fold is the adjoint of unfold: each one's gradient is the other.  Both reuse the
convolution's strided window view and its col2im (one strided add per kernel offset).
"""
from __future__ import annotations

from ...backend import as_strided
from ...errors import DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from .conv import _col2im, _out_size, _pad_input, _pair

__all__ = ["unfold", "fold"]


def _geometry(kernel_size, dilation, padding, stride, who):
    return (_pair(kernel_size, "kernel_size", who, 1), _pair(dilation, "dilation", who, 1),
            _pair(padding, "padding", who, 0), _pair(stride, "stride", who, 1))


def _im2col(xd, kernel, dilation, padding, stride):
    """(N, C·kH·kW, L) columns of the (N, C, H, W) array ``xd``."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    xpad = _pad_input(xd, (ph, ph, pw, pw), 0)
    n, c, hp, wp = xpad.shape
    ho, wo = _out_size(hp, kh, sh, dh), _out_size(wp, kw, sw, dw)
    s_n, s_c, s_h, s_w = xpad.strides
    windows = as_strided(xpad, (n, c, kh, kw, ho, wo),
                         (s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw), writeable=False)
    return windows.reshape(n, c * kh * kw, ho * wo)


def _col2im_cropped(cols, c, size, kernel, dilation, padding, stride):
    """(N, C, H, W): the columns summed back onto their input positions, padding dropped."""
    (h, w), (ph, pw) = size, padding
    dxp = _col2im(cols, (c,) + kernel, (h + 2 * ph, w + 2 * pw), stride, dilation)
    return dxp[:, :, ph:ph + h, pw:pw + w]


def _float_tensor(input, who):
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise DTypeError(f"{who}: expected a float input, got dtype {input._data.dtype}")


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract the sliding kH×kW blocks of (N, C, H, W) (or unbatched (C, H, W)) input as
    columns, out[n, (c, i, j), (y, x)] = x_pad[n, c, s·y + d·i, s·x + d·j], of shape
    (N, C·kH·kW, L), as `torch.nn.functional.unfold`.  Defaults dilation=1, padding=0,
    stride=1 (ints or pairs).  Backward: `fold` of the gradient."""
    who = "unfold"
    _float_tensor(input, who)
    if input.ndim not in (3, 4):
        raise ShapeError(f"{who}: expected a 3-D (unbatched) or 4-D (batched) input, got shape "
                         f"{shape_str(input.shape)}")
    kernel, dil, pad, stride = _geometry(kernel_size, dilation, padding, stride, who)
    unbatched = input.ndim == 3
    xd = input._data[None] if unbatched else input._data
    n, c, h, w = xd.shape
    hp, wp = h + 2 * pad[0], w + 2 * pad[1]
    if min(_out_size(hp, kernel[0], stride[0], dil[0]),
           _out_size(wp, kernel[1], stride[1], dil[1])) < 1:
        raise ShapeError(f"{who}: input of shape {shape_str(input.shape)} with padding {pad} is "
                         f"smaller than the dilated kernel ({dil[0] * (kernel[0] - 1) + 1} x "
                         f"{dil[1] * (kernel[1] - 1) + 1}): no sliding block fits")
    cols = _im2col(xd, kernel, dil, pad, stride).copy()

    def backward(g):
        gx = _col2im_cropped(g[None] if unbatched else g, c, (h, w), kernel, dil, pad, stride)
        return (gx[0] if unbatched else gx,)

    return Tensor._op(cols[0] if unbatched else cols, (input,), backward)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum columns (N, C·kH·kW, L) (or unbatched (C·kH·kW, L)) back into an (N, C, H, W)
    image of ``output_size`` (H, W): every block value is added at the position `unfold` took
    it from, as `torch.nn.functional.fold`.  L must equal the number of blocks of the output.
    Defaults dilation=1, padding=0, stride=1.  Backward: `unfold` of the gradient."""
    who = "fold"
    _float_tensor(input, who)
    if input.ndim not in (2, 3):
        raise ShapeError(f"{who}: expected a 2-D (unbatched) or 3-D (batched) input, got shape "
                         f"{shape_str(input.shape)}")
    size = _pair(output_size, "output_size", who, 1)
    kernel, dil, pad, stride = _geometry(kernel_size, dilation, padding, stride, who)
    unbatched = input.ndim == 2
    cd = input._data[None] if unbatched else input._data
    n, ckk, l = cd.shape
    kk = kernel[0] * kernel[1]
    if ckk % kk:
        raise ShapeError(f"{who}: expected size of input's dimension 1 to be divisible by the "
                         f"product of kernel_size, but got input.size(1)={ckk} and "
                         f"kernel_size={kernel}")
    lh = _out_size(size[0] + 2 * pad[0], kernel[0], stride[0], dil[0])
    lw = _out_size(size[1] + 2 * pad[1], kernel[1], stride[1], dil[1])
    if lh < 1 or lw < 1 or lh * lw != l:
        raise ShapeError(f"{who}: given output_size={size}, kernel_size={kernel}, "
                         f"dilation={dil}, padding={pad}, stride={stride}, expected size of "
                         f"input's dimension {2 - unbatched} to match the calculated number of "
                         f"sliding blocks {lh} * {lw} = {lh * lw}, but got input.size("
                         f"{2 - unbatched})={l}")
    c = ckk // kk
    out = _col2im_cropped(cd, c, size, kernel, dil, pad, stride).copy()

    def backward(g):
        gc = _im2col(g[None] if unbatched else g, kernel, dil, pad, stride).copy()
        return (gc[0] if unbatched else gc,)

    return Tensor._op(out[0] if unbatched else out, (input,), backward)
