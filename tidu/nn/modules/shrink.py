"""`Hardshrink`, `Softshrink` and `Softmax2d`, as PyTorch's (math in
tidu.nn.functional.shrink and tidu.nn.functional.activation).  No parameters."""
from __future__ import annotations

from ...errors import ShapeError, shape_str
from .. import functional as F
from .module import Module

__all__ = ["Hardshrink", "Softshrink", "Softmax2d"]


class Hardshrink(Module):
    """x where |x| > λ, else 0; ``lambd=0.5`` as PyTorch."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """x − λ for x > λ, x + λ for x < −λ, else 0; ``lambd=0.5`` (≥ 0) as PyTorch."""

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class Softmax2d(Module):
    """Softmax over the channels at every spatial position: out[c] = e^{x_c} / Σ_k e^{x_k}
    along dim −3 of (N, C, H, W) or (C, H, W) input, as PyTorch."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ShapeError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             f"instead (shape {shape_str(input.shape)})")
        return F.softmax(input, -3)
