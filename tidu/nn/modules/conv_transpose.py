"""`ConvTranspose1d` and `ConvTranspose2d`: transposed convolution layers (see
tidu.nn.functional.conv_transpose for the math)."""
from __future__ import annotations

import numpy as np

from ..._checks import single_int as _single
from ...errors import ArgumentError, ShapeError, shape_str
from ..functional.conv import _pair
from ..functional.conv_transpose import _conv_transpose1d, _conv_transpose2d
from .conv import _ConvNd

__all__ = ["ConvTranspose1d", "ConvTranspose2d"]


class _ConvTransposeNd(_ConvNd):
    """What the transposed layers share: weight (in, out/groups, *kernel), PyTorch's init
    (kaiming_uniform(a=√5) and the bias bound 1/√fan_in, fan_in computed from weight dim 1,
    i.e. (out/groups)·∏kernel, as torch does), and ``output_size`` → output_padding."""

    def _setup(self, who, in_channels, out_channels, groups, padding_mode, bias, dtype):
        if padding_mode != "zeros":
            raise ArgumentError(f'{who}: Only "zeros" padding mode is supported for {who}, got '
                                f'padding_mode={padding_mode!r}')
        self._set_channels(who, in_channels, out_channels, groups, padding_mode, ("zeros",))
        self.groups, self.padding_mode = int(groups), padding_mode
        self._make_parameters(bias, dtype)

    def _weight_shape(self) -> tuple:
        """(in, out/groups, *kernel): a transposed convolution's weight, as torch's."""
        return (self.in_channels, self.out_channels // self.groups) + self.kernel_size

    def _output_padding(self, shape, output_size):
        """output_padding from a requested ``output_size`` (the last len(kernel) entries of
        it count), each within [min, min + stride − 1] as torch requires."""
        if output_size is None:
            return self.output_padding
        k = len(self.kernel_size)
        size = [int(v) for v in output_size]
        if len(size) == k + 2 or (len(size) == k + 1 and len(shape) == k + 1):
            size = size[-k:]
        if len(size) != k:
            raise ArgumentError(f"{self!r}: output_size must have {k} or {k + 2} elements, got "
                                f"{tuple(output_size)}")
        spatial = tuple(shape[-k:])
        lo = [(spatial[i] - 1) * self.stride[i] - 2 * self.padding[i]
              + self.dilation[i] * (self.kernel_size[i] - 1) + 1 for i in range(k)]
        hi = [lo[i] + self.stride[i] - 1 for i in range(k)]
        if any(not lo[i] <= size[i] <= hi[i] for i in range(k)):
            raise ArgumentError(f"{self!r}: requested an output size of {size}, but valid sizes "
                                f"range from {lo} to {hi} (for an input of {list(spatial)})")
        return tuple(size[i] - lo[i] for i in range(k))

    def _check_input(self, x, k, layout):
        shape = getattr(x, "shape", None)
        if shape is None:
            shape = np.shape(x)
        if len(shape) not in (k + 1, k + 2) or shape[-k - 1] != self.in_channels:
            raise ShapeError(f"{self!r}: expected input of shape (N, {self.in_channels}, "
                             f"{layout}) (or unbatched ({self.in_channels}, {layout})), got "
                             f"shape {shape_str(shape)}")
        return shape

    def extra_repr(self):
        k = len(self.kernel_size)
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * k:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * k:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * k:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution ("deconvolution") over NCHW input, as
    `torch.nn.ConvTranspose2d`: the gradient of a Conv2d with respect to its input.

    full[n, o, s·y + d·i, s·x + d·j] += Σ_c x[n, c, y, x] · w[c, o, i, j], cropped by
    ``padding`` on each side, plus b[o];
    H_out = (H − 1)·stride − 2·padding + dilation·(kH − 1) + output_padding + 1.

    Defaults as PyTorch: stride=1, padding=0, output_padding=0, groups=1, bias=True,
    dilation=1, padding_mode='zeros' (the only one, as in torch).  Weight of shape
    (in, out/groups, kH, kW); init as torch: w ~ kaiming_uniform_(a=√5) and
    b ~ U(−1/√fan_in, 1/√fan_in), fan_in = (out/groups)·kH·kW (weight dim 1).
    ``forward(input, output_size=None)``: an ``output_size`` chooses output_padding.
    Input (N, in, H, W) or unbatched (in, H, W).

    Examples
    --------
    >>> import tidu
    >>> up = tidu.nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
    >>> tuple(up.weight.shape), tuple(up(tidu.zeros(2, 16, 4, 4)).shape)
    ((16, 8, 3, 3), (2, 8, 8, 8))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", dtype=None):
        super().__init__()
        who = "ConvTranspose2d"
        self.kernel_size = _pair(kernel_size, "kernel_size", who, 1)
        self.stride = _pair(stride, "stride", who, 1)
        if isinstance(padding, str):
            raise ArgumentError(f"{who}: padding must be an int or a pair, got {padding!r}")
        self.padding = _pair(padding, "padding", who, 0)
        self.output_padding = _pair(output_padding, "output_padding", who, 0)
        self.dilation = _pair(dilation, "dilation", who, 1)
        self._setup(who, in_channels, out_channels, groups, padding_mode, bias, dtype)

    def forward(self, input, output_size=None):
        shape = self._check_input(input, 2, "H, W")
        op = self._output_padding(shape, output_size)
        return _conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, op,
                                 self.groups, self.dilation, repr(self))


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C, L) input, as `torch.nn.ConvTranspose1d`:
    L_out = (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.

    Defaults and init as `ConvTranspose2d` (weight (in, out/groups, k), fan_in =
    (out/groups)·k); ``kernel_size``, ``stride``, ``padding``, ``output_padding`` and
    ``dilation`` are stored as 1-tuples as torch does.  Input (N, in, L) or unbatched (in, L).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", dtype=None):
        super().__init__()
        who = "ConvTranspose1d"
        self.kernel_size = (_single(kernel_size, "kernel_size", who, 1),)
        self.stride = (_single(stride, "stride", who, 1),)
        if isinstance(padding, str):
            raise ArgumentError(f"{who}: padding must be an int, got {padding!r}")
        self.padding = (_single(padding, "padding", who, 0),)
        self.output_padding = (_single(output_padding, "output_padding", who, 0),)
        self.dilation = (_single(dilation, "dilation", who, 1),)
        self._setup(who, in_channels, out_channels, groups, padding_mode, bias, dtype)

    def forward(self, input, output_size=None):
        shape = self._check_input(input, 1, "L")
        op = self._output_padding(shape, output_size)
        return _conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding, op,
                                 self.groups, self.dilation, repr(self))
