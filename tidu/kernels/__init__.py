"""Compiled kernels for the hot loops that NumPy runs as many small calls or as passes over
memory that no longer fits the cache: the gate arithmetic of the LSTM and GRU layers
(`recurrent`), 2×2/stride-2 max pooling (`pooling`), a convolution's im2col copy and the
col2im scatter of a stride-1 convolution's input gradient (`conv`).  Matrix products stay BLAS calls.

Which path runs is chosen once per process by the environment variable ``TIDU_KERNELS``:

* ``numba`` (the default when Numba is installed): fused loops compiled by Numba on first
  use and cached on disk (``NUMBA_CACHE_DIR``, or ``__pycache__`` beside these modules), so
  only the very first process pays the compilation (about 4 s per dtype); they run on one
  thread beside BLAS's (`recurrent` says why);
* ``numpy``: the original vectorised NumPy code of each layer, kept as the reference path
  and run by CI with the whole layer oracle suite as well.

A kernel is used only for C-contiguous float32/float64 NumPy arrays; CuPy arrays and other
dtypes always take the array-library path.  Both paths are compared with PyTorch in the
same tests, so they agree to the oracle's tolerances (the compiled exp is a polynomial
accurate to about one unit in the last place, not the C library's).
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np

__all__ = ["KERNELS", "compiled", "use_compiled", "preload"]


def _choose() -> str:
    asked = os.environ.get("TIDU_KERNELS", "").strip().lower()
    if asked not in ("", "numba", "numpy"):
        raise ValueError(f"TIDU_KERNELS must be 'numba' or 'numpy', got {asked!r}")
    if asked == "numpy":
        return "numpy"
    if importlib.util.find_spec("numba") is None:  # found, not imported: tidu imports stay fast
        if asked == "numba":
            raise ImportError("TIDU_KERNELS=numba but Numba is not installed "
                              "(pip install numba, or set TIDU_KERNELS=numpy)")
        return "numpy"
    return "numba"


#: The kernel path of this process: ``"numba"`` or ``"numpy"``.
KERNELS = _choose()


def compiled() -> bool:
    """Whether this process runs the compiled (Numba) kernels."""
    return KERNELS == "numba"


def use_compiled(*arrays) -> bool:
    """True when the compiled path is on and every array is a C-contiguous float32 or
    float64 NumPy array, all of one dtype (what the kernels are compiled for)."""
    if KERNELS != "numba":
        return False
    dtype = arrays[0].dtype
    return all(type(a) is np.ndarray and a.dtype == dtype and a.flags.c_contiguous
               for a in arrays) and dtype in (np.float32, np.float64)


def preload(dtype=np.float32) -> None:
    """Load the compiled kernels for ``dtype`` now, by running each once on a tiny input,
    instead of at the first layer call: Numba and LLVM (about 0.3 s and 100+ MB of resident
    memory, once per process) and each kernel's machine code (from the disk cache, or
    compiled on a first run).  A no-op on the NumPy path.  `tidu bench` calls it before
    measuring an epoch's memory, as PyTorch's import loads its compiled libraries."""
    if not compiled():
        return
    from .conv import col2im_flat, im2col_channel_major
    from .pooling import max_pool2x2_backward, max_pool2x2_forward
    from .recurrent import (gru_backward_step, gru_forward_step, lstm_backward_step,
                            lstm_forward_step)

    def z(*shape):
        return np.zeros(shape, dtype=dtype)
    lstm_forward_step(z(1, 4), z(1, 4), z(1, 1), z(1, 1), z(1, 1), z(1, 1))
    lstm_backward_step(z(1, 4), z(1, 1), z(1, 1), z(1, 1), z(1, 1), z(1, 1), z(1, 4))
    gru_forward_step(z(1, 3), z(1, 3), z(1), z(1, 1), z(1, 1), z(1, 1))
    gru_backward_step(z(1, 3), z(1, 1), z(1, 1), z(1, 1), z(1, 1), z(1, 1), z(1, 3), z(1, 3))
    max_pool2x2_forward(z(1, 2, 2), z(1, 1, 1), np.zeros((1, 1, 1), np.int32))
    max_pool2x2_backward(z(1, 1, 1), np.zeros((1, 1, 1), np.int32), z(1, 2, 2))
    col2im_flat(z(1, 1, 1, 1), np.zeros(1, np.int64), z(1, 1, 1))
    im2col_channel_major(z(1, 1, 1, 1), 1, 1, 1, 1, 1, 1, z(1, 1, 1, 1, 1, 1))
