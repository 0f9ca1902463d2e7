"""RMS normalization (Zhang & Sennrich 2019) and local response normalization (Krizhevsky et
al. 2012), composed of tidu's differentiable ops (autograd gives the gradients).

    rms_norm:             y = x / √(mean(x², trailing dims) + eps) · w
    local_response_norm:  y_c = x_c / (k + α/n · Σ_{c' ∈ window(c)} x_{c'}²)^β

The LRN window over channels is [c − ⌊n/2⌋, c + ⌈n/2⌉ − 1], clipped at the edges (the sum is
still divided by n, as PyTorch's zero-padded average).
"""
from __future__ import annotations

import numpy as np

from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from .conv import pad

__all__ = ["rms_norm", "local_response_norm"]


def _float_input(x, who: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: input must be a Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{who}: expected a float input, got dtype {x._data.dtype}")
    return x


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Root-mean-square normalization over the trailing ``normalized_shape`` dims, as
    `torch.nn.functional.rms_norm`:

        y = x / √(mean(x²) + eps) · w        (w omitted when ``weight`` is None)

    ``eps=None`` (default) uses ``torch.finfo(input.dtype).eps``.
    """
    who = "rms_norm"
    x = _float_input(input, who)
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    shape = tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ShapeError(f"{who}: expected input with shape [*, {', '.join(map(str, shape))}], "
                         f"but got input of size {shape_str(x.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise ShapeError(f"{who}: weight must have shape {shape_str(shape)} "
                         f"(normalized_shape), got {shape_str(weight.shape)}")
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    dims = tuple(range(-k, 0))
    y = x * (x * x).mean(dim=dims, keepdim=True).add(eps).rsqrt()
    return y if weight is None else y * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalization across channels (dim 1) of (N, C, *) input, as
    `torch.nn.functional.local_response_norm`:

        y_c = x_c / (k + α · (1/n) Σ_{c'=c−⌊n/2⌋}^{c+⌈n/2⌉−1} x_{c'}²)^β      (n = size)

    channels outside [0, C) count as zero.  Defaults alpha=1e-4, beta=0.75, k=1.0.
    """
    who = "local_response_norm"
    x = _float_input(input, who)
    if x.ndim < 3:
        raise ShapeError(f"{who}: expected 3D or higher dimensionality input (got {x.ndim} "
                         f"dimensions)")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ArgumentError(f"{who}: size must be a positive int, got {size!r}")
    if x._data.size == 0:
        return x
    c = x.shape[1]
    sq = x * x
    before, after = size // 2, (size - 1) // 2
    widths = [0, 0] * (x.ndim - 2) + [before, after]
    sq = pad(sq, tuple(widths))
    total = sq[:, 0:c]
    for i in range(1, size):  # a loop over window offsets (size is small), not elements
        total = total + sq[:, i:i + c]
    return x / (total * (alpha / size) + k) ** beta
