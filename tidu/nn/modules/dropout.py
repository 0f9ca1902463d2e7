"""`Dropout` (math in tidu.nn.functional.dropout)."""
from __future__ import annotations

from .. import functional as F
from ..functional.dropout import _check_p
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Inverted dropout: in training mode each element is zeroed with probability p and the
    survivors are scaled by 1/(1 − p); in eval mode the identity.  Default p = 0.5, as
    PyTorch (Keras calls p `rate`)."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = _check_p(p, "Dropout")

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
