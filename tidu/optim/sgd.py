"""Stochastic gradient descent with momentum and Nesterov momentum (PyTorch's form, and the
classic look-ahead form of the notes)."""
from __future__ import annotations

import numpy as np

from ..tensor import enable_grad
from ..errors import HyperParameterError
from .optimizer import ANY_REAL, NON_NEGATIVE, Optimizer, decayed_grad

NESTEROV_FORMS = ("pytorch", "classic")


class SGD(Optimizer):
    r"""SGD, PyTorch's formulation (defaults lr=1e-3, momentum=0, dampening=0,
    weight_decay=0, nesterov=False, nesterov_form="pytorch"; clipnorm / clipvalue as in
    `Optimizer`)::

        g ← ∇f(θ) + λθ                     (weight_decay λ, coupled L2)
        b ← μ·b + (1 − τ)·g                (momentum μ, dampening τ; b₁ = g)
        g ← g + μ·b  if nesterov  else  b
        θ ← θ − η·g

    Batch GD, mini-batch GD and stochastic GD are this optimizer fed different batch sizes
    (the whole set, a slice, one sample).

    The notes (001, 优化函数) write momentum as m ← μm + η∇f(θ), θ ← θ − m, which is the
    trajectory above for a constant η (m = η·b).  Their Nesterov (NAG, Sutskever et al.) takes
    the gradient at the look-ahead point::

        v ← μ·v − η·(∇f(θ + μv) + λ(θ + μv))       θ ← θ + v          (v₀ = 0)

    ``nesterov_form="classic"`` runs exactly that: ``step(closure)`` moves the parameters to
    θ + μv, calls the closure there (it must recompute the loss and the gradients), moves them
    back and updates θ and the velocity ``state["velocity"]`` = v.  PyTorch's parameter is the
    classic look-ahead point: θ_pytorch = θ + μv, with b = −v/η, step for step, as long as η is
    constant (tests/optim/test_optimizers.py shows it, and shows that it stops holding once η
    changes mid-run).
    """

    # PyTorch's rules (momentum ≥ 1 is allowed, as in PyTorch; dampening is any number)
    hyper_ranges = {**Optimizer.hyper_ranges, "lr": NON_NEGATIVE, "momentum": NON_NEGATIVE,
                    "dampening": ANY_REAL, "weight_decay": NON_NEGATIVE}
    _option_keys = ("nesterov", "nesterov_form")

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *,
                 nesterov_form: str = "pytorch", clipnorm: float | None = None,
                 clipvalue: float | None = None):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      nesterov_form=nesterov_form, clipnorm=clipnorm,
                                      clipvalue=clipvalue))

    def _check_options(self, group):
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise HyperParameterError(f"SGD: nesterov needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")
        if group["nesterov_form"] not in NESTEROV_FORMS:
            raise HyperParameterError(f"SGD: nesterov_form must be one of {NESTEROV_FORMS}, got "
                             f"nesterov_form={group['nesterov_form']!r}")
        if group["nesterov_form"] == "classic" and not group["nesterov"]:
            raise HyperParameterError("SGD: nesterov_form='classic' needs nesterov=True")

    # ------------------------------------------------------------------ PyTorch's form
    def _update(self, param, grad, state, group):
        if group["nesterov_form"] == "classic" and group["nesterov"]:
            return self._classic_update(param, grad, state, group)
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        work = self._work(param, 2)
        d = decayed_grad(param, grad, wd, work[0])
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = d.copy()
            else:
                buf *= mu
                if group["dampening"]:
                    np.multiply(d, 1 - group["dampening"], out=work[1])
                    buf += work[1]
                else:
                    buf += d
            if group["nesterov"]:
                np.multiply(buf, mu, out=work[1])
                work[1] += d
                d = work[1]
            else:
                d = buf
        np.multiply(d, lr, out=work[1])
        param -= work[1]

    # ------------------------------------------------------------------ classic Nesterov
    def step(self, closure=None):
        self._recheck_groups()  # the classic form uses momentum before the base step checks
        classic = [g for g in self.param_groups
                   if g["nesterov"] and g["nesterov_form"] == "classic"]
        if not classic:
            return super().step(closure)
        if closure is None:
            raise ValueError("SGD(nesterov_form='classic').step needs a closure that recomputes "
                             "the loss and the gradients: the classic form takes the gradient at "
                             "the look-ahead point θ + μv, where step() puts the parameters for it")
        self._shift_by_momentum(classic, +1)
        try:
            with enable_grad():
                loss = closure()
        finally:
            self._shift_by_momentum(classic, -1)
        super().step()
        return loss

    def _shift_by_momentum(self, groups, sign: int) -> None:
        """θ ← θ ± μv for every parameter of ``groups`` that has a velocity."""
        for group in groups:
            for p in group["params"]:
                v = self.state.get(p, {}).get("velocity")
                if v is not None:
                    v = v._data
                    work = self._work(p._data, 1)[0]
                    np.multiply(v, group["momentum"], out=work)
                    if sign > 0:
                        p._data += work
                    else:
                        p._data -= work

    def _classic_update(self, param, grad, state, group):
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        work = self._work(param, 2)
        v = state.get("velocity")
        if v is None:
            v = state["velocity"] = np.zeros_like(param)
        d = grad
        if wd:  # the decay term's gradient at the look-ahead point too
            np.multiply(v, mu, out=work[0])
            work[0] += param
            work[0] *= wd
            work[0] += grad
            d = work[0]
        v *= mu
        np.multiply(d, lr, out=work[1])
        v -= work[1]
        param += v
