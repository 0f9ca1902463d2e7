"""Batch and layer normalization, each one graph node with a fused backward pass.

batch_norm (Ioffe & Szegedy 2015) normalizes each channel c (dim 1) over the batch and
every spatial position, layer_norm (Ba et al. 2016) each sample over its trailing
``normalized_shape`` dims:

    x̂ = (x − μ) / √(σ² + ε),   y = γ ⊙ x̂ + β

with μ, σ² the mean and the biased variance over the normalized elements (n of them).
Backward (the closed form, one pass):

    dx = γ/√(σ²+ε) · (g − mean(g) − x̂ · mean(g ⊙ x̂)),   dγ = Σ g ⊙ x̂,   dβ = Σ g
"""
from __future__ import annotations

import numpy as np

from ...backend import same_device
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...tensor import Tensor

__all__ = ["batch_norm", "layer_norm"]


def _array_of(value):
    return value._data if isinstance(value, Tensor) else value


def _check_param(p, shape, like, op, what):
    if p is None:
        return
    if not isinstance(p, Tensor):
        raise TypeError(f"{op}: {what} must be a tidu.Tensor or None, got {type(p).__name__}")
    if p.shape != shape:
        raise ShapeError(f"{op}: {what} of shape {shape_str(p.shape)} does not match the "
                         f"expected {shape_str(shape)}")
    if p._data.dtype != like._data.dtype:
        raise DTypeError(f"{op}: {what} dtype {p._data.dtype} differs from input dtype "
                         f"{like._data.dtype}; cast one with .to()")


