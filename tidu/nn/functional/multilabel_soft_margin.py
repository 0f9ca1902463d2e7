"""The multi-label soft-margin loss (one logistic loss per class, averaged over the classes),
as torch.nn.functional.multilabel_soft_margin_loss.

For input x and target y of shape (…, C) (y ∈ {0, 1}, or any float), optional class weights w
broadcasting to (…, C):

    ℓ = −(1/C) Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)]
      =  (1/C) Σ_c w_c [softplus(x_c) − y_c x_c]

one value per row (shape (…)), then reduced ('mean' over the rows by default).  Computed with
softplus, finite for any x.  One graph node: ∂ℓ/∂x_c = w_c (σ(x_c) − y_c)/C and, for a target
that requires grad, ∂ℓ/∂y_c = −w_c x_c/C.  The weight is a constant (no gradient).
"""
from __future__ import annotations

import numpy as np

from ...errors import ShapeError
from ...tensor import Tensor, _result_array
from .loss import (_check_reduction, _const, _float_target, _input, _legacy, _reduce, _sigmoid,
                   _upstream)

__all__ = ["multilabel_soft_margin_loss"]


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """ℓ = (1/C) Σ_c w_c [softplus(x_c) − y_c x_c] per row over the last dim C (see the module
    docstring); ``weight=None``, ``reduction='mean'`` ('none' keeps shape input.shape[:-1]).
    Input and target must have the same shape (tidu does not broadcast losses)."""
    name = "multilabel_soft_margin_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    x = _input(input, name)
    if x.ndim < 1:
        raise ShapeError(f"{name}: input must have a class dim (shape (N, C) or (C,)), got a "
                         f"0-d tensor")
    t = _float_target(target, x, name)
    w = _const(weight, x, name, "weight", broadcast_to=x.shape)
    xd, td = x._data, t._data
    c = xd.shape[-1]
    elem = np.maximum(xd, 0) + np.log1p(np.exp(-np.abs(xd))) - td * xd
    if w is not None:
        elem = elem * w
    rows = (elem.sum(axis=-1) / c).astype(xd.dtype, copy=False)
    out = _reduce(rows, reduction)
    n = rows.size

    def backward(g):
        s = _upstream(g, n, reduction)
        if reduction == "none":
            s = s[..., None]  # one upstream value per row, over its C classes
        scale = s / c if w is None else s * w / c
        gx = _result_array((_sigmoid(xd) - td) * scale) if x.requires_grad else None
        gt = _result_array(-xd * scale) if t.requires_grad else None
        return gx, gt

    return Tensor._op(out, (x, t), backward)
