"""Two margin losses of PyTorch: the triplet loss with a custom distance and the multi-label
hinge loss.

    triplet_margin_with_distance_loss:  ℓₙ = max(d(aₙ, pₙ) − d(aₙ, nₙ) + margin, 0)
    multilabel_margin_loss:             ℓₙ = Σ_{j ∈ Yₙ} Σ_{i ∉ Yₙ} max(0, 1 − (x[y_j] − x[i])) / C

Yₙ is the set of target classes of sample n: the entries of target row n before its first −1.
"""
from __future__ import annotations

import numpy as np

from ...backend import xp_of
from ...errors import ArgumentError, DTypeError, IndexRangeError, ShapeError, shape_str
from ...ops.elementwise import minimum
from ...ops.elementwise_more import clamp_min
from ...tensor import Tensor
from .distance import pairwise_distance
from .loss import _check_reduction, _input, _reduce, _result_array, _upstream

__all__ = ["triplet_margin_with_distance_loss", "multilabel_margin_loss"]


def _reduced(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """Triplet loss with any distance, as `torch.nn.functional.triplet_margin_with_distance_loss`:

        ℓₙ = max(d(aₙ, pₙ) − d(aₙ, nₙ) + margin, 0)

    ``distance_function`` (default None = `pairwise_distance`, the Euclidean one) maps two
    tensors to a tensor of distances; ``swap=True`` uses min(d(a, n), d(p, n)) as the negative
    distance.  Defaults margin=1.0 (must be > 0), swap=False, reduction='mean'.  Gradients come
    from autograd through ``distance_function``.
    """
    name = "triplet_margin_with_distance_loss"
    _check_reduction(reduction, name)
    if not margin > 0:
        raise ArgumentError(f"{name}: expected margin to be greater than 0, got {margin} instead")
    a, p, n = (_input(t, name, what) for t, what in
               ((anchor, "anchor"), (positive, "positive"), (negative, "negative")))
    if not a.ndim == p.ndim == n.ndim:
        raise ShapeError(f"{name}: the anchor, positive, and negative tensors are expected to "
                         f"have the same number of dimensions, but got: anchor {a.ndim}D, "
                         f"positive {p.ndim}D, and negative {n.ndim}D inputs")
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos = dist(a, p)
    d_neg = dist(a, n)
    if swap:
        d_neg = minimum(d_neg, dist(p, n))
    return _reduced(clamp_min(margin + d_pos - d_neg, 0), reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-class multi-label hinge loss, as `torch.nn.functional.multilabel_margin_loss`:

        ℓₙ = Σ_{j ∈ Yₙ} Σ_{i ∉ Yₙ} max(0, 1 − (xₙ[j] − xₙ[i])) / C

    input (C,) or (N, C) floats; target of the same shape, int64 class indices, whose entries
    from the first −1 on are ignored (Yₙ: those before it).  Default reduction='mean'
    (``size_average``/``reduce`` are PyTorch's deprecated aliases).  Backward: each active
    hinge adds 1/C to x[i] and −1/C to x[j].
    """
    from .loss import _legacy  # noqa: PLC0415
    name = "multilabel_margin_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    x = _input(input, name)
    if x.ndim not in (0, 1, 2):
        raise ShapeError(f"{name}: expected a 0-D, 1-D or 2-D input (N, C), got shape "
                         f"{shape_str(x.shape)}")
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype != np.int64:
        raise DTypeError(f"{name}: target must be an int64 (long) tensor of class indices, got "
                         f"dtype {t.dtype}")
    if tuple(t.shape) != tuple(x.shape):
        raise ShapeError(f"{name}: inconsistent target size: target {shape_str(t.shape)} for "
                         f"input of size {shape_str(x.shape)}")
    xd = x._data.reshape(-1, x.shape[-1]) if x.ndim else x._data.reshape(1, 1)
    xp = xp_of(xd)
    t2 = xp.asarray(t).reshape(xd.shape)
    nrows, c = xd.shape
    if t2.size and (bool((t2 < -1).any()) or bool((t2 >= c).any())):
        raise IndexRangeError(f"{name}: target entries must be class indices in [-1, {c}), got "
                              f"values from {int(t2.min())} to {int(t2.max())}")
    valid = xp.cumprod(t2 != -1, axis=1).astype(bool)           # before the first −1
    labels = xp.where(valid, t2, 0)
    onehot = (labels[:, :, None] == xp.arange(c)) & valid[:, :, None]   # (N, J, C)
    is_target = onehot.any(axis=1)                                 # (N, C)
    x_j = xp.take_along_axis(xd, labels, axis=1)                   # (N, J)
    hinge = 1.0 - x_j[:, :, None] + xd[:, None, :]                 # (N, J, C)
    active = (hinge > 0) & valid[:, :, None] & ~is_target[:, None, :]
    loss = (xp.where(active, hinge, 0.0).sum(axis=(1, 2)) / c).astype(xd.dtype)
    loss = loss.reshape(x.shape[:-1]) if x.ndim == 2 else loss.reshape(())
    out = _reduce(loss, reduction)
    count = loss.size

    def backward(g):
        s = _upstream(g, count, reduction)
        s = xp.broadcast_to(s, loss.shape).reshape(-1, 1) / c      # (N, 1)
        w = active.astype(xd.dtype)
        gx = w.sum(axis=1) - xp.einsum("nj,njc->nc", w.sum(axis=2), onehot.astype(xd.dtype))
        return (_result_array((gx * s).astype(xd.dtype).reshape(x.shape)),)

    return Tensor._op(out, (x,), backward)
