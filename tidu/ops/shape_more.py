"""More ops that move values, as PyTorch's: chunk, split, unbind, narrow, flip, roll,
tril/triu, tile, repeat_interleave, unflatten, broadcast_to, reshape_as, ravel, movedim,
swapaxes/swapdims and the ``mT`` property.  Pieces (split, chunk, unbind, narrow) are
slices of the input, so their gradients land in their part of it."""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import normalize_dim, normalize_dims
from ..backend import index_add, like, xp_of
from ..errors import ArgumentError, DimError, ShapeError, shape_str
from ..tensor import Tensor
from .shape import _shape_args, expand, getitem, permute, repeat, reshape, transpose


def _int(value, name, op, low=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{op}: {name} must be an int, got {value!r} ({type(value).__name__})")
    if low is not None and value < low:
        raise ArgumentError(f"{op}: {name} must be ≥ {low}, got {value}")
    return int(value)


def _slice(a: Tensor, dim: int, start: int, stop: int) -> Tensor:
    return getitem(a, (slice(None),) * dim + (slice(start, stop),))


def _need_dims(a, op):
    if a.ndim == 0:
        raise DimError(f"{op}: expects a tensor with at least 1 dim, got a 0-d tensor")


def split(a: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Pieces of ``a`` along ``dim``: an int gives pieces of that size (the last one smaller
    when the size does not divide), a list gives the size of each piece (they must add up to
    the dim's size), as torch.split."""
    _need_dims(a, "split")
    d = normalize_dim(dim, a.ndim, "split")
    n = a.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [_int(s, "split_sizes", "split", low=0) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ShapeError(f"split: split_sizes {list(sizes)} add up to {sum(sizes)}, but dim "
                             f"{d} of shape {shape_str(a.shape)} has size {n}")
    else:
        size = _int(split_size_or_sections, "split_size", "split", low=0)
        if size == 0:
            if n:
                raise ArgumentError(f"split: split_size 0 cannot split a dim of size {n}")
            sizes = [0]
        else:
            sizes = [size] * (n // size) + ([n % size] if n % size else [])
            sizes = sizes or [0]
    bounds = np.cumsum([0] + sizes).tolist()
    return tuple(_slice(a, d, lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]))


def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` pieces of size ⌈n/chunks⌉ along ``dim`` (fewer when that size covers the
    dim sooner, the last one smaller), as torch.chunk."""
    chunks = _int(chunks, "chunks", "chunk", low=1)
    _need_dims(a, "chunk")
    d = normalize_dim(dim, a.ndim, "chunk")
    n = a.shape[d]
    return split(a, max(-(-n // chunks), 1) if n else 1, d)


def unbind(a: Tensor, dim: int = 0) -> tuple:
    """The slices of ``a`` along ``dim``, with that dim removed (as torch.unbind)."""
    _need_dims(a, "unbind")
    d = normalize_dim(dim, a.ndim, "unbind")
    return tuple(getitem(a, (slice(None),) * d + (i,)) for i in range(a.shape[d]))


def narrow(a: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``a`` restricted to ``start`` … ``start + length − 1`` along ``dim`` (``start`` may
    count from the end), as torch.narrow."""
    _need_dims(a, "narrow")
    d = normalize_dim(dim, a.ndim, "narrow")
    n = a.shape[d]
    start = _int(start, "start", "narrow")
    length = _int(length, "length", "narrow", low=0)
    if not -n <= start <= n:
        raise IndexError(f"narrow: start={start} is out of range for dim {d} of size {n}")
    start %= n if n else 1
    if start + length > n:
        raise ShapeError(f"narrow: start ({start}) + length ({length}) exceeds dim {d} of size {n}")
    return _slice(a, d, start, start + length)


def _dims_arg(dims, op):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    return dims


def flip(a: Tensor, *dims, **kwargs) -> Tensor:
    """``a`` with the order of its entries reversed along ``dims`` (torch.flip(x, dims),
    torch.flip(x, dims=(0,)), or x.flip(0, 1)); the gradient is flipped back."""
    if set(kwargs) - {"dims"} or ("dims" in kwargs and dims):
        raise TypeError(f"flip() takes the dims positionally or as dims=, got {dims!r} and "
                        f"{kwargs!r}")
    dims = _dims_arg(dims if "dims" not in kwargs else (kwargs["dims"],), "flip")
    axes = normalize_dims(tuple(dims), a.ndim, "flip", "dims")
    if not axes:
        return reshape(a, a.shape)
    return Tensor._op(np.flip(a._data, axes), (a,), lambda g: (np.flip(g, axes),))


def roll(a: Tensor, shifts, dims=None) -> Tensor:
    """Entries shifted by ``shifts`` along ``dims``, those leaving one end coming back at the
    other (as torch.roll; ``dims=None`` rolls the flattened tensor and keeps the shape)."""
    if dims is None:
        if isinstance(shifts, (tuple, list)):
            if len(shifts) != 1:
                raise ArgumentError(f"roll: without dims, shifts must be one int, got {shifts!r}")
            shifts = shifts[0]
        s = _int(shifts, "shifts", "roll")
        shape = a.shape
        return Tensor._op(np.roll(a._data.reshape(-1), s).reshape(shape), (a,),
                          lambda g: (np.roll(g.reshape(-1), -s).reshape(shape),))
    many = isinstance(dims, (tuple, list))
    shifts_t = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims_t = tuple(dims) if many else (dims,)
    if len(shifts_t) != len(dims_t):
        raise ArgumentError(f"roll: shifts {shifts!r} and dims {dims!r} must have one length")
    s = tuple(_int(v, "shifts", "roll") for v in shifts_t)
    d = tuple(normalize_dim(v, a.ndim, "roll", "dims") for v in dims_t)
    back = tuple(-v for v in s)
    return Tensor._op(np.roll(a._data, s, d), (a,), lambda g: (np.roll(g, back, d),))


def _triangle(a, diagonal, keep_lower, op):
    if a.ndim < 2:
        raise DimError(f"{op}: expects a tensor with at least 2 dims (a matrix or a batch), "
                       f"got shape {shape_str(a.shape)}")
    k = _int(diagonal, "diagonal", op)
    tri = np.tril if keep_lower else np.triu
    return Tensor._op(tri(a._data, k), (a,), lambda g: (tri(g, k),))


def tril(a: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims: entries (i, j) with j − i ≤ ``diagonal``
    kept, the others 0 (as torch.tril)."""
    return _triangle(a, diagonal, True, "tril")


def triu(a: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle: entries with j − i ≥ ``diagonal`` kept (as torch.triu)."""
    return _triangle(a, diagonal, False, "triu")


def tile(a: Tensor, *dims) -> Tensor:
    """``a`` tiled ``dims[i]`` times along each dim, as torch.tile: unlike `repeat`, fewer
    counts than dims are padded with 1s in front."""
    reps = _shape_args(dims, "tile")
    reps = (1,) * (a.ndim - len(reps)) + reps
    return repeat(a, reps)


def repeat_interleave(a: Tensor, repeats, dim=None, *, output_size=None) -> Tensor:
    """Each entry repeated ``repeats`` times in place along ``dim`` (the flattened tensor
    when None), as torch.repeat_interleave: ``repeats`` an int or a 1-D integer tensor of one
    count per entry.  The gradient sums the copies back."""
    if dim is None:
        a = reshape(a, -1)
        dim = 0
    d = normalize_dim(dim, a.ndim, "repeat_interleave")
    x = a._data
    if not x.ndim:
        a, x, d = reshape(a, 1), x.reshape(1), 0
    n = x.shape[d]
    xp = xp_of(x)
    if isinstance(repeats, Tensor) or isinstance(repeats, (list, np.ndarray)):
        r = repeats._data if isinstance(repeats, Tensor) else like(x, np.asarray(repeats))
        if r.dtype.kind not in "iu":
            raise ArgumentError(f"repeat_interleave: repeats must be integers, got dtype {r.dtype}")
        r = r.reshape(-1)
        if r.shape[0] == 1:
            r = xp.broadcast_to(r, (n,))
        if r.shape[0] != n:
            raise ShapeError(f"repeat_interleave: {r.shape[0]} repeats for dim {d} of size {n}")
        if r.size and int(r.min()) < 0:
            raise ArgumentError("repeat_interleave: repeats must be ≥ 0")
    else:
        r = xp.full((n,), _int(repeats, "repeats", "repeat_interleave", low=0), dtype=np.int64)
    index = xp.repeat(xp.arange(n), r)
    out = np.take(x, index, axis=d)

    def backward(g):
        gm = np.moveaxis(g, d, 0)
        full = xp_of(g).zeros((n,) + gm.shape[1:], dtype=g.dtype)
        index_add(full, (index,), gm)
        return (np.moveaxis(full, 0, d),)

    return Tensor._op(out, (a,), backward)


def unflatten(a: Tensor, dim: int, sizes) -> Tensor:
    """Dim ``dim`` split into ``sizes`` (one may be -1), as torch.unflatten."""
    d = normalize_dim(dim, a.ndim, "unflatten")
    sizes = _shape_args((sizes,), "unflatten")
    return reshape(a, a.shape[:d] + sizes + a.shape[d + 1:])


def broadcast_to(a: Tensor, size) -> Tensor:
    """``a`` expanded to ``size`` (as torch.broadcast_to; see `expand`)."""
    return expand(a, size)


def reshape_as(a: Tensor, other: Tensor) -> Tensor:
    """``a`` reshaped to ``other``'s shape (as torch.Tensor.reshape_as)."""
    return reshape(a, other.shape)


def ravel(a: Tensor) -> Tensor:
    """The values as one dim (as torch.ravel)."""
    return reshape(a, -1)


def movedim(a: Tensor, source, destination) -> Tensor:
    """Dims ``source`` moved to the positions ``destination`` (ints or tuples of one length),
    the others keeping their order, as torch.movedim."""
    src = source if isinstance(source, (tuple, list)) else (source,)
    dst = destination if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise ArgumentError(f"movedim: source {source!r} and destination {destination!r} need "
                            f"one length")
    src = [normalize_dim(s, a.ndim, "movedim", "source") for s in src]
    dst = [normalize_dim(s, a.ndim, "movedim", "destination") for s in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise DimError(f"movedim: repeated dim in source {source!r} or destination "
                       f"{destination!r}")
    rest = [i for i in range(a.ndim) if i not in src]
    order = [None] * a.ndim
    for s, t in zip(src, dst):
        order[t] = s
    it = iter(rest)
    order = [o if o is not None else next(it) for o in order]
    return permute(a, order) if a.ndim else reshape(a, a.shape)


def swapaxes(a: Tensor, axis0: int, axis1: int) -> Tensor:
    """`transpose` (as torch.swapaxes)."""
    return transpose(a, axis0, axis1)


def swapdims(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """`transpose` (as torch.swapdims)."""
    return transpose(a, dim0, dim1)


def mT(a: Tensor) -> Tensor:  # noqa: N802 - torch's name
    """The last two dims swapped (Tensor.mT, a property)."""
    if a.ndim < 2:
        raise DimError(f"mT: expects a tensor with at least 2 dims, got shape {shape_str(a.shape)}")
    return transpose(a, -2, -1)


def unfold(a: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` values along ``dimension``, ``step`` apart, as
    torch.Tensor.unfold: that dim becomes the window count (n − size)//step + 1 and a new last
    dim of length ``size`` holds each window.  A value in several windows gets the sum of their
    gradients."""
    dim = normalize_dim(dimension, max(a.ndim, 1), "unfold", "dimension")
    size = _int(size, "size", "unfold", low=0)
    step = _int(step, "step", "unfold", low=1)
    x = a._data if a.ndim else a._data.reshape(1)
    n = x.shape[dim]
    if size > n:
        raise ShapeError(f"unfold: size={size} is larger than dimension {dim} of size {n} "
                         f"(shape {shape_str(a.shape)})")
    xp = xp_of(x)
    starts = xp.arange(0, n - size + 1, step)
    idx = starts[:, None] + xp.arange(size)[None, :]             # (windows, size)
    out = xp.moveaxis(xp.take(x, idx, axis=dim), dim + 1, -1)    # … windows … size

    def backward(g):
        g = xp_of(g).moveaxis(g, -1, dim + 1)                    # … windows, size …
        full = xp_of(g).zeros(x.shape, dtype=g.dtype)
        where = (slice(None),) * dim + (idx,)
        index_add(full, where, g)
        return (full.reshape(a.shape),)

    return Tensor._op(out, (a,), backward)
