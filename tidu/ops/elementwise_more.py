"""More element-wise ops, as PyTorch's: reciprocal, trunc, frac, erf, log2, log10, exp2,
remainder, fmod, floor_divide, true_divide, atan2, hypot, lerp, nan_to_num, clamp_min,
clamp_max.  Each gradient sits beside its forward; broadcast operands get theirs summed
back to their shape."""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..backend import like, to_numpy, xp_of
from ..errors import ArgumentError, DTypeError
from ..tensor import Tensor
from .elementwise import _pair, _step, add, clip, div, mul, sub, unbroadcast

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _float_input(a, op):
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}: input must be a tensor, got {type(a).__name__}")
    if a._data.dtype.kind != "f":  # as torch: integer inputs give the default float dtype
        from ..tensor import get_default_dtype
        return Tensor._wrap(a._data.astype(get_default_dtype()))
    return a


# --------------------------------------------------------------------------- unary
def reciprocal(a: Tensor) -> Tensor:
    """1/x; d/dx = −1/x²."""
    a = _float_input(a, "reciprocal")
    out = 1 / a._data
    return Tensor._op(out, (a,), lambda g: (-g * out * out,))


def trunc(a: Tensor) -> Tensor:
    """x rounded toward zero; zero gradient."""
    return _step(a, np.trunc(a._data))


def frac(a: Tensor) -> Tensor:
    """x − trunc(x) (keeps the sign of x); d/dx = 1."""
    x = a._data
    return Tensor._op(x - np.trunc(x), (a,), lambda g: (g,))


def erf_array(x):
    """erf of an array on its own device."""
    return _special("erf", x)


def erf(a: Tensor) -> Tensor:
    """erf(x) = 2/√π ∫₀ˣ e^(−t²) dt; d/dx = 2/√π · e^(−x²)."""
    a = _float_input(a, "erf")
    x = a._data
    return Tensor._op(erf_array(x), (a,), lambda g: (g * (2 / math.sqrt(math.pi)) * np.exp(-x * x),))


def log2(a: Tensor) -> Tensor:
    """log₂ x; d/dx = 1/(x ln 2)."""
    a = _float_input(a, "log2")
    x = a._data
    return Tensor._op(np.log2(x), (a,), lambda g: (g / (x * _LN2),))


def log10(a: Tensor) -> Tensor:
    """log₁₀ x; d/dx = 1/(x ln 10)."""
    a = _float_input(a, "log10")
    x = a._data
    return Tensor._op(np.log10(x), (a,), lambda g: (g / (x * _LN10),))


def exp2(a: Tensor) -> Tensor:
    """2ˣ; d/dx = 2ˣ ln 2."""
    a = _float_input(a, "exp2")
    out = np.exp2(a._data)
    return Tensor._op(out, (a,), lambda g: (g * out * _LN2,))


def nan_to_num(a: Tensor, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """NaN → ``nan`` (0.0), +inf → ``posinf``, −inf → ``neginf`` (default: the dtype's
    largest / lowest finite value), as torch.nan_to_num; the gradient passes where the value
    was finite and is zero where it was replaced."""
    x = a._data
    if x.dtype.kind != "f":
        return Tensor._op(x.copy(), (a,), lambda g: (g,))
    out = np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)
    return Tensor._op(out, (a,), lambda g: (g * np.isfinite(x),))


def clamp_min(a: Tensor, min) -> Tensor:  # noqa: A002 - torch's name
    """max(x, min) (as torch.clamp_min); the gradient passes where x ≥ min."""
    return clip(a, min=min)


def clamp_max(a: Tensor, max) -> Tensor:  # noqa: A002
    """min(x, max) (as torch.clamp_max); the gradient passes where x ≤ max."""
    return clip(a, max=max)


# --------------------------------------------------------------------------- binary
def _binary(a, b, op, out_fn, grad_a, grad_b):
    """``out_fn(x, y)`` with gradients ``grad_a(g, x, y, out)`` / ``grad_b(...)``."""
    a, b = _pair(a, b, op)
    x, y = a._data, b._data
    out = out_fn(x, y)

    def backward(g):
        return (unbroadcast(grad_a(g, x, y, out), x.shape) if a.requires_grad else None,
                unbroadcast(grad_b(g, x, y, out), y.shape) if b.requires_grad else None)

    return Tensor._op(out, (a, b), backward)


def remainder(a, b) -> Tensor:
    """a − b·⌊a/b⌋: the result has the sign of ``b`` (Python's %, as torch.remainder).
    d/da = 1, d/db = −⌊a/b⌋."""
    return _binary(a, b, "remainder", np.remainder, lambda g, x, y, o: g,
                   lambda g, x, y, o: -g * np.floor(x / y))


