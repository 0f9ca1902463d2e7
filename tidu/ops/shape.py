"""Ops that move values without changing them: reshape, permute/transpose, indexing,
concatenate, stack, pad.  Their gradients route values back (indexing scatters, and
repeated indices accumulate)."""
from __future__ import annotations

import numpy as np

from .._checks import normalize_dim, normalize_dims
from ..errors import ArgumentError, DimError, IndexRangeError, ShapeError, shape_str
from .. import backend
from ..backend import index_add, xp_of
from ..tensor import Tensor
from .elementwise import lift, unbroadcast


def _shape_args(shape, op):
    """``f(2, 3)`` or ``f((2, 3))`` as a tuple of ints; anything else is refused by name."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    try:
        items = tuple(shape)
    except TypeError:
        raise ShapeError(f"{op}: expected a shape (ints), got {shape!r}") from None
    for s in items:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise ShapeError(f"{op}: a shape holds ints, got {s!r} ({type(s).__name__}) in "
                             f"{items}")
    return tuple(int(s) for s in items)


def reshape(a: Tensor, *shape) -> Tensor:
    """The same values in a new shape; one size may be -1 (inferred)."""
    shape = _shape_args(shape, "reshape")
    src = a._data.shape
    if shape.count(-1) > 1 or any(s < -1 for s in shape):
        raise ShapeError(f"reshape: invalid target shape {shape}: sizes are ≥ 0, with at most "
                         f"one -1 to infer")
    try:
        out = a._data.reshape(shape)
    except ValueError:
        raise ShapeError(
            f"reshape: cannot reshape a tensor of shape {shape_str(src)} ({a._data.size} values) "
            f"into {shape}"
        ) from None
    return Tensor._op(out, (a,), lambda g: (g.reshape(src),))


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim`` … ``end_dim`` into one (a 0-d tensor becomes shape (1,))."""
    shape = a._data.shape
    start = normalize_dim(start_dim, len(shape), "flatten", "start_dim")
    end = normalize_dim(end_dim, len(shape), "flatten", "end_dim")
    if not shape:
        return reshape(a, (1,))
    if start > end:
        raise DimError(f"flatten: start_dim={start_dim} comes after end_dim={end_dim} for a "
                       f"{len(shape)}-D tensor")
    return reshape(a, shape[:start] + (-1,) + shape[end + 1:])


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at ``dim`` ∈ [-ndim-1, ndim] (as torch.unsqueeze)."""
    dim = normalize_dim(dim, a.ndim + 1, "unsqueeze")
    return reshape(a, a._data.shape[:dim] + (1,) + a._data.shape[dim:])


def squeeze(a: Tensor, dim=None) -> Tensor:
    """Drop dims of size 1: all of them (``dim=None``), or those of ``dim`` (an int or a
    tuple) that have size 1 — a named dim of another size is kept, as in PyTorch."""
    dims = normalize_dims(dim, a.ndim, "squeeze")
    shape = a._data.shape
    keep = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    return reshape(a, keep)


def permute(a: Tensor, *dims) -> Tensor:
    """Reorder the dims: ``dims`` is a permutation of range(ndim), negatives allowed."""
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
        dims = tuple(dims[0])
    if len(dims) != a.ndim:
        raise ShapeError(f"permute: dims {tuple(dims)} has {len(dims)} entries, a tensor of "
                         f"shape {shape_str(a.shape)} has {a.ndim} dims")
    norm = [normalize_dim(d, a.ndim, "permute", "dims") for d in dims]
    if sorted(norm) != list(range(a.ndim)):
        raise ShapeError(f"permute: {tuple(dims)} is not a permutation of the {a.ndim} dims of "
                         f"a tensor of shape {shape_str(a.shape)}")
    inverse = np.argsort(norm)
    return Tensor._op(a._data.transpose(norm), (a,), lambda g: (g.transpose(inverse),))


def transpose(a: Tensor, dim0: int = -2, dim1: int = -1) -> Tensor:
    """Swap two dims (as torch.transpose)."""
    dims = list(range(a.ndim))
    d0 = normalize_dim(dim0, a.ndim, "transpose", "dim0")
    d1 = normalize_dim(dim1, a.ndim, "transpose", "dim1")
    if a.ndim < 2:
        return reshape(a, a._data.shape)  # PyTorch: a 0-d or 1-d tensor is its own transpose
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(a, dims)


def _plain_index(idx, like):
    """Replace tensors in an index by their arrays, on ``like``'s device; report whether it
    is advanced indexing (index arrays, whose repeats must accumulate in the gradient)."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    out, advanced = [], False
    for p in parts:
        if isinstance(p, Tensor):
            p = p._data
        if isinstance(p, list) or (hasattr(p, "ndim") and not isinstance(p, np.generic)):
            advanced = True
            p = backend.like(like, np.asarray(p) if isinstance(p, list) else p)
        out.append(p)
    return (tuple(out) if isinstance(idx, tuple) else out[0]), advanced


