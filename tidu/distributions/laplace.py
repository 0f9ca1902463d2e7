"""The Laplace (double exponential) distribution."""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor, no_grad
from .distribution import LocScale
from .utils import as_tensor_like, uniform01


class Laplace(LocScale):
    """Laplace(loc, scale), scale > 0:

        log p(x) = −log(2b) − |x − μ|/b,  H = 1 + log(2b)
        mean = mode = μ, variance = 2b²,  cdf = ½ − ½·sign(x − μ)·(e^(−|x − μ|/b) − 1)

    ``rsample`` is μ − b·sign(u)·log(1 − |u|), u ~ U(−1, 1)."""

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return math.sqrt(2) * self.scale

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    def rsample(self, sample_shape=()):
        u01 = uniform01(self._extended_shape(sample_shape), self.loc, self.loc.dtype)
        eps = np.finfo(self.loc.dtype).eps
        u = np.clip(2 * u01 - 1, eps - 1, 1 - eps)  # keep log(1 − |u|) finite
        u = Tensor._wrap(u.astype(self.loc.dtype, copy=False))
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.loc)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        value = self._value(value, self.loc)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * (-z.abs() / self.scale).expm1()

    def icdf(self, value):
        """μ − b·sign(p − ½)·log(1 − 2|p − ½|)."""
        value = as_tensor_like(value, self.loc)
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()
