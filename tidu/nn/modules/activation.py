"""One module per activation function (see tidu.nn.functional.activation for the math).

Constructor arguments and defaults are PyTorch's; `PReLU` and `Maxout` hold parameters,
`RReLU` follows the module's train/eval mode."""
from __future__ import annotations

import numpy as np

from ..._checks import check_size
from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import get_default_dtype
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "RReLU", "ELU", "Maxout",
           "Softmax", "LogSoftmax"]


class Sigmoid(Module):
    """σ(x) = 1/(1+e^(−x)), element-wise."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), element-wise."""

    def forward(self, x):
        return F.tanh(x)


class ReLU(Module):
    """max(0, x), element-wise."""

    def forward(self, x):
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope·x otherwise (default negative_slope = 0.01; Keras'
    LeakyReLU defaults to 0.3)."""

    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """x for x > 0, a·x otherwise, with the slope a learned: ``num_parameters`` = 1 (one
    slope shared by all channels, the default) or the number of channels C (one slope per
    channel of dim 1).  The slopes start at ``init`` = 0.25, as PyTorch (Keras' PReLU
    starts at 0 and has one slope per feature).  Parameter key: ``weight``, shape
    (num_parameters,)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=None):
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, (int, np.integer)) \
                or num_parameters < 1:
            raise ArgumentError(f"PReLU: num_parameters must be a positive integer, got {num_parameters!r}")
        self.num_parameters = int(num_parameters)
        self.init = init
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(np.empty(self.num_parameters, dtype=dtype), dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, x):
        if self.num_parameters > 1:
            channels = x.shape[1] if x.ndim >= 2 else 1
            if channels != self.num_parameters:
                raise ShapeError(f"{self!r}: expected input with {self.num_parameters} channels "
                                 f"in dim 1, got shape {shape_str(x.shape)}")
        return F.prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: x for x > 0, r·x otherwise, with r ~ U(lower, upper) drawn per
    element in training mode and r = (lower + upper)/2 in eval mode.  Defaults lower = 1/8,
    upper = 1/3, as PyTorch."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3):
        super().__init__()
        if not lower <= upper:
            raise ArgumentError(f"RReLU: lower bound {lower} must not exceed upper bound {upper}")
        self.lower, self.upper = lower, upper

    def forward(self, x):
        return F.rrelu(x, self.lower, self.upper, training=self.training)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}"


class ELU(Module):
    """x for x > 0, α(eˣ − 1) otherwise (default α = 1.0, as PyTorch and Keras)."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Maxout(Module):
    """A maxout layer (Goodfellow et al. 2013; the notes' k affine pieces with a max):

        yⱼ = max_{i < p} (W x + b)_{j·p + i},   j = 0 … out_features − 1,  p = pool_size

    i.e. a `Linear(in_features, out_features·pool_size)` (key prefix ``linear.``, PyTorch's
    default initialization) followed by `F.maxout` over groups of ``pool_size``
    consecutive outputs.  Rows j·p … j·p+p−1 of ``linear.weight`` are the p pieces of
    output unit j.  PyTorch has no Maxout; this is the usual composition.
    """

    def __init__(self, in_features: int, out_features: int, pool_size: int, bias: bool = True,
                 dtype=None):
        super().__init__()
        in_features = check_size(in_features, "in_features", "Maxout", low=0)
        out_features = check_size(out_features, "out_features", "Maxout")
        self.in_features, self.out_features = in_features, out_features
        self.pool_size = check_size(pool_size, "pool_size", "Maxout")
        self.linear = Linear(in_features, out_features * self.pool_size, bias=bias, dtype=dtype)

    def forward(self, x):
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ShapeError(f"Maxout({self.extra_repr()}): expected input with {self.in_features} "
                             f"features in its last dimension, got shape {shape_str(x.shape)}")
        return F.maxout(self.linear(x), self.pool_size)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pool_size={self.pool_size}")


class Softmax(Module):
    """e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x) along ``dim`` (default −1; PyTorch's module makes
    the dim mandatory in practice, Keras' axis defaults to −1)."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """xᵢ − max x − log Σⱼ e^(xⱼ − max x) along ``dim`` (default −1)."""

    def forward(self, x):
        return F.log_softmax(x, self.dim)
