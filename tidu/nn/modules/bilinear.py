"""`Bilinear`: y = x₁ᵀ A x₂ + b, with PyTorch's parameter names, shapes and initialization."""
from __future__ import annotations

import math

import numpy as np

from ..._checks import check_size
from ...tensor import get_default_dtype
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Bilinear"]


class Bilinear(Module):
    """y[..., o] = Σᵢⱼ x₁[..., i] A[o, i, j] x₂[..., j] + b[o]; weight A of shape
    (out_features, in1_features, in2_features), bias b (out_features,) when ``bias=True``
    (the default).  Both initialized U(−1/√in1_features, 1/√in1_features), as PyTorch."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, dtype=None):
        super().__init__()
        self.in1_features = check_size(in1_features, "in1_features", "Bilinear", low=0)
        self.in2_features = check_size(in2_features, "in2_features", "Bilinear", low=0)
        self.out_features = check_size(out_features, "out_features", "Bilinear", low=0)
        dtype = dtype or get_default_dtype()
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = Parameter(np.empty(shape, dtype=dtype), dtype=dtype)
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype), dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
