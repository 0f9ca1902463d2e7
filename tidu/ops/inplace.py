"""In-place ops, as PyTorch's: ``add_ sub_ mul_ div_ pow_ … zero_ fill_ copy_ clamp_
normal_ uniform_``, ``t[i] = v`` and ``+= -= *= /=``.  Each returns the tensor itself.

PyTorch's rules:

* outside `tidu.no_grad`, an in-place op on a leaf that requires grad (a parameter) raises:
  its old value is the one the gradient is about.  Under ``no_grad`` (or through ``.data``)
  the op writes into the tensor's array, so every view and alias sees the new values: that is
  how ``p -= lr * p.grad``, ``p.data.copy_(w)`` and ``m.weight.data.normal_(0, 0.01)`` update
  a model;
* when a graph is being recorded (the tensor or the value written requires grad), the op is
  recorded: the tensor becomes the op's output and its former value the op's input.  Its
  array is replaced, not overwritten, so the ops that saved the old values for their backward
  still hold them;
* the result keeps the tensor's shape and dtype: a value that would broadcast the tensor to a
  bigger shape, or a float result written into an integer tensor, is refused.

One difference: tidu's graph links tensors, not versions of them, so an op that used the
tensor *before* it was modified in place in a recorded graph sends its gradient through the
in-place op as well.  PyTorch tracks versions; write ``y = x + z`` instead of ``x += z``
when ``x`` was already used.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..backend import device_of, like, to_device, to_numpy, xp_of
from ..errors import ArgumentError, DTypeError, GraphError, ShapeError, shape_str
from ..tensor import Tensor, is_grad_enabled, no_grad
from . import elementwise as E
from .indexing import masked_fill, scatter
from .shape import _plain_index

__all__ = ["add_", "sub_", "mul_", "div_", "pow_", "neg_", "abs_", "exp_", "log_", "sqrt_",
           "sigmoid_", "tanh_", "relu_", "clamp_", "addcmul_", "addcdiv_", "lerp_",
           "masked_fill_", "scatter_", "zero_", "fill_", "copy_", "normal_", "uniform_",
           "bernoulli_", "setitem"]


# --------------------------------------------------------------------------- the machinery
def _snapshot(t: Tensor) -> Tensor:
    """A node holding ``t``'s current value and history, for ``t`` to be rebased onto."""
    old = object.__new__(Tensor)
    old._data, old.grad, old.requires_grad = t._data, None, t.requires_grad
    old._parents, old._backward = t._parents, t._backward
    return old


def _check_leaf(t: Tensor, op: str) -> None:
    if t.requires_grad and t._backward is None and is_grad_enabled():
        raise GraphError(
            f"{op}: a leaf tensor that requires grad (a parameter, say) is being used in an "
            f"in-place operation; update it under `with tidu.no_grad():` or through .data "
            f"(as in PyTorch)")


def _check_result(t: Tensor, arr, op: str) -> None:
    if arr.shape != t._data.shape:
        raise ShapeError(f"{op}: the result has shape {shape_str(arr.shape)} but an in-place op "
                         f"must keep the tensor's shape {shape_str(t._data.shape)}")
    if arr.dtype != t._data.dtype and not np.can_cast(arr.dtype, t._data.dtype, "same_kind"):
        raise DTypeError(f"{op}: the result has dtype {arr.dtype}, which cannot be written into "
                         f"a tensor of dtype {t._data.dtype} in place")


def _write(t: Tensor, arr, op: str) -> None:
    """Overwrite ``t``'s array (every alias sees it)."""
    try:
        t._data[...] = arr
    except ValueError as err:  # a broadcast (read-only) view, as after expand()
        raise ShapeError(f"{op}: cannot write into this tensor in place ({err}); "
                         f"clone() it first") from None


def _recorded(t: Tensor, others) -> bool:
    return is_grad_enabled() and (
        t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others))


