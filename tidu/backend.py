"""Where a tensor's array lives: NumPy on the CPU (device ``"cpu"``), CuPy on a CUDA GPU
(device ``"cuda"``).

The array library is chosen per tensor, as PyTorch chooses per tensor: every op runs with
the library of its inputs' arrays (``xp_of``), so one process can hold a CPU model and a GPU
model side by side.  ``set_backend("cupy")`` (or ``"cuda"``) makes new tensors and new layers'
parameters start on the GPU; ``Tensor(x, device="cuda")``, ``tensor.to("cuda")`` and
``module.to("cuda")`` place them explicitly.  CuPy is imported only when a GPU is asked for,
so a machine without one (CI) never touches it.

Ops written against NumPy mostly run unchanged on CuPy arrays, which implement NumPy's
dispatch protocols (``__array_ufunc__``, ``__array_function__``); what does not dispatch —
allocating a new array, ``as_strided``, scatter-add, conversion to NumPy — goes through the
helpers here.  Mixing devices in one op is an error (`DeviceError`), never a silent copy.
"""
from __future__ import annotations

import numpy as np

from .errors import DeviceError

__all__ = ["set_backend", "get_backend", "get_default_device", "xp_of", "device_of",
           "to_device", "to_numpy", "is_available", "register_backend"]


class _Backend:
    """One array library: its module (``xp``), its array type and the host transfers."""

    def __init__(self, device, name, xp, array_type, to_host, from_host, as_strided, index_add):
        self.device, self.name, self.xp, self.array_type = device, name, xp, array_type
        self.to_host, self.from_host = to_host, from_host
        self.as_strided, self.index_add = as_strided, index_add


def _numpy_as_strided(arr, shape, strides, writeable=True):
    return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=writeable)


def _numpy_index_add(target, index, values):
    np.add.at(target, index, values)  # repeated indices accumulate


_CPU = _Backend("cpu", "numpy", np, np.ndarray, lambda a: a, np.asarray, _numpy_as_strided,
                _numpy_index_add)
_BACKENDS: dict[str, _Backend] = {"cpu": _CPU}
_BY_TYPE: dict[type, _Backend] = {np.ndarray: _CPU}
_NAMES = {"numpy": "cpu", "cpu": "cpu", "cupy": "cuda", "cuda": "cuda", "gpu": "cuda"}
_state = {"default": "cpu"}


# --------------------------------------------------------------------------- CuPy, on demand
def _load_cupy() -> _Backend:
    try:
        import cupy
    except ImportError as err:
        raise DeviceError("device 'cuda' needs CuPy, which is not installed "
                          "(pip install cupy-cuda12x, matching the CUDA driver)") from err
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # noqa: BLE001 - CuPy raises its own runtime errors
        raise DeviceError(f"device 'cuda': CuPy found no usable CUDA driver ({err})") from err
    if count < 1:
        raise DeviceError("device 'cuda': CuPy is installed but sees no CUDA GPU")

    def as_strided(arr, shape, strides, writeable=True):  # CuPy's has no `writeable`
        return cupy.lib.stride_tricks.as_strided(arr, shape, strides)

    def index_add(target, index, values):
        import cupyx
        cupyx.scatter_add(target, index, values)

    return _Backend("cuda", "cupy", cupy, cupy.ndarray, cupy.asnumpy, cupy.asarray, as_strided,
                    index_add)


def register_backend(device: str, name: str, xp, array_type, to_host, from_host,
                     as_strided=None, index_add=None) -> None:
    """Register an array library for ``device`` (how CuPy is plugged in; the test-suite
    also plugs in a NumPy-backed stand-in to prove every op stays on its device)."""
    backend = _Backend(device, name, xp, array_type, to_host, from_host,
                       as_strided or (lambda a, shape, strides, writeable=True:
                                      xp.lib.stride_tricks.as_strided(a, shape, strides)),
                       index_add or (lambda t, i, v: xp.add.at(t, i, v)))
    _BACKENDS[device] = backend
    _BY_TYPE[array_type] = backend
    _NAMES.setdefault(name, device)
    _NAMES.setdefault(device, device)


def _backend(device: str) -> _Backend:
    if device not in _BACKENDS:
        if device != "cuda":
            raise DeviceError(f"unknown device {device!r}; expected 'cpu' or 'cuda'")
        register = _load_cupy()
        _BACKENDS["cuda"] = register
        _BY_TYPE[register.array_type] = register
    return _BACKENDS[device]


