"""Containers: `Sequential` (layers in order), `Residual` (x + f(x)), and PyTorch's
`ModuleList`, `ModuleDict`, `ParameterList`, `ParameterDict`."""
from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from ...errors import ArgumentError, IndexRangeError, TiduError
from ...tensor import Tensor
from ..parameter import Parameter
from .module import Module, _describe


class Sequential(Module):
    """Calls its layers in order; keys are their indices ("0", "1", …) or the names given
    in an OrderedDict, as torch.nn.Sequential."""

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], OrderedDict):
            for name, layer in layers[0].items():
                self.add_module(name, _checked(layer, f"the layer named {name!r}", self))
        else:
            for i, layer in enumerate(layers):
                self.add_module(str(i), _checked(layer, f"the layer at position {i}", self))

    def forward(self, x):
        for name, layer in self._modules.items():
            try:
                x = layer(x)
            except TiduError as err:
                err.add_note(f"in {type(self).__name__} layer {name!r}: {layer!r}")
                raise
        return x

    def __getitem__(self, idx):
        layers = list(self._modules.values())
        if isinstance(idx, slice):
            return Sequential(*layers[idx])
        return layers[idx]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, layer: Module) -> "Sequential":
        position = len(self._modules)
        self.add_module(str(position), _checked(layer, f"the layer appended at position {position}", self))
        return self


class Residual(Module):
    """y = x + f(x): the identity shortcut of residual networks, so the gradient reaches
    earlier layers through the "+" undiminished (the notes' remedy for vanishing gradients).
    The wrapped block's keys are prefixed "fn." in the state_dict."""

    def __init__(self, fn: Module):
        super().__init__()
        self.fn = _checked(fn, "the wrapped block fn", self)

    def forward(self, x):
        return x + self.fn(x)


def _checked(layer, where: str, container: Module) -> Module:
    """``layer`` if it is a Module instance; otherwise one error naming its place and type
    (a forgotten ``()`` — ``nn.ReLU`` — would otherwise vanish from the model)."""
    if not isinstance(layer, Module):
        raise ArgumentError(f"{type(container).__name__}: {where} must be a Module instance, "
                            f"got {_describe(layer)}")
    return layer


# --------------------------------------------------------------------------- list / dict helpers
def _abs_index(container: Module, idx, size: int) -> int:
    """``idx`` (an int, negative counting from the end) as an index in [0, size), as
    PyTorch's ``_get_abs_string_index``; else `IndexRangeError` / `ArgumentError`."""
    if isinstance(idx, bool) or not isinstance(idx, numbers.Integral):
        raise ArgumentError(f"{type(container).__name__}: indices must be ints or slices, got "
                            f"{_describe(idx)}")
    idx = int(idx)
    if not -size <= idx < size:
        raise IndexRangeError(f"{type(container).__name__}: index {idx} is out of range "
                              f"(length {size})")
    return idx + size if idx < 0 else idx


def _iterable(values, container: Module, method: str):
    """``values`` if it is an iterable (not a tensor), else PyTorch's TypeError as ArgumentError."""
    if isinstance(values, Tensor) or not isinstance(values, Iterable):
        raise ArgumentError(f"{type(container).__name__}.{method} should be called with an "
                            f"iterable, but got {type(values).__name__}")
    return values


def _pairs(values, container: Module):
    """(key, value) pairs of a mapping or of an iterable of 2-sequences, in their order."""
    name = type(container).__name__
    if isinstance(values, (Mapping, ModuleDict, ParameterDict)):
        return list(values.items())
    pairs = []
    for j, item in enumerate(_iterable(values, container, "update")):
        if not isinstance(item, Iterable) or isinstance(item, (str, Tensor)):
            raise ArgumentError(f"{name} update sequence element #{j} should be an iterable "
                                f"(key, value) pair; is {type(item).__name__}")
        item = tuple(item)
        if len(item) != 2:
            raise ArgumentError(f"{name} update sequence element #{j} has length {len(item)}; "
                                f"2 is required")
        pairs.append(item)
    return pairs


