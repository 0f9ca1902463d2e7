"""Helpers shared by the distributions: broadcasting parameters, probs ↔ logits, draws."""
from __future__ import annotations

import numbers

import numpy as np

from .. import random as _random
from ..backend import like
from ..tensor import Tensor, get_default_dtype


def broadcast_all(*values) -> tuple:
    """Tensors and Python numbers broadcast to one shape (as
    torch.distributions.utils.broadcast_all): numbers become tensors of the first tensor's
    dtype and device (the default dtype and device when there is none); gradients flow back
    to each tensor through the broadcast."""
    for v in values:
        if not isinstance(v, (Tensor, numbers.Number)) or isinstance(v, bool):
            raise ValueError(f"Input arguments must all be instances of numbers.Number or "
                             f"tidu.Tensor, got {type(v).__name__}")
    tensors = [v for v in values if isinstance(v, Tensor)]
    if tensors:
        ref = next((t for t in tensors if t.dtype.kind == "f"), tensors[0])
        values = [v if isinstance(v, Tensor) else Tensor(v, dtype=ref.dtype, device=ref.device)
                  for v in values]
    else:
        values = [Tensor(float(v), dtype=get_default_dtype()) for v in values]
    shape = np.broadcast_shapes(*(v.shape for v in values))
    return tuple(v if v.shape == shape else v.broadcast_to(shape) for v in values)


def as_tensor_like(value, ref: Tensor) -> Tensor:
    """``value`` (a tensor, number or array) as a tensor; non-tensors take ``ref``'s dtype
    and device."""
    if isinstance(value, Tensor):
        return value
    return Tensor(value, dtype=ref.dtype, device=ref.device)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities clamped into [eps, 1 − eps] (eps of their dtype), so their logs are
    finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """log p (categorical), or log p − log(1 − p) (binary), with p clamped by `clamp_probs`."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """softmax(logits) over the last dimension (categorical), or σ(logits) (binary)."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def set_binary_parameters(dist, probs, logits) -> None:
    """Give a success-probability family (Bernoulli, Geometric) ``probs`` and ``logits``:
    exactly one is named, the other derived from it; ``dist._given`` remembers which."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    if probs is not None:
        (dist.probs,) = broadcast_all(probs)
        dist.logits = probs_to_logits(dist.probs, is_binary=True)
        dist._given = "probs"
    else:
        (dist.logits,) = broadcast_all(logits)
        dist.probs = logits_to_probs(dist.logits, is_binary=True)
        dist._given = "logits"


def sample_shape_tuple(sample_shape) -> tuple:
    """``sample_shape`` (a tuple, list or torch.Size-like of ints) as a tuple of ints."""
    try:
        return tuple(int(n) for n in sample_shape)
    except TypeError:
        raise TypeError(f"sample_shape must be a tuple of ints (as torch.Size), got "
                        f"{sample_shape!r}") from None


def standard_normal(shape: tuple, ref: Tensor):
    """N(0, 1) draws of ``shape`` from tidu's generator, as an array of ``ref``'s dtype on
    ``ref``'s device."""
    host = _random.generator().standard_normal(shape).astype(ref.dtype, copy=False)
    return like(ref._data, host)


def uniform01(shape: tuple, ref: Tensor, dtype=None):
    """U[0, 1) draws of ``shape`` from tidu's generator, on ``ref``'s device (float64 unless
    ``dtype`` is given)."""
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if dtype in (np.float32, np.float64):
        host = _random.generator().random(shape, dtype=dtype)
    else:  # a rounding cast could reach 1, which [0, 1) excludes
        host = np.minimum(_random.generator().random(shape).astype(dtype),
                          np.nextafter(dtype.type(1), dtype.type(0)))
    return like(ref._data, host)