def normalize_device(device) -> str:
    """'cpu', 'cuda', 'cuda:0', 'numpy', 'cupy' (or a `device` / torch.device) → 'cpu' / 'cuda'."""
    text = str(device).lower()
    kind, _, index = text.partition(":")
    if kind not in _NAMES:
        raise DeviceError(f"unknown device {device!r}; expected 'cpu' or 'cuda' "
                          f"(or the backend names 'numpy' / 'cupy')")
    if index not in ("", "0"):
        raise DeviceError(f"device {device!r}: tidu uses one GPU, cuda:0; got index {index}")
    return _NAMES[kind]


def is_device_name(name: str) -> bool:
    """Whether the string ``name`` names a device (so ``.to(name)`` moves, not casts)."""
    return name.lower().partition(":")[0] in _NAMES


def parse_to_args(args, dtype=None, device=None) -> tuple:
    """(dtype, device) of ``.to(*args, dtype=, device=)`` as PyTorch reads them: a device
    name or a ``torch.device`` moves, anything else casts."""
    for arg in args:
        if type(arg).__name__ == "device" or (isinstance(arg, str) and is_device_name(arg)):
            device = arg
        else:
            dtype = arg
    return dtype, device


# --------------------------------------------------------------------------- default device
def set_backend(name: str) -> None:
    """Make ``name`` ('numpy'/'cpu' or 'cupy'/'cuda') the device of new tensors and layers.

    Existing tensors stay where they are (move them with ``.to(device)``).  Asking for the
    GPU imports CuPy and fails with a `DeviceError` saying why when there is none."""
    device = normalize_device(name)
    _backend(device)  # fail now, not at the first tensor
    _state["default"] = device


def get_backend() -> str:
    """The array library of new tensors: 'numpy' or 'cupy'."""
    return _BACKENDS[_state["default"]].name


def get_default_device() -> str:
    return _state["default"]


def is_available(device: str = "cuda") -> bool:
    """Whether ``device`` can be used here (for 'cuda': CuPy installed and a GPU seen)."""
    try:
        _backend(normalize_device(device))
    except DeviceError:
        return False
    return True


# --------------------------------------------------------------------------- per array
def backend_of(arr) -> _Backend:
    backend = _BY_TYPE.get(type(arr))
    if backend is not None:
        return backend
    if type(arr).__module__.partition(".")[0] == "cupy":  # a CuPy array made before tidu asked
        return _backend("cuda")
    for array_type, backend in reversed(list(_BY_TYPE.items())):  # subclasses of a device type
        if isinstance(arr, array_type):
            return backend
    return _CPU


def xp_of(arr):
    """The array library (NumPy or CuPy) that ``arr`` belongs to."""
    return np if type(arr) is np.ndarray else backend_of(arr).xp


def device_of(arr) -> str:
    return "cpu" if type(arr) is np.ndarray else backend_of(arr).device


def to_device(arr, device: str):
    """``arr`` on ``device`` (a copy when it moves; the same array when it is there)."""
    source, target = backend_of(arr), _backend(device)
    if source is target:
        return arr
    host = source.to_host(arr)
    return target.from_host(host)


def to_numpy(arr) -> np.ndarray:
    """A NumPy array of ``arr``'s values (copied off the GPU; NumPy arrays as they are)."""
    return arr if type(arr) is np.ndarray else np.asarray(backend_of(arr).to_host(arr))


def as_strided(arr, shape, strides, writeable=True):
    """A strided view of ``arr`` in its own library (``numpy.lib.stride_tricks.as_strided``)."""
    if type(arr) is np.ndarray:
        return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=writeable)
    return backend_of(arr).as_strided(arr, shape, strides, writeable)


def index_add(target, index, values) -> None:
    """target[index] += values with repeated indices accumulating (``np.add.at``)."""
    if type(target) is np.ndarray:
        np.add.at(target, index, values)
    else:
        backend_of(target).index_add(target, index, values)


def like(arr, values):
    """``values`` (an array) on ``arr``'s device, copied only when it moves: targets, weights
    and indices given as NumPy arrays, and random draws made on the host by tidu's one
    seeded generator (so a run gives the same numbers on every device)."""
    if type(arr) is np.ndarray and type(values) is np.ndarray:
        return values
    return to_device(values, device_of(arr))


def same_device(what: str, *arrays) -> None:
    """Raise a DeviceError naming ``what`` unless all ``arrays`` live on one device."""
    devices = {device_of(a) for a in arrays}
    if len(devices) > 1:
        raise DeviceError(f"{what}: operands are on different devices ({', '.join(sorted(devices))}); "
                          f"move them to one with .to(device)")
