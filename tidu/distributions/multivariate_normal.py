"""The multivariate normal distribution."""
from __future__ import annotations

import math

import numpy as np

from .. import linalg
from ..tensor import Tensor, no_grad
from . import constraints
from . import constraints_extra as cx
from .distribution import Distribution
from .utils import standard_normal


def _as_tensor(value):
    return value if isinstance(value, Tensor) else Tensor(value)


def _batch_mahalanobis(scale_tril: Tensor, diff: Tensor) -> Tensor:
    """‖L⁻¹·diff‖² over the last dim (L and diff broadcast over the batch)."""
    shape = np.broadcast_shapes(scale_tril.shape[:-2], diff.shape[:-1])
    n = diff.shape[-1]
    tril = scale_tril.expand(*shape, n, n)
    rhs = diff.expand(*shape, n).unsqueeze(-1)
    return linalg.solve_triangular(tril, rhs, upper=False).squeeze(-1).pow(2).sum(-1)


class MultivariateNormal(Distribution):
    """N(loc, Σ) over vectors (event_shape (n,)), from ``loc`` and exactly one of
    ``covariance_matrix`` Σ, ``precision_matrix`` Σ⁻¹ or ``scale_tril`` L (Σ = L Lᵀ, lower
    triangular with positive diagonal); loc and the matrix broadcast over the batch.
    With M = ‖L⁻¹(x − μ)‖²:

        log p(x) = −½(n·log 2π + M) − Σ log diag L,  H = ½n(1 + log 2π) + Σ log diag L
        mean = mode = μ, variance = diag Σ

    ``rsample`` is μ + L·ε, ε ~ N(0, I)."""

    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": cx.positive_definite,
                       "precision_matrix": cx.positive_definite,
                       "scale_tril": cx.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        loc = _as_tensor(loc)
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [(k, v) for k, v in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if v is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        name, matrix = given[0]
        matrix = _as_tensor(matrix)
        if matrix.ndim < 2:
            raise ValueError(f"{name} must be at least two-dimensional, with optional "
                             f"leading batch dimensions")
        batch_shape = tuple(np.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1]))
        n = loc.shape[-1]
        if matrix.shape[-2:] != (n, n):
            raise ValueError(f"{name} must be of shape batch_shape + ({n}, {n}) to match loc, "
                             f"got {tuple(matrix.shape)}")
        self._given = name
        setattr(self, name, matrix.expand(*batch_shape, n, n))
        self.loc = loc.expand(*batch_shape, n)
        super().__init__(batch_shape, (n,), validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = linalg.cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = linalg.cholesky(linalg.inv(matrix))

    def _given_parameters(self):
        return ["loc", self._given]

    def _param_names(self):
        return ["loc"]

    def expand(self, batch_shape, _instance=None):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        batch_shape = tuple(batch_shape)
        n = self._event_shape[0]
        new.loc = self.loc.expand(*batch_shape, n)
        setattr(new, self._given, getattr(self, self._given).expand(*batch_shape, n, n))
        new._batch_shape = batch_shape
        return new

    def __repr__(self):
        return f"MultivariateNormal(loc: shape {self.loc.shape})"

    @property
    def scale_tril(self):
        if "scale_tril" in self.__dict__:
            return self.__dict__["scale_tril"]
        return self._unbroadcasted_scale_tril.expand(*self._batch_shape, *self._event_shape * 2)

    @scale_tril.setter
    def scale_tril(self, value):
        self.__dict__["scale_tril"] = value

    @property
    def covariance_matrix(self):
        if "covariance_matrix" in self.__dict__:
            return self.__dict__["covariance_matrix"]
        tril = self._unbroadcasted_scale_tril
        return (tril @ tril.mT).expand(*self._batch_shape, *self._event_shape * 2)

    @covariance_matrix.setter
    def covariance_matrix(self, value):
        self.__dict__["covariance_matrix"] = value

    @property
    def precision_matrix(self):
        if "precision_matrix" in self.__dict__:
            return self.__dict__["precision_matrix"]
        tril = self._unbroadcasted_scale_tril
        return linalg.inv(tril @ tril.mT).expand(*self._batch_shape, *self._event_shape * 2)

    @precision_matrix.setter
    def precision_matrix(self, value):
        self.__dict__["precision_matrix"] = value

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        var = self._unbroadcasted_scale_tril.pow(2).sum(-1)
        return var.expand(*self._batch_shape, *self._event_shape)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = Tensor._wrap(standard_normal(shape, self.loc)).unsqueeze(-1)
        return self.loc + (self._unbroadcasted_scale_tril @ eps).squeeze(-1)

    def sample(self, sample_shape=()):
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value):
        value = self._value(value, self.loc)
        n = self._event_shape[0]
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return -0.5 * (n * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self):
        n = self._event_shape[0]
        h = 0.5 * n * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h if h.shape == self._batch_shape else h.expand(*self._batch_shape)
