"""Square-matrix functions of `tidu.linalg`, as torch.linalg: `solve`, `inv`, `det`,
`eigh`, `eigvalsh` — batched over leading dims, with gradients:

=============  =====================================  ==========================================
function       value                                  gradient (G the upstream gradient)
=============  =====================================  ==========================================
solve(A, B)    X = A⁻¹B                               ∂B = A⁻ᵀG,  ∂A = −∂B Xᵀ
inv(A)         Y = A⁻¹                                ∂A = −Yᵀ G Yᵀ
det(A)         d = det A                              ∂A = g d A⁻ᵀ
eigvalsh(A)    λ ascending (A symmetric)              ∂A = V diag(g) Vᵀ
eigh(A)        (λ, V), A = V diag(λ) Vᵀ               ∂A = V (diag(g_λ) + K/(λⱼ − λᵢ)) Vᵀ,
                                                      K = skew(VᵀG_V) (as PyTorch)
=============  =====================================  ==========================================

``eigh``/``eigvalsh`` read the lower triangle (``UPLO='L'``, the default, as PyTorch) and,
as PyTorch, their gradients are well defined only for distinct eigenvalues.  The Hessian
test of a stationary point (the notes): all λ > 0 a minimum, all < 0 a maximum, mixed
signs a saddle.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .backend import like, xp_of
from .errors import ArgumentError, DTypeError, ShapeError, shape_str
from .ops.elementwise import unbroadcast
from .tensor import Tensor

__all__ = ["solve", "inv", "det", "eigh", "eigvalsh", "EighResult"]


class EighResult(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


def _matrix(A, where: str) -> np.ndarray:
    if not isinstance(A, Tensor):
        raise ArgumentError(f"{where}: A must be a tidu Tensor, got {type(A).__name__}")
    if A._data.dtype.kind != "f":
        raise DTypeError(f"{where}: Expected a floating point tensor as input, got dtype {A.dtype}")
    if A.ndim < 2:
        raise ShapeError(f"{where}: The input tensor A must have at least 2 dimensions (*, m, n), "
                         f"got {shape_str(A.shape)}")
    return A._data


def _square(A, where: str) -> np.ndarray:
    a = _matrix(A, where)
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{where}: A must be batches of square matrices, but they are "
                         f"{a.shape[-2]} by {a.shape[-1]} matrices")
    return a


def _mT(a):
    return np.swapaxes(a, -1, -2)


def solve(A, B, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=True``; X A = B with ``left=False``).  B is (*, n, k), or (*, n)
    (a batch of vectors, as torch: then X is (*, n)); batch dims broadcast."""
    if not left:
        return solve(A.mT, B.mT).mT
    a = _square(A, "linalg.solve")
    if not isinstance(B, Tensor) or B._data.dtype != a.dtype:
        raise DTypeError(f"linalg.solve: B must be a tidu Tensor of A's dtype {A.dtype}")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    b2 = B._data[..., None] if vector else B._data
    if b2.shape[-2] != a.shape[-1]:
        raise ShapeError(f"linalg.solve: A {shape_str(A.shape)} and B {shape_str(B.shape)}: "
                         f"B needs {a.shape[-1]} rows")
    x = np.linalg.solve(a, b2)

    def backward(g):
        gb = np.linalg.solve(_mT(a), g[..., None] if vector else g)
        ga = unbroadcast(-gb @ _mT(x), a.shape) if A.requires_grad else None
        gb = unbroadcast(gb, b2.shape) if B.requires_grad else None
        return ga, (gb[..., 0] if vector and gb is not None else gb)

    return Tensor._op(x[..., 0] if vector else x, (A, B), backward)


def inv(A) -> Tensor:
    """A⁻¹ (a singular A raises, as NumPy's and PyTorch's)."""
    y = np.linalg.inv(_square(A, "linalg.inv"))
    return Tensor._op(y, (A,), lambda g: (-_mT(y) @ g @ _mT(y),))


def det(A) -> Tensor:
    """det A; its gradient g·det A·A⁻ᵀ (A invertible)."""
    a = _square(A, "linalg.det")
    d = xp_of(a).asarray(np.linalg.det(a))
    return Tensor._op(d, (A,), lambda g: ((g * d)[..., None, None] * _mT(np.linalg.inv(a)),))


def _eigh(A, UPLO: str, where: str):
    a = _square(A, where)
    if UPLO not in ("L", "U"):
        raise ArgumentError(f"{where}: UPLO must be 'L' or 'U', got {UPLO!r}")
    w, v = np.linalg.eigh(a, UPLO=UPLO)
    return like(a, w), like(a, v)  # (the pair stays on a's device)


def eigvalsh(A, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric A, ascending."""
    w, v = _eigh(A, UPLO, "linalg.eigvalsh")
    return Tensor._op(w, (A,), lambda g: ((v * g[..., None, :]) @ _mT(v),))


def eigh(A, UPLO: str = "L") -> EighResult:
    """(eigenvalues ascending, eigenvectors as columns) of symmetric A.  The two outputs are
    two graph nodes on A whose gradients add up to the one in the module table."""
    w, v = _eigh(A, UPLO, "linalg.eigh")
    gap = w[..., None, :] - w[..., :, None]                   # λⱼ − λᵢ
    xp = xp_of(w)
    off = ~xp.eye(w.shape[-1], dtype=bool)
    inv_gap = xp.where(off, 1.0 / xp.where(off, gap, 1.0), 0.0)

    def vectors_backward(g):
        vg = _mT(v) @ g
        return (v @ (0.5 * (vg - _mT(vg)) * inv_gap) @ _mT(v),)

    values = Tensor._op(w, (A,), lambda g: ((v * g[..., None, :]) @ _mT(v),))
    return EighResult(values, Tensor._op(v, (A,), vectors_backward))
