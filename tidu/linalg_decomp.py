"""Decompositions and matrix functions of `tidu.linalg`, as torch.linalg — batched over
leading dims, float inputs, with gradients (G the upstream gradient, k = min(m, n),
F_ij = 1/(σⱼ² − σᵢ²) off the diagonal, 0 on it, sym(X) = (X + Xᵀ)/2):

==================  ===============================  ==========================================
function            value                            gradient
==================  ===============================  ==========================================
svd(A)              A = U diag(σ) Vh, σ descending   U[F∘(UᵀG_U − G_UᵀU) Σ + diag(g_σ)
                                                     + Σ F∘(VᵀG_V − G_VᵀV)]Vᵀ
                                                     + (I − UUᵀ)G_U Σ⁻¹Vᵀ + UΣ⁻¹G_Vᵀ(I − VVᵀ)
svdvals(A)          σ                                U diag(g) Vh
qr(A)               A = QR, R upper triangular       (G_Q + Q copyltu(RG_Rᵀ − G_QᵀQ)) R⁻ᵀ (m ≥ n)
cholesky(A)         A = LLᵀ                          sym(L⁻ᵀ Φ(LᵀG) L⁻¹), Φ: lower, diag halved
slogdet(A)          (sign det A, log|det A|)         g A⁻ᵀ
pinv(A)             A⁺ (σ ≤ max(atol, rtol σ₁) → 0)  −A⁺ᵀGA⁺ᵀ + (I − AA⁺)GᵀA⁺A⁺ᵀ + A⁺ᵀA⁺Gᵀ(I − A⁺A)
solve_triangular    X with AX = B, A triangular      ∂B = A⁻ᵀG, ∂A = −tri(∂B Xᵀ)
cross(a, b)         a × b                            ∂a = b × G, ∂b = G × a
==================  ===============================  ==========================================

matrix_rank, matrix_power, multi_dot, matrix_norm and cond compose these and tidu's
differentiable ops.  As PyTorch's, the svd/eigh-based gradients are defined only for distinct
(and, for U/V, nonzero) singular values.  tidu has no complex tensors, so `eig`/`eigvals`
raise (use `eigh`/`eigvalsh` for symmetric matrices).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .backend import like, xp_of
from .errors import ArgumentError, DTypeError, GraphError, ShapeError, TiduError, shape_str
from .linalg_square import _matrix, _mT, _square, det, inv
from .ops.elementwise import unbroadcast
from .ops.reduction_more import vector_norm
from .tensor import Tensor, is_grad_enabled

__all__ = ["svd", "svdvals", "SVDResult", "qr", "QRResult", "cholesky", "slogdet",
           "SlogdetResult", "pinv", "matrix_rank", "matrix_power", "multi_dot", "cross",
           "matrix_norm", "cond", "eig", "eigvals", "solve_triangular", "LinAlgError"]


class LinAlgError(TiduError, RuntimeError):
    """A matrix for which the decomposition does not exist (as torch.linalg.LinAlgError):
    e.g. `cholesky` of a matrix that is not positive-definite."""


class SVDResult(NamedTuple):
    U: Tensor
    S: Tensor
    Vh: Tensor


class QRResult(NamedTuple):
    Q: Tensor
    R: Tensor


class SlogdetResult(NamedTuple):
    sign: Tensor
    logabsdet: Tensor


def _on(a, v):
    """A result of np.linalg (a host scalar for one matrix, host arrays in a named tuple on
    a device) as an array on ``a``'s device."""
    return like(a, np.asarray(v) if isinstance(v, np.generic) else v)


def _eye_like(a, n):
    return xp_of(a).eye(n, dtype=a.dtype)


def _safe_reciprocal(x, keep):
    xp = xp_of(x)
    return xp.where(keep, 1.0 / xp.where(keep, x, 1.0), 0.0).astype(x.dtype)


# --------------------------------------------------------------------------- SVD
def _svd_arrays(a, full_matrices: bool, compute_uv: bool = True):
    if not compute_uv:
        return like(a, np.linalg.svd(a, compute_uv=False))
    return tuple(like(a, v) for v in np.linalg.svd(a, full_matrices=full_matrices))


