"""Diagonals and triangles, as PyTorch's: diagonal, diag_embed, diagflat, triu_indices,
tril_indices.  A diagonal is read or written through one pair of index arrays (rows, cols)
of the two dims it lies in, so each gradient writes or reads that same diagonal."""
from __future__ import annotations

import numpy as np

from .._checks import normalize_dim
from ..errors import ArgumentError, DimError, DTypeError
from ..backend import xp_of
from ..tensor import Tensor
from .shape import flatten

__all__ = ["diagonal", "diag_embed", "diagflat", "triu_indices", "tril_indices"]


def _tensor(t, op):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: input must be a tensor, got {type(t).__name__}")


def _diagonal_cells(xp, rows: int, cols: int, offset: int):
    """(rows, cols) index arrays of diagonal ``offset`` of a rows×cols matrix."""
    n = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    i = xp.arange(n) + max(-offset, 0)
    return i, i + offset


def _two_dims(dim1, dim2, ndim, op):
    d1 = normalize_dim(dim1, ndim, op, "dim1")
    d2 = normalize_dim(dim2, ndim, op, "dim2")
    if d1 == d2:
        raise DimError(f"{op}: dim1 and dim2 must differ, both are {d1}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """out[…, k] = input[…, i_k, i_k + offset] over dims ``dim1`` and ``dim2`` (defaults 0,
    0, 1), the diagonal appended as the last dim, as torch.diagonal.  The gradient writes g
    back on that diagonal (zeros elsewhere)."""
    _tensor(input, "diagonal")
    if input.ndim < 2:
        raise DimError(f"diagonal: expects a tensor of at least 2 dims, got {input.ndim}-D")
    d1, d2 = _two_dims(dim1, dim2, input.ndim, "diagonal")
    offset = int(offset)
    x = input._data
    xp = xp_of(x)
    rows, cols = _diagonal_cells(xp, x.shape[d1], x.shape[d2], offset)
    moved = xp.moveaxis(x, (d1, d2), (-2, -1))
    shape = x.shape

    def backward(g):
        full = xp.zeros(shape, dtype=g.dtype)
        xp.moveaxis(full, (d1, d2), (-2, -1))[..., rows, cols] = g  # a view: writes into full
        return (full,)

    return Tensor._op(moved[..., rows, cols], (input,), backward)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Each last-dim vector of ``input`` (length n) put on diagonal ``offset`` of an
    (n + |offset|)-square matrix lying in dims ``dim1``, ``dim2`` of the (ndim + 1)-D output
    (defaults 0, −2, −1), zeros elsewhere, as torch.diag_embed.  The gradient reads that
    diagonal back."""
    _tensor(input, "diag_embed")
    x = input._data
    if x.ndim == 0:
        raise DimError("diag_embed: expects a tensor of at least 1 dim, got a 0-d tensor")
    d1, d2 = _two_dims(dim1, dim2, x.ndim + 1, "diag_embed")
    offset = int(offset)
    n = x.shape[-1] + abs(offset)
    xp = xp_of(x)
    rows, cols = _diagonal_cells(xp, n, n, offset)
    square = xp.zeros(x.shape[:-1] + (n, n), dtype=x.dtype)
    square[..., rows, cols] = x
    # moveaxis puts (-2, -1) at (d1, d2); with d1 > d2 the matrix is transposed, as torch
    out = xp.moveaxis(square, (-2, -1), (d1, d2))

    def backward(g):
        return (xp.moveaxis(g, (d1, d2), (-2, -1))[..., rows, cols],)

    return Tensor._op(out, (input,), backward)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """The flattened ``input`` on diagonal ``offset`` (default 0) of a square 2-D matrix,
    as torch.diagflat."""
    _tensor(input, "diagflat")
    return diag_embed(flatten(input), offset)


def _indices(op, np_fn, row, col, offset, dtype, device):
    for name, v in (("row", row), ("col", col), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ArgumentError(f"{op}: {name} must be an int, got {v!r}")
    if row < 0 or col < 0:
        raise ArgumentError(f"{op}: row and col must be ≥ 0, got row={row}, col={col}")
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype not in (np.dtype(np.int64), np.dtype(np.int32)):
        raise DTypeError(f"{op}: dtype must be int64 or int32, got {dtype}")
    i, j = np_fn(int(row), int(offset), int(col))
    return Tensor(np.stack([i, j]).astype(dtype), device=device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (row, col) coordinates of the upper triangle j − i ≥ ``offset`` (default 0) of a
    row×col matrix as a 2×N int64 tensor, in row-major order, as torch.triu_indices."""
    return _indices("triu_indices", np.triu_indices, row, col, offset, dtype, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (row, col) coordinates of the lower triangle j − i ≤ ``offset`` (default 0) of a
    row×col matrix as a 2×N int64 tensor, in row-major order, as torch.tril_indices."""
    return _indices("tril_indices", np.tril_indices, row, col, offset, dtype, device)
