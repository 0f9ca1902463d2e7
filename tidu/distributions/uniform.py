"""The continuous uniform distribution."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, no_grad
from . import constraints
from .distribution import Distribution
from .utils import as_tensor_like, broadcast_all, uniform01


class Uniform(Distribution):
    """U[low, high), batched over the broadcast shape of ``low`` and ``high`` (tensors or
    numbers; low < high):

        log p(x) = −log(high − low) on [low, high), −inf outside
        H = log(high − low),  mean = (low + high)/2,  variance = (high − low)²/12

    ``rsample`` is ``low + u·(high − low)``, u ~ U[0, 1) from tidu's generator.
    """

    has_rsample = True

    @property
    def arg_constraints(self):
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    @property
    def support(self):
        return constraints.half_open_interval(self.low, self.high)

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, (), validate_args)

    def _param_names(self):
        return ["low", "high"]

    @property
    def mean(self):
        return (self.low + self.high) / 2

    @property
    def mode(self):
        return self.low * np.nan

    @property
    def stddev(self):
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self):
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape=()):
        """``low + u·(high − low)`` of shape ``sample_shape + batch_shape``, u ~ U[0, 1)."""
        u = uniform01(self._extended_shape(sample_shape), self.low, self.low.dtype)
        return self.low + Tensor._wrap(u) * (self.high - self.low)

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.low)
        inside = (self.low._data <= value._data) & (value._data < self.high._data)
        with np.errstate(divide="ignore"):  # log 0 = −inf outside the support, as meant
            log_inside = Tensor._wrap(inside.astype(self.low.dtype)).log()
        return log_inside - (self.high - self.low).log()

    def cdf(self, value):
        """clamp((x − low)/(high − low), 0, 1)."""
        value = self._value(value, self.low)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        """low + p·(high − low)."""
        value = as_tensor_like(value, self.low)
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()