def _svd_backward(u, s, vh, gu, gs, gvh):
    """∂A of the reduced SVD (u (m,k), s (k), vh (k,n)) for any of the three gradients
    (None: zero); the module table's formula."""
    m, k, n = u.shape[-2], s.shape[-1], vh.shape[-1]
    off = ~xp_of(s).eye(k, dtype=bool)
    s2 = s * s
    f = _safe_reciprocal(s2[..., None, :] - s2[..., :, None], off)
    inner = xp_of(s).zeros((*s.shape, k), dtype=s.dtype)
    extra = 0
    if gs is not None:
        inner = inner + _eye_like(s, k) * gs[..., None, :]
    if gu is not None:
        utgu = _mT(u) @ gu
        inner = inner + f * (utgu - _mT(utgu)) * s[..., None, :]
        if m > k:  # the part of G_U outside U's span
            extra = extra + ((gu - u @ utgu) / s[..., None, :]) @ vh
    if gvh is not None:
        vtgv = vh @ _mT(gvh)
        inner = inner + s[..., :, None] * (f * (vtgv - _mT(vtgv)))
        if n > k:
            extra = extra + u @ ((gvh - (gvh @ _mT(vh)) @ vh) / s[..., :, None])
    return u @ inner @ vh + extra


def svd(A, full_matrices: bool = True, *, driver=None) -> SVDResult:
    """A = U diag(S) Vh with S descending, as torch.linalg.svd (``full_matrices=True``:
    U is (*, m, m) and Vh (*, n, n); False: (*, m, k) and (*, k, n), k = min(m, n)).

    The singular vectors are unique only up to sign; differentiate functions invariant to
    it (U diag(S) Vh, |U|, …).  With ``full_matrices=True`` and m ≠ n the gradients of the
    columns of U (rows of Vh) beyond k are ignored, as PyTorch does.  ``driver`` (a cuSOLVER
    choice in PyTorch) is accepted and ignored."""
    a = _matrix(A, "linalg.svd")
    u, s, vh = _svd_arrays(a, full_matrices)
    k = s.shape[-1]
    ur, vhr = u[..., :k], vh[..., :k, :]

    # (full_matrices: the gradients of the extra columns of U / rows of Vh are dropped)
    U = Tensor._op(u, (A,), lambda g: (_svd_backward(ur, s, vhr, g[..., :k], None, None),))
    S = Tensor._op(s, (A,), lambda g: (_svd_backward(ur, s, vhr, None, g, None),))
    Vh = Tensor._op(vh, (A,), lambda g: (_svd_backward(ur, s, vhr, None, None, g[..., :k, :]),))
    return SVDResult(U, S, Vh)


def svdvals(A, *, driver=None) -> Tensor:
    """The singular values σ of A, descending, (*, min(m, n)); gradient U diag(g) Vh."""
    a = _matrix(A, "linalg.svdvals")
    if not (A.requires_grad and is_grad_enabled()):
        return Tensor._wrap(_svd_arrays(a, False, compute_uv=False))
    u, s, vh = _svd_arrays(a, False)
    return Tensor._op(s, (A,), lambda g: ((u * g[..., None, :]) @ vh,))


# --------------------------------------------------------------------------- QR
_QR_MODES = ("reduced", "complete", "r")


def _copyltu(m):
    return np.tril(m) + _mT(np.tril(m, -1))


def _qr_square_backward(q, r, gq, gr):
    """∂A for A = QR with Q (m, n), R (n, n) invertible (m ≥ n)."""
    mm = r @ _mT(gr) - _mT(gq) @ q
    b = gq + q @ _copyltu(mm)
    return _mT(np.linalg.solve(r, _mT(b)))  # b R⁻ᵀ


def _qr_backward(a, q, r, gq, gr):
    gq = np.zeros_like(q) if gq is None else gq
    gr = np.zeros_like(r) if gr is None else gr
    m, n = a.shape[-2:]
    if m >= n:
        return _qr_square_backward(q, r[..., :n, :], gq[..., :n], gr[..., :n, :])
    # wide A = [X | Y] with X = QU square and V = QᵀY: Y reaches Q through V.
    y, gu, gv = a[..., m:], gr[..., :m], gr[..., m:]
    gx = _qr_square_backward(q, r[..., :m], gq + y @ _mT(gv), gu)
    return xp_of(a).concatenate([gx, q @ gv], axis=-1)


