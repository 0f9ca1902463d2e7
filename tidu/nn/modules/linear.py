"""`Linear`, `Identity` and `Flatten`."""
from __future__ import annotations

import math

import numpy as np

from ..._checks import check_size
from ...tensor import get_default_dtype
from ...ops.shape import flatten
from ...ops.shape_more import unflatten
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module, check_last_dim


class Linear(Module):
    """y = x Wᵀ + b, W of shape (out_features, in_features).

    Default initialization as PyTorch: W ~ kaiming_uniform_(a=√5), i.e. U(−1/√in, 1/√in),
    and b ~ U(−1/√in, 1/√in).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None):
        super().__init__()
        # 0 is a valid (empty) size, as in PyTorch
        in_features = check_size(in_features, "in_features", "Linear", low=0)
        out_features = check_size(out_features, "out_features", "Linear", low=0)
        self.in_features, self.out_features = in_features, out_features
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype), dtype=dtype)
        self.bias = Parameter(np.empty(out_features, dtype=dtype), dtype=dtype) if bias else None
        if not bias:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        check_last_dim(self, x, self.in_features)
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """y = x.  Accepts and ignores any constructor arguments, as PyTorch (so a layer can be
    swapped for ``Identity`` without editing its arguments)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Flatten(Module):
    """Flattens dims start_dim … end_dim (defaults 1 … −1: keep the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Unflattens dim ``dim`` into the shape ``unflattened_size`` (as torch.nn.Unflatten; one
    entry may be −1), e.g. ``Unflatten(1, (1, 28, 28))`` after a ``Linear`` in a decoder."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        return unflatten(x, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
