"""Compiled col2im for stride-1 `tidu.nn.functional.conv2d` backward (the matrix product
stays a BLAS call).

The NumPy path (`conv._col2im_unit_stride`) widens the output gradient to the padded width
W_p, so that kernel offset (i, j) adds the whole flattened column gradient row
dcols[n, c, i·kW + j] (H_out·W_p long) to the flattened padded input gradient at offset
d_h·i·W_p + d_w·j.  NumPy makes those kH·kW adds one pass over the whole batch each; this
kernel makes them one (sample, channel) plane at a time, so the plane being accumulated
(H_p·W_p values) stays in the L1 cache while its kH·kW rows stream by once.
"""
from __future__ import annotations

from numba import njit

from ._math import FASTMATH

__all__ = ["col2im_flat"]


@njit(fastmath=FASTMATH, error_model="numpy", cache=True, nogil=True)
def col2im_flat(dcols, offsets, flat):
    """flat[n, c, o_k : o_k + S] += dcols[n, c, k, :] for every kernel offset k, with
    dcols (N, C, K, S), offsets (K,) int64 and flat (N, C, L), L ≥ max(offsets) + S."""
    N, C, K, S = dcols.shape
    for n in range(N):
        for c in range(C):
            dst = flat[n, c]
            for k in range(K):
                src = dcols[n, c, k]
                out = dst[offsets[k]:offsets[k] + S]
                for s in range(S):
                    out[s] += src[s]
