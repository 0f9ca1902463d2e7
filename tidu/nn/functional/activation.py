"""Activation functions, each one graph node with a hand-written backward pass.

=============  ==========================================================  =====================
function       formula                                                     defaults
=============  ==========================================================  =====================
sigmoid        σ(x) = 1/(1+e^(−x))
tanh           tanh(x)
relu           max(0, x)
leaky_relu     x (x > 0),  a·x (x ≤ 0)                                     a = 0.01
prelu          x (x > 0),  a_c·x (x ≤ 0), a learned per channel c (dim 1)
rrelu          x (x > 0),  r·x (x ≤ 0), r ~ U(l, u) per element in          l = 1/8, u = 1/3,
               training, r = (l+u)/2 in eval                               training = False
elu            x (x > 0),  α(eˣ − 1) (x ≤ 0)                               α = 1
maxout         yⱼ = max_{i<p} x_{j·p+i} over the last dim: (…, k·p) → (…, k)
softmax        e^(xᵢ−m) / Σⱼ e^(xⱼ−m),  m = max x                           dim = −1
log_softmax    xᵢ − m − log Σⱼ e^(xⱼ−m)                                     dim = −1
=============  ==========================================================  =====================

At a kink (x = 0) the gradient is the one PyTorch uses: relu 0, leaky_relu/prelu/rrelu the
negative slope, elu α.  Every function keeps its input's dtype.
"""

from __future__ import annotations

import numpy as np

from ..._checks import normalize_dim
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...backend import like
from ...random import generator
from ...tensor import Tensor

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", "maxout",
           "softmax", "log_softmax"]


def _check_float(x, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a tidu.Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{op}: expected a float tensor, got dtype {x._data.dtype}")


def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1/(1+e^(−x)), computed as ½(1+tanh(x/2)) so no exp overflows;
    σ'(x) = σ(x)(1−σ(x)) ≤ ¼ (the notes' reason deep sigmoid nets vanish)."""
    out = 0.5 * (1.0 + np.tanh(0.5 * x._data))
    return Tensor._op(out, (x,), lambda g: (g * out * (1.0 - out),))


def tanh(x: Tensor) -> Tensor:
    """tanh(x); tanh'(x) = 1 − tanh²(x).  Zero-centred, unlike sigmoid."""
    out = np.tanh(x._data)
    return Tensor._op(out, (x,), lambda g: (g * (1.0 - out * out),))


