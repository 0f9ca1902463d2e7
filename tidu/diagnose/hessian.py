r"""`hessian` and `classify_stationary_point`: second-order information of a scalar function
of a vector, as in the notes (004, 梯度下降、反向传播): set the gradient to zero, then read
the Hessian's (海森矩阵) eigenvalues — all positive: a local minimum; all negative: a local
maximum; both signs: a saddle point (鞍点).

tidu's engine records no graph of its backward pass (there is no double backward), so the
Hessian is taken by central finite differences of autograd gradients::

    H[:, j] = (∇f(x + hⱼ·eⱼ) − ∇f(x − hⱼ·eⱼ)) / 2hⱼ,    H ← (H + Hᵀ) / 2

with hⱼ = h·max(1, |xⱼ|).  Each column costs two forward and backward passes, in float64.
The difference is exact for a quadratic (its gradient is linear) up to rounding, about
1e-16·|∇f| / h; for other functions the truncation error is O(h²·f⁗).  The asymmetry of
H before symmetrizing is kept as ``asymmetry`` (a large value means f is not twice
differentiable there, or h is badly chosen).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..tensor import Tensor, enable_grad

__all__ = ["hessian", "gradient", "classify_stationary_point", "StationaryPoint"]


def _as_vector(x, owner: str) -> np.ndarray:
    arr = np.asarray(x._data if isinstance(x, Tensor) else x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: x must be a real vector, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{owner}: x must be a non-empty 1-D vector, got shape {arr.shape}")
    return arr.astype(np.float64)


def _value_and_grad(f, x: np.ndarray, owner: str) -> tuple:
    xt = Tensor(x.copy(), requires_grad=True, dtype=np.float64)
    with enable_grad():
        out = f(xt)
    if not isinstance(out, Tensor) or out._data.size != 1:
        raise TypeError(f"{owner}: f must return a scalar tidu Tensor, got "
                        + (f"a tensor of shape {out.shape}" if isinstance(out, Tensor)
                           else type(out).__name__))
    if out.requires_grad:
        out.backward()
    grad = np.zeros_like(x) if xt.grad is None else np.asarray(xt.grad._data, dtype=np.float64)
    return float(out._data.reshape(())), grad


def gradient(f, x) -> np.ndarray:
    """∇f(x) by autograd (float64); ``f`` maps a 1-D tidu Tensor to a scalar Tensor."""
    return _value_and_grad(f, _as_vector(x, "gradient"), "gradient")[1]


def _check_positive(owner: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{owner}: {name} must be a positive number, got {name}={value!r}")
    return float(value)


def _hessian(f, x: np.ndarray, h: float, owner: str) -> tuple:
    n = x.size
    H = np.empty((n, n))
    for j in range(n):
        step = h * max(1.0, abs(x[j]))
        xp, xm = x.copy(), x.copy()
        xp[j] += step
        xm[j] -= step
        gp = _value_and_grad(f, xp, owner)[1]
        gm = _value_and_grad(f, xm, owner)[1]
        H[:, j] = (gp - gm) / (xp[j] - xm[j])  # the step actually taken, after rounding
    asymmetry = float(np.max(np.abs(H - H.T))) if n > 1 else 0.0
    return (H + H.T) / 2, asymmetry


def hessian(f, x, h: float = 1e-5) -> np.ndarray:
    """The Hessian ∇²f(x) (n × n, symmetric, float64) by central differences of autograd
    gradients with relative step ``h`` (see the module docstring).  ``f`` maps a 1-D
    float64 tidu Tensor to a scalar Tensor; ``x`` is a vector (array, list or Tensor)."""
    x = _as_vector(x, "hessian")
    return _hessian(f, x, _check_positive("hessian", "h", h), "hessian")[0]


@dataclass
class StationaryPoint:
    """What `classify_stationary_point` found at ``x``.

    ``kind``: "minimum", "maximum", "saddle", "degenerate" (some eigenvalue within ±tol and
    the others of one sign: the second-order test is inconclusive) — or "not stationary"
    when the gradient is not ~0 there.  ``curvature`` describes the Hessian whatever the
    gradient: "positive definite", "negative definite", "indefinite" or "semidefinite".
    """

    kind: str
    curvature: str
    x: np.ndarray
    value: float
    gradient: np.ndarray
    gradient_norm: float
    is_stationary: bool
    hessian: np.ndarray
    eigenvalues: np.ndarray
    tol: float
    grad_tol: float
    asymmetry: float

    def __str__(self) -> str:
        where = np.array2string(self.x, precision=6, separator=", ")
        eig = np.array2string(self.eigenvalues, precision=6, separator=", ")
        head = (f"f{where} = {self.value:.10g}: {self.kind}" if self.is_stationary else
                f"f{where} = {self.value:.10g}: not a stationary point (‖∇f‖ = "
                f"{self.gradient_norm:.3e} > {self.grad_tol:g})")
        return (f"{head}\n  ‖∇f‖ = {self.gradient_norm:.3e}; Hessian eigenvalues {eig} "
                f"(tol {self.tol:g}): {self.curvature}")

    __repr__ = __str__


def _curvature(eigenvalues: np.ndarray, tol: float) -> tuple:
    pos, neg = bool(np.any(eigenvalues > tol)), bool(np.any(eigenvalues < -tol))
    if pos and neg:
        return "saddle", "indefinite"
    if np.all(eigenvalues > tol):
        return "minimum", "positive definite"
    if np.all(eigenvalues < -tol):
        return "maximum", "negative definite"
    return "degenerate", "semidefinite"


def classify_stationary_point(f, x, tol: float = 1e-6, grad_tol: float = 1e-6,
                              h: float = 1e-5) -> StationaryPoint:
    """Classify ``x`` by the eigenvalues λ of the Hessian of ``f`` there (the notes' test):
    all λ > tol — a local minimum; all λ < −tol — a local maximum; some λ > tol and some
    λ < −tol — a saddle point; otherwise degenerate (the second-order test says nothing).
    ``x`` is stationary when ‖∇f(x)‖ ≤ ``grad_tol``; if it is not, ``kind`` is
    "not stationary" and ``curvature`` still describes the Hessian.  Returns a
    `StationaryPoint` with the value f(x), the gradient, the Hessian and its eigenvalues.

    >>> f = lambda v: (v * v).sum() + (v * Tensor([2., 4., -6.], dtype='float64')).sum()
    >>> classify_stationary_point(f, [-1., -2., 3.]).kind      # the notes' example, f = −14
    'minimum'
    """
    x = _as_vector(x, "classify_stationary_point")
    tol = _check_positive("classify_stationary_point", "tol", tol)
    grad_tol = _check_positive("classify_stationary_point", "grad_tol", grad_tol)
    h = _check_positive("classify_stationary_point", "h", h)
    value, grad = _value_and_grad(f, x, "classify_stationary_point")
    H, asymmetry = _hessian(f, x, h, "classify_stationary_point")
    eigenvalues = np.linalg.eigvalsh(H)
    kind, curvature = _curvature(eigenvalues, tol)
    gnorm = float(np.linalg.norm(grad))
    stationary = bool(gnorm <= grad_tol) and math.isfinite(gnorm)
    return StationaryPoint(kind=kind if stationary else "not stationary", curvature=curvature,
                           x=x, value=value, gradient=grad, gradient_norm=gnorm,
                           is_stationary=stationary, hessian=H, eigenvalues=eigenvalues,
                           tol=tol, grad_tol=grad_tol, asymmetry=asymmetry)
