"""`check_arrays`: the one gate that data passes before the loader or a scaler touches it.

Bad data is refused with one clear error instead of surfacing later as a NaN loss or a
silent broadcast:

* an empty dataset or split (no samples) — ``ValueError``;
* NaN or ±Inf among the features (or float targets) — ``ValueError`` saying how many and
  where the first one is;
* targets whose count differs from the number of samples — `ShapeError` naming both counts;
* data that is not numeric (object or string arrays) — `DTypeError`.
"""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError, ShapeError, shape_str
from ..tensor import Tensor

__all__ = ["as_array", "check_arrays", "check_finite"]


def as_array(data, name: str = "X") -> np.ndarray:
    """A NumPy view of ``data`` (array, tidu `Tensor`, list or scalar), without copying."""
    if isinstance(data, Tensor):
        return data._data
    if data is None:
        raise TypeError(f"{name}: expected an array, got None")
    return np.asarray(data)


def check_finite(arr: np.ndarray, name: str = "X") -> None:
    """Raise ``ValueError`` if a float array holds NaN or ±Inf: how many, and the first's index."""
    if arr.dtype.kind not in "fc":
        return
    if np.isfinite(arr).all():  # the common case: one pass, no index bookkeeping
        return
    bad = ~np.isfinite(arr)
    count = int(bad.sum())
    first = np.unravel_index(int(np.argmax(bad.ravel())), arr.shape) if arr.ndim else ()
    value = arr[first]
    kind = "NaN" if np.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    where = f"at index {tuple(int(i) for i in first)}" if arr.ndim else "(a scalar)"
    raise ValueError(f"{name} contains {count} non-finite value{'s' if count != 1 else ''} "
                     f"(NaN or Inf) among {arr.size}; the first is {kind} {where}")


def _check_numeric(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind not in "biuf":
        raise DTypeError(f"{name}: expected numeric data (bool, int or float), got dtype "
                         f"{arr.dtype}")


def check_arrays(X, y=None, name: str = "data", *, ndim: int | None = None,
                 allow_empty: bool = False, x_name: str = "X", y_name: str = "y"):
    """Validate features ``X`` (and optional targets ``y``) and return them as NumPy arrays.

    ``X`` has samples along its first axis; ``ndim`` demands an exact rank (2 for a scaler);
    ``name`` prefixes every message (``"MinMaxScaler.fit"``, ``"DataLoader"``, …);
    ``x_name`` / ``y_name`` are what the messages call the two arrays.
    Returns ``X`` or ``(X, y)``; arrays are not copied.
    """
    X = as_array(X, f"{name}: {x_name}")
    _check_numeric(X, f"{name}: {x_name}")
    if X.ndim == 0:
        raise ShapeError(f"{name}: {x_name} must have a sample axis, got a scalar")
    if ndim is not None and X.ndim != ndim:
        layout = " (n_samples, n_features)" if ndim == 2 else ""
        raise ShapeError(f"{name}: {x_name} must be {ndim}-D{layout}, got shape "
                         f"{shape_str(X.shape)}")
    if X.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{name}: {x_name} is empty (0 samples, shape {shape_str(X.shape)}); "
                         f"an empty dataset or split cannot be used")
    check_finite(X, f"{name}: {x_name}")
    if y is None:
        return X
    y = as_array(y, f"{name}: {y_name}")
    _check_numeric(y, f"{name}: {y_name}")
    if y.ndim == 0:
        raise ShapeError(f"{name}: {y_name} must have a sample axis, got a scalar")
    if y.shape[0] != X.shape[0]:
        raise ShapeError(f"{name}: {y_name} has {y.shape[0]} labels/targets but {x_name} has "
                         f"{X.shape[0]} samples; they must match")
    check_finite(y, f"{name}: {y_name}")
    return X, y
