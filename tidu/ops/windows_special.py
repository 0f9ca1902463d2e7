"""torch's window functions (hann, hamming, bartlett, blackman, kaiser) and a few special
and matrix functions at the top level: i0, polygamma, mvlgamma, matrix_exp,
cholesky_solve, cholesky_inverse."""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..backend import xp_of
from ..errors import ArgumentError, ShapeError, shape_str
from ..tensor import Tensor, get_default_dtype
from .elementwise import unbroadcast
from .elementwise_more import _float_input, _special, digamma, lgamma
from .shape import unsqueeze
from .reduction import sum  # noqa: A004

__all__ = ["hann_window", "hamming_window", "bartlett_window", "blackman_window",
           "kaiser_window", "polygamma", "mvlgamma", "matrix_exp", "cholesky_solve",
           "cholesky_inverse"]


# --------------------------------------------------------------------------- windows
def _window(name, window_length, periodic, dtype, device, requires_grad, shape_fn):
    """``shape_fn(n, N)`` on n = 0 … L−1 with N = L (periodic) or L − 1 (symmetric)."""
    if isinstance(window_length, bool) or not isinstance(window_length, numbers.Integral) \
            or window_length < 0:
        raise ArgumentError(f"{name}: requires non-negative window_length, got "
                            f"window_length={window_length!r}")
    dtype = np.dtype(dtype or get_default_dtype())
    if dtype.kind != "f":
        raise ArgumentError(f"{name}: expects a floating point dtype, got {dtype}")
    length = int(window_length)
    if length <= 1:
        values = np.ones(length)
    else:
        values = shape_fn(np.arange(length, dtype=np.float64), length if periodic else length - 1)
    return Tensor(values.astype(dtype), dtype=dtype, device=device, requires_grad=requires_grad)


def _cosine_sum(coefficients):
    def shape(n, N):
        return _cos_series(n, N, coefficients)
    return shape


def _cos_series(n, N, coefficients):
    """Σₖ (−1)ᵏ aₖ cos(2πkn/N)."""
    return np.add.reduce([(-1) ** k * a * np.cos(2 * math.pi * k * n / N)
                          for k, a in enumerate(coefficients)])


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False) -> Tensor:
    """w[n] = ½ − ½cos(2πn/N), N = L (periodic=True, default) or L − 1; L ≤ 1 gives ones."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((0.5, 0.5)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False) -> Tensor:
    """w[n] = α − β·cos(2πn/N), N = L (periodic=True, default) or L − 1; α = 0.54, β = 0.46."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((alpha, beta)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False) -> Tensor:
    """w[n] = 0.42 − 0.5cos(2πn/N) + 0.08cos(4πn/N), N = L (periodic, default) or L − 1."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum((0.42, 0.5, 0.08)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False) -> Tensor:
    """w[n] = 1 − |2n/N − 1|, N = L (periodic=True, default) or L − 1."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 1 - np.abs(2 * n / N - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False) -> Tensor:
    """w[n] = I₀(β·√(1 − (2n/N − 1)²)) / I₀(β), N = L (periodic=True, default) or L − 1;
    β = 12.0 by default."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: np.i0(beta * np.sqrt(np.clip(1 - (2 * n / N - 1) ** 2, 0, None)))
                   / np.i0(beta))


# --------------------------------------------------------------------------- special
def polygamma(n, input) -> Tensor:  # noqa: A002 - torch's argument names
    """ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function (n ≥ 0; n = 0 is digamma);
    d/dx = ψ⁽ⁿ⁺¹⁾(x)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ArgumentError(f"polygamma: n must be a non-negative integer, got n={n!r}")
    if n == 0:
        return digamma(input)
    a = _float_input(input, "polygamma")
    x = a._data

    def psi(order, v):
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return _special("polygamma", order, v).astype(v.dtype, copy=False)

    return Tensor._op(psi(int(n), x), (a,), lambda g: (g * psi(int(n) + 1, x),))


