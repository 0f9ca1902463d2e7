"""The hinge embedding loss, as `torch.nn.functional.hinge_embedding_loss`."""
from __future__ import annotations

import numpy as np

from ...errors import DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from .loss import _check_reduction, _elementwise, _input, _legacy, _target

__all__ = ["hinge_embedding_loss"]


def hinge_embedding_loss(input: Tensor, target, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = xᵢ for yᵢ = 1, max(0, margin − xᵢ) for yᵢ = −1, as PyTorch (whose formula adds
    both terms for a label that is neither: [y ≠ −1]·x + [y ≠ 1]·max(0, margin − x)).
    Defaults margin=1.0, reduction='mean'.  The target (labels, any numeric dtype) must have
    the input's shape or broadcast to it; it gets no gradient.  Gradient
    [y ≠ −1] − [y ≠ 1]·[margin − x > 0]."""
    name = "hinge_embedding_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, name)
    x = _input(input, name)
    t = _target(target, x)
    td = t._data
    if td.dtype.kind not in "fiub":
        raise DTypeError(f"{name}: target must be numeric labels (±1), got dtype {td.dtype}")
    try:
        fits = np.broadcast_shapes(td.shape, x.shape) == tuple(x.shape)
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{name}: target of shape {shape_str(td.shape)} must have the input's "
                         f"shape {shape_str(x.shape)} or broadcast to it")
    xd = x._data
    positive = np.broadcast_to(td != -1, xd.shape)
    negative = np.broadcast_to(td != 1, xd.shape)
    hinge = margin - xd
    active = hinge > 0
    loss = np.where(positive, xd, 0) + np.where(negative & active, hinge, 0)
    loss = loss.astype(xd.dtype, copy=False)
    return _elementwise(name, x, None, loss, reduction,
                        lambda: (positive.astype(xd.dtype) - (negative & active)).astype(xd.dtype))