def qr(A, mode: str = "reduced") -> QRResult:
    """A = QR, Q with orthonormal columns and R upper triangular, as torch.linalg.qr
    (``mode='reduced'`` (default): Q (*, m, k), R (*, k, n), k = min(m, n); 'complete':
    Q (*, m, m), R (*, m, n); 'r': R only, Q an empty tensor).

    Gradients: reduced mode, and complete mode when m ≤ n (the same factors); as PyTorch,
    backward raises for complete mode with m > n and for mode 'r'."""
    if mode not in _QR_MODES:
        raise ArgumentError(f"qr received unrecognized mode {mode!r} but expected one of "
                            f"'reduced' (default), 'r', or 'complete'")
    a = _matrix(A, "linalg.qr")
    m, n = a.shape[-2:]
    if mode == "r":
        r = like(a, np.linalg.qr(a, mode="r"))

        def refuse_r(g):
            raise GraphError("linalg.qr: the derivative depends on Q, which is not computed when "
                             "mode='r'; use mode='reduced' to differentiate through linalg.qr")

        return QRResult(Tensor._wrap(xp_of(a).zeros((0,), dtype=a.dtype)),
                        Tensor._op(r, (A,), refuse_r))
    q, r = (like(a, v) for v in np.linalg.qr(a, mode=mode))

    def grad(gq, gr):
        if mode == "complete" and m > n:
            raise GraphError("linalg.qr: the QR decomposition is not differentiable when "
                             f"mode='complete' and nrows > ncols (A is {m} by {n})")
        return (_qr_backward(a, q, r, gq, gr),)

    return QRResult(Tensor._op(q, (A,), lambda g: grad(g, None)),
                    Tensor._op(r, (A,), lambda g: grad(None, g)))


# --------------------------------------------------------------------------- Cholesky
def cholesky(A, *, upper: bool = False) -> Tensor:
    """L lower triangular with A = L Lᵀ (``upper=True``: U = Lᵀ, A = UᵀU), as
    torch.linalg.cholesky; A symmetric positive-definite, only its lower (upper) triangle
    read.  Not positive-definite: `LinAlgError`."""
    a = _square(A, "linalg.cholesky")
    try:
        low = like(a, np.linalg.cholesky(_mT(a) if upper else a))
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.cholesky: The factorization could not be completed because "
                          "the input is not positive-definite") from None

    def backward(g):
        gl = _mT(g) if upper else g
        phi = np.tril(_mT(low) @ gl)
        n = low.shape[-1]
        phi = phi - 0.5 * _eye_like(low, n) * phi  # halve the diagonal
        low_inv = np.linalg.inv(low)
        s = _mT(low_inv) @ phi @ low_inv
        return (0.5 * (s + _mT(s)),)

    return Tensor._op(_mT(low).copy() if upper else low, (A,), backward)


# --------------------------------------------------------------------------- determinants
def slogdet(A) -> SlogdetResult:
    """(sign, logabsdet) with det A = sign · exp(logabsdet), as torch.linalg.slogdet; the
    sign is a constant, logabsdet's gradient g A⁻ᵀ."""
    a = _square(A, "linalg.slogdet")
    sign, lad = (_on(a, v).astype(a.dtype) for v in np.linalg.slogdet(a))
    logabsdet = Tensor._op(lad, (A,), lambda g: (g[..., None, None] * _mT(np.linalg.inv(a)),))
    return SlogdetResult(Tensor._wrap(sign.astype(a.dtype)), logabsdet)


def logdet(A) -> Tensor:
    """log det A, as torch.logdet: NaN where det A < 0, −inf where it is 0; gradient g A⁻ᵀ.
    (A top-level function in PyTorch; listed in `TOP_LEVEL`.)"""
    a = _square(A, "logdet")
    sign, lad = slogdet(A)
    xp = xp_of(a)
    out = xp.where(sign._data < 0, xp.nan, lad._data).astype(a.dtype)
    return Tensor._op(out, (A,), lambda g: (g[..., None, None] * _mT(np.linalg.inv(a)),))


