"""`BatchNorm1d`, `BatchNorm2d` and `LayerNorm` (math in tidu.nn.functional.normalization).

Parameters and buffers carry PyTorch's names — ``weight``, ``bias``, ``running_mean``,
``running_var``, ``num_batches_tracked`` — so a PyTorch state_dict loads unchanged.
"""
from __future__ import annotations

import numpy as np

from ..._checks import check_number, check_size
from ...errors import ShapeError, shape_str
from ...tensor import get_default_dtype
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class _BatchNorm(Module):
    _dims: tuple = ()
    _dims_text = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype=None, *,
                 bias: bool = True):
        super().__init__()
        who = type(self).__name__
        self.num_features = check_size(num_features, "num_features", who)
        check_number(eps, "eps", who)
        if momentum is not None:  # None: a cumulative moving average, as PyTorch
            check_number(momentum, "momentum", who, high=1.0)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = dtype or get_default_dtype()
        if affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype), dtype=dtype)
            if bias:
                self.bias = Parameter(np.zeros(self.num_features, dtype=dtype), dtype=dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input(self, x) -> None:
        if x.ndim not in self._dims:
            raise ShapeError(f"{self!r}: expected {self._dims_text} input, got {x.ndim}-D input "
                             f"of shape {shape_str(x.shape)}")
        if x.shape[1] != self.num_features:
            raise ShapeError(f"{self!r}: expected {self.num_features} channels in dim 1, got "
                             f"input of shape {shape_str(x.shape)}")

    def forward(self, x):
        self._check_input(x)
        if self.training and int(np.prod(x.shape)) // self.num_features <= 1:
            raise ShapeError(f"{self!r}: expected more than 1 value per channel when training, "
                             f"got input of shape {shape_str(x.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        update = self.training and self.track_running_stats
        if update and self.momentum is None:  # cumulative moving average, as PyTorch
            factor = 1.0 / (float(self.num_batches_tracked) + 1.0)
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        out = F.batch_norm(x, self.running_mean if track else None,
                           self.running_var if track else None, self.weight, self.bias,
                           training=use_batch, momentum=factor, eps=self.eps)
        if update:
            self.num_batches_tracked._data += 1  # in place: the state_dict shares this array
        return out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of a (N, C) or (N, C, L) input, per channel C:

        y = (x − μ)/√(σ² + eps) · γ + β

    In training μ, σ² are the batch's mean and biased variance over N (and L), and the
    running estimates are updated as PyTorch does:
    running ← (1 − momentum)·running + momentum·batch statistic (the variance unbiased),
    or with ``momentum=None`` the cumulative average (factor 1/num_batches_tracked).  In
    eval the running estimates are used (batch statistics if ``track_running_stats=False``).
    Defaults eps=1e-5, momentum=0.1, affine=True (γ = 1, β = 0), track_running_stats=True
    and the keyword ``bias=True`` (``bias=False`` drops β), as PyTorch; Keras'
    BatchNormalization has momentum 0.99 = 1 − PyTorch's and eps 1e-3.
    """

    _dims = (2, 3)
    _dims_text = "2-D (N, C) or 3-D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of a (N, C, H, W) input per channel C, statistics over N, H, W
    (the formula, running statistics and defaults of `BatchNorm1d`)."""

    _dims = (4,)
    _dims_text = "4-D (N, C, H, W)"


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` dims of each sample:

        y = (x − μ)/√(σ² + eps) · γ + β,   μ, σ² the mean and biased variance over those dims

    Defaults eps=1e-5, elementwise_affine=True (γ = 1 and β = 0 of shape normalized_shape),
    bias=True, as PyTorch (Keras' LayerNormalization uses eps=1e-3).  Same in training and
    eval.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype=None):
        super().__init__()
        if np.ndim(normalized_shape) == 0:
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(check_size(s, "normalized_shape", "LayerNorm")
                                      for s in normalized_shape)
        check_number(eps, "eps", "LayerNorm")
        self.eps, self.elementwise_affine, self.use_bias = eps, elementwise_affine, bias
        dtype = dtype or get_default_dtype()
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype), dtype=dtype)
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype), dtype=dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x):
        k = len(self.normalized_shape)
        if x.ndim < k or tuple(x.shape[x.ndim - k:]) != self.normalized_shape:
            raise ShapeError(f"{self!r}: expected input whose last dims are "
                             f"{shape_str(self.normalized_shape)}, got shape {shape_str(x.shape)}")
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.use_bias}")
