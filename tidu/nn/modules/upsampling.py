"""`Upsample`, `UpsamplingNearest2d` and `UpsamplingBilinear2d`: modules over
`tidu.nn.functional.interpolate`, with PyTorch's arguments, defaults and repr."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Resize (N, C, L) or (N, C, H, W) input to ``size`` or by ``scale_factor`` with
    `F.interpolate` (out[i] from source position i·n/m, see there).  Defaults as PyTorch:
    size=None, scale_factor=None (one of them must be given), mode='nearest',
    align_corners=None, recompute_scale_factor=None.  No parameters."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """`Upsample` with mode='nearest' on (N, C, H, W) input: out[y, x] = in[⌊y·H/H_out⌋,
    ⌊x·W/W_out⌋].  Defaults size=None, scale_factor=None, as PyTorch."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """`Upsample` with mode='bilinear' and align_corners=True on (N, C, H, W) input (source
    position y·(H−1)/(H_out−1)).  Defaults size=None, scale_factor=None, as PyTorch."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
