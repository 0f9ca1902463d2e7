"""Adadelta: RMS of past updates over RMS of past gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import NON_NEGATIVE, UNIT, Optimizer, decayed_grad


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012), PyTorch's formulation and defaults (lr=1.0, rho=0.9, eps=1e-6,
    weight_decay=0; clipnorm / clipvalue as in `Optimizer`)::

        g ← ∇f(θ) + λθ                              (weight_decay λ)
        E[g²] ← ρ·E[g²] + (1 − ρ)·g²
        Δ ← √(E[Δ²] + ε) / √(E[g²] + ε) · g
        E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²
        θ ← θ − η·Δ

    Zeiler's method needs no learning rate; PyTorch keeps a factor η, default 1.0 (the pure
    method; Keras's defaults are lr=1e-3, rho=0.95, epsilon=1e-7).  The notes (001, 优化函数)
    write the numerator as √(Σ Δx): it is the running RMS of past updates, √(E[Δ²] + ε).

    State per parameter: ``step`` (int), ``square_avg`` (E[g²]), ``acc_delta`` (E[Δ²]).
    """

    hyper_ranges = {**Optimizer.hyper_ranges, "lr": NON_NEGATIVE, "rho": UNIT,
                    "eps": NON_NEGATIVE, "weight_decay": NON_NEGATIVE}

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      clipnorm=clipnorm, clipvalue=clipvalue))

    def _init_state(self, param, group):
        return {"step": 0, "square_avg": np.zeros_like(param), "acc_delta": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        work = self._work(param, 3)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        state["step"] += 1
        d = decayed_grad(param, grad, wd, work[0])
        square_avg *= rho
        np.multiply(d, d, out=work[1])
        work[1] *= 1 - rho
        square_avg += work[1]
        np.add(square_avg, eps, out=work[1])
        np.sqrt(work[1], out=work[1])                 # √(E[g²] + ε)
        np.add(acc_delta, eps, out=work[2])
        np.sqrt(work[2], out=work[2])                 # √(E[Δ²] + ε)
        np.divide(work[2], work[1], out=work[1])
        work[1] *= d                                  # Δ
        acc_delta *= rho
        np.multiply(work[1], work[1], out=work[2])
        work[2] *= 1 - rho
        acc_delta += work[2]
        work[1] *= lr
        param -= work[1]
