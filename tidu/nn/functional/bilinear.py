"""The bilinear form y = x₁ᵀ A x₂ + b, as `torch.nn.functional.bilinear`."""
from __future__ import annotations

import numpy as np

from ...errors import DTypeError, ShapeError, shape_str
from ...ops.elementwise import lift
from ...tensor import Tensor

__all__ = ["bilinear"]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = Σᵢⱼ x₁[..., i] A[o, i, j] x₂[..., j] + b[o], as
    `torch.nn.functional.bilinear`: input1 (*, in1), input2 (*, in2) with the same leading
    dims, weight A (out, in1, in2), bias b (out,) or None (the default).

    Computed as the outer product P[m, i, j] = x₁[m, i]·x₂[m, j] of the flattened samples
    times A reshaped to (out, in1·in2); backward: ∂A = Gᵀ P, ∂P = G A, ∂x₁ = Σⱼ ∂P x₂,
    ∂x₂ = Σᵢ ∂P x₁, ∂b = Σₘ G."""
    who = "bilinear"
    if not isinstance(weight, Tensor):
        raise TypeError(f"{who}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 3:
        raise ShapeError(f"{who}: weight must be 3-D (out, in1, in2), got shape "
                         f"{shape_str(weight.shape)}")
    if weight._data.dtype.kind != "f":
        raise DTypeError(f"{who}: weight must be a float tensor, got dtype {weight._data.dtype}")
    x1, x2 = lift(input1, weight, who), lift(input2, weight, who)
    o, i, j = weight.shape
    if x1.ndim < 1 or x1.shape[-1] != i:
        raise ShapeError(f"{who}: input1 size does not match weight size: got "
                         f"{shape_str(x1.shape)} but expected (*, {i})")
    if x2.ndim < 1 or x2.shape[-1] != j:
        raise ShapeError(f"{who}: input2 size does not match weight size: got "
                         f"{shape_str(x2.shape)} but expected (*, {j})")
    if x1.shape[:-1] != x2.shape[:-1]:
        raise ShapeError(f"{who}: input batch dimensions do not match: got "
                         f"{shape_str(x1.shape[:-1])} and {shape_str(x2.shape[:-1])}")
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != (o,)):
        raise ShapeError(f"{who}: bias must be a Tensor of shape ({o},), got "
                         f"{shape_str(getattr(bias, 'shape', ()))}")
    lead = x1.shape[:-1]
    a1, a2 = x1._data.reshape(-1, i), x2._data.reshape(-1, j)
    w2 = weight._data.reshape(o, i * j)
    outer = (a1[:, :, None] * a2[:, None, :]).reshape(-1, i * j)
    out = outer @ w2.T
    if bias is not None:
        out = out + bias._data
    parents = (x1, x2, weight) + (() if bias is None else (bias,))

    def backward(g):
        g2 = g.reshape(-1, o)
        g1 = gx2 = gw = None
        if x1.requires_grad or x2.requires_grad:
            douter = (g2 @ w2).reshape(-1, i, j)
            if x1.requires_grad:
                g1 = np.matmul(douter, a2[:, :, None])[..., 0].reshape(x1.shape)
            if x2.requires_grad:
                gx2 = np.matmul(a1[:, None, :], douter)[:, 0].reshape(x2.shape)
        if weight.requires_grad:
            gw = (g2.T @ outer).reshape(o, i, j)
        grads = (g1, gx2, gw)
        return grads if bias is None else grads + (g2.sum(axis=0) if bias.requires_grad else None,)

    return Tensor._op(out.reshape(*lead, o), parents, backward)