def getitem(a: Tensor, idx) -> Tensor:
    src = a._data
    idx, advanced = _plain_index(idx, src)

    def backward(g):
        full = xp_of(g).zeros(src.shape, dtype=g.dtype)
        if advanced:
            index_add(full, idx, g)  # repeated indices accumulate
        else:
            full[idx] = g
        return (full,)

    try:
        out = src[idx]
    except IndexError as err:
        raise IndexRangeError(f"indexing a tensor of shape {shape_str(src.shape)}: {err}") from None
    return Tensor._op(out, (a,), backward)


def _dim_alias(op, axis, dim):
    """PyTorch's ``dim=`` spelling of ``axis`` (giving both is refused)."""
    if dim is None:
        return axis
    if axis != 0:
        raise ArgumentError(f"{op}: give axis= or its alias dim=, not both")
    return dim


def concatenate(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """Join tensors of one rank along ``axis`` (or ``dim=``, as torch.cat); their other dims
    must agree."""
    axis = _dim_alias("concatenate", axis, dim)
    tensors = _same_dtype(tensors, "concatenate")
    ranks = {t.ndim for t in tensors}
    if 0 in ranks:
        raise ShapeError("concatenate: a 0-d tensor cannot be concatenated (unsqueeze it first)")
    if len(ranks) != 1:
        raise ShapeError(f"concatenate: all tensors need one rank, got shapes "
                         f"{', '.join(shape_str(t.shape) for t in tensors)}")
    axis = normalize_dim(axis, tensors[0].ndim, "concatenate", "axis")
    off_axis = {t.shape[:axis] + t.shape[axis + 1:] for t in tensors}
    if len(off_axis) != 1:
        shapes = ", ".join(shape_str(t.shape) for t in tensors)
        raise ShapeError(f"concatenate(axis={axis}): shapes {shapes} differ off the axis")
    out = np.concatenate([t._data for t in tensors], axis=axis)
    bounds = np.cumsum([t._data.shape[axis] for t in tensors])[:-1].tolist()
    return Tensor._op(out, tuple(tensors), lambda g: tuple(np.split(g, bounds, axis=axis)))


def stack(tensors, axis: int = 0, *, dim=None) -> Tensor:
    """Join tensors of one shape along a new dim ``axis`` ∈ [-ndim-1, ndim] (or ``dim=``,
    as torch.stack)."""
    axis = _dim_alias("stack", axis, dim)
    tensors = _same_dtype(tensors, "stack")
    shapes = {t._data.shape for t in tensors}
    if len(shapes) != 1:
        raise ShapeError(f"stack: all tensors need one shape, got "
                         f"{', '.join(shape_str(s) for s in shapes)}")
    axis = normalize_dim(axis, tensors[0].ndim + 1, "stack", "axis")
    out = np.stack([t._data for t in tensors], axis=axis)
    n = len(tensors)
    return Tensor._op(out, tuple(tensors),
                      lambda g: tuple(np.squeeze(p, axis) for p in np.split(g, n, axis=axis)))


def _same_dtype(tensors, op):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}: expected a sequence of tensors, got one tensor of shape "
                        f"{shape_str(tensors.shape)} (wrap it in a list)")
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    first = next((t for t in tensors if isinstance(t, Tensor)), None)
    if first is None:  # (`or` would ask a tensor for its truth value)
        first = Tensor(tensors[0])
    return [lift(t, first, op) for t in tensors]


