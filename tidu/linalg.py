"""``tidu.linalg``, as torch.linalg: the norms (more may follow)."""
from __future__ import annotations

from .errors import ArgumentError
from .ops.reduction_more import vector_norm

__all__ = ["norm", "vector_norm"]


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002 - torch's names
    """As torch.linalg.norm where it is a vector norm: ``ord=None`` the 2-norm of the
    elements over ``dim`` (all of them when None), 'fro' over two dims (the same value);
    a number ``ord`` with a 1-D input or one ``dim``: `vector_norm`.  Matrix norms other
    than Frobenius (ord 1, 2, inf, 'nuc' over two dims) are not implemented in tidu."""
    if ord is None or ord == "fro":
        if ord == "fro" and dim is None and A.ndim != 2:
            raise ArgumentError(f"linalg.norm: ord='fro' needs a 2-D input or two dims, got a "
                                f"{A.ndim}-D tensor")
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    one_dim = isinstance(dim, int) or (isinstance(dim, (tuple, list)) and len(dim) == 1) or \
        (dim is None and A.ndim == 1)
    if isinstance(ord, str) or not one_dim:
        raise ArgumentError(f"linalg.norm: the matrix norm ord={ord!r} is not implemented in "
                            f"tidu (vector norms and 'fro' are)")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)
