"""`MultiLabelSoftMarginLoss` (see tidu.nn.functional.multilabel_soft_margin for the math)."""
from __future__ import annotations

from ..functional.multilabel_soft_margin import multilabel_soft_margin_loss
from .loss import _WeightedLoss

__all__ = ["MultiLabelSoftMarginLoss"]


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One logistic loss per class averaged over the C classes,
    ℓ = −(1/C) Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)], as
    `torch.nn.MultiLabelSoftMarginLoss`; ``weight=None`` (a buffer, per class),
    ``reduction='mean'``.  Input and target (N, C) or (C,).

    Examples
    --------
    >>> import tidu
    >>> loss = tidu.nn.MultiLabelSoftMarginLoss()
    >>> round(loss(tidu.zeros(2, 3), tidu.tensor([[1., 0., 1.], [0., 0., 1.]])).item(), 4)
    0.6931
    """

    def forward(self, input, target):
        return multilabel_soft_margin_loss(input, target, weight=self.weight,
                                           reduction=self.reduction)
