"""The beta distribution."""
from __future__ import annotations

from ..ops.elementwise import where
from ..tensor import no_grad
from . import constraints
from ._gamma_ops import standard_gamma
from .distribution import Distribution
from .utils import broadcast_all


def _log_beta(a, b):
    return a.lgamma() + b.lgamma() - (a + b).lgamma()


class Beta(Distribution):
    """Beta(concentration1 α, concentration0 β), both > 0, on [0, 1]:

        log p(x) = (α − 1)·log x + (β − 1)·log(1 − x) − log B(α, β)
        H = log B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β) + (α + β − 2)ψ(α + β)
        mean = α/(α + β), mode = (α − 1)/(α + β − 2) (see `mode`), variance = αβ/((α + β)²(α + β + 1))

    ``rsample`` is X/(X + Y), X ~ Gamma(α, 1), Y ~ Gamma(β, 1), reparameterized."""

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, (), validate_args)

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        """(α − 1)⁺/((α − 1)⁺ + (β − 1)⁺); 1 where α, β < 1 both (as PyTorch, whose
        Dirichlet mode then picks the first coordinate)."""
        a, b = self.concentration1, self.concentration0
        up, down = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        both_small = (a._data < 1) & (b._data < 1)
        return where(both_small, 1.0, up / (up + down))

    @property
    def variance(self):
        a, b = self.concentration1, self.concentration0
        total = a + b
        return a * b / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = standard_gamma(self.concentration1, shape)
        y = standard_gamma(self.concentration0, shape)
        return x / (x + y)

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.concentration1)
        a, b = self.concentration1, self.concentration0
        return (a - 1).xlogy(value) + (b - 1).xlogy(1 - value) - _log_beta(a, b)

    def entropy(self):
        a, b = self.concentration1, self.concentration0
        return (_log_beta(a, b) - (a - 1) * a.digamma() - (b - 1) * b.digamma()
                + (a + b - 2) * (a + b).digamma())
