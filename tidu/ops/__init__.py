"""Differentiable tensor ops.  Each is a function here and, where natural, a Tensor method
and operator (bound below), as in PyTorch."""
import numpy as np

from ..tensor import Tensor
from .elementwise import (abs, add, clip, div, exp, log, maximum, minimum, mul, neg, pow, sqrt,
                          sub, unbroadcast, where)
from .linalg import matmul
from .reduction import argmax, argmin, max, mean, min, std, sum, var
from .shape import (concatenate, flatten, getitem, pad, permute, reshape, squeeze, stack,
                    transpose, unsqueeze)

__all__ = ["abs", "add", "argmax", "argmin", "clip", "concatenate", "div", "exp", "flatten", "log", "matmul", "max",
           "maximum", "mean", "min", "minimum", "mul", "neg", "pad", "permute", "pow", "reshape",
           "sqrt", "squeeze", "stack", "std", "sub", "sum", "transpose", "unbroadcast",
           "unsqueeze", "var", "where"]


def _reflect(fn):
    return lambda self, other: fn(other, self)


def _compare(ufunc):
    def compare(self, other):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._wrap(ufunc(self.data, other))
    return compare


_methods = {
    "__add__": add, "__radd__": _reflect(add), "__sub__": sub, "__rsub__": _reflect(sub),
    "__mul__": mul, "__rmul__": _reflect(mul), "__truediv__": div,
    "__rtruediv__": _reflect(div), "__pow__": pow, "__rpow__": _reflect(pow),
    "__matmul__": matmul, "__rmatmul__": _reflect(matmul), "__neg__": neg,
    "__getitem__": getitem, "__abs__": abs,
    "__lt__": _compare(np.less), "__le__": _compare(np.less_equal),
    "__gt__": _compare(np.greater),
    "__ge__": _compare(np.greater_equal),
    "__eq__": _compare(np.equal), "__ne__": _compare(np.not_equal),
    "add": add, "sub": sub, "mul": mul, "div": div, "pow": pow, "matmul": matmul, "neg": neg,
    "exp": exp, "log": log, "sqrt": sqrt, "abs": abs, "clip": clip, "clamp": clip,
    "maximum": maximum, "minimum": minimum,
    "sum": sum, "mean": mean, "max": max, "min": min, "var": var, "std": std,
    "argmax": argmax, "argmin": argmin,
    "reshape": reshape, "view": reshape, "flatten": flatten, "unsqueeze": unsqueeze,
    "squeeze": squeeze, "permute": permute, "transpose": transpose,
}
for _name, _fn in _methods.items():
    setattr(Tensor, _name, _fn)
Tensor.__hash__ = object.__hash__
