"""`MultiheadAttention`, `TransformerEncoderLayer` and `TransformerEncoder`, as PyTorch's
(same arguments, defaults, parameter names and shapes, so a torch state_dict loads as is).

Multi-head attention with h heads of size d = E/h, for query x_q (L, E), keys x_k (S, E_k)
and values x_v (S, E_v) of one sample:

    Q = x_q W_qᵀ + b_q,  K = x_k W_kᵀ + b_k,  V = x_v W_vᵀ + b_v       (split into h heads)
    A_i = softmax(Q_i K_iᵀ/√d + M),  head_i = A_i V_i,  out = [head_1 … head_h] W_oᵀ + b_o

W_q, W_k, W_v are the three row blocks of ``in_proj_weight`` (3E, E) (or ``q_proj_weight``,
``k_proj_weight``, ``v_proj_weight`` when kdim/vdim differ from E), (b_q, b_k, b_v) of
``in_proj_bias``, and W_o, b_o are ``out_proj``.  M is the additive mask built from
``attn_mask`` and ``key_padding_mask``: bool True = *ignore* (−∞), floats added.

An encoder layer (post-norm, the default ``norm_first=False``):

    x = norm1(x + dropout1(self_attn(x, x, x)))
    x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))

and with ``norm_first=True``: x = x + dropout1(self_attn(norm1(x))), then
x = x + dropout2(ff(norm2(x))).  Everything is built from tidu's differentiable ops; autograd
gives the gradients.

Where tidu differs: PyTorch's inference "fast path" (eval mode, no grad, nested tensors with
``enable_nested_tensor=True``) returns 0 at padded positions of a TransformerEncoder's output;
tidu always computes them as the ordinary path does (finite values; positions that are not
padded agree).  The argument ``enable_nested_tensor`` is accepted and has no effect.
"""
from __future__ import annotations

import copy

import numpy as np

from ...backend import xp_of
from ...errors import ArgumentError, ShapeError, shape_str
from ...ops.shape import concatenate as cat
from ...tensor import Tensor, get_default_dtype
from .. import init
from ..functional.activation import gelu, relu
from ..functional.attention import _attend, _mask_array
from ..functional.linear import linear
from ..parameter import Parameter
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder"]


def _positive_int(value, name, who):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ArgumentError(f"{who}: {name} must be a positive int, got {value!r}")
    return int(value)


def _probability(value, name, who):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ArgumentError(f"{who}: {name} must be a probability in [0, 1], got {value!r}")
    return float(value)


