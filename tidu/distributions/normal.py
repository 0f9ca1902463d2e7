"""The normal (Gaussian) distribution."""
from __future__ import annotations

import math

from ..tensor import no_grad
from .distribution import LocScale
from .utils import as_tensor_like, standard_normal

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class Normal(LocScale):
    """N(loc, scale²), batched over the broadcast shape of ``loc`` and ``scale`` (tensors or
    numbers; scale > 0):

        log p(x) = −(x − loc)² / (2·scale²) − log scale − ½·log 2π
        H = ½ + ½·log 2π + log scale

    ``rsample`` is ``loc + scale·ε``, ε ~ N(0, 1) from tidu's generator, so gradients reach
    ``loc`` and ``scale``.
    """

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.pow(2)

    def rsample(self, sample_shape=()):
        """``loc + scale·ε`` of shape ``sample_shape + batch_shape``, ε ~ N(0, 1)."""
        eps = self.loc._wrap(standard_normal(self._extended_shape(sample_shape), self.loc))
        return self.loc + eps * self.scale

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.loc)
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - _HALF_LOG_2PI

    def cdf(self, value):
        """½·(1 + erf((x − loc) / (scale·√2)))."""
        value = self._value(value, self.loc)
        return 0.5 * (1 + ((value - self.loc) / (self.scale * math.sqrt(2))).erf())

    def icdf(self, value):
        """loc + scale·√2·erfinv(2p − 1)."""
        value = as_tensor_like(value, self.loc)
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self):
        return 0.5 + _HALF_LOG_2PI + self.scale.log()
