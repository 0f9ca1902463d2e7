"""The base class of every distribution (as torch.distributions.Distribution)."""
from __future__ import annotations

import warnings

import numpy as np

from ..tensor import Tensor
from . import constraints
from .utils import broadcast_all, sample_shape_tuple


class Distribution:
    """A batch of probability distributions.

    ``batch_shape``: the shape of independent (not necessarily identical) distributions;
    ``event_shape``: the shape of one draw.  ``sample(sample_shape=())`` returns a tensor of
    shape ``sample_shape + batch_shape + event_shape`` with no gradient; ``rsample`` the same
    by reparameterization, with gradients to the parameters (where ``has_rsample``).
    ``validate_args`` (default `Distribution.set_default_validate_args`, True as PyTorch)
    checks the parameters at construction and values given to ``log_prob`` / ``cdf``,
    raising ValueError.
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = True
    arg_constraints: dict = {}
    support = None

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for distributions that do not say."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        if validate_args is not None:
            self._validate_args = bool(validate_args)
        if self._validate_args:
            self._check_parameters()

    # ------------------------------------------------------------------ validation
    def _given_parameters(self) -> list:
        """Names of the parameters to validate (those the caller gave)."""
        return list(self.arg_constraints)

    def _check_parameters(self) -> None:
        arg_constraints = self.arg_constraints
        for name in self._given_parameters():
            constraint = arg_constraints[name]
            if constraints.is_dependent(constraint):
                continue
            value = getattr(self, name)
            if not bool(constraint.check(value).all().item()):
                raise ValueError(f"Expected parameter {name} (Tensor of shape {value.shape}) of "
                                 f"distribution {self!r} to satisfy the constraint "
                                 f"{constraint!r}, but found invalid values:\n{value}")

    def _validate_sample(self, value) -> None:
        """Raise ValueError unless ``value`` is a tensor whose shape broadcasts with
        ``batch_shape + event_shape`` and whose values lie in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim = len(self._event_shape)
        if tuple(value.shape[len(value.shape) - event_dim:]) != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{value.shape} vs {self._event_shape}.")
        actual, expected = value.shape, self._batch_shape + self._event_shape
        for a, e in zip(reversed(actual), reversed(expected)):
            if a != 1 and e != 1 and a != e:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual} vs {expected}.")
        support = self.support
        if support is None:
            warnings.warn(f"{type(self).__name__} does not define `support` to enable sample "
                          f"validation; pass validate_args=False to turn validation off.")
            return
        if not bool(support.check(value).all().item()):
            raise ValueError(f"Expected value argument (Tensor of shape {value.shape}) to be "
                             f"within the support ({support!r}) of the distribution {self!r}, "
                             f"but found invalid values:\n{value}")

    def _value(self, value, ref: Tensor) -> Tensor:
        """A value given to log_prob/cdf, validated (when on) or made a tensor like ``ref``."""
        if self._validate_args:
            self._validate_sample(value)
            return value
        if isinstance(value, Tensor):
            return value
        return Tensor(value, dtype=ref.dtype, device=ref.device)

    # ------------------------------------------------------------------ shapes
    @property
    def batch_shape(self) -> tuple:
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> tuple:
        """The shape of a single draw (without batching)."""
        return self._event_shape

    def _extended_shape(self, sample_shape=()) -> tuple:
        """``sample_shape + batch_shape + event_shape``."""
        return sample_shape_tuple(sample_shape) + self._batch_shape + self._event_shape

    def expand(self, batch_shape, _instance=None) -> "Distribution":
        """A view of this distribution with its parameters broadcast to ``batch_shape``
        (new dims on the left, size-1 dims stretched); gradients reach the originals."""
        batch_shape = sample_shape_tuple(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name in self._param_names():
            param = getattr(self, name)
            extra = param.shape[len(self._batch_shape):]
            shape = batch_shape + extra
            setattr(new, name, param if param.shape == shape else param.expand(*shape))
        new._batch_shape = batch_shape
        return new

    def _param_names(self) -> list:
        """Attributes holding batch-shaped parameter tensors (expanded by `expand`)."""
        return [name for name in self.arg_constraints if isinstance(getattr(self, name, None), Tensor)]

    # ------------------------------------------------------------------ interface
    def sample(self, sample_shape=()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, no gradient."""
        raise NotImplementedError(f"{type(self).__name__}.sample is not implemented")

    def rsample(self, sample_shape=()) -> Tensor:
        """A reparameterized draw: gradients flow to the parameters."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample (has_rsample is False)")

    def log_prob(self, value) -> Tensor:
        """log p(value), one entry per batch element."""
        raise NotImplementedError(f"{type(self).__name__}.log_prob is not implemented")

    def cdf(self, value) -> Tensor:
        """P(X ≤ value)."""
        raise NotImplementedError(f"{type(self).__name__}.cdf is not implemented")

    def icdf(self, value) -> Tensor:
        """The inverse of `cdf`."""
        raise NotImplementedError(f"{type(self).__name__}.icdf is not implemented")

    def entropy(self) -> Tensor:
        """H = −E[log p(X)], one entry per batch element."""
        raise NotImplementedError(f"{type(self).__name__}.entropy is not implemented")

    def enumerate_support(self, expand=True) -> Tensor:
        """Every value of a discrete distribution's support, along a new first dim."""
        raise NotImplementedError(f"{type(self).__name__}.enumerate_support is not implemented")

    def perplexity(self) -> Tensor:
        """exp(entropy)."""
        return self.entropy().exp()

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mean is not implemented")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mode is not implemented")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.variance is not implemented")

    @property
    def stddev(self) -> Tensor:
        """sqrt(variance)."""
        return self.variance.sqrt()

    def __repr__(self) -> str:
        parts = []
        for name in self._param_names():
            param = getattr(self, name)
            shown = param.item() if param.numel() == 1 else f"shape {param.shape}"
            parts.append(f"{name}: {shown}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _full_nan(shape: tuple, ref: Tensor) -> Tensor:
    """A NaN tensor of ``shape`` in ``ref``'s dtype and device (undefined moments)."""
    return Tensor(np.full(shape, np.nan, dtype=ref.dtype), device=ref.device)


class LocScale(Distribution):
    """A family of a real location ``loc`` and a positive ``scale`` broadcast together (the
    batch shape theirs, no event dims, reparameterized samples): Normal, Laplace, Cauchy,
    Gumbel, LogNormal (whose support it narrows)."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, (), validate_args)
