"""Element-wise ops with broadcasting: + − × ÷ pow, neg, exp, log, sqrt, abs, clip,
maximum, minimum, where.  Gradients of broadcast operands are summed back to their shape."""
from __future__ import annotations

import numpy as np

from .. import backend
from ..backend import device_of, same_device, to_device
from ..errors import DTypeError, ShapeError, shape_str
from ..tensor import Tensor, get_default_dtype


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched to reach ``shape``."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


def lift(x, like: Tensor, op: str) -> Tensor:
    """Turn a Python number or array into a constant tensor of ``like``'s float dtype."""
    if isinstance(x, Tensor):
        if type(x._data) is not type(like._data):
            same_device(op, x._data, like._data)
        if x._data.dtype != like._data.dtype:
            kx, kl = x._data.dtype.kind, like._data.dtype.kind
            if kx == "f" and kl == "f":
                raise DTypeError(
                    f"{op}: operands have different float dtypes {like._data.dtype} and "
                    f"{x._data.dtype}; cast one with .to() (tidu never upcasts silently)"
                )
            if kx != "f" and kl == "f":
                return Tensor._wrap(x._data.astype(like._data.dtype))
        return x
    arr = np.asarray(x)
    if like._data.dtype.kind == "f":
        if arr.dtype != like._data.dtype:
            arr = arr.astype(like._data.dtype)
    elif arr.dtype.kind == "f":  # int tensor · 0.5 gives the default float dtype, as torch
        arr = arr.astype(get_default_dtype())
    return Tensor._wrap(backend.like(like._data, arr))  # a number or host array joins its device


def _pair(a, b, op):
    if not isinstance(a, Tensor):
        a = lift(a, b, op)
    b = lift(b, a, op)
    if a._data.dtype.kind != "f" and b._data.dtype.kind == "f":
        a = Tensor._wrap(a._data.astype(b._data.dtype))
    _check_broadcast(a, b, op)
    return a, b


def _check_broadcast(a, b, op):
    sa, sb = a._data.shape, b._data.shape
    if sa == sb:
        return
    for x, y in zip(reversed(sa), reversed(sb)):
        if x != y and x != 1 and y != 1:
            raise ShapeError(
                f"{op}: shapes {shape_str(sa)} and {shape_str(sb)} cannot be broadcast together"
            )


# --------------------------------------------------------------------------- binary
def add(a, b, *, alpha=1) -> Tensor:
    """a + alpha·b (as torch.add; ``alpha`` default 1)."""
    if alpha != 1:
        b = mul(b, alpha) if isinstance(b, Tensor) else b * alpha
    a, b = _pair(a, b, "add")
    sa, sb = a._data.shape, b._data.shape
    return Tensor._op(a._data + b._data, (a, b),
                      lambda g: (unbroadcast(g, sa), unbroadcast(g, sb)))


def sub(a, b, *, alpha=1) -> Tensor:
    """a − alpha·b (as torch.sub; ``alpha`` default 1)."""
    if alpha != 1:
        b = mul(b, alpha) if isinstance(b, Tensor) else b * alpha
    a, b = _pair(a, b, "sub")
    sa, sb = a._data.shape, b._data.shape
    return Tensor._op(a._data - b._data, (a, b),
                      lambda g: (unbroadcast(g, sa), unbroadcast(-g, sb) if b.requires_grad else None))


def mul(a, b) -> Tensor:
    a, b = _pair(a, b, "mul")

    def backward(g):
        return (unbroadcast(g * b._data, a._data.shape) if a.requires_grad else None,
                unbroadcast(g * a._data, b._data.shape) if b.requires_grad else None)

    return Tensor._op(a._data * b._data, (a, b), backward)


def div(a, b) -> Tensor:
    """a / b, true division: integer operands give the default float dtype (as torch)."""
    a, b = _pair(a, b, "div")
    out = a._data / b._data
    if a._data.dtype.kind != "f" and b._data.dtype.kind != "f":
        out = out.astype(get_default_dtype(), copy=False)

    def backward(g):
        ga = g / b._data
        return (unbroadcast(ga, a._data.shape) if a.requires_grad else None,
                unbroadcast(-ga * out, b._data.shape) if b.requires_grad else None)

    return Tensor._op(out, (a, b), backward)


def pow(a, b) -> Tensor:  # noqa: A001 - mirrors torch.pow
    """a ** b.  d/da = b·a^(b−1); d/db = a^b·ln a (only when b is a tensor needing grad)."""
    if not isinstance(b, Tensor) and np.ndim(b) == 0:
        p = float(b)
        x = a._data
        if p == 2.0:
            return Tensor._op(x * x, (a,), lambda g: (g * (2.0 * x),))
        return Tensor._op(x ** p, (a,), lambda g: (g * (p * x ** (p - 1.0)),))
    a, b = _pair(a, b, "pow")
    out = a._data ** b._data

    def backward(g):
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g * b._data * a._data ** (b._data - 1), a._data.shape)
        if b.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = unbroadcast(g * out * np.log(a._data), b._data.shape)
        return ga, gb

    return Tensor._op(out, (a, b), backward)


def maximum(a, b) -> Tensor:
    """Element-wise max; at ties the gradient is split evenly (as PyTorch)."""
    return _extremum(a, b, "maximum", np.maximum, np.greater)


def minimum(a, b) -> Tensor:
    """Element-wise min; at ties the gradient is split evenly (as PyTorch)."""
    return _extremum(a, b, "minimum", np.minimum, np.less)


