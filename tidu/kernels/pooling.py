"""Compiled 2×2 max pooling with stride 2 (`tidu.nn.functional.max_pool2d`'s most common
geometry, the one of every CNN in the notes and the lab; other geometries run the NumPy
path): one pass over the windows for the maximum and the offset of its first occurrence,
one scatter of the gradient back.

Forward, for every window of the padded input xₚ (N·C planes of Hₚ×Wₚ):
    out[y, x] = max_{i,j ∈ {0,1}} xₚ[2y + i, 2x + j],
    arg[y, x] = the first k = 2i + j (row-major) attaining it,
NaN counting as the maximum (it propagates, as in PyTorch).  The selects are arithmetic,
not branches: on real data the larger of two cells is a coin toss, and a mispredicted
branch per cell made a branching version 10× slower than NumPy.
Backward: ∂xₚ[2y + i, 2x + j] = g[y, x] at (i, j) = divmod(arg, 2), zero elsewhere
(the windows are disjoint).
"""
from __future__ import annotations

from numba import njit

from ._math import FASTMATH

__all__ = ["max_pool2x2_forward", "max_pool2x2_backward"]

_JIT = dict(fastmath=FASTMATH, error_model="numpy", cache=True, nogil=True)


@njit(**_JIT)
def _first_max(a0, a1, a2, a3):
    """(max, offset of its first occurrence) of four cells scanned in order, NaN winning."""
    b, w = a0, 0
    for k, v in enumerate((a1, a2, a3)):
        if v > b or (v != v and b == b):
            b, w = v, k + 1
    return b, w


@njit(**_JIT)
def max_pool2x2_forward(xp, out, arg):
    """xp (P, Hₚ, Wₚ) padded planes → out (P, H_out, W_out) and arg (same shape, int32)."""
    P, ho, wo = out.shape
    for p in range(P):
        for y in range(ho):
            top, bottom = xp[p, 2 * y], xp[p, 2 * y + 1]
            best, where = out[p, y], arg[p, y]
            for x in range(wo):
                a0, a1, a2, a3 = top[2 * x], top[2 * x + 1], bottom[2 * x], bottom[2 * x + 1]
                b = max(max(a0, a1), max(a2, a3))
                # offset of the first cell equal to b, from comparisons (no branch)
                w = (a0 != b) * (1 + (a1 != b) * (1 + (a2 != b)))
                total = a0 + a1 + a2 + a3
                if total != total:  # a NaN or ±Inf among the cells (rare): scan them in order
                    b, w = _first_max(a0, a1, a2, a3)
                best[x], where[x] = b, w


@njit(**_JIT)
def max_pool2x2_backward(g, arg, dxp):
    """Adds g (P, H_out, W_out) into the zeroed dxp (P, Hₚ, Wₚ) at each window's arg."""
    P, ho, wo = g.shape
    for p in range(P):
        for y in range(ho):
            gy, ay = g[p, y], arg[p, y]
            for x in range(wo):
                k = ay[x]
                dxp[p, 2 * y + (k >> 1), 2 * x + (k & 1)] = gy[x]
