"""torch's top-level numerics, predicates and in-place forms built from tidu's ops:
logcumsumexp, inner, vdot, dist, gcd, lcm, ldexp, nextafter, scalar_tensor, is_complex,
is_signed, is_same_size, typename, relu_, sigmoid_, tanh_, exp_, abs_, sqrt_, neg_, zero_,
fill_, clamp_."""
from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from .._checks import normalize_dim
from ..errors import DTypeError, ShapeError, shape_str
from ..tensor import Tensor, get_default_dtype
from .elementwise import _pair, mul, sub
from .elementwise_more import exp2
from .grids import tensordot
from .linalg import dot
from .reduction_more import vector_norm
from .shape import flatten
from .torch_extras import _tensor

__all__ = ["logcumsumexp", "inner", "vdot", "dist", "lcm", "gcd", "ldexp", "nextafter",
           "scalar_tensor", "is_complex", "is_signed", "is_same_size", "typename", "relu_",
           "sigmoid_", "tanh_", "exp_", "abs_", "clamp_", "zero_", "fill_", "sqrt_", "neg_"]


# --------------------------------------------------------------------------- numerics
def logcumsumexp(input, dim: int) -> Tensor:  # noqa: A002
    """outⱼ = log Σ_{i≤j} exp(xᵢ) along ``dim``, computed without overflow.
    ∂outⱼ/∂xᵢ = exp(xᵢ − outⱼ) for i ≤ j."""
    a = _tensor(input, "logcumsumexp")
    if a.dtype.kind != "f":
        a = Tensor._wrap(a._data.astype(get_default_dtype()))
    x = a._data
    if x.ndim == 0:
        return a.clone()
    d = normalize_dim(dim, x.ndim, "logcumsumexp")
    out = np.logaddexp.accumulate(x, axis=d)

    def reverse_lse(v):
        return np.flip(np.logaddexp.accumulate(np.flip(v, d), axis=d), d)

    def backward(g):
        # Σ_{j≥i} gⱼ·exp(xᵢ − outⱼ), with g split by sign so each part is a stable log-sum
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = np.exp(x + reverse_lse(np.log(np.maximum(g, 0)) - out))
            negp = np.exp(x + reverse_lse(np.log(np.maximum(-g, 0)) - out))
        return (np.nan_to_num(pos - negp, nan=0.0, posinf=np.inf, neginf=-np.inf),)

    return Tensor._op(out, (a,), backward)


def inner(input, other) -> Tensor:  # noqa: A002
    """Σₖ input[…, k]·other[…, k]: the dot product over the last dims (a product when
    either is 0-d); shape input.shape[:-1] + other.shape[:-1]."""
    _tensor(input, "inner")
    _tensor(other, "inner", "other")
    if input.ndim == 0 or other.ndim == 0:
        return mul(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise ShapeError(f"inner: last dims must match, got shapes {shape_str(input.shape)} "
                         f"and {shape_str(other.shape)}")
    return tensordot(input, other, dims=([input.ndim - 1], [other.ndim - 1]))


def vdot(input, other) -> Tensor:  # noqa: A002
    """Σ conj(input)ᵢ·otherᵢ of two 1-d tensors (dot for real tensors)."""
    return dot(input, other)


def dist(input, other, p=2) -> Tensor:  # noqa: A002
    """‖input − other‖_p over all elements (they broadcast); p default 2 (0: count of
    non-zeros, inf / −inf: max / min |·|)."""
    return vector_norm(flatten(sub(input, other)), p)


def _integer_pair(input, other, op):  # noqa: A002
    a, b = _pair(input, other, op)
    for t in (a, b):
        if t.dtype.kind not in "iu":
            raise DTypeError(f"{op}: expected integer tensors, got dtype {t.dtype}")
    return a._data, b._data


def gcd(input, other) -> Tensor:  # noqa: A002
    """The greatest common divisor of integer tensors, element-wise (gcd(0, 0) = 0)."""
    return Tensor._wrap(np.gcd(*_integer_pair(input, other, "gcd")))


def lcm(input, other) -> Tensor:  # noqa: A002
    """The least common multiple of integer tensors, element-wise (0 when either is 0)."""
    return Tensor._wrap(np.lcm(*_integer_pair(input, other, "lcm")))


def ldexp(input, other) -> Tensor:  # noqa: A002
    """input · 2^other (a float result; differentiable in both)."""
    a = _tensor(input, "ldexp")
    if a.dtype.kind != "f":
        a = Tensor._wrap(a._data.astype(get_default_dtype()))
    e = other if isinstance(other, Tensor) else Tensor._wrap(backend.like(a._data, np.asarray(other)))
    if e.dtype.kind != "f" or e.dtype != a.dtype:
        e = Tensor._wrap(e._data.astype(a.dtype)) if e.dtype.kind != "f" else e
    return mul(a, exp2(e))


def nextafter(input, other) -> Tensor:  # noqa: A002
    """The next float after ``input`` toward ``other``, element-wise (no gradient)."""
    a, b = _pair(_tensor(input, "nextafter"), other, "nextafter")
    if a.dtype.kind != "f":
        raise DTypeError(f"nextafter: expected float tensors, got dtype {a.dtype}")
    return Tensor._wrap(np.nextafter(a._data, b._data))


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """A 0-d tensor holding the number ``s``, of the default float dtype unless ``dtype``
    is given (even for an int, as PyTorch)."""
    if isinstance(s, Tensor) or not isinstance(s, numbers.Number):
        raise TypeError(f"scalar_tensor: s must be a number, got {type(s).__name__}")
    return Tensor(np.asarray(s), dtype=dtype or get_default_dtype(), device=device,
                  requires_grad=requires_grad)


# --------------------------------------------------------------------------- predicates
def is_complex(input) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is complex (never for tidu's dtypes)."""
    return _tensor(input, "is_complex").dtype.kind == "c"


def is_signed(input) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is signed (floats and signed ints; not uint8 or bool)."""
    return _tensor(input, "is_signed").dtype.kind in "fic"


def is_same_size(input, other) -> bool:  # noqa: A002
    """Whether the two tensors have the same shape."""
    return _tensor(input, "is_same_size").shape == _tensor(other, "is_same_size", "other").shape


def typename(obj) -> str:
    """The type's name as PyTorch writes it: a tensor's legacy type ('tidu.FloatTensor'),
    else 'module.QualName' of its class (just the name for builtins)."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = getattr(cls, "__module__", "")
    if module in ("builtins", "__builtin__", None, ""):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


# --------------------------------------------------------------------------- in-place
def _method(name, doc):
    def fn(input, *args, **kwargs):  # noqa: A002
        return getattr(_tensor(input, name), name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


relu_ = _method("relu_", "input ← max(input, 0) in place; returns input.")
sigmoid_ = _method("sigmoid_", "input ← 1/(1 + e^(−input)) in place; returns input.")
tanh_ = _method("tanh_", "input ← tanh(input) in place; returns input.")
exp_ = _method("exp_", "input ← e^input in place; returns input.")
abs_ = _method("abs_", "input ← |input| in place; returns input.")
sqrt_ = _method("sqrt_", "input ← √input in place; returns input.")
neg_ = _method("neg_", "input ← −input in place; returns input.")
zero_ = _method("zero_", "input ← 0 in place; returns input.")
fill_ = _method("fill_", "fill_(input, value): input ← value everywhere, in place; returns input.")


def clamp_(input, min=None, max=None) -> Tensor:  # noqa: A002
    """input ← min(max(input, min), max) in place (either bound may be None); returns input."""
    return _tensor(input, "clamp_").clamp_(min, max)

