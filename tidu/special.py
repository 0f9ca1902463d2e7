"""Special functions, as ``torch.special``: expit, logit, erf, erfc, erfinv, ndtr, ndtri,
xlogy, xlog1py, entr, sinc, gammaln, digamma (psi), i0, i0e, i1, i1e, expm1, exp2, log1p,
round, softmax, log_softmax, logsumexp.  Most are tidu's own ops under their
``torch.special`` names; the rest are SciPy's functions (cupyx on a GPU) with PyTorch's
gradients beside them."""
from __future__ import annotations

import math

import numpy as np

from .ops.elementwise import expm1, log1p, round_, sigmoid
from .ops.elementwise_extra import _unary, erfc, erfinv, logit, sinc, xlogy
from .ops.elementwise_more import (_binary, _float_input, _special, digamma, erf, exp2, lgamma,
                                   log_softmax, softmax)
from .ops.reduction_more import logsumexp
from .tensor import Tensor

__all__ = ["expit", "logit", "erf", "erfc", "erfinv", "ndtr", "ndtri", "log_ndtr", "xlogy",
           "xlog1py", "entr", "sinc", "gammaln", "digamma", "psi", "i0", "i0e", "i1", "i1e",
           "expm1", "exp2", "log1p", "round", "softmax", "log_softmax", "logsumexp"]

expit = sigmoid
gammaln = lgamma
psi = digamma
round = round_  # noqa: A001 - torch.special.round

_SQRT_2PI = math.sqrt(2 * math.pi)


def _scipy(name):
    return lambda x: _special(name, x).astype(x.dtype, copy=False)


ndtr = _unary("ndtr", _scipy("ndtr"), lambda x, o: np.exp(-0.5 * x * x) / _SQRT_2PI,
              "Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF; d/dx = e^(−x²/2)/√(2π)")
ndtri = _unary("ndtri", _scipy("ndtri"), lambda x, o: _SQRT_2PI * np.exp(0.5 * o * o),
               "Φ⁻¹(p), the standard normal quantile (±inf at 0 and 1); "
               "d/dp = √(2π)·e^(Φ⁻¹(p)²/2)")
log_ndtr = _unary("log_ndtr", _scipy("log_ndtr"),
                  lambda x, o: np.exp(-0.5 * x * x - o) / _SQRT_2PI,
                  "log Φ(x), accurate far in the left tail; d/dx = e^(−x²/2 − log Φ(x))/√(2π)")
i0 = _unary("i0", _scipy("i0"), lambda x, o: _special("i1", x),
            "I₀(x), the modified Bessel function of the first kind of order 0; d/dx = I₁(x)")
i0e = _unary("i0e", _scipy("i0e"), lambda x, o: _special("i1e", x) - np.sign(x) * o,
             "e^(−|x|)·I₀(x); d/dx = i1e(x) − sign(x)·i0e(x)")
def _over_x(v, x):
    """v/x, 0 where x = 0 (the callers put the limit there)."""
    return v / np.where(x == 0, 1, x) * (x != 0)


i1 = _unary("i1", _scipy("i1"),
            lambda x, o: np.where(x == 0, 0.5, _special("i0", x) - _over_x(o, x)),
            "I₁(x), the modified Bessel function of order 1; d/dx = I₀(x) − I₁(x)/x (½ at 0)")
i1e = _unary("i1e", _scipy("i1e"),
             lambda x, o: np.where(x == 0, 0.5,
                                   _special("i0e", x) - o * np.sign(x) - _over_x(o, x)),
             "e^(−|x|)·I₁(x); d/dx = i0e(x) − i1e(x)·(sign(x) + 1/x) (½ at 0)")

def _entr(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)),
                        np.where(x == 0, 0.0, -np.inf)).astype(x.dtype, copy=False)


entr = _unary("entr", _entr, lambda x, o: -(1 + np.log(x)),
              "−x·ln x for x > 0, 0 at 0, −inf for x < 0 (NaN stays NaN); d/dx = −(1 + ln x)")


def xlog1py(input, other) -> Tensor:  # noqa: A002
    """x·log(1 + y), 0 where x = 0 (unless y is NaN), as torch.special.xlog1py.
    d/dx = log(1 + y) (0 where x = 0 and y ≤ −1), d/dy = x/(1 + y)."""
    def fwd(x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log1p(y)).astype(x.dtype, copy=False)

    def grad_x(g, x, y, o):
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where((g == 0) & ~np.isnan(y), 0.0, g * np.log1p(y))
            return np.where((x == 0) & (y <= -1), 0.0, d)

    def grad_y(g, x, y, o):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * x / (1 + y)

    return _binary(_float_input(input, "xlog1py") if isinstance(input, Tensor) else input,
                   other, "xlog1py", fwd, grad_x, grad_y)

