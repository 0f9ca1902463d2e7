"""Still more element-wise ops, as PyTorch's: the trigonometric and hyperbolic functions and
their inverses (tan, sinh, cosh, asin, acos, atan, asinh, acosh, atanh), erfc, erfinv, sinc,
logit, xlogy, logaddexp(2), deg2rad/rad2deg, copysign, heaviside, float_power, fmax/fmin,
signbit, sgn, isposinf/isneginf, positive; the arc* aliases (arcsin …) are bound in
tidu.ops.  Each gradient sits beside its forward (PyTorch's formula); broadcast operands get
theirs summed back to their shape.  Integer inputs give the default float dtype, as torch."""
from __future__ import annotations

import math

import numpy as np

from ..errors import DTypeError
from ..tensor import Tensor
from .elementwise import _step
from .elementwise_more import _binary, _float_input, _special

__all__ = ["tan", "sinh", "cosh", "asin", "acos", "atan", "asinh", "acosh", "atanh", "erfc",
           "erfinv", "sinc", "logit", "xlogy", "logaddexp", "logaddexp2", "deg2rad", "rad2deg",
           "copysign", "heaviside", "float_power", "fmax", "fmin", "signbit", "sgn",
           "isposinf", "isneginf", "positive"]


def _unary(name, forward, grad, doc):
    """An op ``forward(x)`` of one float tensor with d/dx = ``grad(x, out)``; outside the
    domain both are NaN or ±inf without a warning, as in PyTorch."""
    def op(input: Tensor) -> Tensor:  # noqa: A002 - torch's argument name
        a = _float_input(input, name)
        x = a._data
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            out = forward(x)

        def backward(g):
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                return (g * grad(x, out),)
        return Tensor._op(out, (a,), backward)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + f" (as torch.{name})."
    return op


