"""`MaxUnpool1d/2d` (the partial inverse of max pooling) and `LPPool1d/2d` (power-average
pooling); math in tidu.nn.functional.unpool_lp."""
from __future__ import annotations

from ..._checks import single_int as _single
from ..functional.conv import _pair
from ..functional.unpool_lp import lp_pool1d, lp_pool2d, max_unpool1d, max_unpool2d
from .module import Module

__all__ = ["MaxUnpool1d", "MaxUnpool2d", "LPPool1d", "LPPool2d"]


class MaxUnpool2d(Module):
    """Partial inverse of `MaxPool2d`, as `torch.nn.MaxUnpool2d`: values go to the flat
    indices given by ``MaxPool2d(return_indices=True)``, zeros elsewhere.  Defaults
    stride=None (= kernel_size), padding=0 (stored as pairs, as PyTorch).
    ``forward(input, indices, output_size=None)``: output H_out = (H − 1)·s − 2p + k unless
    ``output_size`` is given."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        who = "MaxUnpool2d"
        self.kernel_size = _pair(kernel_size, "kernel_size", who, 1)
        self.stride = _pair(kernel_size if stride is None else stride, "stride", who, 1)
        self.padding = _pair(padding, "padding", who, 0)

    def forward(self, input, indices, output_size=None):
        return max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """Partial inverse of `MaxPool1d`, as `torch.nn.MaxUnpool1d`: L_out = (L − 1)·s − 2p + k
    unless ``output_size`` is given.  Defaults stride=None (= kernel_size), padding=0."""

    def __init__(self, kernel_size, stride=None, padding=0):
        Module.__init__(self)
        who = "MaxUnpool1d"
        self.kernel_size = (_single(kernel_size, "kernel_size", who, 1),)
        self.stride = (_single(kernel_size if stride is None else stride, "stride", who, 1),)
        self.padding = (_single(padding, "padding", who, 0),)

    def forward(self, input, indices, output_size=None):
        return max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                            output_size)


class LPPool2d(Module):
    """Power-average pooling, as `torch.nn.LPPool2d`: out = (Σ_{window} xᵖ)^{1/p} over each
    kH×kW window, p = ``norm_type``.  Defaults stride=None (= kernel_size), ceil_mode=False
    (True is not implemented)."""

    _fn = staticmethod(lp_pool2d)

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride = norm_type, kernel_size, stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                              self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(LPPool2d):
    """Power-average pooling along the last dim, as `torch.nn.LPPool1d`:
    out = (Σ_{window} xᵖ)^{1/p}.  Defaults stride=None (= kernel_size), ceil_mode=False."""

    _fn = staticmethod(lp_pool1d)
