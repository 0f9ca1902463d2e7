"""A stand-in GPU for machines without one: device 'fake', NumPy-backed, as strict as CuPy.

Its arrays (`DeviceArray`) behave like CuPy's where it matters for tidu's device code: NumPy
functions and ufuncs applied to them dispatch to the device library and return device
arrays (CuPy implements ``__array_ufunc__`` / ``__array_function__`` the same way), and an op
that mixes in a host (NumPy) array, or stores one into a device array, raises — as CuPy
refuses implicit host/device transfers.  Running the oracle tests on this device proves that
every op allocates its buffers, draws its masks and routes its gradients on the device of its
inputs; the real CuPy run (tests/test_devices.py) needs a GPU.
"""
from __future__ import annotations

import os
import sys

import numpy as np

import tidu.backend as backend


class DeviceArray(np.ndarray):
    """An array that lives on the fake device."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        _refuse_host(f"{ufunc.__name__}.{method}", inputs + (out or ()))
        if out is not None:
            kwargs["out"] = tuple(_unwrap(o) for o in out)
        result = getattr(ufunc, method)(*(_unwrap(i) for i in inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        _refuse_host(func.__name__, args + tuple(kwargs.values()))
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def __getitem__(self, key):  # an element is a 0-d device array, as in CuPy
        return _wrap(np.ndarray.__getitem__(self.view(np.ndarray), _unwrap(key)))

    def __setitem__(self, key, value):
        _refuse_host("__setitem__", (value,))
        np.ndarray.__setitem__(self.view(np.ndarray), _unwrap(key), _unwrap(value))


_TIDU = os.path.dirname(os.path.abspath(sys.modules["tidu.backend"].__file__))


def _refuse_host(what, values, depth=2):
    """Raise if tidu's own code mixes host arrays into a device op.  Test code may: it
    compares device results with host expectations, as `cupy.testing` lets it."""
    if not sys._getframe(depth).f_code.co_filename.startswith(_TIDU):
        return
    _refuse(what, values)


def _refuse(what, values):
    for v in values:
        if type(v) is np.ndarray:
            raise TypeError(f"fake device: {what} was given a host (NumPy) array of shape "
                            f"{v.shape}; device code must not mix in host arrays")
        if isinstance(v, (list, tuple)):
            _refuse(what, v)


def _unwrap(x):
    if isinstance(x, DeviceArray):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _wrap(x):
    if isinstance(x, np.ndarray):
        return x.view(DeviceArray)
    if isinstance(x, np.generic):  # CuPy returns 0-d arrays, never NumPy scalars
        return np.asarray(x).view(DeviceArray)
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        return type(x)(_wrap(v) for v in x)
    return x


class _Namespace:
    """``xp`` of the fake device: NumPy's functions, returning device arrays; creation
    functions (zeros, empty, arange, …) allocate on the device."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        attr = getattr(self._module, name)
        if isinstance(attr, type(np)):
            return _Namespace(attr)
        if isinstance(attr, np.ufunc) or not callable(attr) or isinstance(attr, type):
            return attr

        def on_device(*args, **kwargs):
            _refuse_host(name, args + tuple(kwargs.values()))
            return _wrap(attr(*_unwrap(args), **_unwrap(kwargs)))

        return on_device


def to_host(arr):
    return np.array(arr.view(np.ndarray), copy=True)


def from_host(arr):
    if isinstance(arr, DeviceArray):
        return arr
    return np.array(arr, copy=True).view(DeviceArray)


def _as_strided(arr, shape, strides, writeable=True):
    view = np.lib.stride_tricks.as_strided(arr.view(np.ndarray), shape, strides,
                                           writeable=writeable)
    return view.view(DeviceArray)


def _index_add(target, index, values):
    _refuse("index_add", (values,))
    np.add.at(target.view(np.ndarray), _unwrap(index), _unwrap(values))


def register() -> None:
    backend.register_backend("fake", "fakecupy", _Namespace(np), DeviceArray, to_host, from_host,
                             as_strided=_as_strided, index_add=_index_add)
