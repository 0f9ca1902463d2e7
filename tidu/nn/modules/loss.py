"""Loss modules: thin wrappers over `tidu.nn.functional` losses with PyTorch's constructor
arguments and defaults.  ``forward(input, target)`` (``forward(anchor, positive, negative)``
for `TripletMarginLoss`).  Class weights are registered as buffers (``weight``,
``pos_weight``), so they appear in ``state_dict`` under PyTorch's names.

The deprecated ``size_average`` / ``reduce`` arguments are accepted and mapped to
``reduction`` as PyTorch does.
"""
from __future__ import annotations

import numpy as np

from ...tensor import Tensor
from .. import functional as F
from ..functional.loss import _legacy as _legacy_reduction  # PyTorch's size_average/reduce mapping
from .module import Module
from ...errors import ArgumentError

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "MultiMarginLoss", "TripletMarginLoss", "SmoothL1Loss", "KLDivLoss",
           "MarginRankingLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "GaussianNLLLoss",
           "PoissonNLLLoss"]


def _array(w):
    if w is None:
        return None
    return np.array(w._data if isinstance(w, Tensor) else w)


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        reduction = _legacy_reduction(size_average, reduce, reduction)
        if reduction not in ("none", "mean", "sum"):
            raise ArgumentError(f"{type(self).__name__}: reduction must be 'none', 'mean' or 'sum', "
                                f"got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _array(weight))


class MSELoss(_Loss):
    """Mean squared error (xᵢ − yᵢ)²; ``reduction='mean'`` by default. See `F.mse_loss`."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error |xᵢ − yᵢ|; ``reduction='mean'`` by default. See `F.l1_loss`."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: ½d² for |d| < δ, δ(|d| − ½δ) elsewhere; ``delta=1.0``,
    ``reduction='mean'``. See `F.huber_loss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        if not delta > 0:
            raise ArgumentError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        base = super().extra_repr()
        return f"delta={self.delta}" + (f", {base}" if base else "")


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities, −w[y log x + (1 − y) log(1 − x)] (logs clamped at
    −100); ``weight=None``, ``reduction='mean'``. See `F.binary_cross_entropy`."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step, on logits;
    ``weight=None``, ``reduction='mean'``, ``pos_weight=None`` (scales the positive term).
    See `F.binary_cross_entropy_with_logits`."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _array(weight))
        self.register_buffer("pos_weight", _array(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits with class-index or probability targets;
    ``weight=None``, ``ignore_index=-100``, ``reduction='mean'``, ``label_smoothing=0.0``
    (ε = 0.1 over K = 2 classes turns the target [0, 1] into [0.05, 0.95]).
    See `F.cross_entropy`."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ArgumentError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], "
                                f"got {label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)

    def extra_repr(self) -> str:
        parts = [super().extra_repr()]
        if self.ignore_index != -100:
            parts.append(f"ignore_index={self.ignore_index}")
        if self.label_smoothing:
            parts.append(f"label_smoothing={self.label_smoothing}")
        return ", ".join(p for p in parts if p)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood on log-probabilities, −w_y x_y; ``weight=None``,
    ``ignore_index=-100``, ``reduction='mean'``. See `F.nll_loss`."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss Σ_{i≠y} w_y max(0, margin − x_y + x_i)^p / C; ``p=1``,
    ``margin=1.0``, ``weight=None``, ``reduction='mean'``. See `F.multi_margin_loss`."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None,
                 reduce=None, reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ArgumentError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(d(a, p) − d(a, n) + margin, 0) with d(u, v) = ‖u − v + eps‖_p; ``margin=1.0``,
    ``p=2.0``, ``eps=1e-6``, ``swap=False``, ``reduction='mean'``.
    See `F.triplet_margin_loss`."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        if not margin > 0:
            raise ArgumentError(f"TripletMarginLoss: margin must be positive, got {margin}")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)

    def extra_repr(self) -> str:
        base = super().extra_repr()
        return (f"margin={self.margin}, p={self.p}, eps={self.eps}, swap={self.swap}"
                + (f", {base}" if base else ""))


class SmoothL1Loss(_Loss):
    """½d²/β for |d| < β, |d| − ½β elsewhere; ``reduction='mean'``, ``beta=1.0``.
    See `F.smooth_l1_loss`."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        if beta < 0:
            raise ArgumentError(f"SmoothL1Loss: beta must be non-negative, got {beta}")
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class KLDivLoss(Module):
    """KL divergence p (log p − x) with the input x in log-space; ``reduction='mean'``
    (every element, as PyTorch's default; use 'batchmean' for the true KL), ``log_target=False``.
    See `F.kl_div`."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False):
        super().__init__()
        reduction = _legacy_reduction(size_average, reduce, reduction)
        if reduction not in ("none", "mean", "sum", "batchmean"):
            raise ArgumentError(f"KLDivLoss: reduction must be 'none', 'mean', 'batchmean' or "
                                f"'sum', got {reduction!r}")
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """max(0, −y(x1 − x2) + margin); ``margin=0.0``, ``reduction='mean'``.
    ``forward(input1, input2, target)``.  See `F.margin_ranking_loss`."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + e^{−yx}) for y = ±1; ``reduction='mean'``.  See `F.soft_margin_loss`."""

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 − cos(x1, x2) for y = 1, max(0, cos(x1, x2) − margin) for y = −1; ``margin=0.0``,
    ``reduction='mean'``.  ``forward(input1, input2, target)``.  See `F.cosine_embedding_loss`."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """½(log v + (x − y)²/v), v = max(var, eps); keyword-only ``full=False``, ``eps=1e-6``,
    ``reduction='mean'``.  ``forward(input, target, var)``.  See `F.gaussian_nll_loss`."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """e^x − y·x (``log_input=True``, default) or x − y log(x + eps); ``full=False``,
    ``eps=1e-8``, ``reduction='mean'``.  See `F.poisson_nll_loss`."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None,
                 eps: float = 1e-8, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)