def pad(a: Tensor, pad_width, value: float = 0.0) -> Tensor:
    """Constant padding, NumPy's ``pad_width`` convention ((before, after) per axis)."""
    try:
        width = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (a.ndim, 2))
    except (ValueError, TypeError):
        raise ShapeError(f"pad: pad_width {pad_width!r} does not give (before, after) ints for "
                         f"each of the {a.ndim} dims of shape {shape_str(a.shape)}") from None
    if (width < 0).any():
        raise ValueError(f"pad: widths must be ≥ 0, got {width.tolist()}")
    out = np.pad(a._data, width.tolist(), mode="constant", constant_values=value)
    inner = tuple(slice(b, b + n) for (b, _), n in zip(width, a._data.shape))
    return Tensor._op(out, (a,), lambda g: (g[inner],))


# --------------------------------------------------------------------------- PyTorch views
def view_as(a: Tensor, other: Tensor) -> Tensor:
    """``a`` reshaped to ``other``'s shape (as torch.Tensor.view_as)."""
    return reshape(a, other.shape)


def t(a: Tensor) -> Tensor:
    """Transpose of a ≤ 2-D tensor (a 0-d or 1-d tensor is returned as it is), as torch.t."""
    if a.ndim > 2:
        raise DimError(f"t: expects a tensor with <= 2 dims, got {a.ndim}-D (shape "
                       f"{shape_str(a.shape)}); use transpose(dim0, dim1) or permute")
    return transpose(a, 0, 1) if a.ndim == 2 else reshape(a, a._data.shape)


def expand(a: Tensor, *sizes) -> Tensor:
    """``a`` broadcast to ``sizes`` without copying (as torch.Tensor.expand): -1 keeps a
    dim, only size-1 dims grow, new dims may be added in front (and there may not be -1).
    The gradient is summed back over the expanded dims."""
    sizes = _shape_args(sizes, "expand")
    src = a._data.shape
    if len(sizes) < len(src):
        raise ShapeError(f"expand: {len(sizes)} sizes {sizes} for a {a.ndim}-D tensor of shape "
                         f"{shape_str(src)}: give at least one size per dim")
    lead = len(sizes) - len(src)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise ShapeError(f"expand: size -1 is not allowed for a new leading dim {i} "
                                 f"(sizes {sizes})")
            target.append(s)
            continue
        n = src[i - lead]
        if s == -1:
            target.append(n)
        elif s != n and n != 1:
            raise ShapeError(f"expand: the size of dim {i - lead} ({n}) must match {s} or be 1 "
                             f"(expanding {shape_str(src)} to {sizes})")
        elif s < 0:
            raise ShapeError(f"expand: size {s} is invalid (sizes {sizes})")
        else:
            target.append(s)
    out = np.broadcast_to(a._data, tuple(target))
    return Tensor._op(out, (a,), lambda g: (unbroadcast(g, src),))


def expand_as(a: Tensor, other: Tensor) -> Tensor:
    """``a`` expanded to ``other``'s shape (as torch.Tensor.expand_as)."""
    return expand(a, other.shape)


def repeat(a: Tensor, *sizes) -> Tensor:
    """``a`` tiled ``sizes[i]`` times along each dim (as torch.Tensor.repeat, NumPy's tile):
    at least one count per dim, extra counts add leading dims.  The gradient sums the
    copies."""
    reps = _shape_args(sizes, "repeat")
    if len(reps) < a.ndim:
        raise ShapeError(f"repeat: {len(reps)} counts {reps} for a {a.ndim}-D tensor of shape "
                         f"{shape_str(a.shape)}: the number of counts can not be smaller "
                         f"than the number of dims")
    if any(r < 0 for r in reps):
        raise ShapeError(f"repeat: counts must be ≥ 0, got {reps}")
    src = a._data.shape
    padded = (1,) * (len(reps) - len(src)) + src
    out = np.tile(a._data.reshape(padded), reps)

    def backward(g):
        split = tuple(x for r, n in zip(reps, padded) for x in (r, n))
        summed = g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return (summed.reshape(src),)

    return Tensor._op(out, (a,), backward)