def relu(x: Tensor) -> Tensor:
    """max(0, x); the gradient is 1 where x > 0 and 0 elsewhere (0 at x = 0, as PyTorch)."""
    out = np.maximum(x._data, 0)
    return Tensor._op(out, (x,), lambda g: (g * (out > 0),))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope·x otherwise (default 0.01, as PyTorch and the notes)."""
    negative_slope = float(negative_slope)  # a NumPy float64 scalar would upcast float32
    pos = x._data > 0
    out = np.where(pos, x._data, x._data * negative_slope)
    return Tensor._op(out, (x,), lambda g: (np.where(pos, g, g * negative_slope),))


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """Parametric ReLU (He et al. 2015): x for x > 0, a_c·x otherwise, with the slope a
    learned — one shared slope (``weight`` of size 1) or one per channel (size C, the
    channel dim being dim 1, as PyTorch; an input of fewer than 2 dims has one channel).

    Backward: dx = g (x > 0) or a·g;  da_c = Σ g·x over the elements of channel c with x ≤ 0.
    """
    _check_float(x, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu: weight must be a tidu.Tensor, got {type(weight).__name__}")
    if weight._data.dtype != x._data.dtype:
        raise DTypeError(f"prelu: weight dtype {weight._data.dtype} differs from input dtype "
                         f"{x._data.dtype}; cast one with .to()")
    if weight.ndim > 1:
        raise ShapeError(f"prelu: weight must be a scalar or 1-D, got shape {shape_str(weight.shape)}")
    xd, wd = x._data, weight._data
    channels = xd.shape[1] if xd.ndim >= 2 else 1
    if wd.size == 1:
        w = wd.reshape(())
        axes = None
    elif wd.size == channels:
        w = wd.reshape((1, channels) + (1,) * (xd.ndim - 2))
        axes = (0,) + tuple(range(2, xd.ndim))
    else:
        raise ShapeError(f"prelu: weight has {wd.size} slopes but the input of shape "
                         f"{shape_str(xd.shape)} has {channels} channel(s) in dim 1; "
                         f"expected 1 or {channels}")
    pos = xd > 0
    out = np.where(pos, xd, xd * w)
    wshape = wd.shape

    def backward(g):
        gx = np.where(pos, g, g * w) if x.requires_grad else None
        gw = None
        if weight.requires_grad:
            gw = np.where(pos, 0, g * xd).sum(axis=axes).reshape(wshape).astype(wd.dtype, copy=False)
        return gx, gw

    return Tensor._op(out, (x, weight), backward)


def rrelu(x: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    """Randomized leaky ReLU (Xu et al. 2015): x for x > 0, r·x otherwise.

    In training each element draws its own slope r ~ U(lower, upper) from tidu's generator
    (`tidu.manual_seed`), and the gradient there is r; in eval r = (lower + upper)/2, a
    fixed leaky ReLU.  Defaults lower = 1/8, upper = 1/3 and training=False, as PyTorch's
    functional form (the `RReLU` module passes its own mode).
    """
    _check_float(x, "rrelu")
    lower, upper = float(lower), float(upper)
    if not lower <= upper:
        raise ArgumentError(f"rrelu: lower bound {lower} must not exceed upper bound {upper}")
    if not training:
        return leaky_relu(x, (lower + upper) / 2)
    xd = x._data
    draw_dtype = np.float64 if xd.dtype == np.float64 else np.float32
    slope = generator().random(xd.shape, dtype=draw_dtype)
    slope *= upper - lower
    slope += lower
    slope = like(xd, slope.astype(xd.dtype, copy=False))
    pos = xd > 0
    out = np.where(pos, xd, xd * slope)
    return Tensor._op(out, (x,), lambda g: (np.where(pos, g, g * slope),))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit (Clevert et al. 2015): x for x > 0, α(eˣ − 1) otherwise
    (default α = 1, as PyTorch and Keras).  Negative outputs push the mean activation
    towards zero.  Backward: g for x > 0, g·α·eˣ otherwise."""
    _check_float(x, "elu")
    alpha = float(alpha)
    xd = x._data
    pos = xd > 0
    em = np.expm1(np.minimum(xd, 0))  # e^x − 1 without overflow for large positive x
    out = np.where(pos, xd, em * alpha)

    def backward(g):
        em1 = em + 1
        em1 *= alpha
        return (np.where(pos, g, g * em1),)

    return Tensor._op(out, (x,), backward)


def maxout(x: Tensor, pool_size: int) -> Tensor:
    """Maxout (Goodfellow et al. 2013) over the last dim: the features are split into
    groups of ``pool_size`` consecutive ones and each group gives its max,
    (…, k·p) → (…, k).  Preceded by an affine map this is the notes' k-piece maxout unit
    (see `tidu.nn.Maxout`).  Ties share the gradient evenly, as torch.amax.
    """
    _check_float(x, "maxout")
    if isinstance(pool_size, bool) or not isinstance(pool_size, (int, np.integer)) or pool_size < 1:
        raise ArgumentError(f"maxout: pool_size must be a positive integer, got {pool_size!r}")
    xd = x._data
    if xd.ndim == 0 or xd.shape[-1] % pool_size:
        raise ShapeError(f"maxout: the last dim of the input (shape {shape_str(xd.shape)}) must "
                         f"be a multiple of pool_size={pool_size}")
    xr = xd.reshape(xd.shape[:-1] + (xd.shape[-1] // pool_size, pool_size))
    out = xr.max(axis=-1)

    def backward(g):
        hit = xr == out[..., None]
        count = hit.sum(axis=-1, dtype=g.dtype)
        return ((hit * (g / count)[..., None]).reshape(xd.shape),)

    return Tensor._op(out, (x,), backward)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x): subtracting the max changes nothing mathematically
    and keeps exp from overflowing (the notes' stable softmax).
    Backward: dx = s ⊙ (g − Σ g⊙s)."""
    _check_float(x, "softmax")
    dim = normalize_dim(dim, x.ndim, "softmax")
    z = x._data - x._data.max(axis=dim, keepdims=True)
    e = np.exp(z)
    out = e / e.sum(axis=dim, keepdims=True)
    return Tensor._op(out, (x,), lambda g: (out * (g - (g * out).sum(axis=dim, keepdims=True)),))


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """xᵢ − max x − log Σⱼ e^(xⱼ − max x) (stable for logits of any size).
    Backward: dx = g − softmax(x)·Σ g."""
    _check_float(x, "log_softmax")
    dim = normalize_dim(dim, x.ndim, "log_softmax")
    z = x._data - x._data.max(axis=dim, keepdims=True)
    out = z - np.log(np.exp(z).sum(axis=dim, keepdims=True))

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)

    return Tensor._op(out, (x,), backward)
