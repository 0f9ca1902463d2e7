"""Weight initializers with torch.nn.init's formulas, names and defaults (in place, return
the tensor).  Draws come from tidu's global generator (`tidu.manual_seed`).

fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive field, where the receptive
field is the product of shape[2:] (a Linear weight is (out, in), a Conv2d weight
(out, in, kh, kw)).

=================  =====================================================================
xavier_uniform_    U(−a, a),  a = gain·√(6 / (fan_in + fan_out))   (Glorot; the notes' √(6/(m+n)))
xavier_normal_     N(0, σ²),  σ = gain·√(2 / (fan_in + fan_out))
kaiming_uniform_   U(−b, b),  b = gain·√(3 / fan_mode)             (He / MSRA)
kaiming_normal_    N(0, σ²),  σ = gain / √fan_mode,  gain = √2 for ReLU
lecun_normal_      N(0, 1/fan_in)                                    (as Keras/JAX; PyTorch has no
                                                                     lecun_normal_, it equals
                                                                     kaiming_normal_ with gain 1)
orthogonal_        Q of a QR decomposition of a normal matrix, signs fixed by diag(R)
=================  =====================================================================
The notes' "small random" and "large random" initializations are normal_(std=0.01) and
normal_(std=1.0).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..backend import like
from ..errors import ArgumentError
from ..random import generator
from ..tensor import Tensor, no_grad

_LINEAR_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for a nonlinearity (torch.nn.init.calculate_gain's table):
    linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)) (slope 0.01
    by default), selu 3/4."""
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, (bool, np.bool_)):
            slope = float(param)
        else:
            raise ArgumentError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ArgumentError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
                        f"{', '.join(_LINEAR_GAIN + ('tanh', 'relu', 'leaky_relu', 'selu'))}")


def calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    """(fan_in, fan_out) = (shape[1]·r, shape[0]·r), r = ∏ shape[2:] (the receptive field),
    as torch.nn.init._calculate_fan_in_and_fan_out."""
    shape = _array(tensor).shape
    if len(shape) < 2:
        raise ArgumentError(f"fan in and fan out need a tensor of at least 2 dims, got shape {shape}")
    receptive = math.prod(shape[2:])
    return int(shape[1] * receptive), int(shape[0] * receptive)


_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out  # PyTorch's (private) name


def _fan(tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ArgumentError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _array(tensor) -> np.ndarray:
    return tensor._data if isinstance(tensor, Tensor) else tensor


def _fill(tensor, values):
    arr = _array(tensor)
    if type(arr) is not np.ndarray and isinstance(values, np.ndarray):
        values = like(arr, values.astype(arr.dtype))  # drawn on the host, same on every device
    arr[...] = values  # in place, cast to the tensor's dtype
    return tensor


@no_grad()
def uniform_(tensor, a: float = 0.0, b: float = 1.0):
    """U(a, b)."""
    return _fill(tensor, generator().uniform(a, b, _array(tensor).shape))


@no_grad()
def normal_(tensor, mean: float = 0.0, std: float = 1.0):
    """N(mean, std²)."""
    return _fill(tensor, generator().normal(mean, std, _array(tensor).shape))


def constant_(tensor, val: float):
    """Every element = val."""
    return _fill(tensor, val)


def zeros_(tensor):
    """Every element = 0 (the usual bias init; all-zero weights never break symmetry)."""
    return _fill(tensor, 0.0)


def ones_(tensor):
    """Every element = 1."""
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor, gain: float = 1.0):
    """U(−a, a), a = gain·√(6 / (fan_in + fan_out)) (Glorot & Bengio 2010; gain 1 by default)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor, gain: float = 1.0):
    """N(0, σ²), σ = gain·√(2 / (fan_in + fan_out)) (gain 1 by default)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """Defaults as PyTorch: a=0 with leaky_relu, i.e. the ReLU gain √2.  A zero-element
    tensor is left as it is (as PyTorch)."""
    if _array(tensor).size == 0:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """N(0, (gain/√fan_mode)²), defaults as kaiming_uniform_."""
    if _array(tensor).size == 0:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(tensor, mode)))


def lecun_normal_(tensor):
    """N(0, 1/fan_in) (the untruncated form; Keras truncates at 2σ)."""
    return normal_(tensor, 0.0, 1.0 / math.sqrt(_fan(tensor, "fan_in")))


@no_grad()
def orthogonal_(tensor, gain: float = 1.0):
    """A (semi-)orthogonal matrix over the tensor flattened to (shape[0], rest), times gain."""
    arr = _array(tensor)
    if arr.ndim < 2:
        raise ArgumentError(f"orthogonal_ needs at least 2 dims, got shape {arr.shape}")
    if arr.size == 0:
        return tensor
    rows, cols = arr.shape[0], arr.size // arr.shape[0]
    flat = generator().normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(arr.shape))
