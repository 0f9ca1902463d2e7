"""Grids and products, as PyTorch's: meshgrid, cartesian_prod, combinations, vander, kron,
tensordot, cross.  Most are reshapes and broadcasts of the inputs (gradients from those);
vander and cross carry their own."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._checks import normalize_dim
from ..backend import like, xp_of
from ..errors import ArgumentError, DimError, DTypeError, ShapeError, shape_str
from ..tensor import Tensor
from .elementwise import _check_broadcast, lift, mul, unbroadcast
from .linalg import matmul
from .shape import _same_dtype, expand, getitem, permute, reshape, stack
from .stacking import _tensors_arg

__all__ = ["meshgrid", "cartesian_prod", "combinations", "vander", "kron", "tensordot", "cross"]


def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids of 0-d or 1-D tensors x₁ … x_N (sizes n₁ … n_N): with
    ``indexing='ij'`` output k has shape (n₁, …, n_N) and out_k[i₁, …, i_N] = x_k[i_k];
    ``'xy'`` swaps the first two dims (Cartesian, as NumPy's default).  Omitting ``indexing``
    means 'ij' and warns, as torch.meshgrid."""
    ts = _tensors_arg(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ArgumentError(f"meshgrid: indexing must be one of 'xy', 'ij', got {indexing!r}")
    if not ts:
        raise ArgumentError("meshgrid: expects a non-empty list of tensors")
    for i, t in enumerate(ts):
        if t.ndim > 1:
            raise DimError(f"meshgrid: expected 0D or 1D tensors, got tensor {i} of shape "
                           f"{shape_str(t.shape)}")
    ts = _same_dtype(ts, "meshgrid")
    sizes = [t._data.size for t in ts]
    axes = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(ts)
    for axis, n in zip(axes, sizes):
        shape[axis] = n
    grids = []
    for t, axis in zip(ts, axes):
        view = [1] * len(ts)
        view[axis] = t._data.size
        grids.append(expand(reshape(t, view), shape))
    return tuple(grids)


def cartesian_prod(*tensors) -> Tensor:
    """All tuples (x₁[i₁], …, x_N[i_N]) of 1-D tensors as the rows of an (Πnₖ, N) tensor,
    the last index running fastest; one tensor is returned as it is, as
    torch.cartesian_prod."""
    ts = _tensors_arg(tensors, "cartesian_prod")
    for i, t in enumerate(ts):
        if t.ndim != 1:
            raise DimError(f"cartesian_prod: expects 1-D tensors, got tensor {i} of shape "
                           f"{shape_str(t.shape)}")
    if len(ts) == 1:
        return ts[0]
    grids = meshgrid(*ts, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], dim=1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """The length-``r`` combinations (default r=2) of the entries of a 1-D tensor as the
    rows of a (C, r) tensor, in lexicographic order of positions (i₁ < … < i_r, or ≤ with
    ``with_replacement``), as torch.combinations (r=0 gives an empty 1-D tensor)."""
    if not isinstance(input, Tensor) or input.ndim != 1:
        raise DimError(f"combinations: expects a 1-D tensor, got "
                       f"{shape_str(input.shape) if isinstance(input, Tensor) else type(input).__name__}")
    if isinstance(r, bool) or not isinstance(r, numbers.Integral) or r < 0:
        raise ArgumentError(f"combinations: r must be a non-negative int, got {r!r}")
    r, n = int(r), input.shape[0]
    if r == 0:  # no gradient, as torch
        return Tensor._wrap(input._data[:0].copy())
    # every r-tuple of positions, row-major (lexicographic), then keep the increasing ones
    positions = np.indices((n,) * r).reshape(r, -1).T
    steps = np.diff(positions, axis=1)
    keep = (steps >= 0 if with_replacement else steps > 0).all(axis=1)
    return getitem(input, like(input._data, positions[keep]))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of a 1-D tensor: columns x^(N−1), …, x¹, x⁰ (``N`` default
    len(x); ``increasing=True`` reverses the order), as torch.vander; integer inputs give
    int64.  d/dxᵢ = Σⱼ g_ij·j·x_i^(j−1) (the x⁰ column contributes nothing)."""
    if not isinstance(x, Tensor) or x.ndim != 1:
        raise DimError(f"vander: x must be a 1-D tensor, got "
                       f"{shape_str(x.shape) if isinstance(x, Tensor) else type(x).__name__}")
    N = x.shape[0] if N is None else N  # noqa: N806
    if isinstance(N, bool) or not isinstance(N, numbers.Integral) or N < 0:
        raise ArgumentError(f"vander: N must be a non-negative int, got {N!r}")
    a = x._data
    if a.dtype.kind in "biu":
        a = a.astype(np.int64)
    xp = xp_of(a)
    powers = xp.cumprod(xp.concatenate([xp.ones_like(a[:, None]),
                                        xp.broadcast_to(a[:, None], (a.shape[0], max(N - 1, 0)))],
                                       axis=1), axis=1)[:, :N]
    out = powers if increasing else powers[:, ::-1]

    def backward(g):
        g_inc = g if increasing else g[:, ::-1]
        j = xp.arange(1, N, dtype=g.dtype)
        return ((g_inc[:, 1:] * j * powers[:, :-1]).sum(axis=1),)

    return Tensor._op(xp.ascontiguousarray(out), (x,), backward)


def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The Kronecker product: out[i·s + j] = input[i]·other[j] per dim, s = other's size
    there, the ranks padded with leading 1s to match, as torch.kron."""
    a, b = _same_dtype([input, other], "kron")
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + tuple(a.shape)
    sb = (1,) * (nd - b.ndim) + tuple(b.shape)
    # interleave the dims: a as (a₀, 1, a₁, 1, …), b as (1, b₀, 1, b₁, …)
    prod = mul(reshape(a, [d for n in sa for d in (n, 1)]), reshape(b, [d for n in sb for d in (1, n)]))
    return reshape(prod, [m * n for m, n in zip(sa, sb)])


def _dims_pairs(dims, a, b):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, numbers.Integral) and not isinstance(dims, bool):
        if dims < 0:
            raise ArgumentError(f"tensordot: expects dims >= 0, got {dims}")
        if dims > min(a.ndim, b.ndim):
            raise DimError(f"tensordot: dims={dims} is more than the dims of a {a.ndim}-D and "
                           f"a {b.ndim}-D tensor")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    try:
        da, db = dims
        da = [da] if isinstance(da, numbers.Integral) else list(da)
        db = [db] if isinstance(db, numbers.Integral) else list(db)
    except (TypeError, ValueError):
        raise ArgumentError(f"tensordot: dims must be an int or a pair of dim lists, got "
                            f"{dims!r}") from None
    if len(da) != len(db):
        raise ArgumentError(f"tensordot: both dim lists need one length, got {da} and {db}")
    return ([normalize_dim(d, a.ndim, "tensordot", "dims") for d in da],
            [normalize_dim(d, b.ndim, "tensordot", "dims") for d in db])


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Σ over the contracted dims: out[i…, j…] = Σ_k a[i…, k…]·b[k…, j…]; ``dims`` an int n
    (a's last n dims with b's first n; default 2) or a pair of dim lists, as
    torch.tensordot."""
    a, b = _same_dtype([a, b], "tensordot")
    da, db = _dims_pairs(dims, a, b)
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"tensordot: contracted dims differ in size: dim {i} of a "
                             f"{shape_str(a.shape)} and dim {j} of b {shape_str(b.shape)}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da], dtype=np.int64))
    left = reshape(permute(a, free_a + da), (-1, k))
    right = reshape(permute(b, db + free_b), (k, -1))
    return reshape(matmul(left, right),
                   [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product a × b of 3-vectors along ``dim`` (broadcast), as torch.cross; with
    ``dim=None`` the first dim of size 3 is used and a deprecation warning given, as
    PyTorch.  d/da = b × g, d/db = g × a."""
    if not isinstance(input, Tensor):
        raise TypeError(f"cross: input must be a tensor, got {type(input).__name__}")
    other = lift(other, input, "cross")
    if input._data.dtype.kind != other._data.dtype.kind:
        raise DTypeError(f"cross: input ({input._data.dtype}) and other ({other._data.dtype}) "
                         f"must have one dtype")
    if input.ndim != other.ndim:
        raise ShapeError(f"cross: input {shape_str(input.shape)} and other "
                         f"{shape_str(other.shape)} must have the same number of dims")
    _check_broadcast(input, other, "cross")
    x, y = input._data, other._data
    shape = np.broadcast_shapes(x.shape, y.shape)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.",
                      UserWarning, stacklevel=2)
        sized3 = [i for i, n in enumerate(shape) if n == 3]
        if not sized3:
            raise ShapeError(f"cross: no dim of size 3 in input {shape_str(x.shape)}")
        d = sized3[0]
    else:
        d = normalize_dim(dim, len(shape), "cross")
        if shape[d] != 3:
            raise ShapeError(f"cross: inputs dimension {dim} must have length 3, got "
                             f"{shape[d]}")
    xp = xp_of(x)
    out = xp.cross(x, y, axis=d)

    def backward(g):
        return (unbroadcast(xp.cross(y, g, axis=d), x.shape) if input.requires_grad else None,
                unbroadcast(xp.cross(g, x, axis=d), y.shape) if other.requires_grad else None)

    return Tensor._op(out, (input, other), backward)