class MultiheadAttention(Module):
    """Multi-head attention, as `torch.nn.MultiheadAttention` (formula in the module docstring).

    ``MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
    add_zero_attn=False, kdim=None, vdim=None, batch_first=False, dtype=None)``; embed_dim
    must be divisible by num_heads.  ``dropout`` drops attention weights in training mode.
    ``add_bias_kv`` appends the learned ``bias_k``/``bias_v`` (1, 1, E) to the projected
    keys/values; ``add_zero_attn`` appends a zero key/value per head (masks are widened with
    a "keep" column for each).  Initialization as PyTorch: xavier_uniform_ on the input
    projection weights, zero ``in_proj_bias`` and ``out_proj.bias``, xavier_normal_
    ``bias_k``/``bias_v``, ``out_proj.weight`` as a Linear's.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` → (attn_output, attn_weights).  Shapes
    (L, N, E) (``batch_first=False``, the default), (N, L, E) with ``batch_first=True``, or
    unbatched (L, E).  ``key_padding_mask`` (N, S): bool True = that key is padding (ignored),
    or float added.  ``attn_mask`` (L, S) or (N·num_heads, L, S): bool True = not allowed, or
    float added.  ``is_causal`` is only a hint that ``attn_mask`` is causal (it needs
    ``attn_mask``, as PyTorch).  attn_weights: (N, L, S) averaged over the heads, (N,
    num_heads, L, S) with ``average_attn_weights=False``, None with ``need_weights=False``;
    they are the weights after dropout, as PyTorch returns them.

    Examples
    --------
    >>> import tidu
    >>> mha = tidu.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = tidu.randn(3, 5, 8)
    >>> out, w = mha(x, x, x, key_padding_mask=tidu.zeros(3, 5, dtype=tidu.bool))
    >>> tuple(out.shape), tuple(w.shape)
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim=None, vdim=None,
                 batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        who = "MultiheadAttention"
        self.embed_dim = _positive_int(embed_dim, "embed_dim", who)
        self.num_heads = _positive_int(num_heads, "num_heads", who)
        if self.embed_dim % self.num_heads:
            raise ArgumentError(f"{who}: embed_dim must be divisible by num_heads, got "
                                f"embed_dim={embed_dim}, num_heads={num_heads}")
        self.kdim = self.embed_dim if kdim is None else _positive_int(kdim, "kdim", who)
        self.vdim = self.embed_dim if vdim is None else _positive_int(vdim, "vdim", who)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout = _probability(dropout, "dropout", who)
        self.batch_first = bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        self.add_zero_attn = bool(add_zero_attn)
        dtype = dtype or get_default_dtype()
        e = self.embed_dim

        def param(*shape):
            return Parameter(np.zeros(shape, dtype=dtype), dtype=dtype)

        if self._qkv_same_embed_dim:
            self.in_proj_weight = param(3 * e, e)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = param(e, e)
            self.k_proj_weight = param(e, self.kdim)
            self.v_proj_weight = param(e, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = param(3 * e)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(e, e, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k, self.bias_v = param(1, 1, e), param(1, 1, e)
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _projections(self):
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            ws = (w[:e], w[e:2 * e], w[2 * e:])
        else:
            ws = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        b = self.in_proj_bias
        bs = (None,) * 3 if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        return ws, bs

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        who = f"{type(self).__name__}({self.extra_repr()})"
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{who}: {name} must be a Tensor, got {type(t).__name__}")
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ShapeError(f"{who}: query, key and value must all be 3-D (batched) or all 2-D "
                             f"(unbatched), got shapes {shape_str(query.shape)}, "
                             f"{shape_str(key.shape)}, {shape_str(value.shape)}")
        if is_causal and attn_mask is None:
            raise ArgumentError(f"{who}: is_causal=True is a hint that attn_mask is the causal "
                                f"mask and needs attn_mask (as PyTorch)")
        unbatched = query.ndim == 2
        if unbatched:  # (L, E) → (1, L, E)
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
            if key_padding_mask is not None:  # (S,) → (1, S); an (H, L, S) attn_mask is (N·H, L, S)
                key_padding_mask = _unsqueeze(key_padding_mask)
        elif not self.batch_first:  # (L, N, E) → (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        n, L, e = query.shape
        s = key.shape[1]
        h, d = self.num_heads, self.head_dim
        for name, t, dim in (("query", query, self.embed_dim), ("key", key, self.kdim),
                             ("value", value, self.vdim)):
            if t.shape[-1] != dim:
                raise ShapeError(f"{who}: {name} must have embedding size {dim} in its last dim, "
                                 f"got shape {shape_str(t.shape)}")
        if key.shape[:2] != value.shape[:2] or key.shape[0] != n:
            raise ShapeError(f"{who}: key and value must share batch and sequence sizes with "
                             f"the query's batch, got query (N, L) = {(n, L)}, key "
                             f"{shape_str(key.shape)}, value {shape_str(value.shape)} "
                             f"(batch-first view)")

        (wq, wk, wv), (bq, bk, bv) = self._projections()
        q, k, v = linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)
        kpm = _mask_array(key_padding_mask, q._data, "ignore", who, "key_padding_mask")
        am = _mask_array(attn_mask, q._data, "ignore", who, "attn_mask")
        if kpm is not None and kpm.shape != (n, s):
            raise ShapeError(f"{who}: key_padding_mask must have shape {(n, s)} (N, S), got "
                             f"{shape_str(kpm.shape)}")
        if am is not None:
            if am.shape == (L, s):
                am = am[None, None]
            elif am.shape == (n * h, L, s):
                am = am.reshape(n, h, L, s)
            else:
                raise ShapeError(f"{who}: attn_mask must have shape {(L, s)} (L, S) or "
                                 f"{(n * h, L, s)} (N·num_heads, L, S), got "
                                 f"{shape_str(am.shape)}")
        if self.bias_k is not None:  # one more key/value: the learned biases
            k = cat([k, self.bias_k.expand(n, 1, e)], dim=1)
            v = cat([v, self.bias_v.expand(n, 1, e)], dim=1)
            am, kpm, s = _widen(am), _widen(kpm), s + 1
        # heads: (N, S, E) → (N, H, S, d)
        q = q.reshape(n, L, h, d).transpose(1, 2)
        k = k.reshape(n, s, h, d).transpose(1, 2)
        v = v.reshape(n, s, h, d).transpose(1, 2)
        if self.add_zero_attn:  # one more key/value per head: zeros
            zeros = Tensor._wrap(xp_of(q._data).zeros((n, h, 1, d), dtype=q._data.dtype))
            k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
            am, kpm, s = _widen(am), _widen(kpm), s + 1
        mask = am
        if kpm is not None:
            kpm = kpm[:, None, None, :]
            mask = kpm if mask is None else mask + kpm
        p = self.dropout if self.training else 0.0
        out, weights = _attend(q, k, v, mask, p, 1.0 / np.sqrt(d))
        out = self.out_proj(out.transpose(1, 2).reshape(n, L, e))
        if unbatched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return out, (weights.squeeze(0) if unbatched else weights)

    def extra_repr(self):
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")


def _unsqueeze(mask):
    """A mask (Tensor or array) with a leading batch dim of 1."""
    return (mask._data if isinstance(mask, Tensor) else np.asarray(mask))[None]


def _widen(mask):
    """An additive mask with one more key column of 0 (the appended key takes part)."""
    if mask is None:
        return None
    xp = xp_of(mask)
    return xp.concatenate([mask, xp.zeros(mask.shape[:-1] + (1,), dtype=mask.dtype)], axis=-1)


def _activation(activation, who):
    if isinstance(activation, str):
        if activation == "relu":
            return relu
        if activation == "gelu":
            return gelu
        raise ArgumentError(f"{who}: activation should be 'relu' or 'gelu' (or a callable), "
                            f"got {activation!r}")
    if not callable(activation):
        raise ArgumentError(f"{who}: activation must be 'relu', 'gelu' or a callable, got "
                            f"{activation!r}")
    return activation


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block with residuals and LayerNorm, as
    `torch.nn.TransformerEncoderLayer` (formulas in the module docstring).

    ``TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1,
    activation='relu', layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
    dtype=None)``; ``activation`` is 'relu', 'gelu' or a callable.  Submodules with PyTorch's
    names: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``: the masks
    as `MultiheadAttention`'s attn_mask and key_padding_mask.
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        who = "TransformerEncoderLayer"
        dim_feedforward = _positive_int(dim_feedforward, "dim_feedforward", who)
        dropout = _probability(dropout, "dropout", who)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = bool(norm_first)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation, who)
        self.batch_first = bool(batch_first)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer`` (then ``norm`` if given),
    as `torch.nn.TransformerEncoder`: submodules ``layers.0`` … and ``norm``.

    ``TransformerEncoder(encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
    mask_check=True)``; the last two are accepted for compatibility and have no effect (tidu
    has no nested tensors: padded positions are computed, not zeroed — see the module
    docstring).  ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``
    passes the masks to every layer.

    Examples
    --------
    >>> import tidu
    >>> layer = tidu.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True)
    >>> encoder = tidu.nn.TransformerEncoder(layer, num_layers=2)
    >>> tuple(encoder(tidu.randn(2, 7, 16)).shape), list(encoder.state_dict())[:2]
    ((2, 7, 16), ['layers.0.self_attn.in_proj_weight', 'layers.0.self_attn.in_proj_bias'])
    """

    def __init__(self, encoder_layer, num_layers: int, norm=None,
                 enable_nested_tensor: bool = True, mask_check: bool = True):
        super().__init__()
        who = "TransformerEncoder"
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"{who}: encoder_layer must be a Module, got "
                            f"{type(encoder_layer).__name__}")
        num_layers = _positive_int(num_layers, "num_layers", who)
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = bool(enable_nested_tensor)
        self.mask_check = bool(mask_check)

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                        is_causal=bool(is_causal) and mask is not None)
        return out if self.norm is None else self.norm(out)
