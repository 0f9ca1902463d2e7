"""The categorical distribution over ``0, …, K − 1``."""
from __future__ import annotations

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor, no_grad
from . import constraints
from .distribution import Distribution, _full_nan
from .utils import logits_to_probs, probs_to_logits, uniform01


def _as_tensor(value, name: str) -> Tensor:
    value = value if isinstance(value, Tensor) else Tensor(value)
    if value.ndim < 1:
        raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
    return value


class Categorical(Distribution):
    """P(X = k) = p_k over categories ``0, …, K − 1`` (the last dim of the parameter; the
    dims before it are the batch), from exactly one of ``probs`` (non-negative, normalized
    here: p / Σp) or ``logits`` (normalized here: log_softmax).  ``.probs`` and ``.logits``
    hold both, normalized (logits from probs clamped to [eps, 1 − eps]):

        log p(k) = logits[k],  H = −Σ_k p_k·logits_k

    ``sample`` returns int64 indices of shape ``sample_shape + batch_shape`` (inverse CDF on
    tidu's generator); ``log_prob`` takes integer indices.  mean and variance are NaN.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            probs = _as_tensor(probs, "probs")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = probs_to_logits(self.probs)
            self._given = "probs"
        else:
            logits = _as_tensor(logits, "logits")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = logits_to_probs(self.logits)
            self._given = "logits"
        self._num_events = self.probs.shape[-1]
        super().__init__(self.probs.shape[:-1], (), validate_args)

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self) -> tuple:
        return self.probs.shape

    def _given_parameters(self):
        return [self._given]

    def _param_names(self):
        return ["probs", "logits"]

    def __repr__(self):
        return f"Categorical({self._given}: shape {getattr(self, self._given).shape})"

    @property
    def mean(self):
        return _full_nan(self._batch_shape, self.probs)

    @property
    def variance(self):
        return _full_nan(self._batch_shape, self.probs)

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        """int64 indices of shape ``sample_shape + batch_shape``: the first k whose cumulative
        probability exceeds u ~ U[0, 1)."""
        with no_grad():
            probs = self.probs._data
            xp = xp_of(probs)
            k = self._num_events
            rows = probs.reshape(-1, k).astype(np.float64)
            cdf = xp.cumsum(rows, axis=1)
            cdf[:, -1] = 1.0  # rounding must not let a draw fall past the last category
            shape = self._extended_shape(sample_shape)
            u = uniform01(shape, self.probs).reshape(-1, len(rows))
            # Offsetting row r by r turns every row's search into one sorted search.
            offset = xp.arange(len(rows), dtype=np.float64)
            flat = (cdf + offset[:, None]).ravel()
            pos = xp.searchsorted(flat, (u + offset).ravel(), side="right")
            idx = pos.reshape(u.shape) - xp.arange(len(rows))[None, :] * k
            return Tensor._wrap(xp.minimum(idx, k - 1).astype(np.int64).reshape(shape))

    def log_prob(self, value):
        value = self._value(value, self.logits)
        shape = np.broadcast_shapes(value.shape, self._batch_shape)
        index = value.long()
        index = (index if index.shape == shape else index.expand(*shape)).unsqueeze(-1)
        logits = self.logits
        full = shape + (self._num_events,)
        logits = logits if logits.shape == full else logits.expand(*full)
        return logits.gather(-1, index).squeeze(-1)

    def entropy(self):
        # a zero probability has logits −inf; clamping keeps 0·logit at 0 instead of NaN
        logits = self.logits.clamp(min=float(np.finfo(self.logits.dtype).min))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        """0, …, K − 1 along a new first dim, of shape (K,) + batch_shape (or (K, 1, …, 1))."""
        values = Tensor(np.arange(self._num_events, dtype=np.int64), device=self.probs.device)
        values = values.reshape((self._num_events,) + (1,) * len(self._batch_shape))
        return values.expand(self._num_events, *self._batch_shape) if expand else values
