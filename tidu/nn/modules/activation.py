"""One module per activation function (see tidu.nn.functional.activation for the math).

Constructor arguments and defaults are PyTorch's; `PReLU` and `Maxout` hold parameters,
`RReLU` follows the module's train/eval mode.  ``inplace=True`` writes the result into the
input by tidu's in-place rules (see tidu.nn.functional.activation)."""
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
           "Softmax", "LogSoftmax", "Softmin", "GELU", "SiLU", "Mish", "Softplus", "LogSigmoid",
           "Hardtanh", "ReLU6", "SELU", "CELU", "Softsign", "Hardsigmoid", "Hardswish",
           "Threshold", "GLU", "Tanhshrink"]


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class Sigmoid(Module):
    """σ(x) = 1/(1+e^(−x)), element-wise."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), element-wise."""

    def forward(self, x):
        return F.tanh(x)


class ReLU(Module):
    """max(0, x), element-wise; ``inplace=False`` as PyTorch."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu(x, self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class LeakyReLU(Module):
    """x for x > 0, negative_slope·x otherwise (default negative_slope = 0.01; Keras'
    LeakyReLU defaults to 0.3)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


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

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return F.elu(x, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


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


class Softmin(Module):
    """softmax(−x) along ``dim`` (default None: PyTorch's implicit dim, 0 for 0-, 1- and 3-D
    inputs, else 1)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmin(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    """x·Φ(x) (``approximate='none'``, default) or its tanh approximation
    (``approximate='tanh'``).  See `F.gelu`."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ArgumentError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class _Inplace(Module):
    """An element-wise activation with PyTorch's ``inplace=False`` argument."""
    _fn = None

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return type(self)._fn(x, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_repr(self.inplace)


class SiLU(_Inplace):
    """x·σ(x) (swish).  See `F.silu`."""
    _fn = staticmethod(F.silu)


class Mish(_Inplace):
    """x·tanh(softplus(x)).  See `F.mish`."""
    _fn = staticmethod(F.mish)


class ReLU6(_Inplace):
    """min(max(0, x), 6).  See `F.relu6`."""
    _fn = staticmethod(F.relu6)


class SELU(_Inplace):
    """s·(max(0, x) + min(0, α(eˣ − 1))), α ≈ 1.6733, s ≈ 1.0507.  See `F.selu`."""
    _fn = staticmethod(F.selu)


class Hardsigmoid(_Inplace):
    """relu6(x + 3)/6.  See `F.hardsigmoid`."""
    _fn = staticmethod(F.hardsigmoid)


class Hardswish(_Inplace):
    """x·relu6(x + 3)/6.  See `F.hardswish`."""
    _fn = staticmethod(F.hardswish)


class _Plain(Module):
    _fn = None

    def forward(self, x):
        return type(self)._fn(x)


class LogSigmoid(_Plain):
    """log σ(x) = −softplus(−x).  See `F.logsigmoid`."""
    _fn = staticmethod(F.logsigmoid)


class Softsign(_Plain):
    """x / (1 + |x|).  See `F.softsign`."""
    _fn = staticmethod(F.softsign)


class Tanhshrink(_Plain):
    """x − tanh(x).  See `F.tanhshrink`."""
    _fn = staticmethod(F.tanhshrink)


class Softplus(Module):
    """(1/β)·log(1 + e^(βx)), linear where βx > threshold; ``beta=1.0``, ``threshold=20.0``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """clip(x, min_val, max_val); ``min_val=-1.0``, ``max_val=1.0``, ``inplace=False``."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if min_val > max_val:
            raise ArgumentError(f"Hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class CELU(Module):
    """max(0, x) + min(0, α(e^(x/α) − 1)); ``alpha=1.0``, ``inplace=False``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return F.celu(x, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Threshold(Module):
    """x where x > threshold, ``value`` elsewhere (both required, as PyTorch)."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, x):
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return (f"threshold={self.threshold}, value={self.value}"
                + (", inplace=True" if self.inplace else ""))


class GLU(Module):
    """a ⊙ σ(b) with (a, b) the halves of the input along ``dim`` (default −1)."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.glu(x, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