def batch_norm(input: Tensor, running_mean, running_var, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalization over dim 1 of a (N, C), (N, C, L) or (N, C, H, W) input.

    ``training=True``: normalize with the batch's mean and biased variance per channel and,
    if the running arrays (NumPy arrays or tensors of shape (C,)) are given, update them in
    place with PyTorch's convention
        running_mean ← (1 − momentum)·running_mean + momentum·μ_batch
        running_var  ← (1 − momentum)·running_var  + momentum·σ²_batch·n/(n − 1)
    (the unbiased variance; n = N·L or N·H·W; Keras' momentum is 1 − PyTorch's).
    ``training=False``: normalize with running_mean and running_var (required).
    Defaults as torch.nn.functional.batch_norm: training=False, momentum=0.1, eps=1e-5,
    no affine weight γ or bias β.
    """
    op = "batch_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a tidu.Tensor input, got {type(input).__name__}")
    xd = input._data
    if xd.dtype.kind != "f":
        raise DTypeError(f"{op}: expected a float input, got dtype {xd.dtype}")
    if xd.ndim < 2:
        raise ShapeError(f"{op}: expected an input of at least 2 dims (N, C, ...), "
                         f"got shape {shape_str(xd.shape)}")
    C = xd.shape[1]
    rm, rv = _array_of(running_mean), _array_of(running_var)
    for stat in (rm, rv):
        if stat is not None and type(stat) is not type(input._data):
            same_device(f"{op}: running statistics and input", stat, input._data)
    for name, arr in (("running_mean", rm), ("running_var", rv)):
        if arr is not None and np.shape(arr) != (C,):
            raise ShapeError(f"{op}: {name} of shape {shape_str(np.shape(arr))} does not match "
                             f"the input's {C} channels (input shape {shape_str(xd.shape)})")
    _check_param(weight, (C,), input, op, "weight")
    _check_param(bias, (C,), input, op, "bias")
    eps = float(eps)
    axes = (0,) + tuple(range(2, xd.ndim))
    bshape = (1, C) + (1,) * (xd.ndim - 2)
    n = xd.size // C if C else 0
    dtype = xd.dtype
    w = None if weight is None else weight._data.reshape(bshape)

    if training:
        if n <= 1:
            raise ShapeError(f"{op}: expected more than 1 value per channel when training, "
                             f"got input of shape {shape_str(xd.shape)}")
        mean = xd.mean(axis=axes, keepdims=True)
        xhat = xd - mean
        var = _channel_dot(xhat, xhat)
        var = (var / n).astype(dtype, copy=False)
        invstd = 1.0 / np.sqrt(var + dtype.type(eps))
        xhat *= invstd.reshape(bshape)
        if rm is not None or rv is not None:
            m = float(momentum)
            if rm is not None:
                rm *= 1.0 - m
                rm += m * mean.reshape(C)
            if rv is not None:
                rv *= 1.0 - m
                rv += (m * n / (n - 1)) * var
    else:
        if rm is None or rv is None:
            raise ArgumentError(f"{op}: running_mean and running_var are required when "
                                f"training=False")
        invstd = (1.0 / np.sqrt(rv + eps)).astype(dtype, copy=False)
        shift = rm.astype(dtype, copy=False).reshape(bshape)
        xhat = (xd - shift) * invstd.reshape(bshape)

    out = _affine(xhat, w, None if bias is None else bias._data.reshape(bshape))
    parents = (input,) + tuple(p for p in (weight, bias) if p is not None)

    def backward(g):
        need_x = input.requires_grad
        need_w = weight is not None and weight.requires_grad
        need_b = bias is not None and bias.requires_grad
        gsum = g.sum(axis=axes) if need_b or (training and need_x) else None
        gxh = _channel_dot(g, xhat) if need_w or (training and need_x) else None
        gx = None
        if need_x:
            scale = (invstd if w is None else invstd * weight._data).reshape(bshape)
            if training:
                gx = xhat * (gxh / -n).reshape(bshape)  # one full-size temporary
                gx += g
                gx -= (gsum / n).reshape(bshape)
                gx *= scale
            else:
                gx = g * scale
        grads = [gx]
        if weight is not None:
            grads.append(gxh if need_w else None)
        if bias is not None:
            grads.append(gsum if need_b else None)
        return tuple(grads)

    return Tensor._op(out, parents, backward)


def _affine(xhat, w, b):
    """γ ⊙ x̂ + β in one new array (x̂ itself is kept for the backward pass)."""
    if w is None:
        return xhat if b is None else xhat + b
    out = xhat * w
    if b is not None:
        out += b
    return out


def _row_dot(a, b):
    """Σⱼ a_ij b_ij for each row i of two 2-D arrays, as a column (rows, 1), via BLAS."""
    return np.matmul(a[:, None, :], b[:, :, None]).reshape(a.shape[0], 1)


def _channel_dot(a, b):
    """Σ a ⊙ b over every axis but 1 (per channel), without a full-size temporary."""
    shape = (a.shape[0], a.shape[1], -1)
    return np.einsum("ijk,ijk->j", a.reshape(shape), b.reshape(shape))


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalization over the trailing dims given by ``normalized_shape`` (an int or
    a tuple that must equal the input's last dims); ``weight`` γ and ``bias`` β, if given,
    have shape ``normalized_shape``.  Statistics are per sample (no running averages, same
    in training and eval).  Default eps = 1e-5 as PyTorch (Keras' LayerNormalization uses
    1e-3)."""
    op = "layer_norm"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a tidu.Tensor input, got {type(input).__name__}")
    xd = input._data
    if xd.dtype.kind != "f":
        raise DTypeError(f"{op}: expected a float input, got dtype {xd.dtype}")
    if np.ndim(normalized_shape) == 0:
        normalized_shape = (normalized_shape,)
    shape = tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if k == 0 or xd.ndim < k or xd.shape[xd.ndim - k:] != shape:
        raise ShapeError(f"{op}: expected an input whose last dims are {shape_str(shape)}, "
                         f"got shape {shape_str(xd.shape)}")
    _check_param(weight, shape, input, op, "weight")
    _check_param(bias, shape, input, op, "bias")
    dtype = xd.dtype
    n = int(np.prod(shape))
    rows = xd.size // n if n else 0
    x2 = xd.reshape(rows, n)  # every sample's normalized elements in one row
    xhat = x2 - x2.mean(axis=1, keepdims=True)
    var = _row_dot(xhat, xhat) / dtype.type(n)
    invstd = 1.0 / np.sqrt(var + dtype.type(float(eps)))
    xhat *= invstd
    w = None if weight is None else weight._data.reshape(n)
    out = _affine(xhat, w, None if bias is None else bias._data.reshape(n)).reshape(xd.shape)
    parents = (input,) + tuple(p for p in (weight, bias) if p is not None)

    def backward(g):
        g2 = g.reshape(rows, n)
        gx = None
        if input.requires_grad:
            gw = g2 if w is None else g2 * w                    # dL/dx̂
            mean_g = gw.mean(axis=1, keepdims=True)
            mean_gx = _row_dot(gw, xhat) / dtype.type(n)
            gx = xhat * -mean_gx                                # one full-size temporary
            gx += gw
            gx -= mean_g
            gx *= invstd
            gx = gx.reshape(xd.shape)
        grads = [gx]
        if weight is not None:
            grads.append(np.einsum("ij,ij->j", g2, xhat).reshape(shape)
                         if weight.requires_grad else None)
        if bias is not None:
            grads.append(g2.sum(axis=0).reshape(shape) if bias.requires_grad else None)
        return tuple(grads)

    return Tensor._op(out, parents, backward)
