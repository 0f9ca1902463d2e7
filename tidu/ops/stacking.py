"""Stacking and turning, as PyTorch's: atleast_1d/2d/3d, hstack, vstack (row_stack),
dstack, column_stack, block_diag, flipud, fliplr, rot90.  All are compositions of reshape,
cat, pad, flip and transpose, so their gradients come from those."""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import normalize_dim
from ..errors import ArgumentError, DimError
from ..tensor import Tensor
from .shape import _same_dtype, concatenate, pad, permute, reshape
from .shape_more import flip

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack",
           "column_stack", "block_diag", "flipud", "fliplr", "rot90"]


def _tensors_arg(tensors, op):
    """f(a, b) or f([a, b]) or f((a, b)) as a list of tensors."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor) and op in _SEQUENCE_ONLY:
        raise TypeError(f"{op}: expected a sequence of tensors, got one tensor (wrap it in a "
                        f"list)")
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expects tensors, got {type(t).__name__}")
    return list(tensors)


_SEQUENCE_ONLY = ("hstack", "vstack", "dstack", "column_stack")


def _atleast(op, tensors, shape_of):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    outs = [t if t.ndim >= len(shape_of((1,))) else reshape(t, shape_of(t.shape))
            for t in _tensors_arg(tensors, op)]
    return outs[0] if single else tuple(outs)


def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (a 0-d tensor → shape (1,)); one tensor in,
    one out, else a tuple, as torch.atleast_1d."""
    return _atleast("atleast_1d", tensors, lambda s: (1,) if not s else s)


def atleast_2d(*tensors):
    """Each tensor viewed with at least 2 dims: () → (1, 1), (n,) → (1, n)."""
    return _atleast("atleast_2d", tensors, lambda s: (1,) * (2 - len(s)) + tuple(s))


def atleast_3d(*tensors):
    """Each tensor viewed with at least 3 dims: () → (1, 1, 1), (n,) → (1, n, 1),
    (m, n) → (m, n, 1), as torch.atleast_3d."""
    def shape(s):
        s = tuple(s)
        return {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s)
    return _atleast("atleast_3d", tensors, shape)


def _as_list(r):
    return list(r) if isinstance(r, tuple) else [r]


def _cat(tensors, dim, op):
    tensors = _same_dtype(tensors, op)
    return concatenate(tensors, dim=dim)


def hstack(tensors) -> Tensor:
    """Join along dim 1, or dim 0 when the tensors are 1-D (0-d ones become 1-D), as
    torch.hstack."""
    ts = _as_list(atleast_1d(*_tensors_arg((tensors,), "hstack")))
    return _cat(ts, 0 if ts and ts[0].ndim == 1 else 1, "hstack")


def vstack(tensors) -> Tensor:
    """Join along dim 0 after `atleast_2d` (a 1-D tensor becomes one row), as torch.vstack."""
    return _cat(_as_list(atleast_2d(*_tensors_arg((tensors,), "vstack"))), 0, "vstack")


row_stack = vstack


def dstack(tensors) -> Tensor:
    """Join along dim 2 after `atleast_3d`, as torch.dstack."""
    return _cat(_as_list(atleast_3d(*_tensors_arg((tensors,), "dstack"))), 2, "dstack")


def column_stack(tensors) -> Tensor:
    """0-d and 1-D tensors become columns (n, 1), then all join along dim 1, as
    torch.column_stack."""
    ts = [reshape(t, (t._data.size, 1)) if t.ndim <= 1 else t
          for t in _tensors_arg((tensors,), "column_stack")]
    return _cat(ts, 1, "column_stack")


def block_diag(*tensors) -> Tensor:
    """The block-diagonal matrix of ``tensors`` (each 0-, 1- or 2-D; a 1-D one is a row),
    zeros off the blocks, as torch.block_diag."""
    blocks = []
    for i, t in enumerate(_tensors_arg(tensors, "block_diag")):
        if t.ndim > 2:
            raise DimError(f"block_diag: input {i} must have 2 or fewer dims, got {t.ndim}")
        blocks.append(reshape(t, (1,) * (2 - t.ndim) + tuple(t.shape)))
    if not blocks:
        return Tensor(np.zeros((1, 0)))
    blocks = _same_dtype(blocks, "block_diag")
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:  # one pad per block (a handful), each vectorized
        rows.append(pad(b, ((0, 0), (left, width - left - b.shape[1]))))
        left += b.shape[1]
    return concatenate(rows, dim=0)


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` upside down: dim 0 reversed (at least 1 dim), as torch.flipud."""
    if not isinstance(input, Tensor) or input.ndim < 1:
        raise DimError("flipud: expects a tensor of at least 1 dim")
    return flip(input, 0)


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` left to right: dim 1 reversed (at least 2 dims), as torch.fliplr."""
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise DimError("fliplr: expects a tensor of at least 2 dims")
    return flip(input, 1)


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:  # noqa: A002
    """``input`` rotated by k·90° in the plane of ``dims`` (default k=1, dims=[0, 1]), from
    the first dim toward the second, as torch.rot90 (k may be negative)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"rot90: input must be a tensor, got {type(input).__name__}")
    dims = list(dims)
    if len(dims) != 2:
        raise ArgumentError(f"rot90: expected total rotation dims == 2, got {len(dims)}")
    if input.ndim < 2:
        raise DimError(f"rot90: expected total dims >= 2, got {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim, "rot90", "dims") for d in dims)
    if d0 == d1:
        raise DimError(f"rot90: rotation dims must differ, got dims={dims}")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ArgumentError(f"rot90: k must be an int, got {k!r}")
    k = int(k) % 4
    if k == 0:
        return reshape(input, input.shape)
    if k == 2:
        return flip(input, d0, d1)
    order = list(range(input.ndim))
    order[d0], order[d1] = order[d1], order[d0]
    return permute(flip(input, d1), order) if k == 1 else flip(permute(input, order), d1)