def _need_tensor(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be a tensor, got {type(input).__name__}")


tan = _unary("tan", np.tan, lambda x, o: 1 + o * o, "tan x; d/dx = 1 + tan² x")
sinh = _unary("sinh", np.sinh, lambda x, o: np.cosh(x), "sinh x; d/dx = cosh x")
cosh = _unary("cosh", np.cosh, lambda x, o: np.sinh(x), "cosh x; d/dx = sinh x")
asin = _unary("asin", np.arcsin, lambda x, o: 1 / np.sqrt(1 - x * x),
              "arcsin x (NaN outside [−1, 1]); d/dx = 1/√(1 − x²)")
acos = _unary("acos", np.arccos, lambda x, o: -1 / np.sqrt(1 - x * x),
              "arccos x (NaN outside [−1, 1]); d/dx = −1/√(1 − x²)")
atan = _unary("atan", np.arctan, lambda x, o: 1 / (1 + x * x), "arctan x; d/dx = 1/(1 + x²)")
asinh = _unary("asinh", np.arcsinh, lambda x, o: 1 / np.sqrt(x * x + 1),
               "arsinh x; d/dx = 1/√(x² + 1)")
acosh = _unary("acosh", np.arccosh, lambda x, o: 1 / np.sqrt(x * x - 1),
               "arcosh x (NaN below 1); d/dx = 1/√(x² − 1)")
atanh = _unary("atanh", np.arctanh, lambda x, o: 1 / (1 - x * x),
               "artanh x (NaN outside [−1, 1]); d/dx = 1/(1 − x²)")
erfc = _unary("erfc", lambda x: _special("erfc", x).astype(x.dtype, copy=False),
              lambda x, o: -2 / math.sqrt(math.pi) * np.exp(-x * x),
              "1 − erf x; d/dx = −2/√π · e^(−x²)")
erfinv = _unary("erfinv", lambda x: _special("erfinv", x).astype(x.dtype, copy=False),
                lambda x, o: math.sqrt(math.pi) / 2 * np.exp(o * o),
                "the inverse of erf on (−1, 1); d/dx = √π/2 · e^(erfinv(x)²)")
deg2rad = _unary("deg2rad", lambda x: x * (math.pi / 180), lambda x, o: math.pi / 180,
                 "x·π/180; d/dx = π/180")
rad2deg = _unary("rad2deg", lambda x: x * (180 / math.pi), lambda x, o: 180 / math.pi,
                 "x·180/π; d/dx = 180/π")


def _sinc(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sinc(x)


def _sinc_grad(x, out):
    px = math.pi * x
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (np.cos(px) - out) / x
    return np.where(x == 0, 0.0, g)


sinc = _unary("sinc", _sinc, _sinc_grad,
              "sin(πx)/(πx), 1 at 0; d/dx = (cos(πx) − sinc x)/x, 0 at 0")


def logit(input: Tensor, eps=None) -> Tensor:  # noqa: A002 - torch's names
    """log(z/(1 − z)) with z = x, or x clamped to [eps, 1 − eps] when ``eps`` is given
    (default None, as torch.logit; NaN outside [0, 1] without eps).  d/dx = 1/(z(1 − z)):
    0 where the clamp bites, NaN outside [0, 1] without eps (as PyTorch)."""
    a = _float_input(input, "logit")
    x = a._data
    z = x if eps is None else np.clip(x, eps, 1 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(z / (1 - z))

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            d = g / (z * (1 - z))
        if eps is None:
            return (np.where((x < 0) | (x > 1), np.nan, d),)
        return (np.where((x < eps) | (x > 1 - eps), 0.0, d),)

    return Tensor._op(out, (a,), backward)


def xlogy(input, other) -> Tensor:  # noqa: A002
    """x·log y, 0 where x = 0 (unless y is NaN), as torch.xlogy.  d/dx = log y (PyTorch's
    formula: 0 where x = 0 and y ≤ 0), d/dy = x/y (NaN at x = y = 0, as PyTorch)."""
    def fwd(x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log(y)).astype(x.dtype, copy=False)

    def ga(g, x, y, o):
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where((g == 0) & ~np.isnan(y), 0.0, g * np.log(y))  # xlogy(g, y)
            return np.where((x == 0) & (y <= 0), 0.0, d)

    return _binary(_float_input(input, "xlogy") if isinstance(input, Tensor) else input, other,
                   "xlogy", fwd, ga, lambda g, x, y, o: g * x / y)


def logaddexp(input, other) -> Tensor:  # noqa: A002
    """log(eˣ + eʸ), computed stably; d/dx = e^(x − out), d/dy = e^(y − out)."""
    return _binary(input, other, "logaddexp", np.logaddexp,
                   lambda g, x, y, o: g * np.exp(x - o), lambda g, x, y, o: g * np.exp(y - o))


def logaddexp2(input, other) -> Tensor:  # noqa: A002
    """log₂(2ˣ + 2ʸ); d/dx = 2^(x − out), d/dy = 2^(y − out)."""
    return _binary(input, other, "logaddexp2", np.logaddexp2,
                   lambda g, x, y, o: g * np.exp2(x - o), lambda g, x, y, o: g * np.exp2(y - o))


def copysign(input, other) -> Tensor:  # noqa: A002
    """|x| with the sign of y; d/dx = sign(x)·sign(out) (0 at x = 0), d/dy = 0."""
    def ga(g, x, y, o):
        return g * np.where(x == 0, 0.0, np.sign(x) * np.sign(o))
    if isinstance(input, Tensor):
        input = _float_input(input, "copysign")  # noqa: A001 - integers give floats, as torch
    return _binary(input, other, "copysign", np.copysign, ga, lambda g, x, y, o: g * 0)


def heaviside(input, values) -> Tensor:  # noqa: A002
    """0 where x < 0, ``values`` where x == 0, 1 where x > 0 (as torch.heaviside; both must
    have the same dtype in torch, tidu casts a number to ``input``'s).  No gradient (PyTorch
    refuses one)."""
    _need_tensor(input, "heaviside")
    v = values._data if isinstance(values, Tensor) else values
    return Tensor._wrap(np.heaviside(input._data, v).astype(input._data.dtype, copy=False))


def float_power(input, exponent) -> Tensor:  # noqa: A002
    """xʸ in float64 whatever the inputs' dtypes (as torch.float_power); gradients as `pow`."""
    from .elementwise import pow as _pow

    def f64(v):
        if isinstance(v, Tensor):
            return v if v._data.dtype == np.float64 else v.to(np.float64)
        return float(v)
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power: expects a tensor as input or exponent")
    return _pow(f64(input), f64(exponent))


def _pick(name, ufunc):
    def op(input, other) -> Tensor:  # noqa: A002
        return _binary(input, other, name, ufunc,
                       lambda g, x, y, o: g * ((o == x) | np.isnan(y)),
                       lambda g, x, y, o: g * ((o != x) & ~np.isnan(y)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Element-wise {name[1:]} that ignores NaN (a NaN only where both are), as "
                  f"torch.{name}; the gradient goes to the operand picked (to ``input`` on ties).")
    return op


fmax, fmin = _pick("fmax", np.fmax), _pick("fmin", np.fmin)


def signbit(input: Tensor) -> Tensor:  # noqa: A002
    """True where the sign bit is set (−0.0 included), a bool tensor."""
    _need_tensor(input, "signbit")
    return Tensor._wrap(np.signbit(input._data))


def sgn(input: Tensor) -> Tensor:  # noqa: A002
    """sign(x) for real tensors (tidu has no complex dtype); zero gradient."""
    _need_tensor(input, "sgn")
    return _step(input, np.sign(input._data))


def isposinf(input: Tensor) -> Tensor:  # noqa: A002
    """True where x is +inf, a bool tensor."""
    _need_tensor(input, "isposinf")
    return Tensor._wrap(np.isposinf(input._data))


def isneginf(input: Tensor) -> Tensor:  # noqa: A002
    """True where x is −inf, a bool tensor."""
    _need_tensor(input, "isneginf")
    return Tensor._wrap(np.isneginf(input._data))


def positive(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` itself (as torch.positive, which refuses bool tensors)."""
    _need_tensor(input, "positive")
    if input._data.dtype == np.bool_:
        raise DTypeError("positive: not supported for bool tensors (as in PyTorch)")
    return input
