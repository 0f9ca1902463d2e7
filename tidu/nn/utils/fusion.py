"""Fold an eval-mode batch norm into the convolution or linear layer before it, as
``torch.nn.utils.fusion``: with s = γ/√(running_var + ε),

    W' = W · s (per output channel),   b' = (b − running_mean) · s + β,

so ``fused(x) == bn(conv(x))`` in eval mode, in one layer (the inference-time fold).
"""
from __future__ import annotations

import copy

import numpy as np

from ...backend import like, to_numpy
from ...tensor import Tensor, no_grad
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _array(v, w):
    """A tensor's or buffer's array on the weight ``w``'s device."""
    if v is None:
        return None
    return v._data if isinstance(v, Tensor) else like(w, np.asarray(to_numpy(v), dtype=w.dtype))


def _scale(w, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    rm, rv = _array(bn_rm, w), _array(bn_rv, w)
    gamma = np.ones_like(rv) if bn_w is None else _array(bn_w, w)
    beta = np.zeros_like(rv) if bn_b is None else _array(bn_b, w)
    return (gamma / np.sqrt(rv + bn_eps)).astype(w.dtype), rm, beta


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """(W', b') as new `Parameter`s for a conv weight (out, in, *k) — (in, out, *k) when
    ``transpose`` — and bias (None: zeros) followed by batch norm statistics and affine."""
    w = conv_w._data
    s, rm, beta = _scale(w, bn_rm, bn_rv, bn_eps, bn_w, bn_b)
    b = np.zeros_like(rm) if conv_b is None else conv_b._data
    shape = [1] * w.ndim
    shape[1 if transpose else 0] = -1
    fused_w = (w * s.reshape(shape)).astype(w.dtype)
    fused_b = ((b - rm) * s + beta).astype(w.dtype)
    return (Parameter(fused_w, dtype=w.dtype, requires_grad=conv_w.requires_grad),
            Parameter(fused_b, dtype=w.dtype, requires_grad=conv_w.requires_grad))


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of ``conv`` whose weight and bias fold in eval-mode ``bn``; both must be in
    eval mode (as PyTorch asserts)."""
    if conv.training or bn.training:
        raise ValueError("fuse_conv_bn_eval: fusion only for eval (call .eval() on both "
                         "modules first)")
    fused = copy.deepcopy(conv)
    with no_grad():
        fused.weight, fused.bias = fuse_conv_bn_weights(
            fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
            bn.bias, transpose)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """(W', b') for a linear weight (out, in) and bias followed by batch norm."""
    return fuse_conv_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` whose weight and bias fold in eval-mode ``bn`` (its features
    must equal the linear layer's outputs)."""
    if linear.training or bn.training:
        raise ValueError("fuse_linear_bn_eval: fusion only for eval (call .eval() on both "
                         "modules first)")
    if linear.out_features != bn.num_features:
        raise ValueError(f"fuse_linear_bn_eval: the linear layer has {linear.out_features} "
                         f"outputs, the batch norm {bn.num_features} features")
    fused = copy.deepcopy(linear)
    with no_grad():
        fused.weight, fused.bias = fuse_linear_bn_weights(
            fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
            bn.bias)
    return fused
