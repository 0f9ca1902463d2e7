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
softmin        softmax(−x)                                                 dim = None (PyTorch's)
gelu           x·Φ(x), Φ(x) = ½(1 + erf(x/√2))                             approximate = 'none'
               'tanh': ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
silu           x·σ(x)
mish           x·tanh(softplus(x))
softplus       (1/β) log(1 + e^(βx)); x where βx > threshold               β = 1, threshold = 20
logsigmoid     log σ(x) = −softplus(−x)
hardtanh       clip(x, min_val, max_val)                                   −1, 1
relu6          min(max(0, x), 6)
selu           s·(max(0,x) + min(0, α(eˣ−1))), α ≈ 1.6733, s ≈ 1.0507
celu           max(0,x) + min(0, α(e^(x/α) − 1))                           α = 1
softsign       x / (1 + |x|)
hardsigmoid    relu6(x + 3)/6
hardswish      x·relu6(x + 3)/6
threshold      x where x > threshold, else value
glu            a ⊙ σ(b), (a, b) the two halves of x along dim               dim = −1
tanhshrink     x − tanh(x)
=============  ==========================================================  =====================

At a kink (x = 0) the gradient is the one PyTorch uses: relu 0, leaky_relu/prelu/rrelu the
negative slope, elu/selu/celu the negative branch's; the clipped functions (hardtanh, relu6,
hardsigmoid, hardswish) take the outer piece's slope at their corners, threshold's gradient
is 0 at x = threshold.  Every function keeps its input's dtype.

``inplace=True`` (relu, leaky_relu, elu, hardtanh, relu6, selu, celu, silu, mish, hardswish,
hardsigmoid, threshold) follows tidu's in-place rules (`tidu.ops.inplace`, PyTorch's): the
result is written into the input, which is returned; a leaf that requires grad is refused
outside ``no_grad``.
"""

from __future__ import annotations

import math

import numpy as np

from ..._checks import normalize_dim
from ...errors import ArgumentError, DimError, DTypeError, ShapeError, shape_str
from ...backend import like
from ...random import generator
from ...tensor import Tensor
from ...ops.elementwise_more import erf_array

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", "maxout",
           "softmax", "log_softmax", "softmin", "gelu", "silu", "mish", "softplus", "logsigmoid",
           "hardtanh", "relu6", "selu", "celu", "softsign", "hardsigmoid", "hardswish",
           "threshold", "glu", "tanhshrink"]


def _maybe_inplace(x, inplace, op: str, fn) -> Tensor:
    """``fn(x)`` out of place, or written into ``x`` by tidu's in-place rules."""
    if not inplace:
        return fn(x)
    from ...ops.inplace import _inplace  # noqa: PLC0415 - ops sit below nn; lazy keeps imports light
    return _inplace(x, f"{op}(inplace=True)", fn)


def _check_float(x, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a tidu.Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{op}: expected a float tensor, got dtype {x._data.dtype}")


def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1/(1+e^(−x)), computed from e^(−|x|) so no exp overflows and the left tail
    keeps its relative precision (σ(−30) = 9.4e-14 in float32, not 0: log σ stays finite);
    σ'(x) = σ(x)(1−σ(x)) ≤ ¼ (the notes' reason deep sigmoid nets vanish)."""
    xd = x._data
    with np.errstate(under="ignore"):  # far in the tail σ is 0 (or 1), as in PyTorch
        e = np.exp(-np.abs(xd))
        r = 1.0 / (1.0 + e)
        out = np.where(xd < 0, e * r, r)  # e^x/(1+e^x) on the left
    return Tensor._op(out, (x,), lambda g: (g * out * (1.0 - out),))


def tanh(x: Tensor) -> Tensor:
    """tanh(x); tanh'(x) = 1 − tanh²(x).  Zero-centred, unlike sigmoid."""
    out = np.tanh(x._data)
    return Tensor._op(out, (x,), lambda g: (g * (1.0 - out * out),))


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x); the gradient is 1 where x > 0 and 0 elsewhere (0 at x = 0, as PyTorch)."""
    if inplace:
        return _maybe_inplace(x, True, "relu", relu)
    out = np.maximum(x._data, 0)
    return Tensor._op(out, (x,), lambda g: (g * (out > 0),))


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope·x otherwise (default 0.01, as PyTorch and the notes)."""
    if inplace:
        return _maybe_inplace(x, True, "leaky_relu", lambda t: leaky_relu(t, negative_slope))
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


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential linear unit (Clevert et al. 2015): x for x > 0, α(eˣ − 1) otherwise
    (default α = 1, as PyTorch and Keras).  Negative outputs push the mean activation
    towards zero.  Backward: g for x > 0, g·α·eˣ otherwise."""
    _check_float(x, "elu")
    if inplace:
        return _maybe_inplace(x, True, "elu", lambda t: elu(t, alpha))
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


# --------------------------------------------------------------------------- more activations
def _implicit_softmax_dim(ndim: int) -> int:
    """PyTorch's legacy choice when ``dim=None``: 0 for 0-, 1- and 3-D inputs, else 1."""
    return 0 if ndim in (0, 1, 3) else 1