# --------------------------------------------------------------------------- pinv and rank
def _tolerances(sv, m, n, atol, rtol):
    """The cut max(atol, rtol · σ₁) per matrix, (*, 1), as PyTorch's defaults: rtol =
    eps · max(m, n) unless atol > 0 is given (then 0)."""
    xp = xp_of(sv)
    eps = float(np.finfo(sv.dtype).eps)

    def arr(x):
        if x is None:
            return None
        x = x._data if isinstance(x, Tensor) else np.asarray(x, dtype=sv.dtype)
        return like(sv, x).astype(sv.dtype)

    atol_a, rtol_a = arr(atol), arr(rtol)
    if rtol_a is None:
        default = xp.asarray(like(sv, np.asarray(eps * max(m, n), dtype=sv.dtype)))
        rtol_a = default if atol_a is None else xp.where(atol_a > 0, 0.0, default).astype(sv.dtype)
    if atol_a is None:
        atol_a = xp.zeros((), dtype=sv.dtype)
    top = sv.max(axis=-1) if sv.shape[-1] else xp.zeros(sv.shape[:-1], dtype=sv.dtype)
    return xp.maximum(atol_a, rtol_a * top)[..., None]


def _legacy(name, old, old_value, atol, rtol):
    if old_value is None:
        return atol, rtol
    if atol is not None or rtol is not None:
        raise TypeError(f"{name}: give either {old} or atol/rtol, not both (as PyTorch)")
    return (old_value, None) if old == "tol" else (None, old_value)


def pinv(A, rcond=None, hermitian: bool = False, *, atol=None, rtol=None) -> Tensor:
    """The pseudo-inverse A⁺ = V diag(1/σ) Uᵀ (σ ≤ max(atol, rtol·σ₁) taken as 0), as
    torch.linalg.pinv: defaults atol=None, rtol=None (eps·max(m, n); 0 when atol > 0 is
    given); ``rcond`` is the old name of rtol; ``hermitian=True`` uses eigh of the lower
    triangle (σ = |λ|).  Gradient: the module table's (A of constant rank)."""
    a = _matrix(A, "linalg.pinv")
    atol, rtol = _legacy("linalg.pinv", "rcond", rcond, atol, rtol)
    m, n = a.shape[-2:]
    if hermitian:
        if m != n:
            raise ShapeError(f"linalg.pinv(hermitian=True): A must be batches of square matrices,"
                             f" but they are {m} by {n} matrices")
        w, v = (like(a, x) for x in np.linalg.eigh(a))
        keep = np.abs(w) > _tolerances(np.abs(w), m, n, atol, rtol)
        x = (v * _safe_reciprocal(w, keep)[..., None, :]) @ _mT(v)
    else:
        u, s, vh = _svd_arrays(a, False)
        keep = s > _tolerances(s, m, n, atol, rtol)
        x = (_mT(vh) * _safe_reciprocal(s, keep)[..., None, :]) @ _mT(u)

    def backward(g):
        xt, gt = _mT(x), _mT(g)
        ga = -(xt @ g @ xt)
        ga = ga + (_eye_like(a, m) - a @ x) @ gt @ x @ xt
        ga = ga + xt @ x @ gt @ (_eye_like(a, n) - x @ a)
        return (ga,)

    return Tensor._op(x, (A,), backward)


def matrix_rank(A, tol=None, hermitian: bool = False, *, atol=None, rtol=None) -> Tensor:
    """The number of singular values σ > max(atol, rtol·σ₁) (int64, batch shape), as
    torch.linalg.matrix_rank: defaults as `pinv`; ``tol`` is the old name of atol;
    ``hermitian=True`` counts eigenvalues by |λ|.  No gradient."""
    a = _matrix(A, "linalg.matrix_rank")
    atol, rtol = _legacy("linalg.matrix_rank", "tol", tol, atol, rtol)
    m, n = a.shape[-2:]
    if hermitian:
        sv = np.abs(like(a, np.linalg.eigvalsh(_square(A, "linalg.matrix_rank(hermitian=True)"))))
    else:
        sv = _svd_arrays(a, False, compute_uv=False)
    keep = sv > _tolerances(sv, m, n, atol, rtol)
    return Tensor._wrap(keep.sum(axis=-1).astype(np.int64))


# --------------------------------------------------------------------------- products
def matrix_power(A, n: int) -> Tensor:
    """Aⁿ for an integer n, as torch.linalg.matrix_power: n = 0 the identity, n < 0
    (A⁻¹)^|n|; by repeated squaring with tidu's matmul (so the gradient is automatic)."""
    a = _square(A, "linalg.matrix_power")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if n == 0:
        eye = np.broadcast_to(_eye_like(a, a.shape[-1]), a.shape).copy()
        return Tensor._op(eye, (A,), lambda g: (np.zeros_like(g),))
    base = inv(A) if n < 0 else A
    n = abs(int(n))
    if n == 1:
        return base * 1.0  # a new tensor, as torch's (a copy)
    result = None
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def _chain_order(dims):
    """split[i][j]: where the cheapest product of matrices i..j splits (the classic
    matrix-chain dynamic programme over the shapes dims[0] × dims[1] × … )."""
    count = len(dims) - 1
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s
    return split


