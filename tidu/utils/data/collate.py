"""Collation, as ``torch.utils.data._utils.collate``: turn a list of samples into a batch.

`default_collate` (batching on) follows the structure of the first sample: tidu `Tensor` s
are stacked along a new first dim; NumPy arrays and NumPy scalars become tensors of their
own dtype, stacked; Python ``float`` → a float64 tensor, ``int`` → int64, ``bool`` → bool
(PyTorch does exactly this); ``str``/``bytes`` stay a list; a dict gives a dict of batches,
a namedtuple a namedtuple, a tuple a *list* of batches (PyTorch's return type), another
sequence the same sequence type; nested structures recurse.  `default_convert` (batching
off, ``batch_size=None``) converts NumPy arrays and scalars inside one sample to tensors
and leaves everything else as is (tuples become lists, as PyTorch).  Tensors made from
NumPy data land on the default device (`tidu.set_backend`); stacked tensors keep theirs.
"""
from __future__ import annotations

import collections.abc
import copy
import re

import numpy as np

from ...backend import get_default_device, to_device
from ...ops.shape import stack
from ...tensor import Tensor, tensor

__all__ = ["default_collate", "default_convert"]

_STR_OBJ = re.compile(r"[SaUO]")
ERROR_FORMAT = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                "lists; found {}")


def _from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor of ``arr``'s dtype on the default device (shares memory on the host)."""
    arr = np.asarray(arr)
    device = get_default_device()
    return Tensor._wrap(to_device(arr, device) if device != "cpu" else arr)


def _numpy_scalar_type(elem) -> bool:
    return isinstance(elem, (np.bool_, np.number, np.object_))


def default_convert(data):
    """Convert NumPy arrays and scalars (inside mappings and sequences too) to tensors;
    leave tensors, Python numbers and strings as they are.  NumPy string/object arrays are
    left as arrays.  A tuple becomes a list (PyTorch's backwards-compatible rule)."""
    if isinstance(data, Tensor):
        return data
    kind = type(data)
    if kind.__module__ == "numpy" and kind.__name__ not in ("str_", "bytes_", "string_"):
        if isinstance(data, np.ndarray) and _STR_OBJ.search(data.dtype.str):
            return data
        return _from_numpy(np.array(data) if np.ndim(data) == 0 else data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return _rebuild_mapping(data, converted)
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(elem, values: dict):
    """``values`` in ``elem``'s own mapping type where that type allows it, else a dict."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem, values: list):
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def default_collate(batch):
    """Stack a list of samples into one batch, following the first sample's structure (see
    the module docstring for the rules; they are PyTorch's).

    Examples
    --------
    >>> import numpy as np
    >>> from tidu.utils.data import default_collate
    >>> x, y = default_collate([(np.zeros(3), 1), (np.ones(3), 0)])
    >>> x.shape, x.dtype, y.tolist(), str(y.dtype)
    ((2, 3), dtype('float64'), [1, 0], 'int64')
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if _STR_OBJ.search(elem.dtype.str):
            raise TypeError(ERROR_FORMAT.format(elem.dtype))
        return _from_numpy(np.stack([np.asarray(b) for b in batch]))
    if _numpy_scalar_type(elem):
        return _from_numpy(np.asarray(batch))
    if isinstance(elem, float):
        return tensor(list(batch), dtype=np.float64)
    if isinstance(elem, int):  # bool included: a batch of bools gives a bool tensor
        return tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch])
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               f"equal size, got sizes {[len(e) for e in batch]}")
        columns = [default_collate(s) for s in zip(*batch)]
        return columns if isinstance(elem, tuple) else _rebuild_sequence(elem, columns)
    raise TypeError(ERROR_FORMAT.format(type(elem)))
