"""Activation functions with hand-written backward passes."""

from __future__ import annotations

import numpy as np

from ...tensor import Tensor

__all__ = ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "log_softmax"]


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


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x): subtracting the max changes nothing mathematically
    and keeps exp from overflowing (the notes' stable softmax).
    Backward: dx = s ⊙ (g − Σ g⊙s)."""
    z = x.data - x.data.max(axis=dim, keepdims=True)
    e = np.exp(z)
    out = e / e.sum(axis=dim, keepdims=True)
    return Tensor._op(out, (x,), lambda g: (out * (g - (g * out).sum(axis=dim, keepdims=True)),))


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """xᵢ − max x − log Σⱼ e^(xⱼ − max x) (stable for logits of any size).
    Backward: dx = g − softmax(x)·Σ g."""
    z = x.data - x.data.max(axis=dim, keepdims=True)
    out = z - np.log(np.exp(z).sum(axis=dim, keepdims=True))

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=dim, keepdims=True),)

    return Tensor._op(out, (x,), backward)
