"""``tidu.linalg``, as torch.linalg: the norms, the least-squares solver `lstsq`, the
square-matrix functions solve, inv, det, eigh, eigvalsh (`tidu.linalg_square`), and the
decompositions and matrix functions svd, svdvals, qr, cholesky, slogdet, pinv, matrix_rank,
matrix_power, multi_dot, cross, matrix_norm, cond, solve_triangular (`tidu.linalg_decomp`)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .backend import like, xp_of
from .errors import ArgumentError, DTypeError, ShapeError, shape_str
from .ops.elementwise import unbroadcast
from .ops.reduction_more import vector_norm
from .linalg_square import EighResult, det, eigh, eigvalsh, inv, solve
from .linalg_decomp import (LinAlgError, QRResult, SlogdetResult, SVDResult, cholesky, cond,
                            cross, eig, eigvals, matrix_norm, matrix_power, matrix_rank,
                            multi_dot, pinv, qr, slogdet, solve_triangular, svd, svdvals)
from .tensor import Tensor

__all__ = ["norm", "vector_norm", "lstsq", "LstsqResult",
           "solve", "inv", "det", "eigh", "eigvalsh", "EighResult",
           "svd", "svdvals", "SVDResult", "qr", "QRResult", "cholesky", "slogdet",
           "SlogdetResult", "pinv", "matrix_rank", "matrix_power", "multi_dot", "cross",
           "matrix_norm", "cond", "eig", "eigvals", "solve_triangular", "LinAlgError"]


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002 - torch's names
    """As torch.linalg.norm where it is a vector norm: ``ord=None`` the 2-norm of the
    elements over ``dim`` (all of them when None), 'fro' over two dims (the same value);
    a number ``ord`` with a 1-D input or one ``dim``: `vector_norm`.  Matrix norms other
    than Frobenius (ord 1, 2, inf, 'nuc' over two dims) are not implemented in tidu."""
    if ord is None or ord == "fro":
        if ord == "fro" and dim is None and A.ndim != 2:
            raise ArgumentError(f"linalg.norm: ord='fro' needs a 2-D input or two dims, got a "
                                f"{A.ndim}-D tensor")
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    one_dim = isinstance(dim, int) or (isinstance(dim, (tuple, list)) and len(dim) == 1) or \
        (dim is None and A.ndim == 1)
    if isinstance(ord, str) or not one_dim:
        raise ArgumentError(f"linalg.norm: the matrix norm ord={ord!r} is not implemented in "
                            f"tidu (vector norms and 'fro' are)")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


class LstsqResult(NamedTuple):
    """What `lstsq` returns (torch.return_types.linalg_lstsq's fields)."""
    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None) -> LstsqResult:
    """The least-squares solution of A X = B, as torch.linalg.lstsq on CPU::

        X = argmin ‖A X − B‖_F = A⁺ B       (A⁺ the pseudo-inverse, σᵢ ≤ rcond·σ₁ cut to 0)

    ``A`` is (*, m, n); ``B`` is (*, m, k), or (*, m) (a batch of vectors: then X is (*, n));
    batch dims broadcast.  ``rcond`` (default None: the dtype's eps · max(m, n)) sets the
    effective rank.  ``driver`` (default None, i.e. 'gelsy') picks which extra fields are
    filled, as PyTorch's do (the others are empty tensors)::

        residuals        ‖A X − B‖² per column, (*, k): drivers gels, gelsd, gelss, and only
                         when m > n and every A of the batch has full rank n
        rank             the effective rank, A's batch shape (int64): gelsy, gelsd, gelss
        singular_values  σ of A, (*, min(m, n)): gelsd, gelss

    Gradients flow through ``solution`` to ``A`` and ``B`` (the derivative of A⁺B for A of
    constant rank: full column or row rank), and through ``residuals`` (computed from the
    solution with tidu's ops); ``rank`` and ``singular_values`` are constants.

    Differences from PyTorch: every driver is solved by one SVD (gelsd's method), so for a
    rank-deficient A tidu returns the minimum-norm solution and SVD rank where 'gelsy' (QR
    with pivoting) may give another solution and rank; 'gels' on a rank-deficient A (where
    LAPACK's result is undefined) gives the same minimum-norm solution.

    Examples:
        >>> import tidu
        >>> A = tidu.tensor([[1., 0.], [0., 1.], [1., 1.]], dtype=tidu.float64)
        >>> B = tidu.tensor([[1.], [2.], [4.]], dtype=tidu.float64)
        >>> [round(v, 6) for v in tidu.linalg.lstsq(A, B).solution.flatten().tolist()]
        [1.333333, 2.333333]
    """
    where = "linalg.lstsq"
    for name, x in (("A", A), ("B", B)):
        if not isinstance(x, Tensor):
            raise ArgumentError(f"{where}: {name} must be a tidu Tensor, got {type(x).__name__}")
        if x._data.dtype.kind != "f":
            raise DTypeError(f"{where}: {name} must be a float tensor, got dtype {x.dtype}")
    if A._data.dtype != B._data.dtype:
        raise DTypeError(f"{where}: A and B must have the same dtype, got {A.dtype} and {B.dtype}")
    if driver is not None and driver not in _DRIVERS:
        raise ArgumentError(f"{where}: driver must be None or one of {_DRIVERS}, got {driver!r}")
    driver = "gelsy" if driver is None else driver
    if A.ndim < 2:
        raise ShapeError(f"{where}: A must have at least 2 dimensions (*, m, n), got "
                         f"{shape_str(A.shape)}")
    vector = B.ndim == A.ndim - 1
    if not vector and B.ndim != A.ndim:
        raise ShapeError(f"{where}: B must be (*, m, k) or (*, m) for A {shape_str(A.shape)}, "
                         f"got {shape_str(B.shape)}")
    a, b = A._data, B._data
    b2 = b[..., None] if vector else b
    m, n = a.shape[-2:]
    if b2.shape[-2] != m:
        raise ShapeError(f"{where}: A is {shape_str(A.shape)} and B {shape_str(B.shape)}: "
                         f"their rows (m) differ ({m} and {b2.shape[-2]})")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b2.shape[:-2])
    except ValueError:
        raise ShapeError(f"{where}: the batch dims of A {shape_str(A.shape)} and B "
                         f"{shape_str(B.shape)} do not broadcast") from None
    xp = xp_of(a)
    eps = float(np.finfo(a.dtype).eps)
    cut = eps * max(m, n) if rcond is None or rcond < 0 else float(rcond)
    if min(m, n) == 0:
        u = xp.zeros((*a.shape[:-2], m, 0), a.dtype)
        s = xp.zeros((*a.shape[:-2], 0), a.dtype)
        vt = xp.zeros((*a.shape[:-2], 0, n), a.dtype)
    else:
        u, s, vt = (like(a, v) for v in np.linalg.svd(a, full_matrices=False))
    keep = s > cut * s[..., :1] if s.shape[-1] else s > 0
    s_inv = xp.where(keep, 1.0 / xp.where(keep, s, 1), 0).astype(a.dtype)
    pinv = (np.swapaxes(vt, -1, -2) * s_inv[..., None, :]) @ np.swapaxes(u, -1, -2)  # (*, n, m)
    x = pinv @ b2
    x = np.broadcast_to(x, (*batch, n, b2.shape[-1])).copy()
    rank = keep.sum(axis=-1).astype(np.int64)

    def backward(g):
        g = g[..., None] if vector else g
        pt = np.swapaxes(pinv, -1, -2)  # (*, m, n)
        ga = gb = None
        if A.requires_grad:
            gx_t = g @ np.swapaxes(x, -1, -2)                                   # G Xᵀ
            r = b2 - a @ x                                                     # (I − AA⁺) B
            ga = -(pt @ gx_t)                                                  # −A⁺ᵀ G Xᵀ
            ga = ga + r @ np.swapaxes(g, -1, -2) @ pinv @ pt                   # R Gᵀ A⁺ A⁺ᵀ
            proj = xp.eye(n, dtype=a.dtype) - pinv @ a                         # I − A⁺A
            ga = ga + pt @ x @ np.swapaxes(g, -1, -2) @ proj                   # A⁺ᵀ X Gᵀ (I − A⁺A)
            ga = unbroadcast(ga, a.shape)
        if B.requires_grad:
            gb = unbroadcast(pt @ g, b2.shape)
            gb = gb[..., 0] if vector else gb
        return ga, gb

    solution = Tensor._op(x[..., 0] if vector else x, (A, B), backward)
    empty = Tensor._wrap(xp.zeros((0,), a.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and (driver == "gels" or bool((rank == n).all())):
        fitted = A @ (solution.unsqueeze(-1) if vector else solution)
        residuals = ((fitted - (B.unsqueeze(-1) if vector else B)) ** 2).sum(dim=-2)
    full = driver in ("gelsd", "gelss")
    return LstsqResult(
        solution, residuals,
        Tensor._wrap(rank) if driver != "gels" else Tensor._wrap(xp.zeros((0,), np.int64)),
        Tensor._wrap(s.copy()) if full else empty)
