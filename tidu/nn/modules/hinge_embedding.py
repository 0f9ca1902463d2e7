"""`HingeEmbeddingLoss`, as PyTorch's (math in tidu.nn.functional.hinge_embedding)."""
from __future__ import annotations

from .. import functional as F
from .loss import _Loss

__all__ = ["HingeEmbeddingLoss"]


class HingeEmbeddingLoss(_Loss):
    """ℓᵢ = xᵢ for yᵢ = 1, max(0, margin − xᵢ) for yᵢ = −1; ``margin=1.0``,
    ``reduction='mean'`` (and the deprecated size_average/reduce), as PyTorch.
    See `F.hinge_embedding_loss`."""

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)