def _inplace(t: Tensor, op: str, fn, *others) -> Tensor:
    """Apply ``fn(t, *others) -> Tensor`` to ``t`` in place, by PyTorch's rules above."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    others = tuple(_same_float(o, t) for o in others)
    if _recorded(t, others):
        _check_leaf(t, op)
        new = fn(_snapshot(t), *others)
        _check_result(t, new._data, op)
        if new._data.dtype != t._data.dtype:
            new = new.to(t._data.dtype)
        t._data, t._parents, t._backward = new._data, new._parents, new._backward
        t.requires_grad = new.requires_grad
        return t
    with no_grad():
        new = fn(t, *others)
    _check_result(t, new._data, op)
    _write(t, new._data, op)
    return t


def _same_float(o, t: Tensor):
    """A float operand of another float dtype is cast to ``t``'s (PyTorch casts the result of
    an in-place op to the tensor's dtype; tidu's out-of-place ops refuse mixed floats)."""
    if (isinstance(o, Tensor) and o._data.dtype != t._data.dtype
            and o._data.dtype.kind == "f" and t._data.dtype.kind == "f"):
        return o.to(t._data.dtype)
    return o


def _constant(t: Tensor, arr) -> callable:
    """``fn`` for ops that overwrite every value (fills): the old value gets a zero gradient
    (and is never read: ``empty()``'s garbage may hold NaN)."""
    return lambda old: Tensor._op(arr, (old,), lambda g: (xp_of(g).zeros_like(g),))


def _overwrite(old: Tensor, src: Tensor) -> Tensor:
    """``src`` broadcast to ``old``'s shape: old's gradient is zero, src's the (summed) rest."""
    shape = old._data.shape
    arr = xp_of(src._data).broadcast_to(src._data, shape)
    return Tensor._op(arr, (old, src), lambda g: (xp_of(g).zeros_like(g),
                                                  E.unbroadcast(g, src._data.shape)))


# --------------------------------------------------------------------------- arithmetic
def _scaled(other, alpha):
    return other if alpha == 1 else E.mul(other, alpha)


def add_(t, other, *, alpha=1) -> Tensor:
    """t ← t + alpha·other."""
    return _inplace(t, "add_", lambda a, b: E.add(a, _scaled(b, alpha)), other)


def sub_(t, other, *, alpha=1) -> Tensor:
    """t ← t − alpha·other."""
    return _inplace(t, "sub_", lambda a, b: E.sub(a, _scaled(b, alpha)), other)


def mul_(t, other) -> Tensor:
    return _inplace(t, "mul_", E.mul, other)


def div_(t, other, *, rounding_mode=None) -> Tensor:
    """t ← t / other; ``rounding_mode`` 'trunc' or 'floor' rounds the quotient (no gradient)."""
    if rounding_mode not in (None, "trunc", "floor"):
        raise ArgumentError(f"div_: rounding_mode must be None, 'trunc' or 'floor', "
                            f"got {rounding_mode!r}")
    if rounding_mode is None:
        return _inplace(t, "div_", E.div, other)
    rnd = np.trunc if rounding_mode == "trunc" else np.floor
    b = other._data if isinstance(other, Tensor) else other
    return _inplace(t, "div_", lambda a: Tensor._wrap(
        rnd(a._data / b).astype(a._data.dtype)))


def pow_(t, exponent) -> Tensor:
    return _inplace(t, "pow_", E.pow, exponent)


def _unary(name, fn):
    def op(t) -> Tensor:
        return _inplace(t, name, fn)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``{name[:-1]}`` in place."
    return op


neg_, abs_, exp_ = _unary("neg_", E.neg), _unary("abs_", E.abs), _unary("exp_", E.exp)
log_, sqrt_ = _unary("log_", E.log), _unary("sqrt_", E.sqrt)
sigmoid_, tanh_, relu_ = _unary("sigmoid_", E.sigmoid), _unary("tanh_", E.tanh), _unary("relu_", E.relu)


def clamp_(t, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
    """t ← min(max(t, min), max)."""
    return _inplace(t, "clamp_", lambda a: E.clip(a, min, max))


def addcmul_(t, tensor1, tensor2, *, value=1) -> Tensor:
    """t ← t + value·tensor1·tensor2 (as in hand-written Adam)."""
    return _inplace(t, "addcmul_", lambda a, b, c: E.add(a, _scaled(E.mul(b, c), value)),
                    tensor1, tensor2)


def addcdiv_(t, tensor1, tensor2, *, value=1) -> Tensor:
    """t ← t + value·tensor1/tensor2."""
    return _inplace(t, "addcdiv_", lambda a, b, c: E.add(a, _scaled(E.div(b, c), value)),
                    tensor1, tensor2)


def lerp_(t, end, weight) -> Tensor:
    """t ← t + weight·(end − t)."""
    return _inplace(t, "lerp_", lambda a, b: E.add(a, E.mul(E.sub(b, a), weight)), end)


def masked_fill_(t, mask, value) -> Tensor:
    return _inplace(t, "masked_fill_", lambda a: masked_fill(a, mask, value))


def scatter_(t, dim, index, src=None, *, value=None, reduce=None) -> Tensor:
    """t[index[i][j]][j] = src[i][j] (dim=0), … as torch.Tensor.scatter_ (see `scatter`)."""
    if src is not None and not isinstance(src, Tensor) and value is None:
        src, value = None, src  # scatter_(dim, index, 0.5): PyTorch's value overload
    return _inplace(t, "scatter_", lambda a: scatter(a, dim, index, src, value=value,
                                                     reduce=reduce))


# --------------------------------------------------------------------------- fills
def zero_(t) -> Tensor:
    return fill_(t, 0)


def scalar_value(value, op: str, name: str = "value"):
    """``value`` as a Python/NumPy number: a number, or the item of a one-element tensor."""
    if isinstance(value, Tensor):
        if value._data.size != 1:
            raise ShapeError(f"{op}: {name} must be a number or a one-element tensor, got "
                             f"shape {shape_str(value.shape)}")
        value = value._data.item()
    if not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__}")
    return value


def fill_(t, value) -> Tensor:
    """Every element ← ``value`` (a number or a one-element tensor)."""
    value = scalar_value(value, "fill_")
    xp = xp_of(t._data)
    if t._data.dtype.kind in "iub" and isinstance(value, float) and not float(value).is_integer():
        raise DTypeError(f"fill_: {value!r} cannot be written into a tensor of dtype "
                         f"{t._data.dtype}")
    arr = xp.full(t._data.shape, value, dtype=t._data.dtype)
    return _inplace(t, "fill_", _constant(t, arr))


def copy_(t, src, non_blocking: bool = False) -> Tensor:
    """t ← src, broadcast to t's shape and cast to its dtype (any cast, as torch.copy_);
    the gradient flows to ``src``."""
    if not isinstance(src, Tensor):
        src = Tensor(np.asarray(src), dtype=t._data.dtype)
    if device_of(src._data) != device_of(t._data):
        src = src.to(device=device_of(t._data))
    try:
        fits = np.broadcast_shapes(src.shape, t.shape) == t.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"copy_: the source of shape {shape_str(src.shape)} cannot be broadcast "
                         f"to the tensor's shape {shape_str(t.shape)}")
    if src._data.dtype != t._data.dtype:
        src = src.to(t._data.dtype) if src._data.dtype.kind == "f" == t._data.dtype.kind \
            else Tensor._wrap(src._data.astype(t._data.dtype))
    return _inplace(t, "copy_", _overwrite, src)


