"""`CosineSimilarity` and `PairwiseDistance` (math in tidu.nn.functional.distance)."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """x1·x2 / (max(‖x1‖₂, ε)·max(‖x2‖₂, ε)) along ``dim``; ``dim=1``, ``eps=1e-8``.
    ``forward(x1, x2)``.  See `F.cosine_similarity`."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x1 − x2 + ε‖_p over the last dim; ``p=2.0``, ``eps=1e-6``, ``keepdim=False``.
    ``forward(x1, x2)``.  See `F.pairwise_distance`."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
