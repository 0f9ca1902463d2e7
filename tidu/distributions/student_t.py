"""Student's t distribution."""
from __future__ import annotations

import math


from ..ops.elementwise import where
from ..tensor import Tensor, no_grad
from . import constraints
from ._gamma_ops import standard_gamma
from .distribution import Distribution
from .utils import broadcast_all, standard_normal


class StudentT(Distribution):
    """StudentT(df ν, loc μ=0., scale σ=1.), ν, σ > 0, with y = (x − μ)/σ:

        log p(x) = −(ν + 1)/2·log(1 + y²/ν) − log σ − ½·log(νπ) − log Γ(ν/2) + log Γ((ν + 1)/2)
        H = log σ + (ν + 1)/2·(ψ((ν + 1)/2) − ψ(ν/2)) + ½·log ν + log B(ν/2, ½)
        mean = μ (ν > 1, else NaN), mode = μ,
        variance = σ²ν/(ν − 2) (ν > 2; inf for 1 < ν ≤ 2; NaN for ν ≤ 1)

    ``rsample`` is μ + σ·ε/√(G/ν), ε ~ N(0, 1), G ~ χ²(ν) = 2·Gamma(ν/2, 1)."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        super().__init__(self.df.shape, (), validate_args)

    @property
    def mean(self):
        return self.loc.masked_fill(self.df <= 1, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        # the ν ≤ 2 entries are overwritten below; divide them by 1 to avoid a warning
        var = self.scale.pow(2) * df / where(df._data > 2, df - 2, 1.0)
        var = var.masked_fill((df <= 2) & (df > 1), math.inf)
        return var.masked_fill(df <= 1, math.nan)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = Tensor._wrap(standard_normal(shape, self.df))
        chi2 = 2 * standard_gamma(0.5 * self.df, shape)
        return self.loc + self.scale * eps * (chi2 / self.df).rsqrt()

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.df)
        df = self.df
        y = (value - self.loc) / self.scale
        log_norm = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
                    + (0.5 * df).lgamma() - (0.5 * (df + 1)).lgamma())
        return -0.5 * (df + 1) * (y.pow(2) / df).log1p() - log_norm

    def entropy(self):
        df = self.df
        half, half_up = 0.5 * df, 0.5 * (df + 1)
        log_beta = half.lgamma() + math.lgamma(0.5) - half_up.lgamma()
        return (self.scale.log() + half_up * (half_up.digamma() - half.digamma())
                + 0.5 * df.log() + log_beta)


