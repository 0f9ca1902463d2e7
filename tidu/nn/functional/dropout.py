"""Inverted dropout (Srivastava et al. 2014)."""
from __future__ import annotations

import numpy as np

from ...errors import ArgumentError, DTypeError, GraphError
from ...backend import like
from ...random import generator
from ...tensor import Tensor, is_grad_enabled

__all__ = ["dropout"]


def _check_p(p, who: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) \
            or not 0.0 <= float(p) <= 1.0:
        raise ArgumentError(f"{who}: dropout probability has to be between 0 and 1, but got p={p!r}")
    return float(p)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: in training each element is kept with probability 1 − p and
    scaled by 1/(1 − p), else zeroed, so E[y] = x and nothing needs rescaling at test time:

        y = x ⊙ m / (1 − p),   mᵢ ~ Bernoulli(1 − p)   (p = 1 zeroes everything)

    In eval (``training=False``) or with p = 0 the input is returned unchanged.  Masks are
    drawn from tidu's generator (`tidu.manual_seed`).  Backward: dx = g ⊙ m/(1 − p).
    Defaults p = 0.5, training=True, inplace=False, as torch.nn.functional.dropout (Keras'
    `rate` is p).

    ``inplace=True`` writes y into ``x``'s array and returns ``x`` when no gradient is being
    recorded for ``x``; a leaf that requires grad is refused (`GraphError`, as PyTorch);
    for a non-leaf in a recorded graph the result is returned out of place (the same values,
    ``x`` untouched: tidu has no in-place autograd).
    """
    p = _check_p(p, "dropout")
    if not isinstance(x, Tensor):
        raise TypeError(f"dropout: expected a tidu.Tensor, got {type(x).__name__}")
    xd = x._data
    if xd.dtype.kind != "f":
        raise DTypeError(f"dropout: expected a float tensor, got dtype {xd.dtype}")
    if not isinstance(inplace, (bool, np.bool_)):
        raise ArgumentError(f"dropout: inplace must be a bool, got {inplace!r}")
    if not training or p == 0.0:
        return x
    recorded = x.requires_grad and is_grad_enabled()
    if inplace and recorded and x.is_leaf:
        raise GraphError("dropout: a leaf tensor that requires grad cannot be modified in place "
                         "(inplace=True); use inplace=False or wrap the call in tidu.no_grad()")
    if p == 1.0:
        scale = np.zeros_like(xd)
    else:
        draw = np.float64 if xd.dtype == np.float64 else np.float32
        keep = generator().random(xd.shape, dtype=draw) >= p
        scale = like(xd, np.multiply(keep, 1.0 / (1.0 - p), dtype=xd.dtype))
    if inplace and not recorded:
        xd *= scale
        return x
    return Tensor._op(xd * scale, (x,), lambda g: (g * scale,))
