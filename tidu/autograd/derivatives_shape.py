"""Differentiable backward rules of the ops that move values (see
`tidu.autograd.derivatives`): each routes the gradient back with the inverse move, itself
an op — reshape undoes reshape, a slice's gradient is scattered into zeros, and so on."""
from __future__ import annotations

from ..backend import index_add, xp_of
from ..ops import shape as sh
from ..tensor import Tensor
from .derivatives import rule, sum_to


@rule(sh.reshape)
def _reshape(node, g, env):
    return (g.reshape(env["src"]),)


@rule(sh.permute)
def _permute(node, g, env):
    return (g.permute(tuple(int(i) for i in env["inverse"])),)


@rule(sh.expand)
def _expand(node, g, env):
    return (sum_to(g, env["src"]),)


@rule(sh.pad)
def _pad(node, g, env):
    return (g[env["inner"]],)


def scatter_into_zeros(g: Tensor, shape: tuple, idx, advanced: bool) -> Tensor:
    """A zero tensor of ``shape`` with ``g`` added at ``idx`` (repeats accumulate): the
    gradient of indexing, as an op whose own gradient indexes again."""
    full = xp_of(g._data).zeros(shape, dtype=g._data.dtype)
    if advanced:
        index_add(full, idx, g._data)
    else:
        full[idx] = g._data
    return Tensor._op(full, (g,), lambda gg: (gg[idx],))


@rule(scatter_into_zeros)
def _scatter_into_zeros(node, g, env):
    return (g[env["idx"]],)


@rule(sh.getitem)
def _getitem(node, g, env):
    return (scatter_into_zeros(g, env["src"].shape, env["idx"], env["advanced"]),)


def _along(axis: int, part) -> tuple:
    return (slice(None),) * axis + (part,)


@rule(sh.concatenate)
def _concatenate(node, g, env):
    axis, edges = env["axis"], [0, *env["bounds"], g.shape[env["axis"]]]
    return tuple(g[_along(axis, slice(lo, hi))] for lo, hi in zip(edges, edges[1:]))


@rule(sh.stack)
def _stack(node, g, env):
    return tuple(g[_along(env["axis"], i)] for i in range(env["n"]))


@rule(sh.repeat)
def _repeat(node, g, env):
    reps, padded = env["reps"], env["padded"]
    split = tuple(x for r, n in zip(reps, padded) for x in (r, n))
    summed = g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2)))
    return (summed.reshape(env["src"]),)
