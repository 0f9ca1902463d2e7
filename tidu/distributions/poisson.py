"""The Poisson distribution."""
from __future__ import annotations

import numpy as np

from .. import random as _random
from ..backend import like, to_numpy
from ..tensor import Tensor, no_grad
from . import constraints_extra as cx
from .distribution import Distribution
from .utils import broadcast_all


class Poisson(Distribution):
    """Poisson(rate λ ≥ 0) over the non-negative integers:

        log p(k) = k·log λ − λ − log Γ(k + 1),  mean = variance = λ, mode = ⌊λ⌋

    Draws are float counts in the rate's dtype (as PyTorch); no rsample, no entropy."""

    arg_constraints = {"rate": cx.nonnegative}
    support = cx.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, (), validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        with no_grad():
            shape = self._extended_shape(sample_shape)
            rate = np.broadcast_to(to_numpy(self.rate._data), shape)
            counts = _random.generator().poisson(rate).astype(self.rate.dtype)
            return Tensor._wrap(like(self.rate._data, counts))

    def log_prob(self, value):
        value = self._value(value, self.rate)
        return value.xlogy(self.rate) - self.rate - (value + 1).lgamma()