def _checked_key(container: Module, key, registry) -> str:
    """A child/parameter name as PyTorch's ``add_module`` accepts: a non-empty str without
    '.', not shadowing an attribute or method (``keys``, ``train``…) unless already a key."""
    name = type(container).__name__
    if not isinstance(key, str):
        raise ArgumentError(f"{name}: keys must be strings, got {_describe(key)}")
    if not key or "." in key:
        raise ArgumentError(f"{name}: key {key!r} must be non-empty and contain no '.'")
    if key not in registry and hasattr(container, key):
        raise ArgumentError(f"{name}: key {key!r} would shadow the attribute {key!r} "
                            f"(as PyTorch: attribute {key!r} already exists)")
    return key


def _put(container: Module, registry, name: str, value) -> None:
    """Register ``value`` under ``name``; an existing entry is replaced at its place (as
    PyTorch; Module.__setattr__ would move it to the end)."""
    if name in registry:
        registry[name] = value
        object.__setattr__(container, name, value)
    else:
        setattr(container, name, value)


def _drop(container: Module, name: str, registry) -> None:
    del registry[name]
    container.__dict__.pop(name, None)


def _as_parameter(value, container: Module, where: str) -> Parameter:
    """A Parameter as is; a tidu Tensor wrapped as a Parameter sharing its array (as
    PyTorch's ParameterList/ParameterDict wrap tensors); anything else refused."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value._data, dtype=value._data.dtype)
    raise ArgumentError(f"{type(container).__name__}: {where} must be a Parameter or Tensor, "
                        f"got {_describe(value)}")


# --------------------------------------------------------------------------- ModuleList
class ModuleList(Module):
    """Sub-modules held in a list, as `torch.nn.ModuleList`: registered under their
    indices, so parameters and ``state_dict`` keys read ``0.weight``, ``layers.1.bias``…
    Indexing by int (negative from the end) or slice (a new ModuleList of the same
    modules); ``append``, ``extend``, ``insert``, ``pop``, ``del`` (renumbering what
    follows), ``+``/``+=``.  Only Module instances are accepted.  It has no ``forward``:
    iterate over it in the owner's forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _set_all(self, modules) -> None:
        for name in list(self._modules):
            _drop(self, name, self._modules)
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def __getitem__(self, idx):
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            return type(self)(mods[idx])
        return mods[_abs_index(self, idx, len(mods))]

    def __setitem__(self, idx, module) -> None:
        i = _abs_index(self, idx, len(self._modules))
        _put(self, self._modules, str(i), _checked(module, f"the module set at position {i}", self))

    def __delitem__(self, idx) -> None:
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            del mods[idx]
        else:
            del mods[_abs_index(self, idx, len(mods))]
        self._set_all(mods)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other) -> "ModuleList":
        combined = ModuleList(self)
        return combined.extend(other)

    def append(self, module) -> "ModuleList":
        """Add ``module`` at the end; returns self."""
        i = len(self._modules)
        self.add_module(str(i), _checked(module, f"the module appended at position {i}", self))
        return self

    def extend(self, modules) -> "ModuleList":
        """Append every module of the iterable ``modules``; returns self."""
        offset = len(self._modules)
        items = list(_iterable(modules, self, "extend"))
        for i, m in enumerate(items):  # check all first: a refused item leaves self unchanged
            _checked(m, f"the module at position {offset + i}", self)
        for i, m in enumerate(items):
            self.add_module(str(offset + i), m)
        return self

    def insert(self, index: int, module) -> None:
        """Insert ``module`` before ``index`` (list.insert's rule: negative counts from the
        end, out-of-range clamps), renumbering the modules after it."""
        mods = list(self._modules.values())
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise ArgumentError(f"ModuleList.insert: index must be an int, got {_describe(index)}")
        mods.insert(int(index), _checked(module, f"the module inserted at index {index}", self))
        self._set_all(mods)

    def pop(self, key=-1):
        """Remove and return the module (or ModuleList, for a slice) at ``key``."""
        value = self[key]
        del self[key]
        return value


