"""The exponential distribution."""
from __future__ import annotations

from ..tensor import Tensor, no_grad
from . import constraints_extra as cx
from . import constraints
from .distribution import Distribution
from .utils import as_tensor_like, broadcast_all, uniform01


class Exponential(Distribution):
    """Exp(rate), rate > 0, batched over ``rate``'s shape:

        log p(x) = log λ − λx (x ≥ 0),  H = 1 − log λ
        mean = 1/λ, mode = 0, variance = 1/λ²,  cdf = 1 − e^(−λx)

    ``rsample`` is −log(1 − u)/λ, u ~ U[0, 1)."""

    arg_constraints = {"rate": constraints.positive}
    support = cx.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, (), validate_args)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return self.rate * 0

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        u = uniform01(self._extended_shape(sample_shape), self.rate, self.rate.dtype)
        return -(-Tensor._wrap(u)).log1p() / self.rate

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.rate)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        """1 − e^(−λx)."""
        value = self._value(value, self.rate)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        """−log(1 − p)/λ."""
        value = as_tensor_like(value, self.rate)
        return -(-value).log1p() / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()
