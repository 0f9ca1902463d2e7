"""torch's top-level names that tidu builds from its existing ops: aliases (multiply,
greater, concat, …), fused forms (addcmul, baddbmm, …), broadcasting, splitting
(tensor_split, hsplit, …) and selection (kthvalue, nanmedian, take_along_dim, msort).
Numerics, predicates and in-place forms are in `torch_extras_numeric`."""
from __future__ import annotations

import numbers
from collections import namedtuple

import numpy as np

from .._checks import normalize_dim
from ..errors import ArgumentError, DTypeError, ShapeError, shape_str
from ..tensor import Tensor
from .elementwise import _pair, abs, div, mul, neg, sub  # noqa: A004
from .elementwise_more import trunc
from .indexing import gather, sort
from .linalg import bmm, mv, outer
from .reduction import sum  # noqa: A004
from .shape import concatenate, flatten, getitem, reshape
from .shape_more import _int, broadcast_to, movedim
from .. import ops as _ops

__all__ = ["Size", "multiply", "divide", "subtract", "negative", "greater", "greater_equal",
           "less", "less_equal", "not_equal", "absolute", "concat", "clone", "detach", "addcmul",
           "addcdiv", "addmv", "addr", "addbmm", "baddbmm", "broadcast_tensors",
           "broadcast_shapes", "tensor_split", "hsplit", "vsplit", "dsplit", "moveaxis",
           "take_along_dim", "unravel_index", "kthvalue", "nanmedian", "msort", "ger"]

KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
NanmedianResult = namedtuple("nanmedian", ["values", "indices"])