def softmin(x: Tensor, dim: int | None = None) -> Tensor:
    """softmax(−x) along ``dim``: e^(−xᵢ) / Σⱼ e^(−xⱼ).  ``dim=None`` picks PyTorch's legacy
    implicit dim (0 for 0-, 1- and 3-D inputs, 1 otherwise; PyTorch also warns).
    Backward: dx = −s ⊙ (g − Σ g⊙s)."""
    _check_float(x, "softmin")
    if dim is None:
        dim = _implicit_softmax_dim(x.ndim)
    dim = normalize_dim(dim, x.ndim, "softmin")
    z = -x._data
    z -= z.max(axis=dim, keepdims=True)
    e = np.exp(z)
    out = e / e.sum(axis=dim, keepdims=True)
    return Tensor._op(out, (x,), lambda g: (-(out * (g - (g * out).sum(axis=dim, keepdims=True))),))


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit (Hendrycks & Gimpel 2016), as `torch.nn.functional.gelu`.

    ``approximate='none'`` (default): x·Φ(x), Φ(x) = ½(1 + erf(x/√2)), with
    d/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
    ``approximate='tanh'``: ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), with
    d/dx = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).
    """
    _check_float(x, "gelu")
    if approximate not in ("none", "tanh"):
        raise ArgumentError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    xd = x._data
    if approximate == "none":
        cdf = 0.5 * (1.0 + erf_array(xd * (1.0 / math.sqrt(2.0))))
        out = xd * cdf

        def backward(g):
            return (g * (cdf + xd * (np.exp(-0.5 * xd * xd) * _INV_SQRT_2PI)),)
    else:
        x2 = xd * xd
        th = np.tanh(_SQRT_2_OVER_PI * (xd + 0.044715 * x2 * xd))
        out = 0.5 * xd * (1.0 + th)

        def backward(g):
            du = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x2)
            return (g * (0.5 * (1.0 + th) + 0.5 * xd * (1.0 - th * th) * du),)

    return Tensor._op(out.astype(xd.dtype, copy=False), (x,), backward)


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    """Sigmoid linear unit (swish): x·σ(x); d/dx = σ(x)(1 + x(1 − σ(x)))."""
    _check_float(x, "silu")
    if inplace:
        return _maybe_inplace(x, True, "silu", silu)
    xd = x._data
    s = 0.5 * (1.0 + np.tanh(0.5 * xd))
    return Tensor._op(xd * s, (x,), lambda g: (g * (s * (1.0 + xd * (1.0 - s))),))


def _softplus(a: np.ndarray) -> np.ndarray:
    """log(1 + eᵃ) without overflow."""
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


def mish(x: Tensor, inplace: bool = False) -> Tensor:
    """Mish (Misra 2019): x·tanh(softplus(x)); with t = tanh(softplus(x)),
    d/dx = t + x·σ(x)(1 − t²)."""
    _check_float(x, "mish")
    if inplace:
        return _maybe_inplace(x, True, "mish", mish)
    xd = x._data
    t = np.tanh(_softplus(xd))

    def backward(g):
        s = 0.5 * (1.0 + np.tanh(0.5 * xd))
        return (g * (t + xd * s * (1.0 - t * t)),)

    return Tensor._op(xd * t, (x,), backward)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """(1/β)·log(1 + e^(βx)), and x itself where βx > ``threshold`` (defaults β = 1,
    threshold = 20, as PyTorch).  d/dx = σ(βx), 1 on the linear part."""
    _check_float(x, "softplus")
    beta, threshold = float(beta), float(threshold)
    xd = x._data
    bx = xd * beta
    lin = bx > threshold
    out = np.where(lin, xd, _softplus(bx) / beta)

    def backward(g):  # σ(βx), with β read here so the create_graph rule sees it
        return (np.where(lin, g, g * (0.5 * (1.0 + np.tanh(0.5 * (xd * beta))))),)

    return Tensor._op(out, (x,), backward)


def logsigmoid(x: Tensor) -> Tensor:
    """log σ(x) = −softplus(−x), stable for any x; d/dx = 1 − σ(x) = σ(−x)."""
    _check_float(x, "logsigmoid")
    xd = x._data
    out = -_softplus(-xd)
    return Tensor._op(out, (x,), lambda g: (g * (0.5 * (1.0 - np.tanh(0.5 * xd))),))


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clip(x, min_val, max_val) (defaults −1, 1); gradient 1 strictly inside
    (min_val, max_val), 0 elsewhere (0 at the corners, as PyTorch)."""
    _check_float(x, "hardtanh")
    min_val, max_val = float(min_val), float(max_val)
    if min_val > max_val:
        raise ArgumentError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    if inplace:
        return _maybe_inplace(x, True, "hardtanh", lambda t: hardtanh(t, min_val, max_val))
    xd = x._data
    inside = (xd > min_val) & (xd < max_val)
    return Tensor._op(np.clip(xd, min_val, max_val), (x,), lambda g: (g * inside,))


