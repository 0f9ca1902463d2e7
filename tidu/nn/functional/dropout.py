"""Inverted dropout (Srivastava et al. 2014): element-wise, per channel (dropout1d/2d/3d,
Tompson et al. 2015) and alpha dropout for SELU networks (Klambauer et al. 2017).

Masks come from tidu's generator (`tidu.manual_seed`), so they differ from PyTorch's for the
same seed; the distribution, scaling and gradients are PyTorch's."""
from __future__ import annotations

import warnings

import numpy as np

from ...errors import ArgumentError, DTypeError, GraphError, ShapeError, shape_str
from ...backend import like
from ...random import generator
from ...tensor import Tensor, is_grad_enabled

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout"]


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


def _apply_scale(x: Tensor, scale, shift, inplace: bool, who: str) -> Tensor:
    """y = x·scale (+ shift), in place by tidu's in-place rules when asked."""
    def fn(t):
        out = t._data * scale
        if shift is not None:
            out = out + shift
        return Tensor._op(out.astype(t._data.dtype, copy=False), (t,), lambda g: (g * scale,))
    if not inplace:
        return fn(x)
    from ...ops.inplace import _inplace  # noqa: PLC0415 - ops sit below nn
    return _inplace(x, f"{who}(inplace=True)", fn)


def _keep_mask(shape, p: float, dtype, xd):
    draw = np.float64 if dtype == np.float64 else np.float32
    return like(xd, (generator().random(shape, dtype=draw) >= p).astype(dtype))


def _check_input(x, who: str, inplace) -> np.ndarray:
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a tidu.Tensor, got {type(x).__name__}")
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{who}: expected a float tensor, got dtype {x._data.dtype}")
    if not isinstance(inplace, (bool, np.bool_)):
        raise ArgumentError(f"{who}: inplace must be a bool, got {inplace!r}")
    return x._data


def _channel_dropout(x, p, training, inplace, spatial: int, who: str) -> Tensor:
    p = _check_p(p, who)
    xd = _check_input(x, who, inplace)
    if xd.ndim not in (spatial + 1, spatial + 2):
        raise ShapeError(f"{who}: expected a {spatial + 2}-D input (N, C, …) or a {spatial + 1}-D "
                         f"unbatched input (C, …), got shape {shape_str(xd.shape)}")
    if spatial == 2 and xd.ndim == 3:
        warnings.warn("dropout2d: a 3-D input is taken as (N, C, L) and whole channels of "
                      "each sample are dropped, as PyTorch does today (which also warns that "
                      "it will become (C, H, W)); use dropout1d for this", UserWarning,
                      stacklevel=3)
        spatial = 1
    if not training or p == 0.0:
        return x
    lead = xd.shape[:xd.ndim - spatial]              # (N, C) or (C,)
    mask_shape = lead + (1,) * spatial
    if p == 1.0:
        scale = like(xd, np.zeros(mask_shape, dtype=xd.dtype))
    else:
        scale = _keep_mask(mask_shape, p, xd.dtype, xd) * xd.dtype.type(1.0 / (1.0 - p))
    return _apply_scale(x, scale, None, inplace, who)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel dropout for (N, C, L) or (C, L): each whole channel is zeroed with probability p
    and the kept ones scaled by 1/(1 − p) (one Bernoulli(1 − p) draw per (n, c)).  Identity in
    eval.  Defaults p = 0.5, training=True, inplace=False, as PyTorch."""
    return _channel_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel dropout for (N, C, H, W) or (C, H, W): whole feature maps are zeroed with
    probability p, the rest scaled by 1/(1 − p).  A 3-D input is taken as (N, C, L) with a
    UserWarning, as PyTorch 2.x (one draw per (n, c)).  Defaults as PyTorch."""
    return _channel_dropout(input, p, training, inplace, 2, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel dropout for (N, C, D, H, W) or (C, D, H, W); see `dropout2d`."""
    return _channel_dropout(input, p, training, inplace, 3, "dropout3d")


_ALPHA_PRIME = 1.7580993408473766   # λα of SELU: the value a dropped unit is set to is −λα


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Alpha dropout (Klambauer et al. 2017) for SELU networks: keeps zero mean and unit
    variance.  With m ~ Bernoulli(1 − p), α' = 1.7580993… and a = ((α'²p + 1)(1 − p))^(−½):

        y = a·(x·m − α'(1 − m)) + a·α'·p        (a dropped unit becomes −a·α'(1 − p))

    Backward: dx = g·a·m.  Identity in eval or with p = 0; p = 1 gives zeros.  Defaults
    p = 0.5, training=False (PyTorch's functional default), inplace=False."""
    who = "alpha_dropout"
    p = _check_p(p, who)
    xd = _check_input(input, who, inplace)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return _apply_scale(input, like(xd, np.zeros((), dtype=xd.dtype)), None, inplace, who)
    a = 1.0 / np.sqrt((_ALPHA_PRIME ** 2 * p + 1.0) * (1.0 - p))
    m = _keep_mask(xd.shape, p, xd.dtype, xd)
    shift = (m - 1.0) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p
    return _apply_scale(input, m * xd.dtype.type(a), shift.astype(xd.dtype, copy=False), inplace, who)
