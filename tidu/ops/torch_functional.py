"""torch's top-level forms of functional ops (``torch.conv2d``, ``torch.batch_norm``, …),
built on `tidu.nn.functional`.  Where torch's top-level signature differs from
``torch.nn.functional``'s, the top-level one is kept: ``dropout(input, p, train)`` with no
defaults, ``batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
eps, cudnn_enabled)``, ``embedding(weight, indices, …)``, losses whose ``reduction`` is an
int (0 'none', 1 'mean', 2 'sum').  Imported lazily by ``tidu.__getattr__`` (it loads nn)."""
from __future__ import annotations

from ..errors import ArgumentError
from ..nn import functional as F
from ..tensor import Tensor

__all__ = ["conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "batch_norm",
           "layer_norm", "group_norm", "instance_norm", "dropout", "alpha_dropout",
           "feature_alpha_dropout", "embedding", "selu", "celu", "prelu", "rrelu", "threshold",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "kl_div", "pairwise_distance",
           "pdist", "bilinear", "triplet_margin_loss", "margin_ranking_loss", "poisson_nll_loss",
           "binary_cross_entropy_with_logits", "hardshrink", "adaptive_avg_pool1d",
           "adaptive_max_pool1d"]

# the same signature at both levels: the functional op itself
conv1d, conv2d, avg_pool1d = F.conv1d, F.conv2d, F.avg_pool1d
prelu, pixel_shuffle, pixel_unshuffle, channel_shuffle = (F.prelu, F.pixel_shuffle,
                                                          F.pixel_unshuffle, F.channel_shuffle)
pairwise_distance, pdist, bilinear, hardshrink = (F.pairwise_distance, F.pdist, F.bilinear,
                                                  F.hardshrink)
adaptive_avg_pool1d = F.adaptive_avg_pool1d

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(value, op) -> str:
    """torch's top-level losses take the reduction as an int enum."""
    if isinstance(value, str) and value in _REDUCTIONS.values():
        return value
    if isinstance(value, bool) or value not in _REDUCTIONS:
        raise ArgumentError(f"{op}: reduction must be 0 ('none'), 1 ('mean') or 2 ('sum'), "
                            f"got {value!r}")
    return _REDUCTIONS[value]


def _stride(stride):
    return None if stride is None or (isinstance(stride, (tuple, list)) and not stride) else stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False) -> Tensor:  # noqa: A002
    """Max over sliding windows of (N, C, L); stride () (default) means kernel_size."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False) -> Tensor:  # noqa: A002
    """Max over sliding windows of (N, C, H, W); stride () (default) means kernel_size."""
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def adaptive_max_pool1d(input, output_size) -> tuple:  # noqa: A002
    """(values, indices): the max over output_size adaptive windows of (N, C, L), as torch's
    top level (which always returns the indices)."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,  # noqa: A002
               cudnn_enabled) -> Tensor:
    """y = (x − μ)/√(σ² + eps)·weight + bias per channel (batch statistics when training,
    updating running_mean/var with ``momentum``); every argument required, as torch's top level."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5,  # noqa: A002
               cudnn_enable=True) -> Tensor:
    """y = (x − μ)/√(σ² + eps)·weight + bias over the last dims ``normalized_shape``
    (eps 1e-5)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5,  # noqa: A002
               cudnn_enabled=True) -> Tensor:
    """Normalization over ``num_groups`` groups of channels, then weight·y + bias (eps 1e-5)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,  # noqa: A002
                  momentum, eps, cudnn_enabled) -> Tensor:
    """Per-sample, per-channel normalization (every argument required, as torch's top level)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                           momentum, eps)


def dropout(input, p, train) -> Tensor:  # noqa: A002
    """y = x·m/(1 − p), mᵢ ~ Bernoulli(1 − p), when ``train``; identity otherwise."""
    return F.dropout(input, p, train)


def alpha_dropout(input, p, train) -> Tensor:  # noqa: A002
    """Alpha dropout for SELU networks (see `tidu.nn.functional.alpha_dropout`) when ``train``."""
    return F.alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train) -> Tensor:  # noqa: A002
    """Alpha dropout of whole channels (see `tidu.nn.functional.feature_alpha_dropout`) when
    ``train``."""
    return F.feature_alpha_dropout(input, p, train)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False) -> Tensor:
    """Rows of ``weight`` picked by ``indices`` (note: weight first, as torch's top level).
    padding_idx −1 (default) means none; else that row gets no gradient."""
    if scale_grad_by_freq or sparse:
        raise ArgumentError(f"embedding: scale_grad_by_freq=True and sparse=True are not supported "
                            f"by tidu, got scale_grad_by_freq={scale_grad_by_freq}, sparse={sparse}")
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx)


def selu(input) -> Tensor:  # noqa: A002
    """λ·(max(0, x) + min(0, α(eˣ − 1))), λ = 1.0507…, α = 1.6733…."""
    return F.selu(input)


def celu(input, alpha=1.0) -> Tensor:  # noqa: A002
    """max(0, x) + min(0, α(e^(x/α) − 1)) (alpha default 1.0)."""
    return F.celu(input, alpha)


def rrelu(input, lower=0.125, upper=1.0 / 3, training=False, generator=None) -> Tensor:  # noqa: A002
    """Randomized leaky ReLU: slope ~ U(lower, upper) in training, (lower + upper)/2 otherwise."""
    if generator is not None:
        raise ArgumentError("rrelu: a generator argument is not supported by tidu; seed with "
                            "tidu.manual_seed instead")
    return F.rrelu(input, lower, upper, training)


def threshold(input, threshold, value) -> Tensor:  # noqa: A002
    """x where x > threshold, else value."""
    return F.threshold(input, threshold, value)


def kl_div(input, target, reduction=1, *, log_target=False) -> Tensor:  # noqa: A002
    """Σ target·(log target − input) element-wise (input in log space; log_target: target
    too); reduction 1 (mean over elements, default), 0 none, 2 sum."""
    return F.kl_div(input, target, reduction=_reduction(reduction, "kl_div"),
                    log_target=log_target)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        reduction=1) -> Tensor:
    """max(d(a, p) − d(a, n) + margin, 0) with the p-norm distance; reduction an int."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction(reduction, "triplet_margin_loss"))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1) -> Tensor:
    """max(0, −target·(input1 − input2) + margin); reduction an int (1 mean, default)."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction(reduction, "margin_ranking_loss"))


def poisson_nll_loss(input, target, log_input, full, eps, reduction) -> Tensor:  # noqa: A002
    """Poisson negative log likelihood (eˣ − t·x if log_input, else x − t·log(x + eps), plus
    Stirling's term if full); every argument required, reduction an int."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction(reduction, "poisson_nll_loss"))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,  # noqa: A002
                                     reduction=1) -> Tensor:
    """−w·(pos_weight·t·log σ(x) + (1 − t)·log(1 − σ(x))); reduction an int (1 mean)."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction, "binary_cross_entropy_with_logits"),
        pos_weight=pos_weight)
