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
trunc_normal_      N(mean, std²) conditioned on [a, b] (defaults 0, 1, −2, 2: absolute bounds,
                   not multiples of std, as PyTorch)
eye_               the identity matrix (2-D only): Linear layers that start as the identity
dirac_             the identity convolution (3-, 4- or 5-D; per group): output = input
sparse_            N(0, std²) with a fraction ``sparsity`` of each column set to 0
=================  =====================================================================
Every random initializer takes ``generator=`` (a ``tidu.Generator``) as PyTorch's do.  The
deprecated names without the underscore (``xavier_uniform``, ``normal``, …) still work and
warn (FutureWarning), as in PyTorch.
The notes' "small random" and "large random" initializations are normal_(std=0.01) and
normal_(std=1.0).
"""
from __future__ import annotations

import math
import numbers
import warnings

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


def _rng(gen, owner: str) -> np.random.Generator:
    """``generator=``: None for tidu's global generator, or a ``tidu.Generator`` /
    ``numpy.random.Generator``."""
    if gen is None:
        return generator()
    if not isinstance(gen, np.random.Generator):
        raise ArgumentError(f"{owner}: generator must be a tidu.Generator (or a "
                            f"numpy.random.Generator), got {type(gen).__name__}")
    return gen


@no_grad()
def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """U(a, b)."""
    return _fill(tensor, _rng(generator, "uniform_").uniform(a, b, _array(tensor).shape))


@no_grad()
def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """N(mean, std²)."""
    return _fill(tensor, _rng(generator, "normal_").normal(mean, std, _array(tensor).shape))


def constant_(tensor, val: float):
    """Every element = val."""
    return _fill(tensor, val)


def zeros_(tensor):
    """Every element = 0 (the usual bias init; all-zero weights never break symmetry)."""
    return _fill(tensor, 0.0)


def ones_(tensor):
    """Every element = 1."""
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """U(−a, a), a = gain·√(6 / (fan_in + fan_out)) (Glorot & Bengio 2010; gain 1 by default)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """N(0, σ²), σ = gain·√(2 / (fan_in + fan_out)) (gain 1 by default)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None):
    """Defaults as PyTorch: a=0 with leaky_relu, i.e. the ReLU gain √2.  A zero-element
    tensor is left as it is (as PyTorch)."""
    if _array(tensor).size == 0:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    """N(0, (gain/√fan_mode)²), defaults as kaiming_uniform_."""
    if _array(tensor).size == 0:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(tensor, mode)), generator)


def lecun_normal_(tensor):
    """N(0, 1/fan_in) (the untruncated form; Keras truncates at 2σ)."""
    return normal_(tensor, 0.0, 1.0 / math.sqrt(_fan(tensor, "fan_in")))


@no_grad()
def orthogonal_(tensor, gain: float = 1.0, generator=None):
    """A (semi-)orthogonal matrix over the tensor flattened to (shape[0], rest), times gain."""
    arr = _array(tensor)
    if arr.ndim < 2:
        raise ArgumentError(f"orthogonal_ needs at least 2 dims, got shape {arr.shape}")
    if arr.size == 0:
        return tensor
    rows, cols = arr.shape[0], arr.size // arr.shape[0]
    flat = _rng(generator, "orthogonal_").normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(arr.shape))


@no_grad()
def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None):
    """N(mean, std²) truncated to [a, b]: every value is a draw of the normal conditioned on
    a ≤ x ≤ b (defaults mean=0, std=1, a=−2, b=2; a and b are absolute values, not multiples
    of std, as PyTorch).  Drawn by rejection, as PyTorch: normal draws, the ones outside
    [a, b] drawn again, when [a, b] holds more than 30 % of the mass; otherwise uniform
    proposals on [a, b] accepted with probability exp(−½((x − mean)/std)²) relative to the
    density's peak on [a, b].  Warns (as PyTorch) if mean is more than 2 std outside [a, b]."""
    arr = _array(tensor)
    for name, value in (("mean", mean), ("std", std), ("a", a), ("b", b)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not math.isfinite(value):
            raise ArgumentError(f"trunc_normal_: {name} must be a finite number, got {value!r}")
    if std <= 0:
        raise ArgumentError(f"trunc_normal_: std must be > 0, got {std}")
    if not a < b:
        raise ArgumentError(f"trunc_normal_: needs a < b, got a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("trunc_normal_: mean is more than 2 std from [a, b]; the distribution of "
                      "values may be incorrect", stacklevel=3)  # the caller, past no_grad
    rng = _rng(generator, "trunc_normal_")
    shape = arr.shape
    mass = _normal_cdf((b - mean) / std) - _normal_cdf((a - mean) / std)
    if mass > 0.3:  # plain normal draws, redrawing the ones outside [a, b]
        values = rng.normal(mean, std, shape)
        outside = (values < a) | (values > b)
        while outside.any():
            values[outside] = rng.normal(mean, std, int(outside.sum()))
            outside = (values < a) | (values > b)
    else:  # uniform proposals on [a, b], accepted against the normal density's peak there
        peak = max(a, min(mean, b))
        values = rng.uniform(a, b, shape)
        pending = np.ones(shape, dtype=bool)
        while True:
            log_ratio = -0.5 * (((values - mean) / std) ** 2 - ((peak - mean) / std) ** 2)
            pending &= np.log(rng.uniform(size=shape)) > log_ratio
            if not pending.any():
                break
            values[pending] = rng.uniform(a, b, int(pending.sum()))
    return _fill(tensor, values)


def _normal_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


@no_grad()
def eye_(tensor):
    """The identity matrix (ones on the diagonal of a possibly non-square 2-D tensor, zeros
    elsewhere), as ``torch.eye``."""
    arr = _array(tensor)
    if arr.ndim != 2:
        raise ArgumentError(f"eye_: only 2-D tensors are supported, got shape {arr.shape}")
    return _fill(tensor, np.eye(*arr.shape))


@no_grad()
def dirac_(tensor, groups: int = 1):
    """The Dirac delta: a convolution weight (out, in, *kernel) of 3, 4 or 5 dims that passes
    its input through — in each of ``groups`` groups of out/groups output channels, output
    channel d of the group is input channel d (the kernel's centre is 1, all else 0), for
    d < min(out/groups, in)."""
    arr = _array(tensor)
    if arr.ndim not in (3, 4, 5):
        raise ArgumentError(f"dirac_: only 3-, 4- or 5-D tensors are supported, got shape "
                            f"{arr.shape}")
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or groups < 1:
        raise ArgumentError(f"dirac_: groups must be an int >= 1, got {groups!r}")
    if arr.shape[0] % groups:
        raise ArgumentError(f"dirac_: dim 0 ({arr.shape[0]}) must be divisible by groups "
                            f"({groups})")
    per_group = arr.shape[0] // groups
    d = np.arange(min(per_group, arr.shape[1]))
    out = (np.arange(groups)[:, None] * per_group + d).reshape(-1)
    values = np.zeros(arr.shape)
    values[(out, np.tile(d, groups), *(size // 2 for size in arr.shape[2:]))] = 1.0
    return _fill(tensor, values)


@no_grad()
def sparse_(tensor, sparsity: float, std: float = 0.01, generator=None):
    """N(0, std²) with ⌈sparsity·rows⌉ entries of each column (chosen at random) set to 0
    (Martens 2010; 2-D only; std 0.01 by default)."""
    arr = _array(tensor)
    if arr.ndim != 2:
        raise ArgumentError(f"sparse_: only 2-D tensors are supported, got shape {arr.shape}")
    if isinstance(sparsity, bool) or not isinstance(sparsity, numbers.Real) \
            or not 0 <= sparsity <= 1:
        raise ArgumentError(f"sparse_: sparsity must be a number in [0, 1], got {sparsity!r}")
    rng = _rng(generator, "sparse_")
    rows, cols = arr.shape
    values = rng.normal(0.0, std, (rows, cols))
    zeros = np.argsort(rng.random((rows, cols)), axis=0)[:math.ceil(sparsity * rows)]
    values[zeros, np.arange(cols)] = 0.0
    return _fill(tensor, values)


def _deprecated(function):
    old = function.__name__[:-1]

    def alias(*args, **kwargs):
        warnings.warn(f"nn.init.{old} is deprecated in favor of nn.init.{function.__name__} "
                      f"(as in PyTorch)", FutureWarning, stacklevel=2)
        return function(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated: use `{function.__name__}` (warns, then calls it)."
    return alias


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
