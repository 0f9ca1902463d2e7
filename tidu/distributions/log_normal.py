"""The log-normal distribution: exp(X) for X ~ N(loc, scale²)."""
from __future__ import annotations

import math

from ..tensor import no_grad
from . import constraints
from .distribution import LocScale
from .normal import Normal
from .utils import as_tensor_like


class LogNormal(LocScale):
    """LogNormal(loc, scale), scale > 0 (the parameters of log X):

        log p(x) = log N(log x; μ, σ²) − log x,  H = ½ + ½·log 2π + log σ + μ
        cdf = Φ((log x − μ)/σ),  mean = e^(μ + σ²/2), mode = e^(μ − σ²),
        variance = (e^(σ²) − 1)·e^(2μ + σ²)

    ``rsample`` is exp of the normal's rsample."""

    support = constraints.positive

    @property
    def base_dist(self):
        return Normal(self.loc, self.scale, validate_args=False)

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.pow(2)).exp()

    @property
    def variance(self):
        s2 = self.scale.pow(2)
        return s2.expm1() * (2 * self.loc + s2).exp()

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape).exp()

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.loc)
        log_x = value.log()
        return self.base_dist.log_prob(log_x) - log_x

    def cdf(self, value):
        value = self._value(value, self.loc)
        return 0.5 * (1 + ((value.log() - self.loc) / (self.scale * math.sqrt(2))).erf())

    def icdf(self, value):
        """exp(μ + σ√2·erfinv(2p − 1))."""
        value = as_tensor_like(value, self.loc)
        return self.base_dist.icdf(value).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc
