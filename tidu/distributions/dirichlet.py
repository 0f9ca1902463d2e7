"""The Dirichlet distribution over the probability simplex."""
from __future__ import annotations

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor, no_grad
from . import constraints
from ._gamma_ops import standard_gamma
from .distribution import Distribution


class Dirichlet(Distribution):
    """Dir(concentration α), α > 0 of shape batch_shape + (K,); draws lie on the simplex
    (event_shape (K,)).  With α₀ = Σα:

        log p(x) = Σ(α − 1)·log x − Σ log Γ(α) + log Γ(α₀)
        H = Σ log Γ(α) − log Γ(α₀) − (K − α₀)ψ(α₀) − Σ(α − 1)ψ(α)
        mean = α/α₀, variance = α(α₀ − α)/(α₀²(α₀ + 1)),
        mode = (α − 1)⁺ normalized (where every α < 1: (1, 0, …, 0), as PyTorch)

    ``rsample`` normalizes K Gamma(α, 1) draws, reparameterized."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if not isinstance(concentration, Tensor):
            concentration = Tensor(concentration)
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self):
        a = self.concentration._data
        xp = xp_of(a)
        xp_mode = xp.clip(a - 1, 0, None)
        with np.errstate(invalid="ignore", divide="ignore"):
            xp_mode = xp_mode / xp_mode.sum(-1, keepdims=True)
        all_small = (a < 1).all(-1, keepdims=True)
        first = (xp.arange(a.shape[-1]) == 0).astype(a.dtype)
        return Tensor._wrap(xp.where(all_small, first, xp_mode).astype(a.dtype))

    @property
    def variance(self):
        a = self.concentration
        a0 = a.sum(-1, keepdim=True)
        return a * (a0 - a) / (a0.pow(2) * (a0 + 1))

    def rsample(self, sample_shape=()):
        g = standard_gamma(self.concentration, self._extended_shape(sample_shape))
        return g / g.sum(-1, keepdim=True)

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.concentration)
        a = self.concentration
        return ((a - 1).xlogy(value).sum(-1) - a.lgamma().sum(-1) + a.sum(-1).lgamma())

    def entropy(self):
        a = self.concentration
        k = a.shape[-1]
        a0 = a.sum(-1)
        return (a.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
                - ((a - 1) * a.digamma()).sum(-1))
