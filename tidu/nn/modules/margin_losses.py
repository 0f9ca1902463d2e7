"""`TripletMarginWithDistanceLoss` and `MultiLabelMarginLoss` (math in
tidu.nn.functional.margin_losses)."""
from __future__ import annotations

from ...errors import ArgumentError
from ..functional.margin_losses import multilabel_margin_loss, triplet_margin_with_distance_loss
from .distance import PairwiseDistance
from .loss import _Loss

__all__ = ["TripletMarginWithDistanceLoss", "MultiLabelMarginLoss"]


class TripletMarginWithDistanceLoss(_Loss):
    """Triplet loss with any distance, as `torch.nn.TripletMarginWithDistanceLoss`:
    ℓₙ = max(d(aₙ, pₙ) − d(aₙ, nₙ) + margin, 0).

    Keyword-only arguments: distance_function=None (a `PairwiseDistance()` submodule),
    margin=1.0 (> 0), swap=False (use min(d(a, n), d(p, n))), reduction='mean'.
    ``forward(anchor, positive, negative)``."""

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean"):
        super().__init__(reduction=reduction)
        if not margin > 0:
            raise ArgumentError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                                f"than 0, got {margin} instead")
        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-class multi-label hinge loss, as `torch.nn.MultiLabelMarginLoss`:
    ℓₙ = Σ_{j ∈ Yₙ} Σ_{i ∉ Yₙ} max(0, 1 − (x[j] − x[i])) / C, the target classes Yₙ being the
    entries of target row n before its first −1.  Default reduction='mean'
    (``size_average``/``reduce`` deprecated, as PyTorch).  ``forward(input, target)``."""

    def forward(self, input, target):
        return multilabel_margin_loss(input, target, reduction=self.reduction)