def mvlgamma(input, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma log Γ_p(x) = p(p−1)/4·log π + Σ_{i=0}^{p−1} log Γ(x − i/2);
    every element must exceed (p − 1)/2."""
    if isinstance(p, bool) or not isinstance(p, numbers.Integral) or p < 1:
        raise ArgumentError(f"mvlgamma: p has to be greater than or equal to 1, got p={p!r}")
    a = _float_input(input, "mvlgamma")
    if a.numel() and not bool((a._data > (p - 1) / 2).all()):
        raise ArgumentError(f"mvlgamma: all elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    xp = xp_of(a._data)
    shifts = Tensor._wrap(xp.arange(p, dtype=a.dtype) / 2)
    terms = lgamma(unsqueeze(a, -1) - shifts)
    return sum(terms, -1) + p * (p - 1) / 4 * math.log(math.pi)


# --------------------------------------------------------------------------- matrices
# Padé (13, 13) coefficients of exp and the norm bound below which they are exact to
# double precision (Higham 2005, "The scaling and squaring method for the matrix exponential").
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm(A):
    """exp of a batch of square matrices by scaling and squaring with the Padé-13 form."""
    xp = xp_of(A)
    norm = np.abs(A).sum(-2).max(-1) if A.shape[-1] else xp.zeros(A.shape[:-2])
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / _THETA13))).astype(np.int64)
    A = A / (2.0 ** s)[..., None, None]
    eye = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A.dtype), A.shape)
    b = _PADE13
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2
             + b[1] * eye)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * eye
    E = xp.linalg.solve(V - U, V + U)
    for k in range(int(s.max()) if s.size else 0):   # squarings: as many as the largest norm needs
        E = np.where((k < s)[..., None, None], E @ E, E)
    return E


def matrix_exp(A) -> Tensor:
    """exp(A) = Σₖ Aᵏ/k! of a square matrix or a batch (…, n, n).  The gradient is the
    adjoint Fréchet derivative: the top-right block of exp([[Aᵀ, G], [0, Aᵀ]])."""
    a = _float_input(A, "matrix_exp")
    x = a._data
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ShapeError(f"matrix_exp: expected a square matrix or a batch of them, got shape "
                         f"{shape_str(x.shape)}")
    out = _expm(x)

    def backward(g):
        n = x.shape[-1]
        at = np.swapaxes(x, -1, -2)
        block = np.concatenate([np.concatenate([at, g], -1),
                                np.concatenate([np.zeros_like(at), at], -1)], -2)
        return (_expm(block)[..., :n, n:],)

    return Tensor._op(out, (a,), backward)


def _solve_with_factor(b, l, upper):
    """(L Lᵀ)⁻¹ b (or (Uᵀ U)⁻¹ b) as arrays, by two triangular solves."""
    from ..linalg import solve_triangular  # noqa: PLC0415 - linalg imports lazily
    from ..tensor import no_grad  # noqa: PLC0415
    L, B = Tensor._wrap(l), Tensor._wrap(b)
    first, second = (L.mT, L) if upper else (L, L.mT)
    with no_grad():
        return solve_triangular(second, solve_triangular(first, B, upper=False), upper=True)._data


def cholesky_solve(B, L, upper=False) -> Tensor:
    """X = A⁻¹B with A = L Lᵀ from the Cholesky factor L (upper=False, default) or A = Uᵀ U
    (upper=True); batches broadcast.  As PyTorch, the gradient takes A as a function of the
    whole factor: ∂B = A⁻¹G, ∂L = −(Y Xᵀ + X Yᵀ) L (upper: −U (Y Xᵀ + X Yᵀ)), Y = A⁻¹G."""
    for name, t in (("B", B), ("L", L)):
        if not isinstance(t, Tensor):
            raise TypeError(f"cholesky_solve: {name} must be a tensor, got {type(t).__name__}")
        if t.ndim < 2:
            raise ShapeError(f"cholesky_solve: {name} must have at least 2 dimensions, got shape "
                             f"{shape_str(t.shape)}")
    if L.shape[-1] != L.shape[-2] or L.shape[-1] != B.shape[-2]:
        raise ShapeError(f"cholesky_solve: L must be square with as many rows as B, got shapes "
                         f"{shape_str(L.shape)} (L) and {shape_str(B.shape)} (B)")
    b, l = B._data, L._data
    x = _solve_with_factor(b, l, upper)

    def backward(g):
        y = _solve_with_factor(g, l, upper)
        sym = -(y @ np.swapaxes(x, -1, -2) + x @ np.swapaxes(y, -1, -2))
        gl = l @ sym if upper else sym @ l
        return (unbroadcast(y, b.shape) if B.requires_grad else None,
                unbroadcast(gl, l.shape) if L.requires_grad else None)

    return Tensor._op(x, (B, L), backward)


def cholesky_inverse(L, upper=False) -> Tensor:
    """(L Lᵀ)⁻¹ from the Cholesky factor L (upper=False, default), or (Uᵀ U)⁻¹ (upper=True)."""
    if not isinstance(L, Tensor) or L.ndim < 2 or L.shape[-1] != L.shape[-2]:
        got = shape_str(L.shape) if isinstance(L, Tensor) else type(L).__name__
        raise ShapeError(f"cholesky_inverse: expected a square matrix or a batch of them, got {got}")
    eye = Tensor._wrap(xp_of(L._data).eye(L.shape[-1], dtype=L.dtype))
    return cholesky_solve(eye, L, upper)
