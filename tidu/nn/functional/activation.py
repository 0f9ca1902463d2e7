"""Activation functions with hand-written backward passes."""

from __future__ import annotations

import numpy as np

from ...tensor import Tensor

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu"]


def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1/(1+e^(−x)), computed as ½(1+tanh(x/2)) so no exp overflows;
    σ'(x) = σ(x)(1−σ(x)) ≤ ¼ (the notes' reason deep sigmoid nets vanish)."""
    out = 0.5 * (1.0 + np.tanh(0.5 * x.data))
    return Tensor._op(out, (x,), lambda g: (g * out * (1.0 - out),))


def tanh(x: Tensor) -> Tensor:
    """tanh(x); tanh'(x) = 1 − tanh²(x).  Zero-centred, unlike sigmoid."""
    out = np.tanh(x.data)
    return Tensor._op(out, (x,), lambda g: (g * (1.0 - out * out),))


def relu(x: Tensor) -> Tensor:
    """max(0, x); the gradient is 1 where x > 0 and 0 elsewhere (0 at x = 0, as PyTorch)."""
    out = np.maximum(x.data, 0)
    return Tensor._op(out, (x,), lambda g: (g * (out > 0),))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope·x otherwise (default 0.01, as PyTorch and the notes)."""
    pos = x.data > 0
    out = np.where(pos, x.data, x.data * negative_slope)
    return Tensor._op(out, (x,), lambda g: (np.where(pos, g, g * negative_slope),))
