"""Ops that move values without changing them: reshape, permute/transpose, indexing,
concatenate, stack, pad.  Their gradients route values back (indexing scatters, and
repeated indices accumulate)."""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError, shape_str
from .. import backend
from ..backend import index_add, xp_of
from ..tensor import Tensor
from .elementwise import lift


def reshape(a: Tensor, *shape) -> Tensor:
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    src = a.data.shape
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise ShapeError(
            f"reshape: cannot reshape a tensor of shape {shape_str(src)} ({a.data.size} values) "
            f"into {tuple(shape)}"
        ) from None
    return Tensor._op(out, (a,), lambda g: (g.reshape(src),))


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = a.data.shape
    if not shape:
        return reshape(a, (1,))
    start, end = start_dim % len(shape), end_dim % len(shape)
    return reshape(a, shape[:start] + (-1,) + shape[end + 1:])


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    return reshape(a, np.expand_dims(a.data, dim).shape)


def squeeze(a: Tensor, dim=None) -> Tensor:
    return reshape(a, np.squeeze(a.data, dim).shape)


def permute(a: Tensor, *dims) -> Tensor:
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
        dims = tuple(dims[0])
    if sorted(d % max(a.ndim, 1) for d in dims) != list(range(a.ndim)):
        raise ShapeError(f"permute: {dims} is not a permutation of the {a.ndim} dims of a "
                         f"tensor of shape {shape_str(a.shape)}")
    inverse = np.argsort([d % a.ndim for d in dims])
    return Tensor._op(a.data.transpose(dims), (a,), lambda g: (g.transpose(inverse),))


def transpose(a: Tensor, dim0: int = -2, dim1: int = -1) -> Tensor:
    """Swap two dims (as torch.transpose)."""
    dims = list(range(a.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(a, dims)


def _plain_index(idx, like):
    """Replace tensors in an index by their arrays, on ``like``'s device; report whether it
    is advanced indexing (index arrays, whose repeats must accumulate in the gradient)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    out, advanced = [], False
    for p in parts:
        if isinstance(p, Tensor):
            p = p.data
        if isinstance(p, list) or (hasattr(p, "ndim") and not isinstance(p, np.generic)):
            advanced = True
            p = backend.like(like, np.asarray(p) if isinstance(p, list) else p)
        out.append(p)
    return (tuple(out) if isinstance(idx, tuple) else out[0]), advanced


def getitem(a: Tensor, idx) -> Tensor:
    src = a.data
    idx, advanced = _plain_index(idx, src)

    def backward(g):
        full = xp_of(g).zeros(src.shape, dtype=g.dtype)
        if advanced:
            index_add(full, idx, g)  # repeated indices accumulate
        else:
            full[idx] = g
        return (full,)

    return Tensor._op(src[idx], (a,), backward)


def concatenate(tensors, axis: int = 0) -> Tensor:
    tensors = _same_dtype(tensors, "concatenate")
    try:
        out = np.concatenate([t.data for t in tensors], axis=axis)
    except ValueError:
        shapes = ", ".join(shape_str(t.shape) for t in tensors)
        raise ShapeError(f"concatenate(axis={axis}): shapes {shapes} differ off the axis") from None
    bounds = np.cumsum([t.data.shape[axis] for t in tensors])[:-1].tolist()
    return Tensor._op(out, tuple(tensors), lambda g: tuple(np.split(g, bounds, axis=axis)))


def stack(tensors, axis: int = 0) -> Tensor:
    tensors = _same_dtype(tensors, "stack")
    shapes = {t.data.shape for t in tensors}
    if len(shapes) != 1:
        raise ShapeError(f"stack: all tensors need one shape, got "
                         f"{', '.join(shape_str(s) for s in shapes)}")
    out = np.stack([t.data for t in tensors], axis=axis)
    n = len(tensors)
    return Tensor._op(out, tuple(tensors),
                      lambda g: tuple(np.squeeze(p, axis) for p in np.split(g, n, axis=axis)))


def _same_dtype(tensors, op):
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    first = next((t for t in tensors if isinstance(t, Tensor)), None) or Tensor(tensors[0])
    return [lift(t, first, op) for t in tensors]


def pad(a: Tensor, pad_width, value: float = 0.0) -> Tensor:
    """Constant padding, NumPy's ``pad_width`` convention ((before, after) per axis)."""
    width = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (a.ndim, 2))
    if (width < 0).any():
        raise ValueError(f"pad: widths must be ≥ 0, got {width.tolist()}")
    out = np.pad(a.data, width.tolist(), mode="constant", constant_values=value)
    inner = tuple(slice(b, b + n) for (b, _), n in zip(width, a.data.shape))
    return Tensor._op(out, (a,), lambda g: (g[inner],))
