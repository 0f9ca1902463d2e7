"""Ready-made parametrizations, as ``torch.nn.utils.parametrizations``: `weight_norm`.
(``spectral_norm`` and ``orthogonal`` are not implemented in tidu.)"""
from __future__ import annotations

from ..modules.module import Module
from .parametrize import register_parametrization
from .weight_norm import _norm_except_dim

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


class _WeightNorm(Module):
    """weight = g · v / ‖v‖ (‖v‖ over every dim but ``dim``); right_inverse: (‖w‖, w)."""

    def __init__(self, dim: int | None = 0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Weight normalization (Salimans & Kingma 2016) as a parametrization: the trained
    parameters are ``parametrizations.<name>.original0`` (g, the norms) and ``original1``
    (v, the directions); ``module.<name>`` = g · v / ‖v‖.  Default dim 0 (one norm per
    output row), as PyTorch."""
    dim = dim if dim is None or dim >= -1 else dim + getattr(module, name).ndim
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def spectral_norm(*args, **kwargs):
    raise NotImplementedError("parametrizations.spectral_norm is not implemented in tidu; "
                              "divide the weight by torch.linalg.matrix_norm(w, 2) by hand")


def orthogonal(*args, **kwargs):
    raise NotImplementedError("parametrizations.orthogonal is not implemented in tidu")
