"""Feature scaling: `MinMaxScaler` (归一化) and `StandardScaler` (标准化), as scikit-learn's.

Both learn per-feature statistics with ``fit`` on the *training* data only and apply the
same affine map to training, validation and test data with ``transform`` — fitting on the
whole dataset would leak the test set's statistics into training.  ``inverse_transform``
undoes the map (e.g. to read a regression model's scaled predictions in original units).

Inputs are 2-D ``(n_samples, n_features)`` NumPy arrays or tidu tensors; the result has the
input's kind and float dtype (integer input gives float64, as scikit-learn).  NaN/Inf are
refused (scikit-learn lets NaN through); transforming before ``fit`` or with a different
number of features raises.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError, TiduError
from ..tensor import Tensor
from .validation import check_arrays

__all__ = ["MinMaxScaler", "StandardScaler", "NotFittedError"]


class NotFittedError(TiduError, RuntimeError):
    """A scaler was used before ``fit``."""


def _float_copy(X: np.ndarray) -> np.ndarray:
    return X.astype(X.dtype if X.dtype.kind == "f" else np.float64, copy=True)


class _Scaler:
    _state_keys: tuple = ()

    def _check(self, X, method: str, fitting: bool = False) -> np.ndarray:
        name = f"{type(self).__name__}.{method}"
        if not fitting:
            self._check_fitted(method)
        X = check_arrays(X, name=name, ndim=2)
        if not fitting and X.shape[1] != self.n_features_in_:
            raise ShapeError(f"{name}: X has {X.shape[1]} features, but {type(self).__name__} "
                             f"was fitted on {self.n_features_in_} features")
        return X

    @staticmethod
    def _like(result: np.ndarray, original):
        return Tensor._wrap(result) if isinstance(original, Tensor) else result

    def fit_transform(self, X, y=None):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def state_dict(self) -> dict:
        """The fitted statistics (for checkpoints; ``tidu.save`` can store it)."""
        self._check_fitted("state_dict")
        return {k: getattr(self, k) for k in self._state_keys}

    def load_state_dict(self, state: dict) -> None:
        missing = [k for k in self._state_keys if k not in state]
        if missing:
            raise KeyError(f"{type(self).__name__}.load_state_dict: missing keys {missing}")
        for k in self._state_keys:
            v = state[k]
            setattr(self, k, v if v is None or np.ndim(v) == 0 else np.asarray(v))
        self.n_features_in_ = int(self.n_features_in_)
        self.n_samples_seen_ = int(self.n_samples_seen_)

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(f"{type(self).__name__}.{method}: this {type(self).__name__} "
                                 f"is not fitted yet; call fit(X_train) first")


class MinMaxScaler(_Scaler):
    r"""Min-max normalization to ``feature_range = (a, b)`` (default (0, 1)), per feature j:

        x' = a + (x − min_j) · (b − a) / (max_j − min_j)

    computed as ``x · scale_ + min_`` with ``scale_ = (b − a) / (max_j − min_j)`` and
    ``min_ = a − min_j · scale_``, scikit-learn's order of operations.  A constant feature
    (range below 10·eps of the dtype) gets range 1, so it maps to ``a + (x − min_j)``, i.e. to
    ``a`` on the training data — scikit-learn's handling.  ``clip=True`` clips transformed
    values of unseen data into the range.  The notes (001, 归一化) write the (0, 1) case,
    ``x_new = (x − x_min) / (x_max − x_min)``.
    """

    _state_keys = ("data_min_", "data_max_", "data_range_", "scale_", "min_",
                   "n_features_in_", "n_samples_seen_")

    def __init__(self, feature_range=(0.0, 1.0), clip: bool = False):
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"MinMaxScaler: feature_range must be (min, max) with min < max, "
                             f"got {tuple(feature_range)}")
        self.feature_range = (lo, hi)
        self.clip = bool(clip)

    def fit(self, X, y=None) -> "MinMaxScaler":
        """Learn each feature's minimum and maximum from the training data ``X``."""
        X = self._check(X, "fit", fitting=True)
        dtype = X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)
        X = X.astype(dtype, copy=False)
        lo, hi = (np.asarray(v, dtype=dtype) for v in self.feature_range)
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        denom = self.data_range_.copy()
        denom[denom < 10 * np.finfo(dtype).eps] = 1.0
        self.scale_ = (hi - lo) / denom
        self.min_ = lo - self.data_min_ * self.scale_
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = X.shape[0]
        return self

    def transform(self, X):
        """``x · scale_ + min_`` (then clipped to ``feature_range`` if ``clip``)."""
        out = _float_copy(self._check(X, "transform"))
        out *= self.scale_
        out += self.min_
        if self.clip:
            np.clip(out, self.feature_range[0], self.feature_range[1], out=out)
        return self._like(out, X)

    def inverse_transform(self, X):
        """``(x' − min_) / scale_``: back to the original units."""
        out = _float_copy(self._check(X, "inverse_transform"))
        out -= self.min_
        out /= self.scale_
        return self._like(out, X)


class StandardScaler(_Scaler):
    r"""Z-score standardization, per feature j (defaults with_mean=True, with_std=True):

        x' = (x − μ_j) / σ_j,   μ_j = mean of the training column,
                                σ_j = √(1/n Σ (x − μ_j)²)  (the biased, ddof = 0 std)

    as the notes (001, 标准化: ``x_new = (x − μ) / σ``) and scikit-learn.  μ and σ² are
    accumulated in float64 with the corrected two-pass algorithm (Chan, Golub & LeVeque),
    scikit-learn's.  A feature whose variance is indistinguishable from zero
    (σ² ≤ n·eps·σ² + (n·μ·eps)², scikit-learn's bound) is constant: its σ is taken as 1, so it
    is only centred.  ``with_mean=False`` skips the centring, ``with_std=False`` the division.
    """

    _state_keys = ("mean_", "var_", "scale_", "n_features_in_", "n_samples_seen_")

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean = bool(with_mean)
        self.with_std = bool(with_std)

    def fit(self, X, y=None) -> "StandardScaler":
        """Learn each feature's mean and standard deviation from the training data ``X``."""
        X = self._check(X, "fit", fitting=True)
        n = X.shape[0]
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = n
        self.mean_ = self.var_ = self.scale_ = None
        if not (self.with_mean or self.with_std):
            return self
        mean = X.sum(axis=0, dtype=np.float64) / n
        self.mean_ = mean
        if not self.with_std:
            return self
        centred = X - mean                      # float64
        correction = centred.sum(axis=0)        # ≈ 0; removes the rounding error of `mean`
        np.square(centred, out=centred)
        self.var_ = (centred.sum(axis=0) - correction ** 2 / n) / n
        eps = np.finfo(np.float64).eps
        constant = self.var_ <= n * eps * self.var_ + (n * mean * eps) ** 2
        scale = np.sqrt(self.var_)
        scale[constant] = 1.0
        self.scale_ = scale
        return self

    def transform(self, X):
        """``(x − mean_) / scale_`` (each step only if enabled)."""
        out = _float_copy(self._check(X, "transform"))
        if self.with_mean:
            out -= self.mean_.astype(out.dtype)
        if self.with_std:
            out /= self.scale_.astype(out.dtype)
        return self._like(out, X)

    def inverse_transform(self, X):
        """``x' · scale_ + mean_``: back to the original units."""
        out = _float_copy(self._check(X, "inverse_transform"))
        if self.with_std:
            out *= self.scale_.astype(out.dtype)
        if self.with_mean:
            out += self.mean_.astype(out.dtype)
        return self._like(out, X)
