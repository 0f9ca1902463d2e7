"""Constraints the added distribution families need (as torch.distributions.constraints):
non-negative reals and integers, one-hot vectors, positive-definite matrices and lower
Cholesky factors.  `tidu.distributions` attaches them to its ``constraints`` module."""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor
from .constraints import Constraint, _GreaterThan, _IndependentConstraint, positive


class _GreaterThanEq(_GreaterThan):
    """x ≥ lower_bound."""

    def check(self, value):
        return value >= self.lower_bound

    def __repr__(self):
        return f"GreaterThanEq(lower_bound={self.lower_bound})"


class _IntegerGreaterThan(Constraint):
    """The integers k ≥ lower_bound."""

    is_discrete = True

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound)

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _OneHot(Constraint):
    """Vectors (last dimension) of 0/1 entries with exactly one 1."""

    is_discrete = True
    event_dim = 1

    def check(self, value):
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)


class _PositiveDefinite(Constraint):
    """Symmetric matrices (last two dims) whose eigenvalues are all > 0."""

    event_dim = 2

    def check(self, value):
        a = to_numpy(value._data)
        sym = np.isclose(a, np.swapaxes(a, -1, -2), atol=1e-6).all((-1, -2))
        ok = sym & (np.linalg.eigvalsh((a + np.swapaxes(a, -1, -2)) / 2).min(-1) > 0)
        return Tensor(ok, device=value.device)


class _LowerCholesky(Constraint):
    """Lower-triangular matrices (last two dims) with a positive diagonal."""

    event_dim = 2

    def check(self, value):
        lower = (value.tril() == value).all(-1).all(-1)
        return lower & (value.diagonal(dim1=-2, dim2=-1) > 0).all(-1)


nonnegative = _GreaterThanEq(0.0)
greater_than_eq = _GreaterThanEq
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_greater_than = _IntegerGreaterThan
one_hot = _OneHot()
positive_definite = _PositiveDefinite()
lower_cholesky = _LowerCholesky()
independent_positive_vector = _IndependentConstraint(positive, 1)

__all__ = ["nonnegative", "greater_than_eq", "nonnegative_integer", "positive_integer",
           "integer_greater_than", "one_hot", "positive_definite", "lower_cholesky"]
