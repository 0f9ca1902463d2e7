"""In-place functional activations, as ``torch.nn.functional.relu_`` and friends: each writes
its result into ``input`` (by tidu's in-place rules, `tidu.ops.inplace`) and returns that same
tensor.  A leaf that requires grad is refused, as PyTorch; inside a recorded graph the
tensor's history is rewritten so gradients flow as through the out-of-place op."""
from __future__ import annotations

from ...ops.inplace import _inplace
from .activation import celu, elu, hardtanh, leaky_relu, relu, rrelu, selu
from .activation import threshold as _threshold

__all__ = ["relu_", "elu_", "leaky_relu_", "hardtanh_", "selu_", "celu_", "rrelu_",
           "threshold_"]


def relu_(input):
    """In-place ReLU: x ← max(x, 0); returns ``input``."""
    return _inplace(input, "relu_", relu)


def elu_(input, alpha: float = 1.0):
    """In-place ELU: x ← x if x > 0 else α(eˣ − 1); default alpha=1.0."""
    return _inplace(input, "elu_", lambda t: elu(t, alpha))


def leaky_relu_(input, negative_slope: float = 0.01):
    """In-place leaky ReLU: x ← x if x ≥ 0 else slope·x; default negative_slope=0.01."""
    return _inplace(input, "leaky_relu_", lambda t: leaky_relu(t, negative_slope))


def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    """In-place hardtanh: x ← clamp(x, min_val, max_val); defaults −1 and 1."""
    return _inplace(input, "hardtanh_", lambda t: hardtanh(t, min_val, max_val))


def selu_(input):
    """In-place SELU: x ← λ(x if x > 0 else α(eˣ − 1)), λ ≈ 1.0507, α ≈ 1.6733."""
    return _inplace(input, "selu_", selu)


def celu_(input, alpha: float = 1.0):
    """In-place CELU: x ← max(0, x) + min(0, α(e^{x/α} − 1)); default alpha=1.0."""
    return _inplace(input, "celu_", lambda t: celu(t, alpha))


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False):
    """In-place randomized leaky ReLU: x ← x if x ≥ 0 else r·x, r ~ U(lower, upper) per element
    in training, r = (lower + upper)/2 in eval.  Defaults lower=1/8, upper=1/3,
    training=False."""
    return _inplace(input, "rrelu_", lambda t: rrelu(t, lower, upper, training))


def threshold_(input, threshold: float, value: float):
    """In-place threshold: x ← x if x > threshold else value."""
    return _inplace(input, "threshold_", lambda t: _threshold(t, threshold, value))
