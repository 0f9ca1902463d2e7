"""The binomial distribution."""
from __future__ import annotations

import numpy as np

from .. import random as _random
from ..backend import like, to_numpy
from ..tensor import Tensor, no_grad
from . import constraints
from . import constraints_extra as cx
from .bernoulli import _softplus
from .distribution import Distribution
from .utils import broadcast_all, logits_to_probs, probs_to_logits


class Binomial(Distribution):
    """Binomial(total_count n=1, probs p or logits l): successes in n Bernoulli(p) trials.

        log p(k) = log C(n, k) + k·l − n·softplus(l)
        mean = np, mode = min(⌊(n + 1)p⌋, n), variance = np(1 − p)
        H = −Σ_k p(k)·log p(k) over k = 0 … n (n must be the same for every element)

    Draws are float counts in the parameter's dtype."""

    arg_constraints = {"total_count": cx.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = self.total_count.type_as(self.probs)
            self.logits = probs_to_logits(self.probs, is_binary=True)
            self._given = "probs"
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = self.total_count.type_as(self.logits)
            self.probs = logits_to_probs(self.logits, is_binary=True)
            self._given = "logits"
        super().__init__(self.probs.shape, (), validate_args)

    def _given_parameters(self):
        return ["total_count", self._given]

    def _param_names(self):
        return ["total_count", "probs", "logits"]

    @property
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().minimum(self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        with no_grad():
            shape = self._extended_shape(sample_shape)
            n = np.broadcast_to(to_numpy(self.total_count._data).astype(np.int64), shape)
            p = np.broadcast_to(to_numpy(self.probs._data), shape)
            draws = _random.generator().binomial(n, p).astype(self.probs.dtype)
            return Tensor._wrap(like(self.probs._data, draws))

    def log_prob(self, value):
        value = self._value(value, self.logits)
        n = self.total_count
        log_comb = (n + 1).lgamma() - (value + 1).lgamma() - (n - value + 1).lgamma()
        # k·l − n·softplus(l), kept finite where l = ±inf meets k = 0 or k = n
        return log_comb + value * self.logits - n * _softplus(self.logits)

    def enumerate_support(self, expand=True):
        """0 … n along a new first dim (n the same everywhere), shape (n + 1,) + batch_shape."""
        n = to_numpy(self.total_count._data)
        if n.size and not (n == n.flat[0]).all():
            raise NotImplementedError("Inhomogeneous total count not supported by "
                                      "`enumerate_support`.")
        count = int(n.flat[0]) if n.size else 0
        values = Tensor(np.arange(count + 1), dtype=self.probs.dtype, device=self.probs.device)
        values = values.reshape((count + 1,) + (1,) * len(self._batch_shape))
        return values.expand(count + 1, *self._batch_shape) if expand else values

    def entropy(self):
        lp = self.log_prob(self.enumerate_support(expand=False))
        return -(lp.exp() * lp).sum(0)
