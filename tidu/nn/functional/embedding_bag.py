"""Bags of embeddings (sum, mean or max of the rows a bag picks) and pairwise distances.

embedding_bag gathers every picked row into a dense (bags, longest bag, D) block (short bags
filled with a zero row, or −∞ for max), weights it, and reduces over the bag axis; each step
is a differentiable tidu op, so the backward is the gather's scatter-add.  pdist takes the
‖xᵢ − xⱼ‖_p of every row pair i < j in one graph node.
"""
from __future__ import annotations

import math

import numpy as np

import tidu

from ...backend import index_add, like, to_numpy, xp_of
from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import Tensor, _result_array
from .loss import _pnorm
from .sparse import _indices, _padding_index

__all__ = ["embedding_bag", "pdist"]

_MODES = ("sum", "mean", "max")


def _bags(idx: np.ndarray, offsets, include_last_offset: bool, who: str):
    """(flat indices, bag id of each, their positions in the flattened input, number of bags)
    from a 2-D input or a 1-D input + offsets."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ArgumentError(f"{who}: if input is 2-D, offsets must be None (each row is a "
                                f"bag), got offsets")
        b, l = idx.shape
        return idx.reshape(-1), np.repeat(np.arange(b), l), np.arange(b * l), b
    if idx.ndim != 1:
        raise ShapeError(f"{who}: input has to be 1-D or 2-D, got shape {shape_str(idx.shape)}")
    if offsets is None:
        raise ArgumentError(f"{who}: offsets has to be a 1-D tensor when input is 1-D, got None")
    off = to_numpy(offsets._data if isinstance(offsets, Tensor) else np.asarray(offsets))
    if off.ndim != 1 or off.dtype.kind not in "iu":
        raise ShapeError(f"{who}: offsets has to be a 1-D integer tensor, got shape "
                         f"{shape_str(off.shape)} dtype {off.dtype}")
    n = idx.shape[0]
    if off.size and (off[0] != 0 or (np.diff(off) < 0).any() or off[-1] > n):
        raise ArgumentError(f"{who}: offsets must start at 0, be non-decreasing and at most "
                            f"{n} (the input length), got {off.tolist()}")
    nbags = off.size - 1 if include_last_offset else off.size
    if nbags < 0:
        raise ArgumentError(f"{who}: include_last_offset=True needs at least one offset")
    bag = np.searchsorted(off[:nbags], np.arange(n), side="right") - 1
    pos = np.arange(n)
    keep = bag >= 0
    if include_last_offset and off.size:
        keep &= pos < off[-1]
    return idx[keep], bag[keep], pos[keep], nbags


def embedding_bag(input, weight: Tensor, offsets=None, max_norm=None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """The sum, mean or max of the ``weight`` rows each bag picks, as
    `torch.nn.functional.embedding_bag`: out[b] = reduce_{j ∈ bag b} wⱼ·weight[input[j]].

    Bags are the rows of a 2-D ``input`` (offsets=None), or for a 1-D ``input`` the slices
    input[offsets[b]:offsets[b+1]] (``include_last_offset=True``: the last offset ends the
    last bag instead of starting a new one; it should equal len(input), as PyTorch documents;
    tidu leaves out indices past it, PyTorch's float64 path keeps them in the last bag).  ``per_sample_weights`` wⱼ (same shape as
    input) only with mode='sum'.  Indices equal to ``padding_idx`` are left out of their bag
    (and of a mean's count); an empty bag gives zeros.  Default mode='mean', as PyTorch.
    Backward: scatter-add into the picked rows (max: only the row that won each element).
    tidu differs: max_norm, scale_grad_by_freq and sparse=True are not implemented.
    """
    who = "embedding_bag"
    if mode not in _MODES:
        raise ArgumentError(f"{who}: mode has to be one of 'sum', 'mean' or 'max', got {mode!r}")
    for name, val, off in (("max_norm", max_norm, None), ("scale_grad_by_freq",
                           scale_grad_by_freq, False), ("sparse", sparse, False)):
        if val is not off and val != off:
            raise NotImplementedError(f"{who}: {name}={val!r} is not supported by tidu")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise ShapeError(f"{who}: weight has to be a 2-D tidu.Tensor (num_embeddings, "
                         f"embedding_dim), got {getattr(weight, 'shape', type(weight).__name__)}")
    num, dim = weight.shape
    idx = to_numpy(_indices(input, num, who))
    if per_sample_weights is not None:
        if mode != "sum":
            raise ArgumentError(f"{who}: per_sample_weights was not None. per_sample_weights is "
                                f"only supported for mode='sum' (got mode={mode!r})")
        if not isinstance(per_sample_weights, Tensor):
            raise TypeError(f"{who}: per_sample_weights must be a tidu.Tensor, got "
                            f"{type(per_sample_weights).__name__}")
        if tuple(per_sample_weights.shape) != idx.shape:
            raise ShapeError(f"{who}: per_sample_weights of shape "
                             f"{shape_str(per_sample_weights.shape)} must have the input's shape "
                             f"{shape_str(idx.shape)}")
    pad = _padding_index(padding_idx, num, who)
    flat, bag, pos, nbags = _bags(idx, offsets, include_last_offset, who)
    keep = np.ones(flat.size, dtype=bool) if pad is None else flat != pad
    flat, bag, src = flat[keep], bag[keep], pos[keep]
    counts = np.bincount(bag, minlength=nbags)
    longest = int(counts.max()) if counts.size else 0
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if counts.size else counts
    slot = np.arange(flat.size) - starts[bag]
    # dense (bags, longest) table of rows into weight, num = the filler row
    table = np.full((nbags, longest), num, dtype=np.int64)
    table[bag, slot] = flat
    wd = weight._data
    fill = -np.inf if mode == "max" else 0.0
    filler = Tensor._wrap(xp_of(wd).full((1, dim), fill, dtype=wd.dtype))
    rows = tidu.cat([weight, filler], dim=0)
    block = rows[Tensor._wrap(like(wd, table.reshape(-1)))].reshape(nbags, longest, dim)
    if mode == "max":
        if longest == 0:
            return Tensor._wrap(xp_of(wd).zeros((nbags, dim), dtype=wd.dtype))
        out = block.max(dim=1)
        out = out[0] if isinstance(out, tuple) else getattr(out, "values", out)
        empty = Tensor._wrap(like(wd, (counts == 0)[:, None]))
        return tidu.where(empty, Tensor._wrap(xp_of(wd).zeros((), dtype=wd.dtype)), out)
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)
        zero = Tensor._wrap(xp_of(wd).zeros((1,), dtype=wd.dtype))
        ptable = np.full((nbags, longest), psw.shape[0], dtype=np.int64)
        ptable[bag, slot] = src
        pw = tidu.cat([psw, zero], dim=0)[Tensor._wrap(like(wd, ptable.reshape(-1)))]
        block = block * pw.reshape(nbags, longest, 1)
    out = block.sum(dim=1)
    if mode == "mean":
        out = out / Tensor._wrap(like(wd, np.maximum(counts, 1).astype(wd.dtype)[:, None]))
    return out


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """‖xᵢ − xⱼ‖_p for every row pair i < j of an (N, M) input, in row-major order of the
    pairs (shape N(N−1)/2), as `torch.nn.functional.pdist`; default p = 2, p ≥ 0 (p = ∞
    allowed).  Backward: each pair's d‖v‖/dv (0 where the rows coincide) added to row i and
    subtracted from row j."""
    who = "pdist"
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}: input must be a tidu.Tensor, got {type(input).__name__}")
    if input.ndim != 2:
        raise ShapeError(f"{who}: only supports 2D tensors, got: {input.ndim}D (shape "
                         f"{shape_str(input.shape)})")
    if input.dtype.kind != "f":
        raise TypeError(f"{who}: only supports floating-point dtypes, got {input.dtype}")
    if not p >= 0:
        raise ArgumentError(f"{who}: only supports non-negative p values, got p={p}")
    p = float(p)
    xd = input._data
    i, j = np.triu_indices(xd.shape[0], 1)
    i, j = like(xd, i), like(xd, j)
    v = xd[i] - xd[j]
    if p == 0:
        dist = (v != 0).sum(axis=-1).astype(xd.dtype)
        return Tensor._op(_result_array(dist), (input,),
                          lambda g: (xp_of(xd).zeros_like(xd),))
    n, dn = _pnorm(v, p if not math.isinf(p) else math.inf)

    def backward(g):
        gv = g[:, None] * dn()
        gv = xp_of(gv).where(xp_of(gv).isfinite(gv), gv, 0)
        gx = xp_of(xd).zeros_like(xd)
        index_add(gx, i, gv)
        index_add(gx, j, -gv)
        return (gx,)

    return Tensor._op(_result_array(n), (input,), backward)
