"""The gamma distribution."""
from __future__ import annotations

from ..tensor import no_grad
from . import constraints
from . import constraints_extra as cx
from ._gamma_ops import gammainc, standard_gamma
from .distribution import Distribution
from .utils import broadcast_all


class Gamma(Distribution):
    """Gamma(concentration α, rate β), both > 0:

        log p(x) = α·log β + (α − 1)·log x − βx − log Γ(α)
        H = α − log β + log Γ(α) + (1 − α)·ψ(α),  cdf = P(α, βx) (regularized incomplete Γ)
        mean = α/β, mode = max((α − 1)/β, 0), variance = α/β²

    ``rsample`` is G/β with G ~ Gamma(α, 1) carrying the implicit reparameterization
    gradient (dG/dα = −∂P(α, G)/∂α / p(G; α))."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = cx.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, (), validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return standard_gamma(self.concentration, shape) / self.rate

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.rate)
        a, b = self.concentration, self.rate
        return a.xlogy(b) + (a - 1).xlogy(value) - b * value - a.lgamma()

    def cdf(self, value):
        value = self._value(value, self.rate)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1 - a) * a.digamma()
