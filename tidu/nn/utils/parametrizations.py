"""Ready-made parametrizations, as ``torch.nn.utils.parametrizations``: `weight_norm` and
`spectral_norm`.  (``orthogonal`` is not implemented in tidu.)"""
from __future__ import annotations

from ...tensor import Tensor
from ..modules.module import Module
from .parametrize import register_parametrization
from .spectral_norm import SpectralNormParametrization, _default_dim
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


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None):
    """Spectral normalization as a parametrization: ``module.<name>`` = W/σ(W), σ by power
    iteration on the buffers ``parametrizations.<name>.0._u`` and ``._v`` (advanced on each
    training-mode access, 15 steps at registration); the original weight is
    ``parametrizations.<name>.original``.  Defaults n_power_iterations=1, eps=1e-12,
    dim=None (0; 1 for ConvTranspose), as PyTorch.  Returns the module."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    dim = _default_dim(module) if dim is None else dim
    register_parametrization(module, name,
                             SpectralNormParametrization(weight, n_power_iterations, dim, eps))
    return module


def orthogonal(*args, **kwargs):
    raise NotImplementedError("parametrizations.orthogonal is not implemented in tidu")
