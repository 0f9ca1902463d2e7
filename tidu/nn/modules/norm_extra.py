"""`RMSNorm` and `LocalResponseNorm` (math in tidu.nn.functional.norm_extra)."""
from __future__ import annotations

import numpy as np

from ..._checks import check_size
from ...errors import ArgumentError
from ...tensor import get_default_dtype
from .. import init
from ..functional.norm_extra import local_response_norm, rms_norm
from ..parameter import Parameter
from .module import Module

__all__ = ["RMSNorm", "LocalResponseNorm"]


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing ``normalized_shape`` dims, as
    `torch.nn.RMSNorm`:

        y = x / √(mean(x²) + eps) · γ

    Defaults eps=None (``torch.finfo(x.dtype).eps``), elementwise_affine=True (γ = 1 of shape
    normalized_shape, named ``weight``).  Same in training and eval.
    """

    def __init__(self, normalized_shape, eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None):
        super().__init__()
        if np.ndim(normalized_shape) == 0:
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(check_size(s, "normalized_shape", "RMSNorm")
                                      for s in normalized_shape)
        if eps is not None and (isinstance(eps, bool) or not isinstance(eps, (int, float))):
            raise ArgumentError(f"RMSNorm: eps must be a float or None, got {eps!r}")
        self.eps, self.elementwise_affine = eps, bool(elementwise_affine)
        dtype = dtype or get_default_dtype()
        if self.elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype), dtype=dtype)
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """Local response normalization across channels, as `torch.nn.LocalResponseNorm`:

        y_c = x_c / (k + α/n · Σ_{c' near c} x_{c'}²)^β,   n = size channels around c

    Defaults alpha=1e-4, beta=0.75, k=1.0; input (N, C, *) with at least 3 dims.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size = check_size(size, "size", "LocalResponseNorm")
        self.alpha, self.beta, self.k = alpha, beta, k

    def forward(self, x):
        return local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
