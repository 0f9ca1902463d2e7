"""Pooling layers: `MaxPool1d/2d`, `AvgPool1d/2d`, `AdaptiveAvgPool1d/2d`,
`AdaptiveMaxPool1d/2d` (see tidu.nn.functional.pooling for the math)."""
from __future__ import annotations

from .. import functional as F
from ...errors import ArgumentError
from ..functional.conv import _pair
from ..functional.pooling import _output_size, _single, _size_1d
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool2d", "AdaptiveAvgPool1d", "AdaptiveMaxPool1d"]


class MaxPool2d(Module):
    """Max over each kH×kW window, as `torch.nn.MaxPool2d`:
    out[n, c, y, x] = max_{i,j} x_pad[n, c, s·y + d·i, s·x + d·j] (padding with −∞).

    Defaults as PyTorch: stride=None (= kernel_size), padding=0, dilation=1,
    return_indices=False, ceil_mode=False (True is not implemented).  The gradient goes to the
    first maximum of each window.  (Keras' MaxPooling2D takes pool_size and padding='valid'/'same'.)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        if ceil_mode:
            raise NotImplementedError("MaxPool2d: ceil_mode=True is not supported; tidu "
                                      "implements only ceil_mode=False")
        _check_window("MaxPool2d", kernel_size, stride, padding, dilation)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Mean over each kH×kW window, as `torch.nn.AvgPool2d`:
    out[n, c, y, x] = (1/D) Σ_{i,j} x_pad[n, c, s·y + i, s·x + j] (zero padding).

    Defaults as PyTorch: stride=None (= kernel_size), padding=0, ceil_mode=False (True is not
    implemented), count_include_pad=True (D = kH·kW; False counts only cells inside the input),
    divisor_override=None.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None):
        super().__init__()
        if ceil_mode:
            raise NotImplementedError("AvgPool2d: ceil_mode=True is not supported; tidu "
                                      "implements only ceil_mode=False")
        _check_window("AvgPool2d", kernel_size, stride, padding, 1)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _check_window(who, kernel_size, stride, padding, dilation) -> None:
    """Refuse an impossible window when the layer is built, not at its first forward."""
    kh, kw = _pair(kernel_size, "kernel_size", who, 1)
    if stride is not None:
        _pair(stride, "stride", who, 1)
    ph, pw = _pair(padding, "padding", who, 0)
    _pair(dilation, "dilation", who, 1)
    if ph > kh // 2 or pw > kw // 2:
        raise ArgumentError(f"{who}: padding should be at most half of the kernel size, got "
                            f"padding {padding!r} for kernel_size {kernel_size!r}")


class MaxPool1d(Module):
    """Max over each window of length k along L, as `torch.nn.MaxPool1d`:
    out[n, c, x] = max_i x_pad[n, c, s·x + d·i] (padding with −∞).  Defaults stride=None
    (= kernel_size), padding=0, dilation=1, return_indices=False, ceil_mode=False (True is
    not implemented)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        if ceil_mode:
            raise NotImplementedError("MaxPool1d: ceil_mode=True is not supported; tidu "
                                      "implements only ceil_mode=False")
        k = _single(kernel_size, "kernel_size", "MaxPool1d", 1)
        if stride is not None:
            _single(stride, "stride", "MaxPool1d", 1)
        p = _single(padding, "padding", "MaxPool1d", 0)
        _single(dilation, "dilation", "MaxPool1d", 1)
        if p > k // 2:
            raise ArgumentError(f"MaxPool1d: padding should be at most half of the kernel size, "
                                f"got padding {padding!r} for kernel_size {kernel_size!r}")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x):
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool1d(Module):
    """Mean over each window of length k along L, as `torch.nn.AvgPool1d` (zero padding).
    Defaults stride=None (= kernel_size), padding=0, ceil_mode=False (True is not
    implemented), count_include_pad=True."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        super().__init__()
        if ceil_mode:
            raise NotImplementedError("AvgPool1d: ceil_mode=True is not supported; tidu "
                                      "implements only ceil_mode=False")
        k = _single(kernel_size, "kernel_size", "AvgPool1d", 1)
        if stride is not None:
            _single(stride, "stride", "AvgPool1d", 1)
        p = _single(padding, "padding", "AvgPool1d", 0)
        if p > k // 2:
            raise ArgumentError(f"AvgPool1d: padding should be at most half of the kernel size, "
                                f"got padding {padding!r} for kernel_size {kernel_size!r}")
        self.kernel_size = _as_tuple1(kernel_size)
        self.stride = self.kernel_size if stride is None else _as_tuple1(stride)
        self.padding = _as_tuple1(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x):
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _as_tuple1(v):
    """PyTorch's AvgPool1d stores its sizes as 1-tuples."""
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (an int or (H_out, W_out), None keeping that
    input dim), over PyTorch's windows [⌊iH/O⌋, ⌈(i+1)H/O⌉).  ``AdaptiveAvgPool2d((1, 1))``
    is the global average of a ResNet head.  See `F.adaptive_avg_pool2d`."""

    def __init__(self, output_size):
        super().__init__()
        _output_size(output_size, (1, 1), type(self).__name__)
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size`` over PyTorch's adaptive windows;
    ``return_indices=False``.  See `F.adaptive_max_pool2d`."""

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        _output_size(output_size, (1, 1), type(self).__name__)
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x):
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """Average pooling along L to a fixed ``output_size`` (an int).  See
    `F.adaptive_avg_pool1d`."""

    def __init__(self, output_size):
        super().__init__()
        _size_1d(output_size, type(self).__name__)
        self.output_size = output_size

    def forward(self, x):
        return F.adaptive_avg_pool1d(x, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(Module):
    """Max pooling along L to a fixed ``output_size`` (an int); ``return_indices=False``.
    See `F.adaptive_max_pool1d`."""

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        _size_1d(output_size, type(self).__name__)
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x):
        return F.adaptive_max_pool1d(x, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"
