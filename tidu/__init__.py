"""tidu (梯度): a deep-learning workbench on NumPy.

Data flow of the package: ``tidu.data`` → ``tidu.nn`` (model, ``tidu.nn.functional`` losses)
→ ``tidu.tensor`` (autograd backward) → ``tidu.optim`` → callbacks/diagnostics → report.
"""
import numpy as np

from . import ops
from ._allocator import tune_malloc
from .backend import get_backend, get_default_device, set_backend
from .creation import (arange, empty, empty_like, eye, from_numpy, full, full_like, linspace, logspace,
                       normal, ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm,
                       zeros, zeros_like)
from .creation import (BoolTensor, ByteTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor,
                       bernoulli, multinomial)
from .errors import (DeviceError, DTypeError, GraphError, IndexRangeError, SerializationError, ShapeError,
                     StateDictError, TiduError)
from .ops import (abs, add, clip, concatenate, div, exp, flatten, log, matmul, max, maximum,
                  mean, min, minimum, mul, neg, pad, permute, pow, reshape, sqrt, squeeze,
                  stack, std, sub, sum, transpose, unsqueeze, var, where)
from .ops import (all, any, bmm, ceil, cos, cumsum, eq, expand, expand_as, expm1, floor, gather,  # noqa: A004
                  ge, gt, index_select, le, log1p, lt, masked_fill, mm, ne, relu, repeat, round,
                  rsqrt, sigmoid, sign, sin, sort, square, t, tanh, topk, view_as)
from .ops import amax, amin, argmax, argmin, scatter, scatter_add
from .ops import bincount, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, cdist, index_put
from .ops import digamma, lgamma, mode, unique
from .ops import (addmm, allclose, aminmax, argsort, atan2, broadcast_to, chunk, clamp_max,  # noqa: A004
                  clamp_min, count_nonzero, cumprod, diag, dot, einsum, equal, erf, exp2, flip,
                  floor_divide, fmod, frac, hypot, index_add, index_fill, is_nonzero, isclose,
                  isfinite, isinf, isnan, lerp, log2, log10, log_softmax, logical_and, logical_not, logical_or,
                  logical_xor, logsumexp, masked_select, median, movedim, mv, nan_to_num, narrow,
                  nonzero, norm, outer, prod, ravel, reciprocal, remainder, repeat_interleave, roll,
                  softmax, split, std_mean, swapaxes, swapdims, take, tile, trace, tril, triu,
                  true_divide, trunc, unbind, unflatten, var_mean)
from .ops.elementwise_extra import *  # noqa: F401,F403 - tan … positive (issue 11)
from .ops import renorm
from .ops import cummax, cummin
from .ops import arccos, arccosh, arcsin, arcsinh, arctan, arctanh, cumulative_trapezoid, trapezoid, trapz
from .ops.binning import (argwhere, bucketize, histc, histogram, isin, searchsorted,
                          unique_consecutive)
from .ops.diagonals import diag_embed, diagflat, diagonal, tril_indices, triu_indices
from .ops.grids import cartesian_prod, combinations, cross, kron, meshgrid, tensordot, vander
from .ops.numeric import corrcoef, cov, diff, nanmean, nanquantile, nansum, quantile
from .ops.stacking import (atleast_1d, atleast_2d, atleast_3d, block_diag, column_stack, dstack,
                           fliplr, flipud, hstack, rot90, row_stack, vstack)
from .printing import get_printoptions, set_printoptions
from .ops.torch_extras import *  # noqa: F401,F403 - Size, multiply … msort (torch's top level)
from .ops.torch_extras_numeric import *  # noqa: F401,F403 - logcumsumexp … clamp_
from .ops.torch_settings import *  # noqa: F401,F403 - matmul precision, warn_always, anomaly, …
from .ops.windows_special import *  # noqa: F401,F403 - hann_window … cholesky_inverse
from .random import Generator, get_rng_state, manual_seed, set_rng_state
from .runtime_settings import (are_deterministic_algorithms_enabled, get_num_threads,
                               initial_seed, is_deterministic_algorithms_warn_only_enabled, seed,
                               set_num_threads, use_deterministic_algorithms)
from .type_info import (can_cast, finfo, iinfo, is_floating_point, numel, promote_types,
                        result_type)
from .tensor import (Tensor, as_tensor, device, enable_grad, get_default_dtype, inference_mode,
                     is_grad_enabled, is_tensor, no_grad, set_default_dtype, set_grad_enabled, tensor)

float32, float64, int64 = np.float32, np.float64, np.int64
# PyTorch's dtype aliases (as module attributes they shadow the builtins only as tidu.float…);
# float16/half exist so code naming them imports, but tidu's factories refuse half precision.
float, double, half, float16 = np.float32, np.float64, np.float16, np.float16
int, int32, long, bool = np.int32, np.int32, np.int64, np.bool_

clamp = clip
cat = concatenate
# torch's constants (torch.pi, torch.e, torch.inf, torch.nan; newaxis is None, as NumPy's)
pi, e, inf, nan, newaxis = np.pi, np.e, np.inf, np.nan, None

__version__ = "0.1.0"

tune_malloc()


_LAZY_NAMES = {"autocast": (".amp", "autocast"), "compile": (".jit", "compile"),
               "norm_except_dim": (".nn.utils.weight_norm", "norm_except_dim"),
               "_weight_norm": (".nn.utils.weight_norm", "weight_norm_fn"),
               "i0": (".special", "i0")}
# torch's top-level forms of functional ops (torch.conv2d, torch.batch_norm, …): they load nn
_LAZY_NAMES.update({name: (".ops.torch_functional", name) for name in (
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "batch_norm", "layer_norm",
    "group_norm", "instance_norm", "dropout", "alpha_dropout", "feature_alpha_dropout",
    "embedding", "selu", "celu", "prelu", "rrelu", "threshold", "pixel_shuffle",
    "pixel_unshuffle", "channel_shuffle", "kl_div", "pairwise_distance", "pdist", "bilinear",
    "triplet_margin_loss", "margin_ranking_loss", "poisson_nll_loss",
    "binary_cross_entropy_with_logits", "hardshrink", "adaptive_avg_pool1d",
    "adaptive_max_pool1d")})


def __getattr__(name):
    # nn, optim and serialization import lazily so `import tidu` stays light.
    import importlib
    if name in ("nn", "optim", "data", "metrics", "train", "regularization", "diagnose",
                "model_selection", "tune", "runs", "autograd", "cuda", "backends", "utils",
                "linalg", "special", "distributions", "amp", "jit", "cpu"):
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        module, attr = _LAZY_NAMES[name]
        return getattr(importlib.import_module(module, __name__), attr)
    if name in ("svd", "pinverse", "logdet", "slogdet", "qr", "cholesky", "matrix_power", "det",
                "inverse"):  # torch's top-level linear algebra (svd/qr/cholesky: the old API)
        return importlib.import_module(".linalg_decomp", __name__).TOP_LEVEL[name]
    if name == "cosine_similarity":  # torch.cosine_similarity is the functional one
        return importlib.import_module(".nn.functional", __name__).cosine_similarity
    if name in ("save", "load"):
        return getattr(importlib.import_module(".serialization", __name__), name)
    raise AttributeError(f"module 'tidu' has no attribute {name!r}")
