"""RMSprop: divide by a running root-mean-square of the gradients."""
from __future__ import annotations

import numpy as np

from .optimizer import NON_NEGATIVE, UNIT, Optimizer, decayed_grad, lerp_


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's formulation and defaults (lr=1e-2, alpha=0.99,
    eps=1e-8, weight_decay=0, momentum=0, centered=False; clipnorm / clipvalue as in
    `Optimizer`)::

        g ← ∇f(θ) + λθ                          (weight_decay λ)
        v ← α·v + (1 − α)·g²
        ḡ ← α·ḡ + (1 − α)·g;   s ← √(v − ḡ²)     if centered (an estimate of the variance)
                                s ← √v           otherwise
        b ← μ·b + g / (s + ε);  θ ← θ − η·b      if momentum μ > 0
        θ ← θ − η·g / (s + ε)                   otherwise

    Keras's RMSprop names α ``rho`` and defaults it to 0.9 (lr 1e-3, epsilon 1e-7), and puts
    ε inside the root: g / √(v + ε); so do the notes (001, 优化函数: RMS[g] = √(E[g²] + ε),
    "a special case of Adadelta").  PyTorch, and tidu, add ε outside the root.

    State per parameter: ``step`` (int), ``square_avg`` (v), ``momentum_buffer`` (b, if
    momentum > 0), ``grad_avg`` (ḡ, if centered).
    """

    # PyTorch's rules, except alpha: PyTorch accepts alpha > 1, which makes the running
    # average of g² go negative (then √ gives nan); tidu keeps it in [0, 1]
    hyper_ranges = {**Optimizer.hyper_ranges, "lr": NON_NEGATIVE, "alpha": UNIT,
                    "eps": NON_NEGATIVE, "weight_decay": NON_NEGATIVE, "momentum": NON_NEGATIVE}

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 clipnorm: float | None = None, clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, clipnorm=clipnorm,
                                      clipvalue=clipvalue))

    def _init_state(self, param, group):
        state = {"step": 0, "square_avg": np.zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def _update(self, param, grad, state, group):
        lr, alpha, eps, wd, mu = (group["lr"], group["alpha"], group["eps"],
                                  group["weight_decay"], group["momentum"])
        work = self._work(param, 2)
        square_avg = state["square_avg"]
        state["step"] += 1
        d = decayed_grad(param, grad, wd, work[0])
        square_avg *= alpha
        np.multiply(d, d, out=work[1])
        work[1] *= 1 - alpha
        square_avg += work[1]
        if group["centered"]:
            grad_avg = state.get("grad_avg")
            if grad_avg is None:  # centered switched on mid-run
                grad_avg = state["grad_avg"] = np.zeros_like(param)
            lerp_(grad_avg, d, 1 - alpha, work[1])
            np.multiply(grad_avg, grad_avg, out=work[1])
            np.subtract(square_avg, work[1], out=work[1])
            np.sqrt(work[1], out=work[1])
        else:
            np.sqrt(square_avg, out=work[1])
        work[1] += eps
        np.divide(d, work[1], out=work[1])            # g / (s + ε)
        if mu > 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # momentum switched on mid-run (e.g. by OneCycleLR)
                buf = state["momentum_buffer"] = np.zeros_like(param)
            buf *= mu
            buf += work[1]
            np.multiply(buf, lr, out=work[1])
        else:
            work[1] *= lr
        param -= work[1]
