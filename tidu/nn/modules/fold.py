"""`Unfold` (im2col) and `Fold` (col2im), modules over tidu.nn.functional.fold with
PyTorch's arguments and repr.  No parameters."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Unfold", "Fold"]


class Unfold(Module):
    """Sliding kH×kW blocks of (N, C, H, W) input as columns (N, C·kH·kW, L):
    out[n, (c, i, j), (y, x)] = x_pad[n, c, s·y + d·i, s·x + d·j].  Defaults dilation=1,
    padding=0, stride=1, as PyTorch."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """Columns (N, C·kH·kW, L) summed back into an (N, C, H, W) image of ``output_size``, the
    adjoint of `Unfold`.  Defaults dilation=1, padding=0, stride=1, as PyTorch."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
