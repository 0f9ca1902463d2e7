"""Adam (with AMSGrad and decoupled weight decay), AdamW, and NAdam."""
from __future__ import annotations

import numpy as np

from .optimizer import NON_NEGATIVE, UNIT_OPEN, Optimizer, decayed_grad, lerp_


def _as_pair(betas):
    return tuple(betas) if isinstance(betas, (list, tuple)) else betas


# PyTorch's rules: eps = 0 is allowed (as in PyTorch), each β in [0, 1)
_ADAM_RANGES = {**Optimizer.hyper_ranges, "lr": NON_NEGATIVE, "betas": (UNIT_OPEN, UNIT_OPEN),
                "eps": NON_NEGATIVE, "weight_decay": NON_NEGATIVE}


def adam_moments(param, grad, state, group, work) -> int:
    """One step of Adam's moments, in place: weight decay (L2 into the gradient, or decoupled
    onto the weights), m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²; returns the new step count
    (shared by Adam/AdamW and RAdam)."""
    lr, wd = group["lr"], group["weight_decay"]
    beta1, beta2 = group["betas"]
    state["step"] += 1
    d = grad
    if wd and group["decoupled_weight_decay"]:
        param *= 1 - lr * wd
    else:
        d = decayed_grad(param, grad, wd, work[0])
    lerp_(state["exp_avg"], d, 1 - beta1, work[1])
    exp_avg_sq = state["exp_avg_sq"]
    exp_avg_sq *= beta2
    np.multiply(d, d, out=work[1])
    work[1] *= 1 - beta2
    exp_avg_sq += work[1]
    return state["step"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), PyTorch's formulation and defaults (lr=1e-3,
    betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, decoupled_weight_decay=False;
    clipnorm / clipvalue as in `Optimizer`).  At step t = 1, 2, …::

        g ← ∇f(θ) + λθ                 (weight_decay λ; or, decoupled: θ ← θ − ηλθ first)
        m ← β1·m + (1 − β1)·g          (first moment)
        v ← β2·v + (1 − β2)·g²         (second moment, uncentered)
        v̂max ← max(v̂max, v)            (amsgrad: use v̂max in place of v below)
        m̂ ← m / (1 − β1ᵗ);   v̂ ← v / (1 − β2ᵗ)
        θ ← θ − η · m̂ / (√v̂ + ε)

    The notes (001, 优化函数) write this update with β2 = 0.9999; the paper, PyTorch, Keras
    and tidu default to β2 = 0.999.  Keras's epsilon is 1e-7 and is added to √v before the
    bias correction (its "ε̂"), a slightly different rule.

    State per parameter: ``step`` (int), ``exp_avg`` (m), ``exp_avg_sq`` (v) and
    ``max_exp_avg_sq`` (if amsgrad).
    """

    hyper_ranges = _ADAM_RANGES

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 decoupled_weight_decay: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, betas=_as_pair(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      clipnorm=clipnorm, clipvalue=clipvalue))

    def _init_state(self, param, group):
        state = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    def _update(self, param, grad, state, group):
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        work = self._work(param, 2)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        step = adam_moments(param, grad, state, group, work)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        second = exp_avg_sq
        if group["amsgrad"]:
            second = state.get("max_exp_avg_sq")
            if second is None:  # amsgrad switched on mid-run
                second = state["max_exp_avg_sq"] = np.zeros_like(param)
            np.maximum(second, exp_avg_sq, out=second)
        np.sqrt(second, out=work[1])
        work[1] /= bias_correction2_sqrt
        work[1] += eps                                # √v̂ + ε
        np.divide(exp_avg, work[1], out=work[1])
        work[1] *= step_size
        param -= work[1]


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter 2019): `Adam` with decoupled weight decay, PyTorch's defaults
    (lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)::

        θ ← θ − ηλθ                    (decay the weights directly, not through g)
        then Adam's update with g = ∇f(θ)

    With coupled L2 (Adam's weight_decay) the decay term λθ is divided by √v̂ like the rest of
    the gradient, so weights with large gradients are barely decayed; decoupled, every weight
    shrinks by the same factor 1 − ηλ.  Keras's AdamW defaults weight_decay to 4e-3.
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 clipnorm: float | None = None, clipvalue: float | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad,
                         decoupled_weight_decay=True, clipnorm=clipnorm, clipvalue=clipvalue)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # AdamW always decouples (as PyTorch's)
            group["decoupled_weight_decay"] = True


class NAdam(Optimizer):
    r"""NAdam (Dozat 2016): Adam with Nesterov momentum, PyTorch's formulation and defaults
    (lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay ψ=4e-3,
    decoupled_weight_decay=False; clipnorm / clipvalue as in `Optimizer`).  At step t::

        g ← ∇f(θ) + λθ                 (or, decoupled: θ ← θ − ηλθ first)
        μ_t ← β1·(1 − ½·0.96^(tψ));   μ_{t+1} ← β1·(1 − ½·0.96^((t+1)ψ))
        Π_t ← Π_{t−1}·μ_t              (Π₀ = 1; ``mu_product``)
        m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
        v̂ ← v / (1 − β2ᵗ)
        θ ← θ − η(1 − μ_t)/(1 − Π_t) · g/(√v̂ + ε) − η·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m/(√v̂ + ε)

    The look-ahead is folded into the update: the momentum term uses the next step's μ, the
    gradient term the current one (the notes do not cover NAdam).  PyTorch keeps ``mu_product`` in a tensor of the default dtype
    (float32 unless changed), so its runs carry float32 rounding in Π_t; tidu keeps Π_t as a
    Python float (float64).

    State per parameter: ``step`` (int), ``mu_product`` (float), ``exp_avg``, ``exp_avg_sq``.
    """

    hyper_ranges = {**_ADAM_RANGES, "momentum_decay": NON_NEGATIVE}

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, betas=_as_pair(betas), eps=eps,
                                      weight_decay=weight_decay, momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      clipnorm=clipnorm, clipvalue=clipvalue))

    def _init_state(self, param, group):
        return {"step": 0, "mu_product": 1.0, "exp_avg": np.zeros_like(param),
                "exp_avg_sq": np.zeros_like(param)}

    def _update(self, param, grad, state, group):
        lr, eps, wd, psi = group["lr"], group["eps"], group["weight_decay"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        work = self._work(param, 3)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        state["step"] += 1
        step = state["step"]
        bias_correction2 = 1 - beta2 ** step
        d = grad
        if wd and group["decoupled_weight_decay"]:
            param *= 1 - lr * wd
        else:
            d = decayed_grad(param, grad, wd, work[0])
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        lerp_(exp_avg, d, 1 - beta1, work[1])
        exp_avg_sq *= beta2
        np.multiply(d, d, out=work[1])
        work[1] *= 1 - beta2
        exp_avg_sq += work[1]
        np.divide(exp_avg_sq, bias_correction2, out=work[1])
        np.sqrt(work[1], out=work[1])
        work[1] += eps                                # √v̂ + ε
        np.divide(d, work[1], out=work[2])
        work[2] *= lr * (1.0 - mu) / (1.0 - mu_product)
        param -= work[2]
        np.divide(exp_avg, work[1], out=work[2])
        work[2] *= lr * mu_next / (1.0 - mu_product * mu_next)
        param -= work[2]