def _extremum(a, b, op, pick, wins):
    a, b = _pair(a, b, op)

    def backward(g):
        share = np.where(a._data == b._data, 0.5, wins(a._data, b._data)).astype(g.dtype)
        return (unbroadcast(g * share, a._data.shape) if a.requires_grad else None,
                unbroadcast(g * (1 - share), b._data.shape) if b.requires_grad else None)

    return Tensor._op(pick(a._data, b._data), (a, b), backward)


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise DTypeError(f"where: condition must be bool, got dtype {cond.dtype}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a, device=device_of(cond))
    a, b = _pair(a, b, "where")
    if type(cond) is not type(a._data):
        if isinstance(condition, Tensor):
            same_device("where", cond, a._data)
        cond = to_device(cond, device_of(a._data))

    def backward(g):
        zero = g.dtype.type(0)
        return (unbroadcast(np.where(cond, g, zero), a._data.shape) if a.requires_grad else None,
                unbroadcast(np.where(cond, zero, g), b._data.shape) if b.requires_grad else None)

    try:
        out = np.where(cond, a._data, b._data)
    except ValueError:
        raise ShapeError(f"where: condition {shape_str(cond.shape)}, input {shape_str(a.shape)} "
                         f"and other {shape_str(b.shape)} cannot be broadcast together") from None
    return Tensor._op(out, (a, b), backward)


# --------------------------------------------------------------------------- unary
def neg(a: Tensor) -> Tensor:
    return Tensor._op(-a._data, (a,), lambda g: (-g,))


def exp(a: Tensor) -> Tensor:
    out = np.exp(a._data)
    return Tensor._op(out, (a,), lambda g: (g * out,))


def log(a: Tensor) -> Tensor:
    x = a._data
    return Tensor._op(np.log(x), (a,), lambda g: (g / x,))


def sqrt(a: Tensor) -> Tensor:
    out = np.sqrt(a._data)
    return Tensor._op(out, (a,), lambda g: (g / (2 * out),))


def abs(a: Tensor) -> Tensor:  # noqa: A001 - mirrors torch.abs
    x = a._data
    return Tensor._op(np.abs(x), (a,), lambda g: (g * np.sign(x),))


def clip(a: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - torch.clamp's names
    """Clamp to [min, max]; the gradient passes where min ≤ x ≤ max (as torch.clamp)."""
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    x = a._data
    out = np.clip(x, min, max)

    def backward(g):
        if min is None:
            return (g * (x <= max),)
        if max is None:
            return (g * (x >= min),)
        return (g * ((x >= min) & (x <= max)),)

    return Tensor._op(out, (a,), backward)


# --------------------------------------------------------------------------- more unary
# (as torch.sin … torch.round: the same names, formulas and gradients)
def sin(a: Tensor) -> Tensor:
    """sin(x); d/dx = cos(x)."""
    x = a._data
    return Tensor._op(np.sin(x), (a,), lambda g: (g * np.cos(x),))


def cos(a: Tensor) -> Tensor:
    """cos(x); d/dx = −sin(x)."""
    x = a._data
    return Tensor._op(np.cos(x), (a,), lambda g: (-g * np.sin(x),))


def tanh(a: Tensor) -> Tensor:
    """tanh(x) (`tidu.nn.functional.tanh`); d/dx = 1 − tanh²(x)."""
    from ..nn.functional.activation import tanh as _tanh
    return _tanh(a)


def sigmoid(a: Tensor) -> Tensor:
    """σ(x) = 1/(1+e^(−x)) (`tidu.nn.functional.sigmoid`); d/dx = σ(x)(1 − σ(x))."""
    from ..nn.functional.activation import sigmoid as _sigmoid
    return _sigmoid(a)


def relu(a: Tensor) -> Tensor:
    """max(0, x) (`tidu.nn.functional.relu`); the gradient is 1 where x > 0, else 0."""
    from ..nn.functional.activation import relu as _relu
    return _relu(a)


def square(a: Tensor) -> Tensor:
    """x²; d/dx = 2x."""
    x = a._data
    return Tensor._op(x * x, (a,), lambda g: (g * (2 * x),))


def log1p(a: Tensor) -> Tensor:
    """ln(1 + x), accurate for small x; d/dx = 1/(1 + x)."""
    x = a._data
    return Tensor._op(np.log1p(x), (a,), lambda g: (g / (1 + x),))


def expm1(a: Tensor) -> Tensor:
    """eˣ − 1, accurate for small x; d/dx = eˣ."""
    out = np.expm1(a._data)
    return Tensor._op(out, (a,), lambda g: (g * (out + 1),))


def rsqrt(a: Tensor) -> Tensor:
    """1/√x; d/dx = −½·x^(−3/2)."""
    out = 1 / np.sqrt(a._data)
    return Tensor._op(out, (a,), lambda g: (g * (-0.5 * out * out * out),))


def _step(a: Tensor, out) -> Tensor:
    """A piecewise-constant op: its gradient is zero everywhere (as PyTorch's)."""
    return Tensor._op(out, (a,), lambda g: (np.zeros_like(g),))


def sign(a: Tensor) -> Tensor:
    """−1, 0 or 1 by the sign of x; zero gradient."""
    return _step(a, np.sign(a._data))


def floor(a: Tensor) -> Tensor:
    """⌊x⌋; zero gradient."""
    return _step(a, np.floor(a._data))


def ceil(a: Tensor) -> Tensor:
    """⌈x⌉; zero gradient."""
    return _step(a, np.ceil(a._data))


def round_(a: Tensor, decimals: int = 0) -> Tensor:
    """x rounded to ``decimals`` places (default 0), halves to even (as torch.round);
    zero gradient.  Exported as ``round``."""
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise DTypeError(f"round: decimals must be an int, got {decimals!r}")
    return _step(a, np.round(a._data, int(decimals)))
