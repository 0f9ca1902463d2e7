"""The Bernoulli distribution."""
from __future__ import annotations

import math

import numpy as np

from ..nn import functional as F
from ..tensor import Tensor, no_grad
from . import constraints
from .distribution import Distribution
from .utils import as_tensor_like, set_binary_parameters, uniform01


def _softplus(x: Tensor) -> Tensor:
    """log(1 + eˣ) without the linear cut-off, so log-probabilities stay exact."""
    return F.softplus(x, 1.0, math.inf)


class Bernoulli(Distribution):
    """P(X = 1) = p, P(X = 0) = 1 − p, from exactly one of ``probs`` (p ∈ [0, 1]) or
    ``logits`` (log p − log(1 − p)), tensors or numbers; the other is derived (probs as
    σ(logits); logits from probs clamped to [eps, 1 − eps]).  In the stable
    binary-cross-entropy-with-logits form, with l the logits:

        log p(x) = x·l − softplus(l)
        H = softplus(l) − p·l,  mean = p,  variance = p·(1 − p)

    Draws are float 0/1 in the parameters' dtype.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        set_binary_parameters(self, probs, logits)
        super().__init__(self._param.shape, (), validate_args)

    @property
    def _param(self) -> Tensor:
        return getattr(self, self._given)

    @property
    def param_shape(self) -> tuple:
        return self._param.shape

    def _given_parameters(self):
        return [self._given]

    def _param_names(self):
        return ["probs", "logits"]

    def __repr__(self):
        shown = self._param.item() if self._param.numel() == 1 else f"shape {self._param.shape}"
        return f"Bernoulli({self._given}: {shown})"

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        """1 where p > ½, 0 where p < ½, NaN where p = ½ (as PyTorch)."""
        p = self.probs._data
        mode = np.where(p == 0.5, np.nan, (p > 0.5).astype(p.dtype))
        return Tensor._wrap(mode.astype(p.dtype, copy=False))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        """0/1 floats of shape ``sample_shape + batch_shape``: 1 where u < p, u ~ U[0, 1)."""
        with no_grad():
            p = self.probs._data
            u = uniform01(self._extended_shape(sample_shape), self.probs)
            return Tensor._wrap((u < p).astype(p.dtype))

    def log_prob(self, value):
        value = self._value(value, self.logits)
        return self.logits * value - _softplus(self.logits)

    def entropy(self):
        return _softplus(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand=True):
        """[0., 1.] along a new first dim, of shape (2,) + batch_shape (or (2, 1, …, 1))."""
        values = as_tensor_like(np.array([0.0, 1.0]), self.probs)
        values = values.reshape((2,) + (1,) * len(self._batch_shape))
        return values.expand(2, *self._batch_shape) if expand else values
