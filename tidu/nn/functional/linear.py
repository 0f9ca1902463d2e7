"""Affine map y = x Wᵀ + b with one fused backward node."""
from __future__ import annotations

from ...errors import ShapeError, shape_str
from ...tensor import Tensor
from ...ops.elementwise import lift

__all__ = ["linear"]


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for x of shape (..., in), W (out, in), b (out,).

    Backward: dx = g W, dW = gᵀ x, db = Σ g over all leading dims.
    """
    x = lift(x, weight, "linear")
    w = weight._data
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ShapeError(f"linear: input of shape {shape_str(x.shape)} needs {w.shape[1]} "
                         f"features in its last dimension (weight {shape_str(w.shape)})")
    xd = x._data
    out = xd @ w.T
    if bias is not None:
        out += bias._data
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        g2 = g.reshape(-1, g.shape[-1])
        gx = (g @ w) if x.requires_grad else None
        gw = (g2.T @ xd.reshape(-1, xd.shape[-1])) if weight.requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if bias.requires_grad else None)

    return Tensor._op(out, parents, backward)
