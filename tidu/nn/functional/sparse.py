"""Embedding lookup with a scatter-add backward pass."""
from __future__ import annotations

import numpy as np

from ...backend import index_add, like
from ...errors import ArgumentError, DTypeError, IndexRangeError, ShapeError, shape_str
from ...tensor import Tensor

__all__ = ["embedding"]


def _indices(input, num_embeddings: int, who: str) -> np.ndarray:
    """The integer index array of ``input`` (a tensor, an array or a list), checked."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"{who}: expected integer indices (e.g. int64), got dtype {idx.dtype}")
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= num_embeddings:
            bad = lo if lo < 0 else hi
            raise IndexRangeError(f"{who}: index {int(bad)} is out of range for {num_embeddings} "
                             f"embeddings (valid indices are 0 … {num_embeddings - 1})")
    return idx


def _padding_index(padding_idx, num_embeddings: int, who: str):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ArgumentError(f"{who}: padding_idx={padding_idx} must be within num_embeddings="
                            f"{num_embeddings} (−{num_embeddings} … {num_embeddings - 1})")
    return int(padding_idx) % num_embeddings


def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ``input`` of
    any shape: out[…, :] = weight[input[…], :], shape input.shape + (embedding_dim,).

    Backward: the output gradient is scatter-added into the rows it came from (an index
    that repeats accumulates every use); the ``padding_idx`` row (negative counts from the
    end, as PyTorch) gets no gradient.  Indices outside 0 … num_embeddings−1 raise an
    IndexError and non-integer indices a DTypeError.
    """
    return _embedding(input, weight, padding_idx, "embedding")


def _embedding(input, weight, padding_idx, who):
    if not isinstance(weight, Tensor):
        raise TypeError(f"{who}: weight must be a tidu.Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise ShapeError(f"{who}: weight must be 2-D (num_embeddings, embedding_dim), got shape "
                         f"{shape_str(weight.shape)}")
    num, dim = weight.shape
    idx = _indices(input, num, who)
    pad = _padding_index(padding_idx, num, who)
    wd = weight._data
    idx = like(wd, idx)
    out = wd[idx]

    def backward(g):
        flat = idx.reshape(-1)
        g2 = g.reshape(-1, dim)
        gw = np.zeros_like(wd)
        if type(gw) is not np.ndarray:  # on a GPU: an atomic scatter-add
            index_add(gw, flat, g2)
        elif flat.size:  # on the CPU: sort once, then one segment sum per distinct row
            order = np.argsort(flat, kind="stable")
            rows = flat[order]
            starts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
            if starts.size == rows.size:  # no repeated index: a plain scatter
                gw[rows] = g2[order]
            else:
                gw[rows[starts]] = np.add.reduceat(g2[order], starts, axis=0)
        if pad is not None:
            gw[pad] = 0
        return (gw,)

    return Tensor._op(out, (weight,), backward)
