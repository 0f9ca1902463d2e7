"""The one-hot categorical distribution: a categorical draw as a one-hot vector."""
from __future__ import annotations

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor, no_grad
from . import constraints
from . import constraints_extra as cx
from .categorical import Categorical
from .distribution import Distribution


class OneHotCategorical(Distribution):
    """A `Categorical` (from exactly one of ``probs`` or ``logits``, last dim K) whose
    draws are one-hot vectors of length K (event_shape (K,)):

        log p(x) = logits[argmax x],  H = −Σ p·log p
        mean = p, mode = one_hot(argmax p), variance = p(1 − p)

    Draws are floats in the parameter's dtype."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = cx.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=False)
        if validate_args is not None:
            self._validate_args = bool(validate_args)
        else:
            self._validate_args = Distribution._validate_args

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def param_shape(self):
        return self._categorical.param_shape

    def _param_names(self):
        return []

    def expand(self, batch_shape, _instance=None):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._categorical = self._categorical.expand(batch_shape)
        new._batch_shape = tuple(batch_shape)
        return new

    def __repr__(self):
        return f"OneHotCategorical({self._categorical._given}: shape {self.param_shape})"

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        p = self.probs._data
        k = p.shape[-1]
        return Tensor._wrap((xp_of(p).arange(k) == p.argmax(-1)[..., None]).astype(p.dtype))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        with no_grad():
            index = self._categorical.sample(sample_shape)._data
            k = self._event_shape[0]
            xp_hot = (xp_of(index).arange(k) == index[..., None]).astype(self.probs.dtype)
            return Tensor._wrap(xp_hot)

    def log_prob(self, value):
        value = self._value(value, self.probs)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        """The K one-hot vectors along a new first dim: shape (K,) + batch_shape + (K,)."""
        k = self._event_shape[0]
        values = Tensor(np.eye(k), dtype=self.probs.dtype, device=self.probs.device)
        values = values.reshape((k,) + (1,) * len(self._batch_shape) + (k,))
        return values.expand(k, *self._batch_shape, k) if expand else values
