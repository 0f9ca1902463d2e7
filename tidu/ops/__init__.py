"""Differentiable tensor ops.  Each is a function here and, where natural, a Tensor method
and operator (bound below), as in PyTorch."""
import numpy as np

from ..tensor import Tensor
from .elementwise import (abs, add, ceil, clip, cos, div, exp, expm1, floor, log, log1p, maximum,
                          minimum, mul, neg, pow, relu, round_, rsqrt, sigmoid, sign, sin, sqrt,
                          square, sub, tanh, unbroadcast, where)
from .indexing import gather, index_select, masked_fill, scatter, scatter_add, sort, topk
from . import inplace as _inplace
from ..creation import bernoulli as _bernoulli, multinomial as _multinomial
from .linalg import bmm, matmul, mm
from .reduction import (all_, amax, amin, any_, argmax, argmin, cumsum, max, mean, min, std, sum,
                        var)
from . import inplace_more as _inplace_more
from .elementwise_more import (atan2, clamp_max, clamp_min, erf, exp2, floor_divide, fmod, frac,
                               hypot, lerp, log2, log10, log_softmax, nan_to_num, reciprocal,
                               remainder, softmax, true_divide, trunc)
from .elementwise_more import digamma, lgamma
from . import elementwise_extra as _extra
from .elementwise_extra import *  # noqa: F401,F403 - tan … positive (issue 11)
from .integrate import cumulative_trapezoid, trapezoid, trapz
from .indexing_more import (argsort, bincount, index_add, index_fill, index_put, masked_select, take,
                            unique)
from .linalg import addmm, cdist, diag, dot, einsum, mv, outer, trace
from .predicates import (allclose, count_nonzero, equal, is_nonzero, isclose, isfinite, isinf,
                         isnan, logical_and, logical_not, logical_or, logical_xor, nonzero)
from .predicates import bitwise_and, bitwise_not, bitwise_or, bitwise_xor
from .reduction_more import cummax, cummin
from .reduction_more import (aminmax, cumprod, logsumexp, median, mode, norm, prod, std_mean,
                             var_mean)
from .shape_more import (broadcast_to, chunk, flip, movedim, mT, narrow, ravel, repeat_interleave,
                         reshape_as, roll, split, swapaxes, swapdims, tile, tril, triu, unbind,
                         unflatten, unfold)
from .shape import (concatenate, expand, expand_as, flatten, getitem, pad, permute, repeat,
                    reshape, squeeze, stack, t, transpose, unsqueeze, view_as)

round = round_  # noqa: A001 - torch.round
all = all_  # noqa: A001 - torch.all
any = any_  # noqa: A001 - torch.any

__all__ = ["abs", "add", "argmax", "argmin", "clip", "concatenate", "div", "exp", "flatten", "log", "matmul", "max",
           "maximum", "mean", "min", "minimum", "mul", "neg", "pad", "permute", "pow", "reshape",
           "sqrt", "squeeze", "stack", "std", "sub", "sum", "transpose", "unbroadcast",
           "unsqueeze", "var", "where",
           # PyTorch's tensor API (issue 11)
           "all", "any", "bmm", "ceil", "cos", "cumsum", "eq", "expand", "expand_as", "expm1",
           "floor", "gather", "ge", "gt", "index_select", "le", "log1p", "lt", "masked_fill",
           "mm", "ne", "relu", "repeat", "round", "rsqrt", "sigmoid", "sign", "sin", "sort",
           "square", "t", "tanh", "topk", "view_as", "amax", "amin", "scatter", "scatter_add",
           # more of PyTorch's tensor API (issue 11, items 2 and 7)
           "isnan", "isfinite", "isinf", "isclose", "allclose", "equal", "logical_and",
           "logical_or", "logical_not", "logical_xor", "nonzero", "count_nonzero", "is_nonzero",
           "reciprocal", "trunc", "frac", "erf", "remainder", "fmod", "floor_divide",
           "true_divide", "log2", "log10", "exp2", "atan2", "hypot", "lerp", "nan_to_num",
           "clamp_min", "clamp_max", "softmax", "log_softmax",
           "prod", "logsumexp", "norm", "cumprod", "cummax", "cummin", "median", "std_mean", "var_mean", "aminmax",
           "chunk", "split", "unbind", "flip", "roll", "narrow", "tril", "triu", "tile",
           "repeat_interleave", "unflatten", "broadcast_to", "ravel", "movedim",
           "swapaxes", "swapdims", "argsort", "masked_select", "index_add", "index_fill", "take",
           "dot", "outer", "mv", "addmm", "diag", "trace", "einsum",
           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bincount", "index_put",
           "cdist", "unfold", "unique", "mode", "lgamma", "digamma",
           *_extra.__all__, "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
           "trapezoid", "trapz", "cumulative_trapezoid"]
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh  # noqa: F405


