"""One-hot encoding of class indices (as torch.nn.functional.one_hot)."""
from __future__ import annotations

import numbers

from ...backend import xp_of
from ...errors import ArgumentError, DTypeError, IndexRangeError
from ...tensor import Tensor

__all__ = ["one_hot"]


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """One-hot encode int64 class indices, as `torch.nn.functional.one_hot`:

        out[..., c] = 1 if tensor[...] == c else 0,   shape tensor.shape + (num_classes,)

    ``num_classes=-1`` (the default) uses max(tensor) + 1.  The result is int64 and carries
    no gradient.  As PyTorch, refuses a non-int64 tensor (`DTypeError`), negative class
    values or values ≥ ``num_classes`` (`IndexRangeError`), and an empty tensor with
    ``num_classes`` to infer (`ArgumentError`).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot: expected a tidu.Tensor of class indices, got "
                        f"{type(tensor).__name__}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral):
        raise ArgumentError(f"one_hot: num_classes must be an int, got {num_classes!r} "
                            f"({type(num_classes).__name__})")
    num_classes = int(num_classes)
    x = tensor._data
    if x.dtype.kind != "i" or x.dtype.itemsize != 8:
        raise DTypeError(f"one_hot: expected an int64 tensor of class indices (as PyTorch's "
                         f"LongTensor), got dtype {x.dtype}; convert it with .long()")
    if x.size == 0:
        if num_classes <= 0:
            raise ArgumentError("one_hot: can not infer the number of classes from an empty "
                                "tensor; pass num_classes")
    else:
        low, high = int(x.min()), int(x.max())
        if low < 0:
            raise IndexRangeError(f"one_hot: class values must be non-negative, got {low}")
        if num_classes == -1:
            num_classes = high + 1
        elif high >= num_classes:
            raise IndexRangeError(f"one_hot: class values must be smaller than "
                                  f"num_classes={num_classes}, got {high}")
    xp = xp_of(x)
    out = (x[..., None] == xp.arange(num_classes, dtype=x.dtype)).astype(xp.int64)
    return Tensor(out, dtype=out.dtype)
