"""The Cauchy (Lorentz) distribution."""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor, no_grad
from .distribution import LocScale, _full_nan
from .utils import as_tensor_like, uniform01


class Cauchy(LocScale):
    """Cauchy(loc, scale), scale > 0:

        log p(x) = −log π − log γ − log(1 + ((x − x₀)/γ)²),  H = log(4π) + log γ
        cdf = atan((x − x₀)/γ)/π + ½;  mean NaN, variance inf, mode x₀

    ``rsample`` is x₀ + γ·tan(π(u − ½)), u ~ U[0, 1)."""

    @property
    def mean(self):
        return _full_nan(self._batch_shape, self.loc)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return Tensor(np.full(self._batch_shape, math.inf), dtype=self.loc.dtype,
                      device=self.loc.device)

    def rsample(self, sample_shape=()):
        u = Tensor._wrap(uniform01(self._extended_shape(sample_shape), self.loc, self.loc.dtype))
        return self.loc + self.scale * (math.pi * (u - 0.5)).tan()

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.loc)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - z.pow(2).log1p()

    def cdf(self, value):
        value = self._value(value, self.loc)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value):
        """x₀ + γ·tan(π(p − ½))."""
        value = as_tensor_like(value, self.loc)
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
