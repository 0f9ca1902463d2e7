"""`Dropout`, `Dropout1d/2d/3d` (channel dropout), `AlphaDropout` (math in
tidu.nn.functional.dropout).  Each is the identity in eval mode."""
from __future__ import annotations

from .. import functional as F
from ..functional.dropout import _check_p
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"]


class Dropout(Module):
    """Inverted dropout: in training mode each element is zeroed with probability p and the
    survivors are scaled by 1/(1 − p); in eval mode the identity.  Default p = 0.5, as
    PyTorch (Keras calls p `rate`)."""

    _fn = staticmethod(F.dropout)

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        self.p = _check_p(p, type(self).__name__)
        self.inplace = inplace

    def forward(self, x):
        return type(self)._fn(x, self.p, self.training, self.inplace)

    def extra_repr(self):
        # PyTorch's repr also shows inplace=False; tidu's shows it only when True
        return f"p={self.p}" + (", inplace=True" if self.inplace else "")


class Dropout1d(Dropout):
    """Channel dropout on (N, C, L) or (C, L): whole channels are zeroed with probability p in
    training, the rest scaled by 1/(1 − p).  ``p=0.5``, ``inplace=False``.  See `F.dropout1d`."""
    _fn = staticmethod(F.dropout1d)


class Dropout2d(Dropout):
    """Channel dropout on (N, C, H, W) or (C, H, W): whole feature maps are zeroed with
    probability p in training.  ``p=0.5``, ``inplace=False``.  See `F.dropout2d`."""
    _fn = staticmethod(F.dropout2d)


class Dropout3d(Dropout):
    """Channel dropout on (N, C, D, H, W) or (C, D, H, W).  See `F.dropout3d`."""
    _fn = staticmethod(F.dropout3d)


class AlphaDropout(Dropout):
    """Alpha dropout for SELU networks (keeps zero mean, unit variance) in training mode.
    ``p=0.5``, ``inplace=False``.  See `F.alpha_dropout`."""
    _fn = staticmethod(F.alpha_dropout)
