"""Dtype facts and promotion, as PyTorch's: finfo, iinfo, is_floating_point, numel,
result_type, promote_types, can_cast.  tidu's dtypes are NumPy's scalar types
(tidu.float32 is numpy.float32), so the facts come from numpy.finfo / numpy.iinfo; the
promotion rules are PyTorch's (a float beats any integer whatever their sizes, unlike
NumPy's int64 + float32 → float64)."""
from __future__ import annotations

import numbers

import numpy as np

from .errors import DTypeError
from .tensor import Tensor, get_default_dtype

__all__ = ["finfo", "iinfo", "is_floating_point", "numel", "result_type", "promote_types",
           "can_cast"]


def _dtype(dtype, who: str) -> np.dtype:
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{who}: expected a dtype, got {dtype!r}") from None


class finfo:  # noqa: N801 - torch's name
    """Machine limits of a float dtype (default: the default dtype), as torch.finfo:
    ``bits``, ``eps`` (the gap from 1 to the next value), ``max``, ``min`` (= −max),
    ``tiny`` = ``smallest_normal`` (the smallest positive normal number), ``resolution``
    (10^−precision) and ``dtype`` (its name, e.g. 'float32')."""

    def __init__(self, type=None):  # noqa: A002 - torch's argument name
        dt = np.dtype(get_default_dtype()) if type is None else _dtype(type, "finfo")
        if dt.kind != "f":
            raise TypeError(f"finfo: requires a floating point input type, got {dt}; use "
                            f"iinfo for integer types")
        info = np.finfo(dt)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # exactly 1e-6, not float32(1e-6)
        self.dtype = dt.name

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch's name
    """Limits of an integer (or bool) dtype, as torch.iinfo: ``bits``, ``max``, ``min`` and
    ``dtype`` (its name, e.g. 'int64')."""

    def __init__(self, type):  # noqa: A002 - torch's argument name
        dt = _dtype(type, "iinfo")
        if dt.kind == "b":
            self.bits, self.min, self.max = 8, 0, 1
        elif dt.kind in "iu":
            info = np.iinfo(dt)
            self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        else:
            raise TypeError(f"iinfo: requires an integer input type, got {dt}; use finfo for "
                            f"float types")
        self.dtype = dt.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is a float type (as torch.is_floating_point)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point: input must be a tensor, got {type(input).__name__}")
    return input.is_floating_point()


def numel(input: Tensor) -> int:  # noqa: A002
    """The number of elements of ``input`` (as torch.numel)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel: input must be a tensor, got {type(input).__name__}")
    return input.numel()


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _category(dt: np.dtype) -> int:
    try:
        return _CATEGORY[dt.kind]
    except KeyError:
        raise DTypeError(f"dtype {dt} is not one of tidu's (bool, integer, float)") from None


def promote_types(type1, type2):
    """The smallest dtype both ``type1`` and ``type2`` convert to without leaving their
    category, PyTorch's rule: bool < integers < floats, a higher category wins outright
    (int64 with float32 → float32), within one category the wider type (uint8 with int8 →
    int16)."""
    a, b = _dtype(type1, "promote_types"), _dtype(type2, "promote_types")
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return (a if ca > cb else b).type
    return np.promote_types(a, b).type


def _operand(x):
    """(dtype, priority): 2 for tensors with dims, 1 for 0-d tensors, 0 for numbers."""
    if isinstance(x, Tensor):
        return x._data.dtype, 2 if x.ndim else 1
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(np.bool_), 0
    if isinstance(x, numbers.Integral):
        return np.dtype(np.int64), 0
    if isinstance(x, numbers.Real):
        return np.dtype(get_default_dtype()), 0
    raise TypeError(f"result_type: expected a tensor or a number, got {type(x).__name__}")


def result_type(tensor1, tensor2):
    """The dtype of an arithmetic op on ``tensor1`` and ``tensor2`` (tensors or numbers),
    PyTorch's rule: tensors with dims decide, unless a 0-d tensor (then a number) is of a
    higher category (bool < integer < float); a Python float then gives the default dtype,
    a Python int int64."""
    ops = [_operand(tensor1), _operand(tensor2)]
    result, top = None, -1
    for priority in (2, 1, 0):
        group = [dt for dt, p in ops if p == priority]
        if not group:
            continue
        dt = group[0] if len(group) == 1 else np.dtype(promote_types(*group))
        if result is None or _category(dt) > top:
            result, top = dt, _category(dt)
    return result.type


def can_cast(from_, to) -> bool:
    """Whether PyTorch's type promotion allows casting ``from_`` to ``to``: anything but a
    step down in category (float → integer, float or integer → bool), as torch.can_cast."""
    a, b = _dtype(from_, "can_cast"), _dtype(to, "can_cast")
    return _category(a) <= _category(b)