# --------------------------------------------------------------------------- ModuleDict
class ModuleDict(Module):
    """Sub-modules by name, as `torch.nn.ModuleDict`: insertion-ordered, registered under
    their keys (``state_dict`` keys ``heads.cls.weight``).  ``d[key]``, ``d[key] = m``,
    ``del d[key]``, ``in``, ``len``, iteration over keys, ``keys/values/items``,
    ``update`` (a mapping or (key, module) pairs, in their order), ``pop``, ``clear``.
    Keys are non-empty strs without '.'; values must be Module instances."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module) -> None:
        key = _checked_key(self, key, self._modules)
        _put(self, self._modules, key, _checked(module, f"the module for key {key!r}", self))

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        _drop(self, key, self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def clear(self) -> None:
        for key in list(self._modules):
            _drop(self, key, self._modules)

    def pop(self, key: str) -> Module:
        value = self[key]
        del self[key]
        return value

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules) -> None:
        """Add or overwrite entries from a mapping or an iterable of (key, module) pairs."""
        pairs = _pairs(modules, self)
        for key, m in pairs:  # check all first: a refused item leaves self unchanged
            _checked_key(self, key, self._modules)
            _checked(m, f"the module for key {key!r}", self)
        for key, m in pairs:
            self[key] = m


# --------------------------------------------------------------------------- ParameterList
class ParameterList(Module):
    """Parameters held in a list, as `torch.nn.ParameterList`: registered under their
    indices (``state_dict`` keys ``0``, ``params.1``…).  A tidu Tensor is wrapped as a
    `Parameter` (sharing its array); other values are refused.  Int/slice indexing,
    assignment, ``append``, ``extend``, ``+=``, ``len``, iteration.  Not callable."""

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx):
        params = list(self._parameters.values())
        if isinstance(idx, slice):
            return type(self)(params[idx])
        return params[_abs_index(self, idx, len(params))]

    def __setitem__(self, idx, param) -> None:
        i = _abs_index(self, idx, len(self._parameters))
        _put(self, self._parameters, str(i),
             _as_parameter(param, self, f"the value set at position {i}"))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __iadd__(self, values) -> "ParameterList":
        return self.extend(values)

    def append(self, value) -> "ParameterList":
        i = len(self._parameters)
        setattr(self, str(i), _as_parameter(value, self, f"the value appended at position {i}"))
        return self

    def extend(self, values) -> "ParameterList":
        offset = len(self._parameters)
        items = [_as_parameter(v, self, f"the value at position {offset + i}")
                 for i, v in enumerate(_iterable(values, self, "extend"))]
        for i, p in enumerate(items):
            setattr(self, str(offset + i), p)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"({i}): Parameter containing: [{p.dtype} of size {tuple(p.shape)}]"
                         for i, p in enumerate(self))

    def __repr__(self):
        body = self.extra_repr()
        return f"{type(self).__name__}(" + ("\n  " + body.replace("\n", "\n  ") + "\n" if body else "") + ")"

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


# --------------------------------------------------------------------------- ParameterDict
class ParameterDict(Module):
    """Parameters by name, as `torch.nn.ParameterDict`: insertion-ordered, registered under
    their keys.  Tensors are wrapped as Parameters; ``d[key]``, assignment, ``del``, ``in``,
    ``len``, iteration over keys, ``keys/values/items``, ``get``, ``update``, ``pop``,
    ``clear``.  Not callable."""

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __setitem__(self, key: str, value) -> None:
        key = _checked_key(self, key, self._parameters)
        _put(self, self._parameters, key, _as_parameter(value, self, f"the value for key {key!r}"))

    def __delitem__(self, key: str) -> None:
        if key not in self._parameters:
            raise KeyError(key)
        _drop(self, key, self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key) -> bool:
        return key in self._parameters

    def get(self, key: str, default=None):
        return self._parameters.get(key, default)

    def clear(self) -> None:
        for key in list(self._parameters):
            _drop(self, key, self._parameters)

    def pop(self, key: str) -> Parameter:
        value = self[key]
        del self[key]
        return value

    def keys(self):
        return self._parameters.keys()

    def items(self):
        return self._parameters.items()

    def values(self):
        return self._parameters.values()

    def update(self, parameters) -> None:
        """Add or overwrite entries from a mapping or an iterable of (key, value) pairs.
        As PyTorch, a plain (unordered) mapping is added in sorted key order; an
        OrderedDict, a ParameterDict or pairs keep their order."""
        pairs = _pairs(parameters, self)
        if isinstance(parameters, Mapping) and not isinstance(parameters, OrderedDict):
            pairs = sorted(pairs, key=lambda kv: str(kv[0]))
        checked = [(_checked_key(self, k, self._parameters),
                    _as_parameter(v, self, f"the value for key {k!r}")) for k, v in pairs]
        for key, p in checked:
            self[key] = p

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterDict should not be called.")
