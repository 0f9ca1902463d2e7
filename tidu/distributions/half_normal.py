"""The half-normal distribution: |X| for X ~ N(0, scale²)."""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor, no_grad
from . import constraints
from . import constraints_extra as cx
from .distribution import Distribution
from .utils import as_tensor_like, broadcast_all, standard_normal

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class HalfNormal(Distribution):
    """HalfNormal(scale), scale > 0:

        log p(x) = log 2 − x²/(2σ²) − log σ − ½·log 2π (x ≥ 0; −inf below)
        H = ½·log(πσ²/2) + ½,  cdf = erf(x/(σ√2))
        mean = σ√(2/π), mode = 0, variance = σ²(1 − 2/π)

    ``rsample`` is σ·|ε|, ε ~ N(0, 1)."""

    arg_constraints = {"scale": constraints.positive}
    support = cx.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        (self.scale,) = broadcast_all(scale)
        super().__init__(self.scale.shape, (), validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self):
        return self.scale * 0

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def rsample(self, sample_shape=()):
        eps = np.abs(standard_normal(self._extended_shape(sample_shape), self.scale))
        return self.scale * Tensor._wrap(eps)

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.scale)
        lp = (math.log(2) - _HALF_LOG_2PI) - self.scale.log() - value.pow(2) / (2 * self.scale.pow(2))
        return lp.masked_fill(value < 0, -math.inf)

    def cdf(self, value):
        value = self._value(value, self.scale)
        return (value / (self.scale * math.sqrt(2))).erf()

    def icdf(self, value):
        """σ√2·erfinv(p)."""
        value = as_tensor_like(value, self.scale)
        return self.scale * math.sqrt(2) * value.erfinv()

    def entropy(self):
        return 0.5 * math.log(math.pi / 2) + 0.5 + self.scale.log()