def multi_dot(tensors) -> Tensor:
    """A₁A₂…Aₙ multiplied in the cheapest order, as torch.linalg.multi_dot: the first
    tensor may be 1-D (a row vector), the last 1-D (a column vector), the others 2-D."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise ArgumentError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise ArgumentError(f"multi_dot(): tensor {i} must be a tidu Tensor, got "
                                f"{type(t).__name__}")
        edge = "first" if i == 0 else "last" if i == len(tensors) - 1 else None
        if edge and t.ndim not in (1, 2):
            raise ShapeError(f"multi_dot(): the {edge} tensor must be 1D or 2D but got {t.ndim}D")
        if not edge and t.ndim != 2:
            raise ShapeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            raise DTypeError(f"multi_dot(): all tensors must have the same dtype but tensor 0 is "
                             f"{tensors[0].dtype} and tensor {i} {t.dtype}")
    row, col = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = list(tensors)
    if row:
        mats[0] = mats[0].unsqueeze(0)
    if col:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(len(mats) - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise ShapeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                             f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} cannot be "
                             f"multiplied")
    split = _chain_order([mats[0].shape[0]] + [t.shape[1] for t in mats])

    def product(i, j):
        if i == j:
            return mats[i]
        return product(i, split[i][j]) @ product(split[i][j] + 1, j)

    out = product(0, len(mats) - 1)
    if row:
        out = out.squeeze(0)
    if col:
        out = out.squeeze(-1)
    return out


def cross(input, other, *, dim: int = -1) -> Tensor:  # noqa: A002 - torch's name
    """The cross product a × b along ``dim`` (size 3 in both), as torch.linalg.cross
    (default dim=-1): the inputs have the same number of dims, the others broadcast."""
    for name, x in (("input", input), ("other", other)):
        if not isinstance(x, Tensor):
            raise ArgumentError(f"linalg.cross: {name} must be a tidu Tensor, got "
                                f"{type(x).__name__}")
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise DTypeError(f"linalg.cross: expected both inputs to have same dtype, but input has "
                         f"dtype {input.dtype} and other has dtype {other.dtype}")
    if a.ndim != b.ndim:
        raise ShapeError(f"linalg.cross: inputs must have the same number of dimensions, got "
                         f"{shape_str(a.shape)} and {shape_str(b.shape)}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"linalg.cross: the shapes {shape_str(a.shape)} and {shape_str(b.shape)} "
                         f"do not broadcast") from None
    if not -len(shape) <= dim < len(shape):
        raise ShapeError(f"linalg.cross: dim {dim} is out of range for {len(shape)}-D inputs")
    axis = dim % len(shape)
    size_a, size_b = a.shape[axis], b.shape[axis]
    if size_a != 3 or size_b != 3:
        raise ShapeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {size_a} "
                         f"and {size_b}")
    ab, bb = np.broadcast_to(a, shape), np.broadcast_to(b, shape)
    out = np.cross(ab, bb, axis=axis)

    def backward(g):
        return (unbroadcast(np.cross(bb, g, axis=axis), a.shape) if input.requires_grad else None,
                unbroadcast(np.cross(g, ab, axis=axis), b.shape) if other.requires_grad else None)

    return Tensor._op(out, (input, other), backward)


# --------------------------------------------------------------------------- norms
_MATRIX_ORDS = ("fro", "nuc", 2, -2, 1, -1, float("inf"), float("-inf"))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """A matrix norm over the two dims ``dim``, as torch.linalg.matrix_norm (defaults
    ord='fro', dim=(-2, -1), keepdim=False)::

        'fro'  √Σ aᵢⱼ²      'nuc'  Σ σᵢ        2 / −2    σ_max / σ_min
        1 / −1  max / min column sum of |aᵢⱼ|   inf / −inf  max / min row sum of |aᵢⱼ|
    """
    where = "linalg.matrix_norm"
    if not isinstance(A, Tensor):
        raise ArgumentError(f"{where}: A must be a tidu Tensor, got {type(A).__name__}")
    if A._data.dtype.kind != "f":
        raise DTypeError(f"{where}: Expected a floating point tensor as input. Got {A.dtype}")
    if A.ndim < 2:
        raise ShapeError(f"{where}: The input tensor A must have at least 2 dimensions.")
    if isinstance(ord, bool) or ord not in _MATRIX_ORDS:
        raise ArgumentError(f"{where}: Order {ord} not supported (expected one of "
                            f"'fro', 'nuc', 2, -2, 1, -1, inf, -inf)")
    if dtype is not None:
        A = A.to(dtype)
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise ArgumentError(f"{where}: dim must be a 2-tuple of ints, got {dim!r}")
    d0, d1 = dim
    if not all(-A.ndim <= d < A.ndim for d in (d0, d1)):
        raise ShapeError(f"{where}: dim {tuple(dim)} is out of range for a {A.ndim}-D tensor")
    d0, d1 = d0 % A.ndim, d1 % A.ndim
    if d0 == d1:
        raise ArgumentError(f"{where}: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in (1, -1, float("inf"), float("-inf")):
        inner, outer = (d0, d1) if ord in (1, -1) else (d1, d0)  # columns: sum over rows
        sums = A.abs().sum(dim=inner, keepdim=True)
        out = sums.amax(dim=outer, keepdim=True) if ord > 0 else sums.amin(dim=outer, keepdim=True)
        return out if keepdim else out.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    sv = svdvals(A.movedim((d0, d1), (-2, -1)))
    out = sv.sum(dim=-1) if ord == "nuc" else sv.amax(dim=-1) if ord == 2 else sv.amin(dim=-1)
    return out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1)) if keepdim else out


def cond(A, p=None) -> Tensor:
    """The condition number, as torch.linalg.cond: p None or 2, σ_max/σ_min; −2,
    σ_min/σ_max (any m × n); 'nuc', Σσᵢ · Σ1/σᵢ; other orders ('fro', ±1, ±inf)
    ‖A‖_p ‖A⁻¹‖_p, inf where A is singular (an exact zero pivot); all but None/±2 need square
    A."""
    where = "linalg.cond"
    if p is not None and (isinstance(p, bool) or p not in _MATRIX_ORDS):
        raise ArgumentError(f"{where} got an invalid norm type: {p}")
    a = _matrix(A, where)
    if p in (None, 2, -2):
        sv = svdvals(A)
        return sv[..., 0] / sv[..., -1] if p != -2 else sv[..., -1] / sv[..., 0]
    a = _square(A, f"{where}(ord={p})")
    if p == "nuc":  # as PyTorch: from the singular values, Σσᵢ · Σ1/σᵢ (finite if σ_min ≠ 0)
        sv = svdvals(A)
        return sv.sum(dim=-1) * (1.0 / sv).sum(dim=-1)
    xp = xp_of(a)
    singular = _on(a, np.linalg.det(a)) == 0  # an exact zero pivot, where LAPACK's inverse fails
    if not bool(singular.any()):
        return matrix_norm(A, p) * matrix_norm(inv(A), p)
    eye = _eye_like(a, a.shape[-1])
    safe = Tensor._op(xp.where(singular[..., None, None], eye, a), (A,),
                      lambda g: (xp.where(singular[..., None, None], 0.0, g).astype(g.dtype),))
    value = matrix_norm(safe, p) * matrix_norm(inv(safe), p)
    return Tensor._op(xp.where(singular, xp.inf, value._data).astype(a.dtype), (value,),
                      lambda g: (xp.where(singular, 0.0, g).astype(g.dtype),))


# --------------------------------------------------------------------------- triangular
def solve_triangular(A, B, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left=True``; X A = B with False), A triangular: only its upper
    (``upper=True``) or lower triangle is read, and with ``unitriangular=True`` its diagonal
    is taken as ones, as torch.linalg.solve_triangular.  A (*, n, n), B (*, n, k) (at least
    2-D); batch dims broadcast."""
    where = "linalg.solve_triangular"
    a = _square(A, where)
    if not isinstance(B, Tensor) or B._data.dtype != a.dtype:
        raise DTypeError(f"{where}: B must be a tidu Tensor of A's dtype {A.dtype}")
    if B.ndim < 2:
        raise ShapeError(f"{where}: The input tensor B must have at least 2 dimensions.")
    if not left:  # X A = B ⇔ Aᵀ Xᵀ = Bᵀ, and Aᵀ's triangle is the other one
        return solve_triangular(A.mT, B.mT, upper=not upper, unitriangular=unitriangular).mT
    b = B._data
    n = a.shape[-1]
    if b.shape[-2] != n:
        raise ShapeError(f"{where}: A {shape_str(A.shape)} and B {shape_str(B.shape)}: B needs "
                         f"{n} rows")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"{where}: the batch dims of A {shape_str(A.shape)} and B "
                         f"{shape_str(B.shape)} do not broadcast") from None

    def triangle(m):
        m = np.triu(m) if upper else np.tril(m)
        if unitriangular:
            eye = _eye_like(m, n)
            m = m * (1 - eye) + eye
        return m

    tri = triangle(a)
    x = np.linalg.solve(np.broadcast_to(tri, (*batch, n, n)),
                        np.broadcast_to(b, (*batch, *b.shape[-2:])))

    def backward(g):
        gb = np.linalg.solve(_mT(np.broadcast_to(tri, (*batch, n, n))), g)
        ga = None
        if A.requires_grad:
            ga = unbroadcast(-(gb @ _mT(x)), a.shape)
            ga = np.triu(ga) if upper else np.tril(ga)
            if unitriangular:
                ga = ga * (1 - _eye_like(ga, n))
        return ga, unbroadcast(gb, b.shape) if B.requires_grad else None

    return Tensor._op(x, (A, B), backward)


