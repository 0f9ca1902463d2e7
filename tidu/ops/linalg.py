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
    x, w = a._data, b._data
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


def mm(a, b) -> Tensor:
    """Matrix product of two 2-D tensors, (n, m) @ (m, p) → (n, p), as torch.mm (no
    broadcasting, no 1-D operands); gradients as `matmul`."""
    for name, x in (("self", a), ("mat2", b)):
        if not isinstance(x, Tensor) or x.ndim != 2:
            shape = shape_str(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ShapeError(f"mm: {name} must be a 2-D tensor (a matrix), got {shape}")
    return matmul(a, b)


def bmm(a, b) -> Tensor:
    """Batched matrix product of two 3-D tensors, (B, n, m) @ (B, m, p) → (B, n, p), as
    torch.bmm (one batch size, no broadcasting); gradients as `matmul`."""
    for name, x in (("batch1", a), ("batch2", b)):
        if not isinstance(x, Tensor) or x.ndim != 3:
            shape = shape_str(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ShapeError(f"bmm: {name} must be a 3-D tensor, got {shape}")
    if a.shape[0] != b.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: {shape_str(a.shape)} and {shape_str(b.shape)}")
    return matmul(a, b)
