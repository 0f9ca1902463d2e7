"""`MaxPool2d` and `AvgPool2d` (see tidu.nn.functional.pooling for the math)."""
from __future__ import annotations

from .. import functional as F
from ...errors import ArgumentError
from ..functional.conv import _pair
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d"]


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
