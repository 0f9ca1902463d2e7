"""The geometric distribution: failures before the first success."""
from __future__ import annotations

import numpy as np

from ..ops.elementwise import where
from ..tensor import Tensor, no_grad
from . import constraints
from . import constraints_extra as cx
from .bernoulli import _softplus
from .distribution import Distribution
from .utils import set_binary_parameters, uniform01


class Geometric(Distribution):
    """P(X = k) = (1 − p)^k·p, k = 0, 1, …, from exactly one of ``probs`` (p ∈ (0, 1]) or
    ``logits``:

        log p(k) = k·log(1 − p) + log p,  H = (softplus(l) − p·l)/p
        mean = 1/p − 1, mode = 0, variance = (1/p − 1)/p

    Draws are ⌊log u / log(1 − p)⌋ (float, in the parameter's dtype)."""

    arg_constraints = {"probs": constraints.interval(0.0, 1.0), "logits": constraints.real}
    support = cx.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        set_binary_parameters(self, probs, logits)
        super().__init__(self.probs.shape, (), validate_args)

    def _given_parameters(self):
        return [self._given]

    def _param_names(self):
        return ["probs", "logits"]

    @property
    def mean(self):
        return self.probs.reciprocal() - 1

    @property
    def mode(self):
        return self.probs * 0

    @property
    def variance(self):
        return (self.probs.reciprocal() - 1) / self.probs

    def sample(self, sample_shape=()):
        with no_grad():
            p = self.probs._data
            tiny = np.finfo(p.dtype).tiny
            u = np.maximum(uniform01(self._extended_shape(sample_shape), self.probs, p.dtype), tiny)
            with np.errstate(divide="ignore"):
                return Tensor._wrap(np.floor(np.log(u) / np.log1p(-p)).astype(p.dtype))

    def log_prob(self, value):
        value = self._value(value, self.probs)
        # p = 1 at k = 0 must give log 1 = 0, not 0·(−inf)
        safe = where((self.probs._data == 1) & (value._data == 0), 0.0, self.probs)
        return value * (-safe).log1p() + self.probs.log()

    def entropy(self):
        return (_softplus(self.logits) - self.probs * self.logits) / self.probs