def _reflect(fn):
    return lambda self, other: fn(other, self)


def _compare(ufunc):
    def compare(self, other):
        other = other._data if isinstance(other, Tensor) else other
        return Tensor._wrap(ufunc(self._data, other))
    return compare


def _compare_fn(ufunc, name):
    def compare(input, other):  # noqa: A002 - torch's argument names
        """Element-wise comparison as a bool tensor (no gradient), as torch."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a tensor, got {type(input).__name__}")
        return _compare(ufunc)(input, other)
    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"``input {name} other`` element-wise, a bool tensor (as torch.{name})."
    return compare


eq, ne = _compare_fn(np.equal, "eq"), _compare_fn(np.not_equal, "ne")
lt, le = _compare_fn(np.less, "lt"), _compare_fn(np.less_equal, "le")
gt, ge = _compare_fn(np.greater, "gt"), _compare_fn(np.greater_equal, "ge")

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
    # PyTorch's tensor API (issue 11)
    "view_as": view_as, "t": t, "expand": expand, "expand_as": expand_as, "repeat": repeat,
    "gather": gather, "index_select": index_select, "masked_fill": masked_fill,
    "sort": sort, "topk": topk, "cumsum": cumsum, "all": all_, "any": any_,
    "sin": sin, "cos": cos, "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "square": square,
    "log1p": log1p, "expm1": expm1, "rsqrt": rsqrt, "sign": sign, "floor": floor, "ceil": ceil,
    "round": round_, "mm": mm, "bmm": bmm,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "amax": amax, "amin": amin, "scatter": scatter, "scatter_add": scatter_add,
    # in-place ops, t[i] = v and += (issue 11; PyTorch's rules, see tidu.ops.inplace)
    "__setitem__": _inplace.setitem,
    "__iadd__": _inplace.add_, "__isub__": _inplace.sub_, "__imul__": _inplace.mul_,
    "__itruediv__": _inplace.div_, "__ipow__": _inplace.pow_,
    "clip_": _inplace.clamp_,
}
_methods.update({
    # more of PyTorch's tensor API (issue 11, items 2 and 7)
    "isnan": isnan, "isfinite": isfinite, "isinf": isinf, "isclose": isclose,
    "allclose": allclose, "equal": equal, "logical_and": logical_and, "logical_or": logical_or,
    "logical_not": logical_not, "logical_xor": logical_xor, "nonzero": nonzero,
    "count_nonzero": count_nonzero, "is_nonzero": is_nonzero,
    "reciprocal": reciprocal, "trunc": trunc, "frac": frac, "erf": erf, "remainder": remainder,
    "fmod": fmod, "floor_divide": floor_divide, "true_divide": true_divide, "log2": log2,
    "log10": log10, "exp2": exp2, "atan2": atan2, "hypot": hypot, "lerp": lerp,
    "nan_to_num": nan_to_num, "clamp_min": clamp_min, "clamp_max": clamp_max,
    "softmax": softmax, "log_softmax": log_softmax,
    "__mod__": remainder, "__rmod__": _reflect(remainder), "__floordiv__": floor_divide,
    "__rfloordiv__": _reflect(floor_divide),
    "prod": prod, "logsumexp": logsumexp, "norm": norm, "cumprod": cumprod, "cummax": cummax, "cummin": cummin, "median": median,
    "aminmax": aminmax,
    "chunk": chunk, "split": split, "unbind": unbind, "flip": flip, "roll": roll,
    "narrow": narrow, "tril": tril, "triu": triu, "tile": tile,
    "repeat_interleave": repeat_interleave, "unflatten": unflatten,
    "broadcast_to": broadcast_to, "reshape_as": reshape_as, "ravel": ravel, "movedim": movedim,
    "swapaxes": swapaxes, "swapdims": swapdims,
    "argsort": argsort, "masked_select": masked_select, "index_add": index_add,
    "index_fill": index_fill, "take": take,
    "dot": dot, "outer": outer, "mv": mv, "addmm": addmm, "diag": diag, "trace": trace,
})
_methods.update({
    "__and__": bitwise_and, "__rand__": _reflect(bitwise_and), "__or__": bitwise_or,
    "__ror__": _reflect(bitwise_or), "__xor__": bitwise_xor, "__rxor__": _reflect(bitwise_xor),
    "__invert__": bitwise_not, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "bincount": bincount, "index_put": index_put, "unfold": unfold, "unique": unique,
    "mode": mode, "lgamma": lgamma, "digamma": digamma,
    "multinomial": _multinomial, "bernoulli": _bernoulli,
})
_methods.update({name: getattr(_extra, name) for name in _extra.__all__})
_methods.update({"arcsin": asin, "arccos": acos, "arctan": atan, "arcsinh": asinh,  # noqa: F405
                 "arccosh": acosh, "arctanh": atanh})  # noqa: F405
_methods.update({name: getattr(_inplace_more, name) for name in _inplace_more.__all__})
_methods.update({name: getattr(_inplace, name) for name in _inplace.__all__ if name.endswith("_")})
for _name, _fn in _methods.items():
    setattr(Tensor, _name, _fn)
Tensor.__hash__ = object.__hash__
Tensor.mT = property(mT, doc="The last two dims swapped (as torch.Tensor.mT).")
from . import fill_renorm as _fill_renorm  # noqa: E402 - fill_diagonal_, renorm (issue 11)
from .fill_renorm import renorm  # noqa: E402
__all__ += ["renorm"]
Tensor.fill_diagonal_ = _fill_renorm.fill_diagonal_
Tensor.renorm, Tensor.renorm_ = renorm, _fill_renorm.renorm_
# numeric summaries, grids, stacking, diagonals, counting and searching (issue 11, more)
from . import binning as _binning, diagonals as _diagonals, grids as _grids  # noqa: E402
from . import numeric as _numeric, stacking as _stacking  # noqa: E402
from .binning import *  # noqa: E402,F401,F403
from .diagonals import *  # noqa: E402,F401,F403
from .grids import *  # noqa: E402,F401,F403
from .numeric import *  # noqa: E402,F401,F403
from .stacking import *  # noqa: E402,F401,F403
__all__ += [*_binning.__all__, *_diagonals.__all__, *_grids.__all__, *_numeric.__all__,
            *_stacking.__all__]
_more_methods = {name: globals()[name] for name in (  # the ones torch.Tensor has as methods
    "diff", "nansum", "nanmean", "quantile", "nanquantile", "cov", "corrcoef", "kron", "cross",
    "diagonal", "diag_embed", "diagflat", "rot90", "flipud", "fliplr", "histc", "histogram",
    "argwhere", "unique_consecutive")}
for _name, _fn in _more_methods.items():
    setattr(Tensor, _name, _fn)
