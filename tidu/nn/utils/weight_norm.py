"""Weight normalization (Salimans & Kingma 2016) with PyTorch's old hook API:
``weight_norm(module)`` replaces ``module.weight`` by the parameters ``weight_g`` (magnitude)
and ``weight_v`` (direction), and a forward pre-hook recomputes

    weight = g · v / ‖v‖        (‖v‖ over every dim but ``dim``, kept as size-1 dims)

before each forward, so gradients reach g and v through tidu's autograd."""
from __future__ import annotations

import warnings

from ...errors import ArgumentError
from ...tensor import Tensor, no_grad
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """‖v‖₂ over every dim but ``dim`` (kept, the others size 1); dim = −1: over all dims
    (a 0-d result), as PyTorch's ``norm_except_dim``."""
    if dim == -1:
        return (v * v).sum().sqrt()
    axes = tuple(d for d in range(v.ndim) if d != dim)
    return (v * v).sum(dim=axes, keepdim=True).sqrt()


class WeightNorm:
    """The forward pre-hook of `weight_norm`: sets ``module.<name>`` = g · v / ‖v‖."""

    def __init__(self, name: str, dim: int):
        self.name, self.dim = name, dim
        self.handle = None

    def compute_weight(self, module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module)
        self.handle.remove()
        module.__dict__.pop(self.name, None)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        module.__dict__.pop(self.name + "_g", None)
        module.__dict__.pop(self.name + "_v", None)
        setattr(module, self.name, Parameter(weight._data, dtype=weight._data.dtype))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def _weight_norm_hooks(module, name: str):
    return [h for h in module._forward_pre_hooks.values()
            if isinstance(h, WeightNorm) and h.name == name]


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Reparametrize ``module.<name>`` as w = g · v / ‖v‖ (Salimans & Kingma 2016), as the
    deprecated `torch.nn.utils.weight_norm` (which warns with a FutureWarning; so does tidu):
    the parameter is replaced by ``<name>_g`` (‖w‖ over every dim but ``dim``, size-1 dims
    kept) and ``<name>_v`` (w itself), and w is recomputed from them by a forward pre-hook
    before each forward.  Defaults name='weight', dim=0 (one norm per output row/channel);
    dim=None (or −1, as PyTorch) takes one norm of the whole tensor.  Returns the module."""
    warnings.warn("torch.nn.utils.weight_norm is deprecated in favor of "
                  "torch.nn.utils.parametrizations.weight_norm (as in PyTorch; tidu implements "
                  "only the old API)", FutureWarning, stacklevel=2)
    if _weight_norm_hooks(module, name):
        raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    weight = module._parameters.get(name)
    if not isinstance(weight, Parameter):
        raise ArgumentError(f"weight_norm: {type(module).__name__} has no parameter {name!r} "
                            f"(its parameters: {', '.join(module._parameters) or 'none'})")
    if dim is None:
        dim = -1
    if not -1 <= dim < max(weight.ndim, 1):
        raise ArgumentError(f"weight_norm: dim must be None, -1 (the whole tensor) or in "
                            f"[0, {weight.ndim}) for {name} of shape {tuple(weight.shape)}, "
                            f"got {dim}")
    fn = WeightNorm(name, dim)
    del module._parameters[name]
    module.__dict__.pop(name, None)
    with no_grad():
        g = _norm_except_dim(weight, dim)
    dtype = weight._data.dtype
    module.register_parameter(name + "_g", Parameter(g._data, dtype=dtype))
    module.register_parameter(name + "_v", Parameter(weight._data, dtype=dtype))
    setattr(module, name, fn.compute_weight(module))
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo `weight_norm`: ``module.<name>`` becomes a parameter again, holding g · v / ‖v‖,
    and ``<name>_g``, ``<name>_v`` and the hook are removed (as PyTorch).  Returns the
    module; ValueError when ``<name>`` carries no weight norm."""
    hooks = _weight_norm_hooks(module, name)
    if not hooks:
        raise ValueError(f"weight_norm of '{name}' not found in {module}")
    hooks[0].remove(module)
    return module


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:  # noqa: A002 - torch's name
    """torch.norm_except_dim: the 2-norm of ``v`` over every dim but ``dim`` (only pow=2)."""
    if pow != 2:
        raise ArgumentError(f"norm_except_dim: only pow=2 is implemented, got {pow!r}")
    return _norm_except_dim(v, dim)


def weight_norm_fn(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """torch._weight_norm(v, g, dim): v · g / ‖v‖ (‖v‖ over every dim but ``dim``)."""
    return v * (g / _norm_except_dim(v, dim))