def fmod(a, b) -> Tensor:
    """a − b·trunc(a/b): the result has the sign of ``a`` (C's fmod, as torch.fmod).
    d/da = 1, d/db = −trunc(a/b)."""
    return _binary(a, b, "fmod", np.fmod, lambda g, x, y, o: g,
                   lambda g, x, y, o: -g * np.trunc(x / y))


def floor_divide(a, b) -> Tensor:
    """⌊a/b⌋ (as torch.floor_divide, which rounds toward −inf).  No gradient: PyTorch refuses
    to differentiate it, tidu returns a constant."""
    a, b = _pair(a, b, "floor_divide")
    return Tensor._wrap(np.floor_divide(a._data, b._data))


def true_divide(a, b) -> Tensor:
    """a / b (an alias of `div`, as torch.true_divide)."""
    return div(a, b)


def atan2(a, b) -> Tensor:
    """The angle of the point (b, a): atan(a/b) in the right quadrant, in [−π, π].
    d/da = b/(a² + b²), d/db = −a/(a² + b²)."""
    return _binary(a, b, "atan2", np.arctan2, lambda g, x, y, o: g * y / (x * x + y * y),
                   lambda g, x, y, o: -g * x / (x * x + y * y))


def hypot(a, b) -> Tensor:
    """√(a² + b²) without overflow; d/da = a/out, d/db = b/out."""
    return _binary(a, b, "hypot", np.hypot, lambda g, x, y, o: g * x / o,
                   lambda g, x, y, o: g * y / o)


def lerp(start, end, weight) -> Tensor:
    """start + weight·(end − start) (as torch.lerp), ``weight`` a number or a tensor; the
    gradients are (1 − weight)·g, weight·g and (end − start)·g.  (PyTorch computes
    end − (end − start)(1 − weight) for |weight| ≥ ½, which rounds differently in the last
    bit.)"""
    if not isinstance(start, Tensor):
        raise TypeError(f"lerp: input must be a tensor, got {type(start).__name__}")
    if not isinstance(weight, (Tensor, numbers.Number, np.generic)):
        raise ArgumentError(f"lerp: weight must be a number or a tensor, got "
                            f"{type(weight).__name__}")
    if isinstance(weight, Tensor) and weight._data.dtype.kind != "f":
        raise DTypeError(f"lerp: weight must be a float tensor, got dtype {weight._data.dtype}")
    return add(start, mul(weight, sub(end, start)))


def softmax(a: Tensor, dim: int, dtype=None) -> Tensor:
    """e^(xᵢ) / Σⱼ e^(xⱼ) along ``dim`` (`tidu.nn.functional.softmax`, stable), as
    torch.softmax / Tensor.softmax."""
    from ..nn.functional.activation import softmax as _softmax
    return _softmax(a if dtype is None else a.to(dtype), dim)


def log_softmax(a: Tensor, dim: int, dtype=None) -> Tensor:
    """xᵢ − log Σⱼ e^(xⱼ) along ``dim`` (`tidu.nn.functional.log_softmax`), as
    torch.log_softmax / Tensor.log_softmax."""
    from ..nn.functional.activation import log_softmax as _log_softmax
    return _log_softmax(a if dtype is None else a.to(dtype), dim)


def _special(name, *args):
    """SciPy's special function ``name`` of arrays, on the last one's device (cupyx on a CuPy
    GPU; other devices compute on the host and move the result back)."""
    x = args[-1]
    if xp_of(x).__name__.startswith("cupy"):
        import cupyx.scipy.special as special  # noqa: PLC0415 - only on a GPU
        return getattr(special, name)(*args)
    import scipy.special as special  # noqa: PLC0415 - scipy comes with scikit-learn
    if type(x) is np.ndarray:
        return getattr(special, name)(*args)
    return like(x, getattr(special, name)(*args[:-1], to_numpy(x)))


def lgamma(a: Tensor) -> Tensor:
    """ln|Γ(x)|; d/dx = ψ(x) (the digamma function), as torch.lgamma."""
    a = _float_input(a, "lgamma")
    x = a._data
    return Tensor._op(_special("gammaln", x).astype(x.dtype, copy=False), (a,),
                      lambda g: (g * _special("digamma", x),))


def digamma(a: Tensor) -> Tensor:
    """ψ(x) = d ln Γ(x)/dx; d/dx = ψ′(x) (the trigamma function), as torch.digamma."""
    a = _float_input(a, "digamma")
    x = a._data
    return Tensor._op(_special("digamma", x).astype(x.dtype, copy=False), (a,),
                      lambda g: (g * _special("polygamma", 1, x).astype(x.dtype, copy=False),))
