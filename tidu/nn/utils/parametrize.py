"""Parametrizations, as ``torch.nn.utils.parametrize``: a module's tensor ``name`` becomes
``f(original)`` — computed afresh on every access — while the trained parameters are the
originals, kept in ``module.parametrizations[name]`` (state_dict keys
``parametrizations.<name>.original``, or ``original0``, ``original1``, … when the
parametrization's ``right_inverse`` splits the tensor in several, as weight norm's g and v).

``register_parametrization(module, name, parametrization)``: ``parametrization`` is a
`Module` whose ``forward`` maps the original(s) to the tensor; its optional
``right_inverse(tensor)`` gives the original(s) from the current tensor (default: the
tensor itself).  Several registered on one name are applied in order.  As in PyTorch the
module's class is swapped for a subclass that has ``name`` as a property.
"""
from __future__ import annotations

from ...errors import ArgumentError
from ...tensor import Tensor, no_grad
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "ParametrizationList"]


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor and its original(s)."""

    def __init__(self, modules, original: Tensor):
        super().__init__(modules)
        first = modules[0]
        with no_grad():
            new = first.right_inverse(original) if hasattr(first, "right_inverse") else original
        self.is_tensor = not isinstance(new, (tuple, list))
        self.ntensors = 1 if self.is_tensor else len(new)
        grad = original.requires_grad
        for i, t in enumerate([new] if self.is_tensor else new):
            name = "original" if self.is_tensor else f"original{i}"
            data = t._data.copy()
            setattr(self, name, Parameter(data, dtype=data.dtype, requires_grad=grad))

    def forward(self) -> Tensor:
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def is_parametrized(module, tensor_name: str | None = None) -> bool:
    plists = module.__dict__.get("_modules", {}).get("parametrizations")
    if plists is None:
        return False
    return tensor_name is None or tensor_name in plists


def register_parametrization(module, tensor_name: str, parametrization, *, unsafe: bool = False):
    """Make ``module.<tensor_name>`` = ``parametrization(original)`` (see the module
    docstring); returns ``module``."""
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = getattr(module, tensor_name, None)
    if not isinstance(original, Tensor):
        raise ArgumentError(f"register_parametrization: {type(module).__name__} has no "
                            f"parameter or buffer {tensor_name!r}")
    plist = ParametrizationList([parametrization], original)
    module._parameters.pop(tensor_name, None)
    module._buffers.pop(tensor_name, None)
    module.__dict__.pop(tensor_name, None)
    if not is_parametrized(module):
        module.parametrizations = ModuleDict()
        cls = type(module)
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})
    module.parametrizations[tensor_name] = plist
    setattr(type(module), tensor_name,
            property(lambda self: self.parametrizations[tensor_name]()))
    return module


def remove_parametrizations(module, tensor_name: str, leave_parametrized: bool = True):
    """Undo `register_parametrization` for ``tensor_name``: the tensor becomes a plain
    parameter again, holding its current (parametrized) value when ``leave_parametrized``,
    else the original (which must then be a single tensor)."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {type(module).__name__} does not have a parametrization on "
                         f"{tensor_name}")
    plist = module.parametrizations[tensor_name]
    if leave_parametrized:
        with no_grad():
            value = getattr(module, tensor_name)
    elif plist.is_tensor:
        value = plist.original
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                         "that is parametrized in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    data = value._data.copy()
    setattr(module, tensor_name, Parameter(data, dtype=data.dtype))
    if not len(module.parametrizations):
        del module._modules["parametrizations"]
        module.__dict__.pop("parametrizations", None)
        module.__class__ = type(module).__bases__[0]
    return module
