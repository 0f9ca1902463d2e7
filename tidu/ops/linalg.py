"""Matrix product (batched, NumPy's matmul rules, 1-D operands included)."""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError, shape_str
from ..tensor import Tensor
from .elementwise import lift, unbroadcast


def matmul(a, b) -> Tensor:
    """a @ b.  d/da = g @ bᵀ, d/db = aᵀ @ g, batch dims summed back to each operand."""
    if not isinstance(a, Tensor):
        a = lift(a, b, "matmul")
    b = lift(b, a, "matmul")
    x, w = a.data, b.data
    if x.ndim == 0 or w.ndim == 0:
        raise ShapeError("matmul: operands must have at least one dimension, got "
                         f"{shape_str(x.shape)} and {shape_str(w.shape)}")
    inner_w = w.shape[0] if w.ndim == 1 else w.shape[-2]
    if x.shape[-1] != inner_w:
        raise ShapeError(f"matmul: {shape_str(x.shape)} @ {shape_str(w.shape)}: inner dimensions "
                         f"{x.shape[-1]} and {inner_w} differ")
    out = x @ w

    def backward(g):
        x2 = x[None, :] if x.ndim == 1 else x
        w2 = w[:, None] if w.ndim == 1 else w
        g2 = g
        if w.ndim == 1:
            g2 = g2[..., None]
        if x.ndim == 1:
            g2 = g2[..., None, :]
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g2 @ np.swapaxes(w2, -1, -2), x2.shape)
            ga = ga.reshape(x.shape)
        if b.requires_grad:
            gb = np.swapaxes(x2, -1, -2) @ g2
            gb = unbroadcast(gb, w2.shape).reshape(w.shape)
        return ga, gb

    return Tensor._op(out, (a, b), backward)
