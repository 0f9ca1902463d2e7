"""ASGD: SGD with a decaying step and a running (Polyak) average of the iterates."""
from __future__ import annotations

import numpy as np

from .optimizer import ANY_REAL, NON_NEGATIVE, Optimizer, decayed_grad


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky 1992), PyTorch's formulation and defaults (lr=1e-2,
    lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0; clipnorm / clipvalue as in `Optimizer`).
    With η₀ = lr, μ₀ = 1, at step t = 1, 2, …::

        g ← ∇f(θ) + λ_wd·θ             (weight_decay, coupled L2)
        θ ← θ·(1 − λ·η_{t−1}) − η_{t−1}·g
        ā ← ā + μ_{t−1}·(θ − ā)        (ā ← θ while μ = 1)
        η_t ← lr / (1 + λ·lr·t)^α;   μ_t ← 1 / max(1, t − t0)

    The average ā (``state["ax"]``) only starts to differ from θ after t0 steps; the
    parameters themselves are the plain (decayed-step) SGD iterates, so, as in PyTorch, use ā
    by copying it into the model yourself.  PyTorch keeps η and μ in tensors of the default
    dtype (float32 unless changed), tidu in Python floats (float64).

    State per parameter: ``step`` (int), ``eta`` (float), ``mu`` (float), ``ax`` (ā).
    """

    hyper_ranges = {**Optimizer.hyper_ranges, "lr": NON_NEGATIVE, "lambd": ANY_REAL,
                    "alpha": ANY_REAL, "t0": ANY_REAL, "weight_decay": NON_NEGATIVE}

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, *, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, clipnorm=clipnorm,
                                      clipvalue=clipvalue))

    def _init_state(self, param, group):
        return {"step": 0, "eta": float(group["lr"]), "mu": 1.0, "ax": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
        work = self._work(param, 2)
        state["step"] += 1
        step, eta, mu, ax = state["step"], state["eta"], state["mu"], state["ax"]
        d = decayed_grad(param, grad, group["weight_decay"], work[0])
        param *= 1 - lambd * eta
        np.multiply(d, eta, out=work[1])
        param -= work[1]
        if mu != 1:
            np.subtract(param, ax, out=work[1])
            work[1] *= mu
            ax += work[1]
        else:
            np.copyto(ax, param)
        state["eta"] = lr / ((1 + lambd * lr * step) ** alpha)
        state["mu"] = 1 / max(1, step - t0)
