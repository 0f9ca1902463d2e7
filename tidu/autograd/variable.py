"""``Variable``: PyTorch's pre-0.4 wrapper, kept for old code.  Since 0.4 every tensor is a
Variable, so ``Variable(t, requires_grad=...)`` returns a tensor and
``isinstance(x, Variable)`` is true for every tensor."""
from __future__ import annotations

from ..tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor)

    def __subclasscheck__(cls, subclass) -> bool:
        return isinstance(subclass, type) and issubclass(subclass, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)`` → a new leaf tensor sharing
    ``data``'s storage, requiring grad as asked (as torch.autograd.Variable; ``volatile`` is
    accepted and ignored as in PyTorch ≥ 0.4).  ``isinstance(t, Variable)`` is true for any
    tidu tensor.  TypeError unless ``data`` is a tensor (as PyTorch)."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = Tensor._wrap(data._data)
        out.requires_grad = bool(requires_grad)
        return out