def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6) = hardtanh(x, 0, 6); gradient 1 on (0, 6), 0 elsewhere."""
    return hardtanh(x, 0.0, 6.0, inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU (Klambauer et al. 2017): s·x for x > 0, s·α(eˣ − 1) otherwise, with
    α = 1.6732632…, s = 1.0507009… (self-normalizing).  Gradient s, or s·α·eˣ (x ≤ 0)."""
    _check_float(x, "selu")
    if inplace:
        return _maybe_inplace(x, True, "selu", selu)
    xd = x._data
    pos = xd > 0
    ex = np.exp(np.minimum(xd, 0))
    out = np.where(pos, xd * _SELU_SCALE, (ex - 1.0) * (_SELU_SCALE * _SELU_ALPHA))
    return Tensor._op(out, (x,), lambda g: (g * np.where(pos, _SELU_SCALE, ex * (_SELU_SCALE * _SELU_ALPHA)),))


def celu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Continuously differentiable ELU (Barron 2017): x for x > 0, α(e^(x/α) − 1) otherwise
    (default α = 1).  Gradient 1, or e^(x/α) (x ≤ 0)."""
    _check_float(x, "celu")
    alpha = float(alpha)
    if alpha == 0:
        raise ArgumentError("celu: alpha must be nonzero (ZeroDivisionError in the formula)")
    if inplace:
        return _maybe_inplace(x, True, "celu", lambda t: celu(t, alpha))
    xd = x._data
    pos = xd > 0
    ex = np.exp(np.minimum(xd, 0) / alpha)
    out = np.where(pos, xd, (ex - 1.0) * alpha)
    return Tensor._op(out, (x,), lambda g: (np.where(pos, g, g * ex),))


def softsign(x: Tensor) -> Tensor:
    """x / (1 + |x|); d/dx = 1 / (1 + |x|)²."""
    _check_float(x, "softsign")
    xd = x._data
    den = 1.0 + np.abs(xd)
    return Tensor._op(xd / den, (x,), lambda g: (g / (den * den),))


def hardsigmoid(x: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3)/6: 0 for x ≤ −3, 1 for x ≥ 3, x/6 + ½ between; gradient 1/6 on (−3, 3)."""
    _check_float(x, "hardsigmoid")
    if inplace:
        return _maybe_inplace(x, True, "hardsigmoid", hardsigmoid)
    xd = x._data
    inside = (xd > -3.0) & (xd < 3.0)
    out = np.clip(xd / 6.0 + 0.5, 0.0, 1.0)
    return Tensor._op(out, (x,), lambda g: (g * inside / 6.0,))


def hardswish(x: Tensor, inplace: bool = False) -> Tensor:
    """x·relu6(x + 3)/6 (Howard et al. 2019, MobileNetV3): 0 for x ≤ −3, x for x ≥ 3,
    x(x + 3)/6 between; gradient 0, 1, or x/3 + ½ on (−3, 3) (PyTorch's corners)."""
    _check_float(x, "hardswish")
    if inplace:
        return _maybe_inplace(x, True, "hardswish", hardswish)
    xd = x._data
    out = xd * np.clip(xd + 3.0, 0.0, 6.0) / 6.0

    def backward(g):
        d = np.where(xd <= -3.0, 0.0, np.where(xd >= 3.0, 1.0, xd / 3.0 + 0.5))
        return (g * d,)

    return Tensor._op(out.astype(xd.dtype, copy=False), (x,), backward)


def threshold(x: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, ``value`` elsewhere; gradient 1 where x > threshold, else 0."""
    _check_float(x, "threshold")
    thr, value = float(threshold), float(value)
    return _maybe_inplace(x, inplace, "threshold", lambda t: _threshold(t, thr, value))


def _threshold(x: Tensor, thr: float, value: float) -> Tensor:
    xd = x._data
    keep = xd > thr
    out = np.where(keep, xd, xd.dtype.type(value))
    return Tensor._op(out, (x,), lambda g: (g * keep,))


def glu(x: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit (Dauphin et al. 2017): split x along ``dim`` (default −1) into halves
    a, b; out = a ⊙ σ(b).  Backward: da = g σ(b), db = g a σ(b)(1 − σ(b))."""
    _check_float(x, "glu")
    if x.ndim == 0:
        raise DimError("glu: a 0-d tensor cannot be halved; expected at least 1 dim")
    dim = normalize_dim(dim, x.ndim, "glu")
    xd = x._data
    if xd.shape[dim] % 2:
        raise ShapeError(f"glu: halving dimension {dim} of an input of shape {shape_str(xd.shape)} "
                         f"needs an even size, got {xd.shape[dim]}")
    a, b = np.split(xd, 2, axis=dim)
    s = 0.5 * (1.0 + np.tanh(0.5 * b))

    def backward(g):
        return (np.concatenate([g * s, g * a * s * (1.0 - s)], axis=dim),)

    return Tensor._op(a * s, (x,), backward)


def tanhshrink(x: Tensor) -> Tensor:
    """x − tanh(x); d/dx = tanh²(x)."""
    _check_float(x, "tanhshrink")
    t = np.tanh(x._data)
    return Tensor._op(x._data - t, (x,), lambda g: (g * t * t,))
