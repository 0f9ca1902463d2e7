"""Tensor factories, as PyTorch's: ``zeros``, ``ones``, ``full``, ``empty``, ``eye``,
``arange``, ``linspace``, ``logspace``, ``rand``, ``randn``, ``randint``, ``randperm``,
``normal``, the ``*_like`` forms and ``from_numpy``.

Common rules (PyTorch's):

* a size is given as varargs ``zeros(2, 3)``, one sequence ``zeros((2, 3))`` or the keyword
  ``size=``; every entry an int ≥ 0 (``zeros()`` is a 0-d tensor);
* float results take tidu's default dtype (float32 unless `tidu.set_default_dtype`) unless
  ``dtype`` is given; ``arange`` with ints, ``randint`` and ``randperm`` give int64;
* ``requires_grad=True`` makes a leaf that records ops (float dtypes only); ``device`` places
  the result ('cpu', 'cuda'; by default tidu's default device);
* random draws come from tidu's one seeded generator (`tidu.manual_seed`), or from
  ``generator=`` (a ``numpy.random.Generator``, as `tidu.manual_seed` returns); they are made
  on the host, so a seed gives the same numbers on every device.  They are not PyTorch's
  numbers (another generator), only the same distributions;
* half precision is not supported: ``dtype=tidu.float16`` is refused.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import random as _random
from ._checks import check_number
from . import backend
from .backend import device_of, to_numpy
from .errors import ArgumentError, DTypeError
from .tensor import Tensor, get_default_dtype

__all__ = ["zeros", "ones", "full", "empty", "eye", "arange", "linspace", "logspace", "rand",
           "randn", "randint", "randperm", "normal", "zeros_like", "ones_like", "full_like",
           "empty_like", "rand_like", "randn_like", "from_numpy", "multinomial", "FloatTensor",
           "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "ByteTensor"]


# --------------------------------------------------------------------------- argument checks
def _dtype(dtype, op: str, default=None) -> np.dtype:
    """``dtype`` as a NumPy dtype (None → ``default``, else tidu's default float dtype);
    float16, complex and non-numeric dtypes are refused."""
    if dtype is None:
        return np.dtype(default) if default is not None else get_default_dtype()
    try:
        out = np.dtype(dtype)
    except TypeError as err:
        raise DTypeError(f"{op}: dtype must be a dtype such as tidu.float32, got {dtype!r}") from err
    if out == np.float16:
        raise DTypeError(f"{op}: tidu does not support half precision (float16); "
                         f"use tidu.float32 or tidu.float64")
    if out.kind not in "biuf":
        raise DTypeError(f"{op}: dtype must be a float, integer or bool dtype, got {out}")
    return out


def _float_dtype(dtype, op: str, default=None) -> np.dtype:
    out = _dtype(dtype, op, default)
    if out.kind != "f":
        raise DTypeError(f"{op}: draws floats; dtype must be a float dtype, got {out}")
    return out


def _int(value, name: str, op: str, low: int | None = 0) -> int:
    return int(check_number(value, name, op, low=low, integer=True, error=ArgumentError))


def _shape(args: tuple, size, op: str) -> tuple:
    """The shape of ``op(*args)`` / ``op(size=...)``: varargs ints or one sequence of ints."""
    if size is not None:
        if args:
            raise ArgumentError(f"{op}: give the size positionally or as size=, not both")
        args = (size,)
    if not args:
        raise ArgumentError(f"{op}: size is required (give () for a 0-d tensor)")
    if len(args) == 1 and not isinstance(args[0], numbers.Integral) and hasattr(args[0], "__len__"):
        args = tuple(args[0])
    for d in args:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            raise ArgumentError(f"{op}: size must be ints or one tuple of ints, got "
                                f"{d!r} ({type(d).__name__}) in {args!r}")
        if d < 0:
            raise ArgumentError(f"{op}: size must be non-negative, got {tuple(int(s) for s in args)}")
    return tuple(int(d) for d in args)


def _generator(generator, op: str) -> np.random.Generator:
    if generator is None:
        return _random.generator()  # looked up now: manual_seed replaces it
    if not isinstance(generator, np.random.Generator):
        raise ArgumentError(f"{op}: generator must be a numpy.random.Generator (as "
                            f"tidu.manual_seed returns), got {type(generator).__name__}")
    return generator


def _make(arr, dtype, device, requires_grad) -> Tensor:
    """A leaf tensor of ``arr`` (host array, cast to ``dtype``) on ``device``."""
    return Tensor(arr, requires_grad=requires_grad, dtype=dtype, device=device)


def _like(input, op: str):
    """(shape, dtype, device) of a ``*_like`` factory's input (a Tensor or array)."""
    if isinstance(input, Tensor):
        return input.shape, input.dtype, input.device
    if hasattr(input, "shape") and hasattr(input, "dtype"):
        return tuple(input.shape), np.dtype(input.dtype), device_of(input)
    raise ArgumentError(f"{op}: input must be a Tensor, got {type(input).__name__}")


# --------------------------------------------------------------------------- constant fills
def zeros(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of 0s of the given size (``zeros(2, 3)`` or ``zeros((2, 3))``)."""
    shape, dt = _shape(args, size, "zeros"), _dtype(dtype, "zeros")
    return _make(np.zeros(shape, dt), dt, device, requires_grad)


def ones(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of 1s of the given size."""
    shape, dt = _shape(args, size, "ones"), _dtype(dtype, "ones")
    return _make(np.ones(shape, dt), dt, device, requires_grad)


def empty(*args, size=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of the given size whose values are not initialized (any numbers)."""
    shape, dt = _shape(args, size, "empty"), _dtype(dtype, "empty")
    return _make(np.empty(shape, dt), dt, device, requires_grad)


def _fill_dtype(fill_value, dtype, op: str) -> np.dtype:
    """PyTorch's inference for ``full``: bool → bool, int → int64, float → default dtype."""
    if dtype is not None:
        return _dtype(dtype, op)
    value = fill_value.item() if hasattr(fill_value, "item") else fill_value
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(value, numbers.Integral):
        return np.dtype(np.int64)
    if isinstance(value, numbers.Real):
        return get_default_dtype()
    raise ArgumentError(f"{op}: fill_value must be a real number or bool, got {fill_value!r}")


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ``size`` (a sequence of ints) filled with ``fill_value``; the dtype is
    inferred from the value when not given (bool → bool, int → int64, float → default)."""
    if isinstance(size, numbers.Integral) or not hasattr(size, "__len__"):
        raise ArgumentError(f"full: size must be a tuple of ints, got {size!r} ({type(size).__name__})")
    shape, dt = _shape((size,), None, "full"), _fill_dtype(fill_value, dtype, "full")
    value = fill_value.item() if hasattr(fill_value, "item") else fill_value
    with np.errstate(over="ignore"):
        return _make(np.full(shape, value, dt), dt, device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """An ``n × m`` (``m = n`` by default) tensor with 1 on the diagonal, 0 elsewhere."""
    n = _int(n, "n", "eye")
    m = n if m is None else _int(m, "m", "eye")
    dt = _dtype(dtype, "eye")
    return _make(np.eye(n, m, dtype=dt), dt, device, requires_grad)


# --------------------------------------------------------------------------- ranges
def _real(value, name: str, op: str):
    return check_number(value, name, op, low=None, error=ArgumentError)


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``[start, start + step, …]`` up to, not including, ``end`` (``arange(end)`` starts at 0):
    ``ceil((end - start) / step)`` values ``start + i·step``.  int64 when every bound is an
    int, else the default float dtype, unless ``dtype`` is given."""
    if end is None:
        start, end = 0, start
    start, end, step = (_real(v, k, "arange") for v, k in ((start, "start"), (end, "end"), (step, "step")))
    if step == 0:
        raise ArgumentError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ArgumentError(f"arange: end={end} lies on the wrong side of start={start} "
                            f"for step={step}")
    ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    dt = _dtype(dtype, "arange", np.int64 if ints else None)
    if ints:
        arr = np.arange(start, end, step, dtype=np.int64)
    else:
        count = max(math.ceil((end - start) / step), 0)
        arr = start + np.arange(count, dtype=np.float64) * step
    return _make(arr, dt, device, requires_grad)


def _linspace64(start, end, steps: int) -> np.ndarray:
    """PyTorch's linspace in float64: the first half counted up from ``start``, the second
    half down from ``end`` (so both ends are exact)."""
    if steps == 1:
        return np.array([start], dtype=np.float64)
    step = (end - start) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    return np.where(i < steps // 2, start + step * i, end - step * (steps - 1 - i))


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included
    (``start + i·(end − start)/(steps − 1)``); an integer dtype truncates toward zero."""
    start, end = _real(start, "start", "linspace"), _real(end, "end", "linspace")
    steps = _int(steps, "steps", "linspace")
    dt = _dtype(dtype, "linspace")
    arr = _linspace64(start, end, steps)
    return _make(np.trunc(arr) if dt.kind != "f" else arr, dt, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``: ``steps`` values from ``base**start`` to
    ``base**end`` evenly spaced on a log scale (base 10 by default)."""
    start, end = _real(start, "start", "logspace"), _real(end, "end", "logspace")
    steps, base = _int(steps, "steps", "logspace"), _real(base, "base", "logspace")
    dt = _dtype(dtype, "logspace")
    with np.errstate(over="ignore"):
        arr = np.power(float(base), _linspace64(start, end, steps))
    return _make(np.trunc(arr) if dt.kind != "f" else arr, dt, device, requires_grad)


# --------------------------------------------------------------------------- random draws
def rand(*args, size=None, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform draws on ``[0, 1)`` of the given size (a float dtype)."""
    shape, dt = _shape(args, size, "rand"), _float_dtype(dtype, "rand")
    arr = _generator(generator, "rand").random(shape, dtype=dt)
    return _make(arr, dt, device, requires_grad)


def randn(*args, size=None, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal draws (mean 0, variance 1) of the given size (a float dtype)."""
    shape, dt = _shape(args, size, "randn"), _float_dtype(dtype, "randn")
    arr = _generator(generator, "randn").standard_normal(shape, dtype=dt)
    return _make(arr, dt, device, requires_grad)


def randint(*args, low=None, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers drawn uniformly from ``[low, high)`` (``low`` 0 unless given), of shape
    ``size`` (a tuple): ``randint(high, size)`` or ``randint(low, high, size)``; int64
    unless ``dtype`` is given."""
    args = list(args)
    if size is None and args:
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise ArgumentError(f"randint: expected (high, size) or (low, high, size), got {len(args) + 1} "
                            f"positional arguments")
    if high is None or size is None:
        raise ArgumentError("randint: high and size are required (randint(high, size) or "
                            "randint(low, high, size))")
    if isinstance(size, numbers.Integral) or not hasattr(size, "__len__"):
        raise ArgumentError(f"randint: size must be a tuple of ints, got {size!r}")
    low = 0 if low is None else _int(low, "low", "randint", low=None)
    high = _int(high, "high", "randint", low=None)
    if low >= high:
        raise ArgumentError(f"randint: low must be less than high, got low={low} >= high={high}")
    shape, dt = _shape((size,), None, "randint"), _dtype(dtype, "randint", np.int64)
    arr = _generator(generator, "randint").integers(low, high, shape, dtype=np.int64)
    return _make(arr, dt, device, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A random permutation of ``0, …, n − 1`` (int64 unless ``dtype`` is given)."""
    n = _int(n, "n", "randperm")
    dt = _dtype(dtype, "randperm", np.int64)
    arr = _generator(generator, "randperm").permutation(n).astype(np.int64)
    return _make(arr, dt, device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Normal draws ``mean + std·z``, z ~ N(0, 1).

    As PyTorch's overloads: ``normal(mean, std, size)`` with numbers (default float dtype);
    or ``mean`` and/or ``std`` tensors, broadcast together, giving the tensor's shape, dtype
    and device (``size`` is then not given).  Every ``std`` must be ≥ 0."""
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    gen = _generator(generator, "normal")
    if not tensors:
        mean, std = _real(mean, "mean", "normal"), _real(std, "std", "normal")
        if std < 0:
            raise ArgumentError(f"normal: std must be >= 0, got {std}")
        if size is None:
            raise ArgumentError("normal: with a number mean and std, size is required "
                                "(normal(mean, std, size))")
        shape, dt = _shape((size,), None, "normal"), _float_dtype(dtype, "normal")
        arr = mean + std * gen.standard_normal(shape)
        return _make(arr, dt, device, requires_grad)
    if size is not None:
        raise ArgumentError("normal: size is given only with a number mean and std; with a "
                            "tensor mean or std the shape is theirs")
    first = tensors[0]
    for t in tensors:
        if t.dtype.kind != "f":
            raise DTypeError(f"normal: mean and std must be float tensors, got {t.dtype}")
    m = to_numpy(mean._data) if isinstance(mean, Tensor) else _real(mean, "mean", "normal")
    s = to_numpy(std._data) if isinstance(std, Tensor) else _real(std, "std", "normal")
    if np.any(np.asarray(s) < 0):
        raise ArgumentError("normal: every element of std must be >= 0")
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    dt = _float_dtype(dtype, "normal", first.dtype)
    arr = m + s * gen.standard_normal(shape)
    return _make(arr, dt, device if device is not None else first.device, requires_grad)


# --------------------------------------------------------------------------- *_like
def zeros_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """0s with ``input``'s shape, and its dtype and device unless given."""
    shape, dt, dev = _like(input, "zeros_like")
    dt = _dtype(dtype, "zeros_like", dt)
    return _make(np.zeros(shape, dt), dt, device or dev, requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """1s with ``input``'s shape, and its dtype and device unless given."""
    shape, dt, dev = _like(input, "ones_like")
    dt = _dtype(dtype, "ones_like", dt)
    return _make(np.ones(shape, dt), dt, device or dev, requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uninitialized values with ``input``'s shape, and its dtype and device unless given."""
    shape, dt, dev = _like(input, "empty_like")
    dt = _dtype(dtype, "empty_like", dt)
    return _make(np.empty(shape, dt), dt, device or dev, requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``fill_value`` with ``input``'s shape, and its dtype and device unless given."""
    shape, dt, dev = _like(input, "full_like")
    dt = _dtype(dtype, "full_like", dt)
    value = fill_value.item() if hasattr(fill_value, "item") else fill_value
    with np.errstate(over="ignore", invalid="ignore"):
        arr = np.full(shape, value, dt)
    return _make(arr, dt, device or dev, requires_grad)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform ``[0, 1)`` draws with ``input``'s shape, dtype (a float) and device."""
    shape, dt, dev = _like(input, "rand_like")
    dt = _float_dtype(dtype, "rand_like", dt)
    arr = _generator(generator, "rand_like").random(shape, dtype=dt)
    return _make(arr, dt, device or dev, requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal draws with ``input``'s shape, dtype (a float) and device."""
    shape, dt, dev = _like(input, "randn_like")
    dt = _float_dtype(dtype, "randn_like", dt)
    arr = _generator(generator, "randn_like").standard_normal(shape, dtype=dt)
    return _make(arr, dt, device or dev, requires_grad)


# --------------------------------------------------------------------------- NumPy
def from_numpy(ndarray) -> Tensor:
    """A CPU tensor sharing ``ndarray``'s memory and dtype (no copy, no cast): writes to
    either show in the other, as ``torch.from_numpy``."""
    if type(ndarray) is not np.ndarray:
        raise ArgumentError(f"from_numpy: expected a numpy.ndarray, got {type(ndarray).__name__}")
    _dtype(ndarray.dtype, "from_numpy")
    return Tensor._wrap(ndarray)


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """Draw ``num_samples`` category indices per row of ``input`` (non-negative weights, 1-D or
    2-D (rows, categories), not necessarily normalised), as torch.multinomial: int64, shape
    (num_samples,) or (rows, num_samples).  With ``replacement`` each draw is independent
    (inverse CDF); without, a row never repeats a category (weighted sampling without
    replacement by the keys u^(1/w), Efraimidis & Spirakis 2006), and a zero-weight category
    is never drawn.  From tidu's generator or ``generator=`` (not PyTorch's numbers)."""
    if not isinstance(input, Tensor):
        raise ArgumentError(f"multinomial: input must be a Tensor, got {type(input).__name__}")
    w = to_numpy(input._data).astype(np.float64)
    if w.ndim not in (1, 2) or w.shape[-1] == 0:
        raise ArgumentError(f"multinomial: input must be 1-D or 2-D with at least one "
                            f"category, got shape {input.shape}")
    rows = w.reshape(-1, w.shape[-1])
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise ArgumentError("multinomial: weights must be finite and non-negative")
    if (rows.sum(axis=1) <= 0).any():
        raise ArgumentError("multinomial: every row needs a positive total weight")
    n = _int(num_samples, "num_samples", "multinomial", low=1)
    rng = _generator(generator, "multinomial")
    k = rows.shape[1]
    if replacement:
        cdf = np.cumsum(rows / rows.sum(axis=1, keepdims=True), axis=1)
        cdf[:, -1] = 1.0  # no draw falls past the last category through rounding
        offset = np.arange(len(rows))[:, None]
        u = rng.random((len(rows), n))
        idx = np.searchsorted((cdf + offset).ravel(), (u + offset).ravel(), side="right")
        out = np.minimum(idx.reshape(len(rows), n) - offset * k, k - 1)
    else:
        if n > k:
            raise ArgumentError(f"multinomial: cannot sample n_sample={n} > {k} categories "
                                f"without replacement")
        if ((rows > 0).sum(axis=1) < n).any():
            raise ArgumentError(f"multinomial: a row has fewer than num_samples={n} categories "
                                f"of non-zero weight, so it cannot draw them without replacement")
        with np.errstate(divide="ignore"):
            keys = np.log(rng.random(rows.shape)) / rows       # log(u^(1/w)); −inf for w = 0
        out = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    out = out.astype(np.int64).reshape(w.shape[:-1] + (n,))
    return Tensor(out, device=input.device)


def _legacy_type(dtype, name: str):
    """``torch.FloatTensor(...)``-style constructors: sizes give a zero tensor of that shape,
    data (a list, array or tensor) a tensor of ``dtype``."""
    def make(*args) -> Tensor:
        if not args or all(isinstance(a, numbers.Integral) and not isinstance(a, bool)
                           for a in args):
            return zeros(*args, dtype=dtype)
        if len(args) == 1:
            data = args[0]
            data = data._data if isinstance(data, Tensor) else data
            return Tensor(np.array(to_numpy(data) if hasattr(data, "dtype") else data,
                                   dtype=dtype), dtype=dtype)
        raise ArgumentError(f"{name}: give sizes (ints) or one sequence of data, got {args!r}")
    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"``tidu.{name}(data)`` or ``tidu.{name}(*sizes)``: PyTorch's legacy "
                    f"constructor of a {np.dtype(dtype).name} tensor (sizes give zeros).")
    return make


FloatTensor, DoubleTensor = _legacy_type(np.float32, "FloatTensor"), _legacy_type(np.float64, "DoubleTensor")
LongTensor, IntTensor = _legacy_type(np.int64, "LongTensor"), _legacy_type(np.int32, "IntTensor")
BoolTensor, ByteTensor = _legacy_type(np.bool_, "BoolTensor"), _legacy_type(np.uint8, "ByteTensor")


def bernoulli(input, p=None, *, generator=None) -> Tensor:
    """0/1 draws, 1 with probability ``input`` element-wise (or with the number ``p`` for
    every element, in ``input``'s shape), as torch.bernoulli: the result has ``input``'s
    shape, float dtype and device, and no gradient.  From tidu's generator or
    ``generator=`` (PyTorch's distribution, not its numbers)."""
    if not isinstance(input, Tensor):
        raise ArgumentError(f"bernoulli: input must be a Tensor, got {type(input).__name__}")
    if input._data.dtype.kind != "f":
        raise DTypeError(f"bernoulli: input must be a float tensor, got dtype {input.dtype}")
    probs = np.full(input.shape, float(p)) if p is not None else to_numpy(input._data)
    if not ((probs >= 0) & (probs <= 1)).all():
        raise ArgumentError("bernoulli: probabilities must lie in [0, 1]" +
                            ("" if p is None else f", got p={p!r}"))
    draws = _generator(generator, "bernoulli").random(input.shape) < probs
    return Tensor._wrap(backend.like(input._data, draws.astype(input._data.dtype)))
