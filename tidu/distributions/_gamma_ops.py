"""Differentiable gamma-function pieces the gamma-family distributions share: standard
gamma draws with implicit reparameterization gradients, and the regularized lower
incomplete gamma function P(a, x)."""
from __future__ import annotations

import numpy as np

from .. import random as _random
from ..backend import like, to_numpy
from ..tensor import Tensor


def _gammainc_host(a, x):
    import scipy.special as special  # noqa: PLC0415 - scipy comes with scikit-learn
    return special.gammainc(a, x)


def _dP_da(a, x):
    """∂P(a, x)/∂a by a central difference (scipy has no closed form), host float64."""
    h = 1e-5 * np.maximum(a, 1.0)
    return (_gammainc_host(a + h, x) - _gammainc_host(a - h, x)) / (2 * h)


def _log_density(a, x):
    """log of the Gamma(a, 1) density at x, host float64."""
    import scipy.special as special  # noqa: PLC0415
    return (a - 1) * np.log(x) - x - special.gammaln(a)


def gammainc(a: Tensor, x: Tensor) -> Tensor:
    """P(a, x) = γ(a, x)/Γ(a) (a, x broadcast); ∂/∂x = x^(a−1)e^(−x)/Γ(a), ∂/∂a by central
    differences."""
    ah, xh = (to_numpy(t._data).astype(np.float64) for t in (a, x))
    out = _gammainc_host(ah, xh)
    dtype = np.result_type(a.dtype, x.dtype)

    def backward(g):
        gh = to_numpy(g).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            dx = np.where(xh > 0, np.exp(_log_density(ah, np.where(xh > 0, xh, 1.0))), 0.0)
        da = _dP_da(ah, xh)
        return (like(a._data, (gh * da).astype(dtype)), like(x._data, (gh * dx).astype(dtype)))

    return Tensor._op(like(a._data, out.astype(dtype)), (a, x), backward)


def standard_gamma(concentration: Tensor, shape: tuple) -> Tensor:
    """Gamma(α, 1) draws of ``shape`` (α broadcast to it) from tidu's generator, with the
    implicit reparameterization gradient dx/dα = −(∂P(α, x)/∂α) / p(x; α)."""
    a = concentration if concentration.shape == shape else concentration.expand(*shape)
    ah = to_numpy(a._data).astype(np.float64)
    tiny = np.finfo(a.dtype).tiny
    x = np.maximum(_random.generator().standard_gamma(ah), tiny)

    def backward(g):
        with np.errstate(over="ignore", under="ignore"):
            dx_da = -_dP_da(ah, x) / np.exp(_log_density(ah, x))
        dx_da = np.nan_to_num(dx_da, nan=0.0, posinf=0.0, neginf=0.0)
        return (like(a._data, (to_numpy(g) * dx_da).astype(a.dtype)),)

    return Tensor._op(like(a._data, x.astype(a.dtype)), (a,), backward)
