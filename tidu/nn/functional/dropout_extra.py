"""Feature alpha dropout (alpha dropout of whole channels, for SELU networks) and the
Gumbel-softmax relaxation of categorical sampling (Jang et al. 2017; Maddison et al. 2017).

Random draws come from tidu's generator (`tidu.manual_seed`), so samples differ from
PyTorch's for the same seed; distributions, scaling and gradients are PyTorch's."""
from __future__ import annotations

import numpy as np

from ...backend import like, xp_of
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...random import generator
from ...tensor import Tensor
from .activation import softmax
from .dropout import _ALPHA_PRIME, _apply_scale, _check_input, _check_p, _keep_mask

__all__ = ["feature_alpha_dropout", "gumbel_softmax"]


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels, as `torch.nn.functional.feature_alpha_dropout`: one
    draw m ~ Bernoulli(1 − p) per (n, c) of (N, C, *) input, then with α' = 1.7580993… and
    a = ((α'²p + 1)(1 − p))^(−½)

        y = a·(x·m − α'(1 − m)) + a·α'·p

    so a dropped channel becomes the constant −a·α'(1 − p) and zero-mean unit-variance
    inputs keep mean 0 and variance 1.  Backward: dx = g·a·m.  Identity in eval
    (``training=False``, the functional default) or with p = 0; p = 1 gives zeros.
    Defaults p=0.5, training=False, inplace=False."""
    who = "feature_alpha_dropout"
    p = _check_p(p, who)
    xd = _check_input(input, who, inplace)
    if not training or p == 0.0:
        return input
    if xd.ndim < 2:
        raise ShapeError(f"{who}: feature dropout requires at least 2 dimensions in the input, "
                         f"got shape {shape_str(xd.shape)}")
    if p == 1.0:
        return _apply_scale(input, like(xd, np.zeros((), dtype=xd.dtype)), None, inplace, who)
    a = 1.0 / np.sqrt((_ALPHA_PRIME ** 2 * p + 1.0) * (1.0 - p))
    m = _keep_mask(xd.shape[:2] + (1,) * (xd.ndim - 2), p, xd.dtype, xd)
    shift = (m - 1.0) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p
    return _apply_scale(input, m * xd.dtype.type(a), shift.astype(xd.dtype, copy=False),
                        inplace, who)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A relaxed sample of the categorical distribution softmax(logits), as
    `torch.nn.functional.gumbel_softmax`:

        y = softmax((logits + G)/τ, dim),   G = −log E, E ~ Exponential(1)  (Gumbel(0, 1))

    With ``hard=True`` the result is the one-hot of argmax y (the first maximum) in the
    forward pass, with the gradient of y (straight-through: y_hard − stop_grad(y) + y).
    Defaults tau=1, hard=False, dim=-1; ``eps`` is unused (deprecated, as PyTorch)."""
    who = "gumbel_softmax"
    if not isinstance(logits, Tensor):
        raise TypeError(f"{who}: logits must be a Tensor, got {type(logits).__name__}")
    ld = logits._data
    if ld.dtype.kind != "f":
        raise DTypeError(f"{who}: logits must be a float tensor, got dtype {ld.dtype}")
    if not tau > 0:
        raise ArgumentError(f"{who}: tau must be positive, got {tau!r}")
    draw = np.float64 if ld.dtype == np.float64 else np.float32
    gumbels = like(ld, (-np.log(generator().standard_exponential(ld.shape, dtype=draw)))
                   .astype(ld.dtype, copy=False))
    y_soft = softmax((logits + Tensor._wrap(gumbels)) / tau, dim=dim)
    if not hard:
        return y_soft
    xp = xp_of(ld)
    axis = dim % max(ld.ndim, 1)
    index = xp.expand_dims(y_soft._data.argmax(axis=axis), axis)
    y_hard = xp.zeros_like(ld)
    xp.put_along_axis(y_hard, index, 1.0, axis=axis)
    return y_soft + Tensor._wrap(y_hard - y_soft._data)
