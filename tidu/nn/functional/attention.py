"""Scaled dot-product attention, built from tidu's differentiable ops (matmul, softmax,
dropout), so autograd gives every gradient.

For queries Q (…, L, E), keys K (…, S, E) and values V (…, S, Eᵥ),

    A = softmax(Q Kᵀ · scale + M),   out = A V,   scale = 1/√E by default,

softmax over the S keys; M is an additive mask (0 where a query may attend to a key, −∞
where it may not, or any float added to the scores).  A query whose keys are all masked gets
a row of NaN, as in PyTorch.

Mask conventions differ between PyTorch's two entry points, and tidu keeps both:
`scaled_dot_product_attention` takes a bool ``attn_mask`` with True = *take part* in
attention; `nn.MultiheadAttention` takes bool masks with True = *ignore* (see
tidu.nn.modules.transformer).  Float masks are added to the scores in both.
"""
from __future__ import annotations

import math

import numpy as np

from ...backend import like as backend_like, xp_of
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from .activation import softmax
from .dropout import dropout

__all__ = ["scaled_dot_product_attention"]


def _mask_array(mask, like: np.ndarray, true_means: str, who: str, name: str):
    """An additive float mask (same dtype and device as ``like``) from a bool or float mask:
    a bool entry becomes −∞ where it blocks (``true_means`` 'ignore' or 'attend') and 0
    elsewhere; float entries are kept (cast to ``like``'s dtype)."""
    if mask is None:
        return None
    arr = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    arr = backend_like(like, arr)  # a host mask joins the query's device
    xp = xp_of(like)
    if arr.dtype == np.bool_:
        blocked = arr if true_means == "ignore" else ~arr
        return xp.where(blocked, -np.inf, 0.0).astype(like.dtype)
    if arr.dtype.kind != "f":
        raise DTypeError(f"{who}: {name} must be a bool or float tensor, got dtype {arr.dtype}")
    return arr.astype(like.dtype, copy=False)


def _attend(q: Tensor, k: Tensor, v: Tensor, mask, dropout_p: float, scale: float):
    """(A V, A) for A = dropout(softmax(q kᵀ · scale + mask)), mask an additive array or
    None; q (…, L, E), k (…, S, E), v (…, S, Eᵥ)."""
    scores = (q * scale).matmul(k.transpose(-2, -1))
    if mask is not None:
        scores = scores + Tensor._wrap(mask)
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights.matmul(v), weights


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False) -> Tensor:
    """softmax(Q Kᵀ · scale + M) V, as `torch.nn.functional.scaled_dot_product_attention`.

    query (…, L, E), key (…, S, E), value (…, S, Eᵥ), leading dims broadcast; returns
    (…, L, Eᵥ).  ``scale`` defaults to 1/√E.  ``attn_mask`` (broadcastable to (…, L, S)):
    bool with True = the query *may* attend to that key (False entries get −∞), or float,
    added to the scores.  ``is_causal=True`` masks key j > query i (the lower-triangular
    (L, S) mask; not combinable with ``attn_mask``, as PyTorch).  ``dropout_p`` (default 0)
    drops attention weights — always, as in PyTorch, where the caller passes
    ``dropout_p=0`` in evaluation.  ``enable_gqa=True`` (grouped-query attention) is not
    supported.  Backward: autograd through matmul, softmax and dropout.
    """
    who = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{who}: {name} must be a Tensor, got {type(t).__name__}")
        if t.ndim < 2:
            raise ShapeError(f"{who}: {name} must have at least 2 dims (…, seq, embed), got "
                             f"shape {shape_str(t.shape)}")
    if enable_gqa:
        raise NotImplementedError(f"{who}: enable_gqa=True (grouped-query attention) is not "
                                  f"supported by tidu")
    if query.shape[-1] != key.shape[-1]:
        raise ShapeError(f"{who}: query and key must have the same embedding size (last dim), "
                         f"got query {shape_str(query.shape)} and key {shape_str(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"{who}: key and value must have the same sequence length (dim -2), "
                         f"got key {shape_str(key.shape)} and value {shape_str(value.shape)}")
    if not 0.0 <= dropout_p <= 1.0:
        raise ArgumentError(f"{who}: dropout_p must be in [0, 1], got {dropout_p!r}")
    L, S = query.shape[-2], key.shape[-2]
    if is_causal:
        if attn_mask is not None:
            raise ArgumentError(f"{who}: pass either attn_mask or is_causal=True, not both "
                                f"(as PyTorch)")
        attn_mask = np.tril(np.ones((L, S), dtype=bool))
    mask = _mask_array(attn_mask, query._data, "attend", who, "attn_mask")
    if mask is not None:
        try:
            np.broadcast_shapes(mask.shape, tuple(query.shape[:-1]) + (S,))
        except ValueError:
            raise ShapeError(f"{who}: attn_mask of shape {shape_str(mask.shape)} does not "
                             f"broadcast to the attention scores' shape "
                             f"{shape_str(tuple(query.shape[:-1]) + (S,))}") from None
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    return _attend(query, key, value, mask, float(dropout_p), scale)[0]
