"""Containers: `Sequential` (layers in order) and `Residual` (x + f(x))."""
from __future__ import annotations

from collections import OrderedDict

from ...errors import ArgumentError, TiduError
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
