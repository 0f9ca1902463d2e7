"""The Gumbel (type-I extreme value) distribution."""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor, no_grad
from .distribution import LocScale
from .utils import as_tensor_like, uniform01

_EULER = 0.57721566490153286060


class Gumbel(LocScale):
    """Gumbel(loc, scale), scale > 0, with z = (x − μ)/β:

        log p(x) = −(log β + z + e^(−z)),  H = log β + 1 + γ (Euler's constant)
        cdf = exp(−e^(−z)),  mean = μ + βγ, mode = μ, variance = π²β²/6

    ``rsample`` is μ − β·log(−log u), u ~ U(0, 1)."""

    @property
    def mean(self):
        return self.loc + self.scale * _EULER

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def rsample(self, sample_shape=()):
        u = uniform01(self._extended_shape(sample_shape), self.loc, self.loc.dtype)
        tiny = np.finfo(self.loc.dtype).tiny
        u = Tensor._wrap(np.clip(u, tiny, 1 - np.finfo(self.loc.dtype).eps))
        return self.loc - self.scale * (-u.log()).log()

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.loc)
        z = (value - self.loc) / self.scale
        return -(self.scale.log() + z + (-z).exp())

    def cdf(self, value):
        value = self._value(value, self.loc)
        return (-(-(value - self.loc) / self.scale).exp()).exp()

    def icdf(self, value):
        """μ − β·log(−log p)."""
        value = as_tensor_like(value, self.loc)
        return self.loc - self.scale * (-value.log()).log()

    def entropy(self):
        return self.scale.log() + (1 + _EULER)
