"""`Conv1d` and `Conv2d`: convolution layers (see tidu.nn.functional.conv for the math)."""
from __future__ import annotations

import math

import numpy as np

from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import get_default_dtype
from ..functional.conv import _conv1d, _conv2d, _conv_padding, _pair, _single
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d"]

#: as PyTorch: 'zeros' pads inside the convolution; the others pad the input with F.pad first
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: the weight (out, in/groups, *kernel) and bias, and
    PyTorch's init — weight ~ kaiming_uniform(a=√5), bias ~ U(−1/√fan_in, 1/√fan_in)."""

    def _set_channels(self, who, in_channels, out_channels, groups, padding_mode,
                      modes=PADDING_MODES) -> None:
        """Check the channel counts, ``groups`` (both counts divisible by it) and
        ``padding_mode`` (one of ``modes``); set ``in_channels`` / ``out_channels``."""
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
            raise ArgumentError(f"{who}: groups must be a positive integer, got {groups!r}")
        if padding_mode not in modes:
            raise ArgumentError(f"{who}: padding_mode must be one of {modes}, got "
                                f"{padding_mode!r}")
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ArgumentError(f"{who}: {name} must be a positive int, got {v!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if v % groups:
                raise ArgumentError(f"{who}: {name} must be divisible by groups, got "
                                    f"{name}={v}, groups={groups}")

    def _weight_shape(self) -> tuple:
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def _make_parameters(self, bias: bool, dtype) -> None:
        dtype = dtype or get_default_dtype()
        shape = self._weight_shape()
        self.weight = Parameter(np.empty(shape, dtype=dtype), dtype=dtype)
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=dtype), dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)