class Size(tuple):
    """A shape, as torch.Size: a tuple of ints (``Size([2, 3]) == (2, 3)``) with
    ``numel()`` = Π sizes (1 for ``Size([])``).  Default: the empty shape."""

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, (numbers.Integral,)) and not (
                    isinstance(s, Tensor) and s.ndim == 0 and s.dtype.kind in "iu"):
                raise TypeError(f"Size: sizes must be ints, got {type(s).__name__} ({s!r})")
        return super().__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    def __getitem__(self, key):
        out = super().__getitem__(key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __repr__(self) -> str:
        return f"tidu.Size({list(self)})"


# --------------------------------------------------------------------------- aliases
multiply = mul
negative = neg
absolute = abs
moveaxis = movedim
ger = outer


def greater(input, other) -> Tensor:  # noqa: A002 - torch's argument names
    """input > other, element-wise (alias of torch.gt)."""
    return _ops.gt(input, other)


def greater_equal(input, other) -> Tensor:  # noqa: A002
    """input ≥ other (alias of torch.ge)."""
    return _ops.ge(input, other)


def less(input, other) -> Tensor:  # noqa: A002
    """input < other (alias of torch.lt)."""
    return _ops.lt(input, other)


def less_equal(input, other) -> Tensor:  # noqa: A002
    """input ≤ other (alias of torch.le)."""
    return _ops.le(input, other)


def not_equal(input, other) -> Tensor:  # noqa: A002
    """input ≠ other (alias of torch.ne)."""
    return _ops.ne(input, other)


def subtract(input, other, *, alpha=1) -> Tensor:  # noqa: A002
    """input − alpha·other (alias of torch.sub; alpha default 1)."""
    return sub(input, other, alpha=alpha)


def concat(tensors, dim: int = 0) -> Tensor:
    """Join ``tensors`` along ``dim`` (default 0; alias of torch.cat)."""
    return concatenate(tensors, dim)


def clone(input, *, memory_format=None) -> Tensor:  # noqa: A002
    """A copy of ``input`` that stays in the graph (∂/∂input = identity)."""
    return _tensor(input, "clone").clone()


def detach(input) -> Tensor:  # noqa: A002
    """``input``'s values cut from the graph (shares its memory)."""
    return _tensor(input, "detach").detach()


def divide(input, other, *, rounding_mode=None) -> Tensor:  # noqa: A002
    """input / other (alias of torch.div).  rounding_mode: None (true division, default),
    'trunc' (round toward 0) or 'floor' (round toward −∞); a rounded quotient has zero
    gradient and keeps an integer dtype when both operands are integers."""
    if rounding_mode is None:
        return div(input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise ArgumentError(f"divide: rounding_mode must be None, 'trunc' or 'floor', "
                            f"got {rounding_mode!r}")
    a, b = _pair(input, other, "divide")
    x, y = a._data, b._data
    if x.dtype.kind == "f":
        q = div(a, b)
        return trunc(q) if rounding_mode == "trunc" else _ops.floor(q)
    floor = np.floor_divide(x, y)
    if rounding_mode == "floor":
        return Tensor._wrap(floor)
    inexact = (floor * y != x) & ((x < 0) != (y < 0))   # floor went one below trunc
    return Tensor._wrap(floor + inexact.astype(floor.dtype))


# --------------------------------------------------------------------------- fused
def _tensor(x, op, name="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {name} must be a tensor, got {type(x).__name__}")
    return x


def _beta_alpha(input, product, beta, alpha):  # noqa: A002
    """beta·input + alpha·product; with beta = 0 ``input`` is ignored (NaN in it does not
    propagate), as PyTorch."""
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return scaled
    return (input if beta == 1 else input * beta) + scaled


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """input + value·tensor1·tensor2 (value default 1)."""
    return input + mul(tensor1, tensor2) * value


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:  # noqa: A002
    """input + value·tensor1/tensor2 (value default 1)."""
    return input + div(tensor1, tensor2) * value


def addmv(input, mat, vec, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta·input + alpha·(mat @ vec) (beta, alpha default 1)."""
    return _beta_alpha(input, mv(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta·input + alpha·(vec1 ⊗ vec2) (beta, alpha default 1)."""
    return _beta_alpha(input, outer(vec1, vec2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta·input + alpha·Σ_b batch1[b] @ batch2[b] (beta, alpha default 1)."""
    return _beta_alpha(input, sum(bmm(batch1, batch2), 0), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta·input + alpha·(batch1 @ batch2) batched (beta, alpha default 1)."""
    return _beta_alpha(input, bmm(batch1, batch2), beta, alpha)


# --------------------------------------------------------------------------- broadcasting
def broadcast_shapes(*shapes) -> Size:
    """The shape all ``shapes`` broadcast to (ints count as 1-d shapes), as a `Size`."""
    shapes = [(s,) if isinstance(s, numbers.Integral) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {', '.join(map(shape_str, shapes))} cannot "
                         f"be broadcast to a single shape") from None


def broadcast_tensors(*tensors) -> tuple:
    """Each tensor expanded to the common broadcast shape (gradients summed back)."""
    shape = broadcast_shapes(*[_tensor(t, "broadcast_tensors", "tensors").shape
                               for t in tensors])
    return tuple(t if t.shape == shape else broadcast_to(t, shape) for t in tensors)


# --------------------------------------------------------------------------- splitting
def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:  # noqa: A002
    """Views of ``input`` along ``dim`` (default 0): an int n gives n parts, the first
    size % n of them one longer; a list of indices [i₀, i₁, …] gives input[:i₀],
    input[i₀:i₁], …, input[iₖ:] (a 0-d or 1-d integer tensor works as the int or list)."""
    _tensor(input, "tensor_split")
    if input.ndim == 0:
        raise ShapeError("tensor_split: expected at least a 1-dimensional tensor, got a 0-d one")
    d = normalize_dim(dim, input.ndim, "tensor_split")
    n = input.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec.dtype.kind not in "iu" or spec.ndim > 1:
            raise ArgumentError(f"tensor_split: a tensor indices_or_sections must be a 0-d or 1-d "
                                f"integer tensor, got dtype {spec.dtype}, shape {shape_str(spec.shape)}")
        spec = spec.item() if spec.ndim == 0 else spec.tolist()
    if isinstance(spec, (list, tuple)):
        idx = [_int(i, "indices", "tensor_split") for i in spec]
        bounds = [0] + idx + [n]
    else:
        parts = _int(spec, "sections", "tensor_split")
        if parts <= 0:
            raise ArgumentError(f"tensor_split: number of sections must be larger than 0, got {parts}")
        sizes = [n // parts + 1] * (n % parts) + [n // parts] * (parts - n % parts)
        bounds = np.cumsum([0] + sizes).tolist()
    return tuple(getitem(input, (slice(None),) * d + (slice(lo, hi),))
                 for lo, hi in zip(bounds[:-1], bounds[1:]))


def _directional_split(input, spec, dim, min_ndim, op):  # noqa: A002
    _tensor(input, op)
    if input.ndim < min_ndim:
        raise ShapeError(f"{op}: requires a tensor with at least {min_ndim} dimension(s), but got a "
                         f"tensor with {input.ndim} dimensions")
    if isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
        if spec == 0 or input.shape[dim] % spec:
            raise ArgumentError(f"{op}: attempted to split along dimension {dim}, but the size of "
                                f"the dimension {input.shape[dim]} is not divisible by the "
                                f"split_size {spec}!")
    return tensor_split(input, spec, dim)


def hsplit(input, indices_or_sections) -> tuple:  # noqa: A002
    """tensor_split along dim 1 (dim 0 for a 1-d input); an int must divide the size."""
    dim = 0 if isinstance(input, Tensor) and input.ndim == 1 else 1
    return _directional_split(input, indices_or_sections, dim, 1, "hsplit")


def vsplit(input, indices_or_sections) -> tuple:  # noqa: A002
    """tensor_split along dim 0 of an input of ≥ 2 dims; an int must divide the size."""
    return _directional_split(input, indices_or_sections, 0, 2, "vsplit")


def dsplit(input, indices_or_sections) -> tuple:  # noqa: A002
    """tensor_split along dim 2 of an input of ≥ 3 dims; an int must divide the size."""
    return _directional_split(input, indices_or_sections, 2, 3, "dsplit")


# --------------------------------------------------------------------------- selection
def take_along_dim(input, indices, dim=None) -> Tensor:  # noqa: A002
    """out[…, i, …] = input[…, indices[…, i, …], …] along ``dim``; the two broadcast in the
    other dims.  dim=None (default): both are flattened first."""
    _tensor(input, "take_along_dim")
    _tensor(indices, "take_along_dim", "indices")
    if indices.dtype.kind not in "iu":
        raise DTypeError(f"take_along_dim: indices must be an integer tensor, got dtype {indices.dtype}")
    if dim is None:
        return gather(flatten(input), 0, flatten(indices))
    d = normalize_dim(dim, input.ndim, "take_along_dim")
    if indices.ndim != input.ndim:
        raise ShapeError(f"take_along_dim: input and indices should have the same number of "
                         f"dimensions, got {input.ndim} and {indices.ndim}")
    a_shape, i_shape = list(input.shape), list(indices.shape)
    a_shape[d] = i_shape[d] = 1
    common = list(broadcast_shapes(a_shape, i_shape))
    src = broadcast_to(input, common[:d] + [input.shape[d]] + common[d + 1:])
    idx = broadcast_to(indices, common[:d] + [indices.shape[d]] + common[d + 1:])
    return gather(src, d, idx)


def unravel_index(indices, shape) -> tuple:
    """The coordinates of flat ``indices`` in an array of ``shape`` (row-major), one int64
    tensor per dim; negative indices count from the end, as PyTorch."""
    idx = indices if isinstance(indices, Tensor) else Tensor(np.asarray(indices))
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"unravel_index: expected 'indices' to be an integer tensor, got dtype {idx.dtype}")
    shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(int(s) for s in shape)
    total = int(np.prod(shape, dtype=np.int64))
    flat = idx._data.astype(np.int64)
    if flat.size and (bool((flat >= total).any()) or bool((flat < -total).any())):
        raise IndexError(f"unravel_index: 'indices' must be in range [{-total}, {total - 1}] for "
                         f"shape {shape_str(shape)}")
    flat = np.where(flat < 0, flat + total, flat)
    strides = np.cumprod((shape[1:] + (1,))[::-1])[::-1].tolist()
    return tuple(Tensor._wrap((flat // st) % sz) for st, sz in zip(strides, shape))


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):  # noqa: A002
    """The named tuple (values, indices) of the k-th smallest entry (1-based) along ``dim``
    (default −1); the value's gradient goes to the index picked."""
    _tensor(input, "kthvalue")
    size = input.shape[normalize_dim(dim, input.ndim, "kthvalue")] if input.ndim else 1
    k = _int(k, "k", "kthvalue")
    if not 1 <= k <= size:
        raise IndexError(f"kthvalue: k={k} is out of range for dim {dim} of size {size} (expected 1 ≤ k ≤ {size})")
    if input.ndim == 0:
        return KthvalueResult(input.clone(), Tensor._wrap(np.zeros_like(input._data, dtype=np.int64)))
    d = normalize_dim(dim, input.ndim, "kthvalue")
    values, order = sort(input, d, stable=True)
    pick = (slice(None),) * d + (slice(k - 1, k),)
    v, i = getitem(values, pick), Tensor._wrap(order._data[pick])
    if not keepdim:
        v, i = _ops.squeeze(v, d), Tensor._wrap(i._data.squeeze(d))
    return KthvalueResult(v, i)


def nanmedian(input, dim=None, keepdim: bool = False):  # noqa: A002
    """The lower median ignoring NaN (the ⌊(m−1)/2⌋-th smallest of the m non-NaN values; NaN
    where all are NaN).  dim=None (default): a 0-d tensor over all elements; else the named
    tuple (values, indices) along ``dim``.  The gradient goes to the element picked."""
    _tensor(input, "nanmedian")
    if dim is None:
        flat = reshape(input, (-1,))
        if flat.shape[0] == 0:
            raise ShapeError("nanmedian: of an empty tensor (as torch, there is none)")
        return reshape(nanmedian(flat, 0).values, ())
    if input.ndim == 0:
        return NanmedianResult(input.clone(), Tensor._wrap(np.zeros_like(input._data, dtype=np.int64)))
    d = normalize_dim(dim, input.ndim, "nanmedian")
    if input.shape[d] == 0:
        raise ShapeError(f"nanmedian: dim {d} of shape {shape_str(input.shape)} is empty")
    x = input._data
    order = np.argsort(x, axis=d, kind="stable")        # NaN sort last
    valid = np.sum(~np.isnan(x), axis=d, keepdims=True)
    # an all-NaN slice picks its middle NaN, as PyTorch
    where = np.where(valid > 0, (valid - 1) // 2, (x.shape[d] - 1) // 2)
    idx = np.take_along_axis(order, where, d).astype(np.int64)
    values = gather(input, d, Tensor._wrap(idx))
    if not keepdim:
        values, idx = _ops.squeeze(values, d), idx.squeeze(d)
    return NanmedianResult(values, Tensor._wrap(idx))


def msort(input) -> Tensor:  # noqa: A002
    """``input`` sorted ascending along dim 0 (torch.sort(input, dim=0).values)."""
    return sort(_tensor(input, "msort"), 0).values
