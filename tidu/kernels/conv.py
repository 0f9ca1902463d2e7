"""Compiled im2col of `tidu.nn.functional.conv2d`'s forward and col2im for its stride-1
backward (the matrix products stay BLAS calls).

im2col copies the padded input's sliding windows into the channel-major column matrix
(C, kH, kW, N, H_out, W_out); NumPy makes that one strided copy of a 6-D view, element by
element, while this kernel copies whole output rows (W_out values, contiguous at stride 1)
from rows of the input that stay in the cache across the kernel offsets.

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

__all__ = ["col2im_flat", "im2col_channel_major"]


@njit(fastmath=FASTMATH, error_model="numpy", cache=True, nogil=True)
def im2col_channel_major(xpad, kh, kw, stride_h, stride_w, dil_h, dil_w, cols):
    """cols[c, i, j, n, y, x] = xpad[n, c, s_h·y + d_h·i, s_w·x + d_w·j], with xpad
    (N, C, H_p, W_p) and cols (C, kH, kW, N, H_out, W_out)."""
    N, C = xpad.shape[0], xpad.shape[1]
    ho, wo = cols.shape[4], cols.shape[5]
    for c in range(C):
        for i in range(kh):
            for j in range(kw):
                left = dil_w * j
                for n in range(N):
                    for y in range(ho):
                        # a row sliced from its start keeps Numba's contiguous type, and
                        # indices from 0 need no negative-index test: the copy vectorizes
                        src = xpad[n, c, stride_h * y + dil_h * i][left:]
                        dst = cols[c, i, j, n, y]
                        if stride_w == 1:
                            for x in range(wo):
                                dst[x] = src[x]
                        else:
                            for x in range(wo):
                                dst[x] = src[stride_w * x]


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
