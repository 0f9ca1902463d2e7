"""`FeatureAlphaDropout` (math in tidu.nn.functional.dropout_extra)."""
from __future__ import annotations

from ..functional.dropout_extra import feature_alpha_dropout
from .dropout import Dropout

__all__ = ["FeatureAlphaDropout"]


class FeatureAlphaDropout(Dropout):
    """Alpha dropout of whole channels of (N, C, *) input in training mode (for SELU
    networks: keeps zero mean, unit variance), identity in eval, as
    `torch.nn.FeatureAlphaDropout`.  Defaults p=0.5, inplace=False.  See
    `F.feature_alpha_dropout`."""
    _fn = staticmethod(feature_alpha_dropout)
