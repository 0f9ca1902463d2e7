"""Shrinkage activations, as PyTorch's `hardshrink` and `softshrink` (element-wise)."""
from __future__ import annotations

import numpy as np

from ...errors import ArgumentError
from ...tensor import Tensor
from .activation import _check_float

__all__ = ["hardshrink", "softshrink"]


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > λ, else 0 (default λ = 0.5, as `torch.nn.functional.hardshrink`).
    Gradient 1 where |x| > λ, else 0."""
    _check_float(input, "hardshrink")
    xd = input._data
    keep = ~(np.abs(xd) <= xd.dtype.type(lambd))  # NaN passes through, as PyTorch
    out = np.where(keep, xd, xd.dtype.type(0))
    return Tensor._op(out, (input,), lambda g: (g * keep,))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x − λ for x > λ, x + λ for x < −λ, else 0 (default λ = 0.5 ≥ 0, as
    `torch.nn.functional.softshrink`).  Gradient 1 where |x| > λ, else 0."""
    _check_float(input, "softshrink")
    if not lambd >= 0:
        raise ArgumentError(f"softshrink: lambd must be ≥ 0, got {lambd!r}")
    xd = input._data
    lam = xd.dtype.type(lambd)
    keep = ~(np.abs(xd) <= lam)
    out = np.where(keep, xd - np.sign(xd) * lam, xd.dtype.type(0))
    return Tensor._op(out, (input,), lambda g: (g * keep,))
