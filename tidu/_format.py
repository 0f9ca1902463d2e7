"""How the HTML reports (the lab's, the diagnosis') write a number for a reader."""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["fmt"]


def fmt(value) -> str:
    """A value as a reader wants it: 4 significant digits, plain ints, no NumPy reprs."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return str(value)
