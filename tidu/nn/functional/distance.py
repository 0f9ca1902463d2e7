"""Similarities and distances between vectors, and p-norm normalization (as
torch.nn.functional), each one graph node with a hand-written backward pass.

=================  =================================================================  =====================
function           formula                                                            defaults
=================  =================================================================  =====================
cosine_similarity  x1·x2 / (max(‖x1‖₂, ε)·max(‖x2‖₂, ε)) along ``dim``                 dim = 1, ε = 1e−8
pairwise_distance  ‖x1 − x2 + ε‖_p along the last dim                                  p = 2, ε = 1e−6
normalize          x / max(‖x‖_p, ε) along ``dim``                                     p = 2, dim = 1, ε = 1e−12
=================  =================================================================  =====================

The two inputs of cosine_similarity and pairwise_distance broadcast to a common shape (as
PyTorch); their gradients are summed back to each input's shape.  Where a norm is below ε
its clamp passes no gradient (normalize, as PyTorch's clamp_min); for cosine_similarity on a
vector of norm < ε tidu's gradient is x2/(ε‖x2‖) only, which PyTorch does not document.
"""
from __future__ import annotations

import numpy as np

from ..._checks import normalize_dim
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...tensor import Tensor, _result_array
from .loss import _pnorm

__all__ = ["cosine_similarity", "pairwise_distance", "normalize"]


def _float_tensor(x, op: str, what: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {what} must be a tidu.Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{op}: {what} must be a float tensor, got dtype {x._data.dtype}")
    return x


def _pair_inputs(x1, x2, op: str):
    from ...ops.elementwise import unbroadcast  # noqa: PLC0415 - ops sit below nn
    a = _float_tensor(x1, op, "x1")
    b = _float_tensor(x2, op, "x2")
    if a._data.dtype != b._data.dtype:
        raise DTypeError(f"{op}: x1 has dtype {a._data.dtype} but x2 has {b._data.dtype}; "
                         f"cast one with .to()")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{op}: x1 of shape {shape_str(a.shape)} and x2 of shape "
                         f"{shape_str(b.shape)} do not broadcast to a common shape") from None
    return a, b, shape, unbroadcast


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between x1 and x2 along ``dim`` (default 1, ε = 1e−8), which is
    removed from the output: x1·x2 / (max(‖x1‖, ε)·max(‖x2‖, ε)).

    Backward (norms ≥ ε): dcos/dx1 = x2/(‖x1‖‖x2‖) − cos·x1/‖x1‖², and symmetrically.
    """
    op = "cosine_similarity"
    a, b, shape, unbroadcast = _pair_inputs(x1, x2, op)
    dim = normalize_dim(dim, len(shape), op)
    ad, bd = np.broadcast_to(a._data, shape), np.broadcast_to(b._data, shape)
    eps = float(eps)
    n1 = np.sqrt((ad * ad).sum(axis=dim, keepdims=True))
    n2 = np.sqrt((bd * bd).sum(axis=dim, keepdims=True))
    d1, d2 = np.maximum(n1, eps), np.maximum(n2, eps)
    den = d1 * d2
    cos = (ad * bd).sum(axis=dim, keepdims=True) / den

    def backward(g):
        gk = np.expand_dims(g, dim)
        ga = gb = None
        if a.requires_grad:
            k1 = np.where(n1 >= eps, cos / (d1 * d1), 0.0)
            ga = _result_array(unbroadcast(gk * (bd / den - k1 * ad), a.shape))
        if b.requires_grad:
            k2 = np.where(n2 >= eps, cos / (d2 * d2), 0.0)
            gb = _result_array(unbroadcast(gk * (ad / den - k2 * bd), b.shape))
        return ga, gb

    return Tensor._op(_result_array(np.squeeze(cos, axis=dim)), (a, b), backward)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + ε‖_p over the last dim (defaults p = 2, ε = 1e−6 added to the difference,
    keepdim=False), as `torch.nn.functional.pairwise_distance`; x1 and x2 broadcast.
    Backward: d‖v‖_p/dv = sign(v)|v|^{p−1}/‖v‖_p^{p−1} (v/‖v‖ for p = 2), 0 where ‖v‖ = 0."""
    op = "pairwise_distance"
    a, b, shape, unbroadcast = _pair_inputs(x1, x2, op)
    if not p > 0:
        raise ArgumentError(f"{op}: p must be positive, got {p}")
    if len(shape) == 0:
        raise ShapeError(f"{op}: inputs must have at least 1 dim, got 0-d tensors")
    v = np.broadcast_to(a._data, shape) - np.broadcast_to(b._data, shape) + float(eps)
    n, grad = _pnorm(v, float(p))
    out = n[..., None] if keepdim else n

    def backward(g):
        gv = (g if keepdim else g[..., None]) * grad()
        ga = _result_array(unbroadcast(gv, a.shape)) if a.requires_grad else None
        gb = _result_array(unbroadcast(-gv, b.shape)) if b.requires_grad else None
        return ga, gb

    return Tensor._op(_result_array(out), (a, b), backward)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, ε) along ``dim`` (defaults p = 2, dim = 1, ε = 1e−12), as
    `torch.nn.functional.normalize`: every slice along ``dim`` gets unit p-norm.
    Backward, with d = max(‖x‖_p, ε): dx = g/d − [‖x‖ ≥ ε]·(Σ g·x)/d² · ∂‖x‖/∂x."""
    op = "normalize"
    x = _float_tensor(input, op, "input")
    if not p > 0:
        raise ArgumentError(f"{op}: p must be positive, got {p}")
    p, eps = float(p), float(eps)
    xd = x._data
    if xd.ndim == 0:
        raise ShapeError(f"{op}: input must have at least 1 dim, got a 0-d tensor")
    dim = normalize_dim(dim, xd.ndim, op)
    moved = np.moveaxis(xd, dim, -1)
    n, dn = _pnorm(moved, p)
    n = np.expand_dims(n, dim)
    d = np.maximum(n, eps)
    out = xd / d

    def backward(g):
        s = (g * xd).sum(axis=dim, keepdims=True) / (d * d)
        s = np.where(n >= eps, s, 0.0)
        return (_result_array(g / d - s * np.moveaxis(dn(), -1, dim)),)

    return Tensor._op(out, (x,), backward)