class Conv2d(_ConvNd):
    """2-D cross-correlation over NCHW input, as `torch.nn.Conv2d`.

    out[n, o, y, x] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x_pad[n, c, s·y + d·i, s·x + d·j],
    H_out = ⌊(H + 2p − d·(kH − 1) − 1)/s⌋ + 1, weight of shape (out, in/groups, kH, kW).

    Defaults as PyTorch: stride=1, padding=0 (an int, a pair, 'valid' or 'same'), dilation=1,
    groups=1, bias=True, padding_mode='zeros' (or 'reflect', 'replicate', 'circular': the
    input is padded by `F.pad` in that mode first).  With ``groups``
    (in and out divisible by it) filter o sees only the in/groups channels of its block
    (the sum over c runs over that block); ``groups=in_channels`` is a depthwise convolution.
    Initialization as PyTorch: w ~ kaiming_uniform_(a=√5), i.e. U(−1/√fan_in, 1/√fan_in)
    with fan_in = (in/groups)·kH·kW, and b ~ U(−1/√fan_in, 1/√fan_in).
    (Keras' Conv2D defaults differ: Glorot-uniform kernel, zero bias, NHWC.)
    Input (N, in, H, W) or unbatched (in, H, W).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 dtype=None):
        super().__init__()
        who = "Conv2d"
        self._set_channels(who, in_channels, out_channels, groups, padding_mode)
        self.kernel_size = _pair(kernel_size, "kernel_size", who, 1)
        self.stride = _pair(stride, "stride", who, 1)
        self.dilation = _pair(dilation, "dilation", who, 1)
        _conv_padding(padding, self.kernel_size, self.dilation, self.stride, who)  # validate
        self.padding = padding if isinstance(padding, str) else _pair(padding, "padding", who, 0)
        self.groups, self.padding_mode = int(groups), padding_mode
        self._make_parameters(bias, dtype)

    def forward(self, x):
        shape = getattr(x, "shape", None)
        if shape is None:
            shape = np.shape(x)
        if len(shape) not in (3, 4) or shape[-3] != self.in_channels:
            raise ShapeError(f"{self!r}: expected input of shape (N, {self.in_channels}, H, W) "
                             f"(or unbatched ({self.in_channels}, H, W)), got shape "
                             f"{shape_str(shape)}")
        pt, pb, pl, pr = _conv_padding(self.padding, self.kernel_size, self.dilation,
                                       self.stride, repr(self))
        padding = self.padding
        if self.padding_mode != "zeros":
            x, padding = F.pad(x, (pl, pr, pt, pb), mode=self.padding_mode), 0
        kh, kw = self.kernel_size
        ekh, ekw = self.dilation[0] * (kh - 1) + 1, self.dilation[1] * (kw - 1) + 1
        hp, wp = shape[-2] + pt + pb, shape[-1] + pl + pr
        if hp < ekh or wp < ekw:
            raise ShapeError(f"{self!r}: input of shape {shape_str(shape)} is {hp} x {wp} per "
                             f"channel after padding, smaller than the kernel ({ekh} x {ekw}, "
                             f"dilation included)")
        return _conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                       self.groups, repr(self))

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding!r}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(_ConvNd):
    """1-D cross-correlation over (N, C, L) input, as `torch.nn.Conv1d`.

    out[n, o, x] = b[o] + Σ_{c,i} w[o, c, i] · x_pad[n, c, s·x + d·i],
    L_out = ⌊(L + 2p − d·(k − 1) − 1)/s⌋ + 1, weight of shape (out, in/groups, k).

    Defaults as PyTorch: stride=1, padding=0 (an int, 'valid' or 'same'), dilation=1,
    groups=1, bias=True, padding_mode='zeros' (or 'reflect', 'replicate', 'circular': the
    input is padded by `F.pad` in that mode first).  ``kernel_size``,
    ``stride``, ``padding`` and ``dilation`` are stored as 1-tuples as PyTorch does.
    Initialization as PyTorch: w ~ kaiming_uniform_(a=√5), i.e. U(−1/√fan_in, 1/√fan_in)
    with fan_in = (in/groups)·k, and b ~ U(−1/√fan_in, 1/√fan_in).  Input (N, in, L) or
    unbatched (in, L); computed by conv2d on the (N, in, 1, L) view.

    Examples
    --------
    >>> import tidu
    >>> conv = tidu.nn.Conv1d(16, 8, 3, padding=1)
    >>> tuple(conv.weight.shape), tuple(conv(tidu.zeros(2, 16, 10)).shape)
    ((8, 16, 3), (2, 8, 10))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 dtype=None):
        super().__init__()
        who = "Conv1d"
        self._set_channels(who, in_channels, out_channels, groups, padding_mode)
        self.kernel_size = (_single(kernel_size, "kernel_size", who, 1),)
        self.stride = (_single(stride, "stride", who, 1),)
        self.dilation = (_single(dilation, "dilation", who, 1),)
        if isinstance(padding, str):
            _conv_padding(padding, (1,) + self.kernel_size, (1,) + self.dilation,
                          (1,) + self.stride, who)  # validate
            self.padding = padding
        else:
            self.padding = (_single(padding, "padding", who, 0),)
        self.groups, self.padding_mode = int(groups), padding_mode
        self._make_parameters(bias, dtype)

    def forward(self, x):
        shape = getattr(x, "shape", None)
        if shape is None:
            shape = np.shape(x)
        if len(shape) not in (2, 3) or shape[-2] != self.in_channels:
            raise ShapeError(f"{self!r}: expected input of shape (N, {self.in_channels}, L) "
                             f"(or unbatched ({self.in_channels}, L)), got shape "
                             f"{shape_str(shape)}")
        padding = self.padding
        if self.padding_mode != "zeros":
            _, _, left, right = _conv_padding(
                padding if isinstance(padding, str) else (0, padding[0]), (1,) + self.kernel_size,
                (1,) + self.dilation, (1,) + self.stride, repr(self))
            x, padding = F.pad(x, (left, right), mode=self.padding_mode), 0
        return _conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                       self.groups, repr(self))

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,):
            s += f", padding={self.padding!r}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s
