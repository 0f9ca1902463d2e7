"""Argument checks shared by every op, layer, optimizer and config: one clear error naming
the op, the argument, what was expected and what was received."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import ArgumentError, DimError, HyperParameterError


def normalize_dim(dim, ndim: int, op: str, name: str = "dim") -> int:
    """``dim`` as a non-negative index into a tensor of rank ``ndim``; negative dims count
    from the end, as in PyTorch. A 0-d tensor accepts dims -1 and 0 (PyTorch's rule)."""
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise DimError(f"{op}: {name} must be an int, got {dim!r} ({type(dim).__name__})")
    dim = int(dim)
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise DimError(f"{op}: {name}={dim} is out of range for a {ndim}-D tensor "
                       f"(expected a value in [{-size}, {size - 1}])")
    return dim % size if ndim else 0


def normalize_dims(dims, ndim: int, op: str, name: str = "dim") -> tuple:
    """``None`` (every dim), an int or a sequence of ints as sorted non-negative dims;
    out-of-range and repeated dims are refused."""
    if dims is None:
        return tuple(range(ndim))
    many = isinstance(dims, (tuple, list))
    items = dims if many else (dims,)
    out = [normalize_dim(d, ndim, op, name) for d in items]
    if len(set(out)) != len(out):
        raise DimError(f"{op}: {name}={tuple(dims)} names a dim more than once")
    if not ndim:
        return ()
    return tuple(sorted(out))


def check_number(value, name: str, owner: str, *, low: float | None = 0.0,
                 low_open: bool = False, high: float | None = None, high_open: bool = False,
                 integer: bool = False, error: type = HyperParameterError,
                 allow_inf: bool = False):
    """A finite real number within [low, high] (open ends where asked), or one error naming
    ``owner`` (``"SGD"``, ``"StepLR"``…), the argument and the value. Returns the value.
    ``allow_inf`` admits ±inf where it means something (``max_norm=inf``: no clipping);
    NaN is never admitted."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        # 0-d arrays and tensors holding one number are accepted as numbers
        try:
            as_num = value.item() if hasattr(value, "item") else None
        except (ValueError, TypeError):
            as_num = None
        if as_num is None or isinstance(as_num, bool) or not isinstance(as_num, kind):
            what = "an int" if integer else "a real number"
            raise error(f"{owner}: {name} must be {what}, got {value!r} "
                                      f"({type(value).__name__})")
        value = as_num
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise error(f"{owner}: {name} must be finite, got {value}")
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hi = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
        raise error(f"{owner}: {name} must be in {lo}, {hi}, got {value}")
    return value


def check_size(value, name: str, owner: str, low: int = 1) -> int:
    """A layer size or count (``in_features``, ``out_channels``, ``num_layers``…): an int
    ≥ ``low``, or one `ArgumentError` naming the layer, the argument and the value."""
    return int(check_number(value, name, owner, low=low, integer=True, error=ArgumentError))


def check_cast_overflow(src, out, name: str) -> None:
    """Refuse a float cast (float64 → float32, say) that turned finite values into ±Inf.

    NaN/Inf already in ``src`` are left to the caller's own gate; only the values the cast
    itself broke are reported: how many, the first one, and its sample (row) and column.
    """
    if type(out) is not np.ndarray or out.dtype.kind != "f" or src.dtype == out.dtype:
        return
    with np.errstate(invalid="ignore"):
        if np.isfinite(out).all():  # the common case: one pass
            return
        broke = np.isfinite(src) & ~np.isfinite(out)
    count = int(broke.sum())
    if not count:
        return
    first = np.unravel_index(int(np.argmax(broke.ravel())), src.shape)
    if src.ndim == 0:
        at = ""
    elif src.ndim == 1:
        at = f" at index {first[0]}"
    elif src.ndim == 2:
        at = f" at sample {first[0]}, column {first[1]}"
    else:
        at = f" at sample {first[0]}, index {tuple(int(i) for i in first[1:])}"
    raise ArgumentError(
        f"{name}: {count} finite value{'s' if count != 1 else ''} of the {src.dtype} data "
        f"overflow {out.dtype} (largest {np.finfo(out.dtype).max:.4g}) and would become ±Inf; "
        f"the first is {float(src[first]):g}{at}. Rescale the data (e.g. StandardScaler) or use "
        f"tidu.set_default_dtype(np.float64)")


def single_int(value, name: str, who: str, minimum: int) -> int:
    """An int or a one-element tuple/list of ints (PyTorch's ``_single``), ≥ ``minimum``."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{who}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    if value < minimum:
        raise ArgumentError(f"{who}: {name} must be ≥ {minimum}, got {value!r}")
    return int(value)