def _draw(t, op, generator, draw) -> Tensor:
    from ..creation import _generator
    if t._data.dtype.kind != "f":
        raise DTypeError(f"{op}: fills with floats; the tensor has dtype {t._data.dtype}")
    arr = draw(_generator(generator, op)).astype(t._data.dtype, copy=False)
    arr = to_device(arr, device_of(t._data))
    return _inplace(t, op, _constant(t, arr))


def normal_(t, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    """Every element ← a draw of N(mean, std²) (as torch.Tensor.normal_)."""
    if not std >= 0:
        raise ArgumentError(f"normal_: std must be ≥ 0, got {std!r}")
    return _draw(t, "normal_", generator, lambda g: g.normal(mean, std, t.shape))


def bernoulli_(t, p=0.5, *, generator=None) -> Tensor:
    """Every element ← 1 with probability ``p`` (a number, or a tensor broadcast to ``t``),
    else 0 (as torch.Tensor.bernoulli_)."""
    probs = to_numpy(p._data) if isinstance(p, Tensor) else np.asarray(float(p))
    if not ((probs >= 0) & (probs <= 1)).all():
        raise ArgumentError(f"bernoulli_: probabilities must lie in [0, 1], got {p!r}")
    return _draw(t, "bernoulli_", generator, lambda g: g.random(t.shape) < probs)


def uniform_(t, *args, generator=None, **kwargs) -> Tensor:
    """Every element ← a draw of U(from, to); ``uniform_(a, b)`` or ``uniform_(from=a, to=b)``,
    defaults 0 and 1 (as torch.Tensor.uniform_)."""
    names = ("from", "to")
    unknown = set(kwargs) - set(names)
    if unknown or len(args) > 2:
        raise TypeError(f"uniform_() takes (from=0, to=1), got {len(args)} positional and "
                        f"{sorted(kwargs)} keyword arguments")
    bounds = dict(zip(names, args), **kwargs)
    low, high = float(bounds.get("from", 0.0)), float(bounds.get("to", 1.0))
    if not low <= high:
        raise ArgumentError(f"uniform_: expects from ≤ to, got from={low}, to={high}")
    return _draw(t, "uniform_", generator, lambda g: g.uniform(low, high, t.shape))


# --------------------------------------------------------------------------- t[i] = v
def _set_node(old: Tensor, idx, value: Tensor) -> Tensor:
    """A copy of ``old`` with ``old[idx] = value``; gradients to both."""
    arr = old._data.copy()
    arr[idx] = value._data
    vshape = value._data.shape

    def backward(g):
        g_old = g.copy()
        g_old[idx] = 0
        return g_old, (E.unbroadcast(g[idx], vshape) if value.requires_grad else None)

    return Tensor._op(arr, (old, value), backward)


def _drop_leading_ones(value, ndim: int):
    shape = tuple(value.shape)
    lead = 0
    while len(shape) - lead > ndim and shape[lead] == 1:
        lead += 1
    return value.reshape(shape[lead:]) if lead else value


def setitem(t: Tensor, idx, value) -> None:
    """``t[idx] = value``: ``value`` (a number, array or tensor) broadcast to ``t[idx]``;
    as in PyTorch, leading size-1 dims of ``value`` beyond ``t[idx]``'s are dropped first
    (``t[i] = x[j:j+1]`` sets one element)."""
    idx, _ = _plain_index(idx, t._data)
    if getattr(value, "ndim", 0) and value.shape[0] == 1:
        value = _drop_leading_ones(value, np.ndim(t._data[idx]))
    if _recorded(t, (value,)):
        if not isinstance(value, Tensor):
            value = Tensor._wrap(like(t._data, np.asarray(value, dtype=t._data.dtype)))
        _inplace(t, "__setitem__", lambda old, v: _set_node(old, idx, v), value)
        return
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor) and device_of(v) != device_of(t._data):
        v = to_device(v, device_of(t._data))
    try:
        t._data[idx] = v
    except IndexError as err:
        raise IndexError(f"__setitem__ on a tensor of shape {shape_str(t.shape)}: {err}") from None
    except ValueError as err:
        raise ShapeError(f"__setitem__ on a tensor of shape {shape_str(t.shape)}: {err}") from None
