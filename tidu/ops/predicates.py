"""Tests on values, as PyTorch's: isnan, isfinite, isinf, isclose, allclose, equal, the
logical ops, nonzero and count_nonzero.  They return bool (or int64 index) tensors, or a
Python bool for allclose/equal, and record no gradient."""
from __future__ import annotations

import numpy as np

from .._checks import normalize_dims
from ..backend import like, same_device
from ..errors import DTypeError, ShapeError, shape_str
from ..tensor import Tensor


def _arr(x, ref=None, op="op"):
    """The array of a tensor, or a number/array on ``ref``'s device."""
    if isinstance(x, Tensor):
        if ref is not None and type(x._data) is not type(ref):
            same_device(op, x._data, ref)
        return x._data
    arr = np.asarray(x)
    return like(ref, arr) if ref is not None else arr


def _tensor(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a tensor, got {type(x).__name__}")
    return x._data


def _bool(out) -> Tensor:
    return Tensor._wrap(np.asarray(out) if isinstance(out, (np.generic, bool)) else out)


def isnan(input) -> Tensor:  # noqa: A002 - torch's argument names
    """Where the value is NaN (a bool tensor, as torch.isnan)."""
    return _bool(np.isnan(_tensor(input, "isnan")))


def isinf(input) -> Tensor:  # noqa: A002
    """Where the value is +inf or -inf (as torch.isinf)."""
    return _bool(np.isinf(_tensor(input, "isinf")))


def isfinite(input) -> Tensor:  # noqa: A002
    """Where the value is neither NaN nor ±inf (as torch.isfinite; integers are all finite)."""
    return _bool(np.isfinite(_tensor(input, "isfinite")))


def isclose(input, other, rtol: float = 1e-5, atol: float = 1e-8,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """|input − other| ≤ atol + rtol·|other| element-wise (broadcast), as torch.isclose
    (defaults rtol=1e-5, atol=1e-8; NaNs equal only with ``equal_nan``)."""
    x = _tensor(input, "isclose")
    y = _arr(other, x, "isclose")
    try:
        return _bool(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=bool(equal_nan)))
    except ValueError:
        raise ShapeError(f"isclose: shapes {shape_str(x.shape)} and {shape_str(np.shape(y))} "
                         f"cannot be broadcast together") from None


def allclose(input, other, rtol: float = 1e-5, atol: float = 1e-8,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """Whether `isclose` holds everywhere: a Python bool, as torch.allclose."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:  # noqa: A002
    """Whether both tensors have one shape and equal values (a Python bool, as torch.equal;
    NaN ≠ NaN)."""
    x = _tensor(input, "equal")
    y = _tensor(other, "equal")
    if x.shape != y.shape:
        return False
    same_device("equal", x, y)
    return bool((x == y).all())


def _elementwise(ufunc, name, operands, doc):
    """``name(input, other)``: ``ufunc`` of the two arrays after ``operands(x, name)`` checks or
    converts each; a broadcast that fails names both shapes."""
    def op(input, other) -> Tensor:  # noqa: A002
        x = operands(_tensor(input, name), name)
        y = operands(_arr(other, x, name), name)
        try:
            return _bool(ufunc(x, y))
        except ValueError:
            raise ShapeError(f"{name}: shapes {shape_str(x.shape)} and {shape_str(y.shape)} "
                             f"cannot be broadcast together") from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _truth(x, name):
    return x.astype(bool, copy=False)


def _logical(ufunc, name):
    return _elementwise(ufunc, name, _truth,
                        f"Element-wise {name.split('_')[1].upper()} of the truth values (nonzero "
                        f"is True), a bool tensor, as torch.{name}.")


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input) -> Tensor:  # noqa: A002
    """Element-wise NOT of the truth values (nonzero is True), a bool tensor."""
    return _bool(np.logical_not(_tensor(input, "logical_not")))


def nonzero(input, *, as_tuple: bool = False):  # noqa: A002
    """Indices of the nonzero elements, as torch.nonzero: an int64 tensor of shape
    (count, ndim), one row per element in row-major order; with ``as_tuple=True`` a tuple
    of ndim 1-D index tensors (a 0-d input counts as 1-D)."""
    x = _tensor(input, "nonzero")
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(x)))
    return Tensor._wrap(np.argwhere(x).astype(np.int64))


def count_nonzero(input, dim=None) -> Tensor:  # noqa: A002
    """How many elements are nonzero, over all dims or ``dim`` (an int or a tuple), an
    int64 tensor (as torch.count_nonzero)."""
    x = _tensor(input, "count_nonzero")
    axes = normalize_dims(dim, x.ndim, "count_nonzero")
    return _bool((x != 0).sum(axis=axes, dtype=np.int64))


def is_nonzero(input) -> bool:  # noqa: A002
    """Whether the one element of a one-element tensor is nonzero (a Python bool, as
    torch.is_nonzero); any other size is refused."""
    x = _tensor(input, "is_nonzero")
    if x.size != 1:
        raise ShapeError(f"is_nonzero: expects a tensor with one element, got shape "
                         f"{shape_str(x.shape)}")
    return bool(x.reshape(()) != 0)


# --------------------------------------------------------------------------- bitwise: & | ^ ~
def _integral(x, name):
    if x.dtype.kind not in "biu":
        raise DTypeError(f"{name}: defined for bool and integer tensors, got dtype {x.dtype} "
                         f"(as torch); for truth values of floats use logical_* or comparisons")
    return x


def _bitwise(ufunc, name, symbol):
    return _elementwise(ufunc, name, _integral,
                        f"Element-wise bitwise {name.split('_')[1].upper()} of bool or integer "
                        f"tensors (the ``{symbol}`` operator), as torch.{name}; no gradient.")


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and", "&")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or", "|")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor", "^")


def bitwise_not(input) -> Tensor:  # noqa: A002
    """Element-wise NOT of a bool tensor (bitwise for integers): the ``~`` operator."""
    x = _integral(_tensor(input, "bitwise_not"), "bitwise_not")
    return Tensor._wrap(np.invert(x))
