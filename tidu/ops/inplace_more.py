"""More in-place ops, by the rules of `tidu.ops.inplace` (PyTorch's): index_add_,
index_fill_, scatter_add_.  Each returns the tensor itself."""
from __future__ import annotations

from .indexing import scatter
from .indexing_more import index_add, index_fill
from .inplace import _inplace

__all__ = ["index_add_", "index_fill_", "scatter_add_", "index_put_"]


def index_add_(t, dim, index, source, *, alpha=1):
    """t[…, index[i], …] += alpha·source[…, i, …] along ``dim`` (see `index_add`)."""
    return _inplace(t, "index_add_", lambda a, s: index_add(a, dim, index, s, alpha=alpha), source)


def index_fill_(t, dim, index, value):
    """t[…, index[i], …] = value along ``dim`` (see `index_fill`)."""
    return _inplace(t, "index_fill_", lambda a: index_fill(a, dim, index, value))


def scatter_add_(t, dim, index, src):
    """t[index[i][j]][j] += src[i][j] (dim=0), … as torch.Tensor.scatter_add_."""
    return _inplace(t, "scatter_add_", lambda a, s: scatter(a, dim, index, s, reduce="add"), src)


def index_put_(t, indices, values, accumulate: bool = False):
    """t[indices] = values (or += with ``accumulate``), see `index_put`."""
    from .indexing_more import index_put
    return _inplace(t, "index_put_", lambda a, v: index_put(a, indices, v, accumulate), values)