# --------------------------------------------------------------------------- refused
def _no_complex(name):
    def refuse(A, *args, **kwargs):
        raise NotImplementedError(
            f"linalg.{name}: a real matrix's eigenvalues are complex in general and tidu has no "
            f"complex tensors, so linalg.{name} is not available; for a symmetric matrix use "
            f"tidu.linalg.eigh / tidu.linalg.eigvalsh (real eigenvalues, ascending)")
    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = (f"Not available in tidu (torch.linalg.{name} returns complex tensors): "
                      f"raises NotImplementedError; use eigh/eigvalsh for symmetric matrices.")
    return refuse


eig = _no_complex("eig")
eigvals = _no_complex("eigvals")


# --------------------------------------------------------------------------- top level
class OldSVDResult(NamedTuple):
    """What torch.svd returns (torch.return_types.svd): V, not Vh."""
    U: Tensor
    S: Tensor
    V: Tensor


def _old_svd(input, some: bool = True, compute_uv: bool = True) -> OldSVDResult:  # noqa: A002
    """torch.svd (the old API): (U, S, V) with V = Vhᵀ; ``some=True`` (default) the reduced
    factors, False the full ones; ``compute_uv=False``: U (*, m, m) and V (*, n, n) zero-filled
    (``some`` ignored), as PyTorch."""
    if not compute_uv:
        s = svdvals(input)
        m, n = input.shape[-2:]
        xp = xp_of(input._data)
        u = xp.zeros((*input.shape[:-2], m, m), input._data.dtype)
        v = xp.zeros((*input.shape[:-2], n, n), input._data.dtype)
        return OldSVDResult(Tensor._wrap(u), s, Tensor._wrap(v))
    u, s, vh = svd(input, full_matrices=not some)
    return OldSVDResult(u, s, vh.mT)


def _old_cholesky(input, upper: bool = False):  # noqa: A002
    """torch.cholesky (deprecated in PyTorch): as linalg.cholesky(A, upper=upper)."""
    return cholesky(input, upper=upper)


def _pinverse(input, rcond: float = 1e-15):  # noqa: A002
    """torch.pinverse: linalg.pinv with rtol = rcond (default 1e-15)."""
    return pinv(input, rtol=rcond)


def _old_qr(input, some: bool = True):  # noqa: A002
    """torch.qr: linalg.qr with mode 'reduced' (some=True) or 'complete'."""
    return qr(input, mode="reduced" if some else "complete")


TOP_LEVEL = {
    "svd": _old_svd,                 # torch.svd: (U, S, V), NOT linalg.svd's (U, S, Vh)
    "pinverse": _pinverse,
    "logdet": logdet,
    "slogdet": slogdet,
    "qr": _old_qr,
    "cholesky": _old_cholesky,
    "matrix_power": matrix_power,
    "det": det,
    "inverse": inv,
}
