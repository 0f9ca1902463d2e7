"""tidu.linalg svd/svdvals/qr/cholesky/slogdet/pinv/matrix_rank/matrix_power/multi_dot/cross/
matrix_norm/cond/solve_triangular against torch.linalg (float64, values and gradients), the
gradients against finite differences, and the refusals."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn, finite_difference_check
from tidu.errors import ArgumentError, DTypeError, GraphError, ShapeError
from tidu.linalg_decomp import TOP_LEVEL

rng = np.random.default_rng(7)
TALL = rng.normal(size=(2, 4, 3))
WIDE = rng.normal(size=(2, 3, 5))
SQ = rng.normal(size=(2, 3, 3)) + 3 * np.eye(3)
_M = rng.normal(size=(2, 3, 3))
SPD = _M @ np.swapaxes(_M, -1, -2) + np.eye(3)
_R = rng.normal(size=(2, 4, 2))
RANK2 = _R @ np.swapaxes(_R, -1, -2)         # 4 × 4 symmetric of rank 2
X4 = rng.normal(size=(2, 3, 4, 3))
INF = float("inf")


def _svd_sign_free(full=False):
    """Singular vectors are unique up to sign (and the extra columns of full U/V only up to
    a basis of their span): compare S, U diag(S) Vh, |U_k| and |Vh_k|."""
    def make(lib):
        def fn(a):
            u, s, vh = lib.linalg.svd(a, full_matrices=full)
            k = s.shape[-1]
            u, vh = u[..., :k], vh[..., :k, :]
            return s, (u * s.unsqueeze(-2)) @ vh, u.abs(), vh.abs()
        return fn
    return make


def _qr(mode="reduced"):
    return lambda lib: (lambda a: tuple(lib.linalg.qr(a, mode=mode)))


def _kw(name, **kw):
    return lambda lib: (lambda *xs: getattr(lib.linalg, name)(*xs, **kw))


CASES = [
    ("svd tall", _svd_sign_free(), (TALL,)),
    ("svd wide", _svd_sign_free(), (WIDE,)),
    ("svd full tall", _svd_sign_free(True), (TALL,)),
    ("svd full wide", _svd_sign_free(True), (WIDE,)),
    ("svd square", _svd_sign_free(True), (SQ,)),
    ("svdvals", _kw("svdvals"), (WIDE,)),
    ("qr tall", _qr(), (TALL,)),
    ("qr square", _qr(), (SQ,)),
    ("qr wide", _qr(), (WIDE,)),
    ("qr complete wide", _qr("complete"), (WIDE,)),
    ("cholesky", _kw("cholesky"), (SPD,)),
    ("cholesky upper", _kw("cholesky", upper=True), (SPD,)),
    ("slogdet", _kw("slogdet"), (SQ * np.array([1.0, -1.0])[:, None, None],)),
    ("pinv tall", _kw("pinv"), (TALL,)),
    ("pinv wide", _kw("pinv"), (WIDE,)),
    ("pinv rank-deficient", _kw("pinv"), (RANK2,)),
    ("pinv hermitian", _kw("pinv", hermitian=True), (RANK2,)),
    ("pinv rcond", lambda lib: (lambda a: lib.linalg.pinv(a, 0.5)), (TALL,)),
    ("pinv atol", _kw("pinv", atol=1.0), (TALL,)),
    ("matrix_power 0", _kw("matrix_power", n=0), (SQ,)),
    ("matrix_power 1", _kw("matrix_power", n=1), (SQ,)),
    ("matrix_power 5", _kw("matrix_power", n=5), (SQ,)),
    ("matrix_power -3", _kw("matrix_power", n=-3), (SQ,)),
    ("multi_dot", lambda lib: (lambda *xs: lib.linalg.multi_dot(xs)),
     (rng.normal(size=5), rng.normal(size=(5, 2)), rng.normal(size=(2, 6)), rng.normal(size=6))),
    ("multi_dot matrices", lambda lib: (lambda *xs: lib.linalg.multi_dot(list(xs))),
     (rng.normal(size=(4, 5)), rng.normal(size=(5, 2)), rng.normal(size=(2, 3)))),
    ("cross", _kw("cross"), (rng.normal(size=(4, 3)), rng.normal(size=(1, 3)))),
    ("cross dim", _kw("cross", dim=1), (rng.normal(size=(2, 3, 4)), rng.normal(size=(1, 3, 4)))),
    ("cond", _kw("cond"), (SQ,)),
    ("cond -2 rectangular", _kw("cond", p=-2), (TALL,)),
    ("cond nuc", _kw("cond", p="nuc"), (SQ,)),
    ("solve_triangular upper", _kw("solve_triangular", upper=True), (SQ, rng.normal(size=(2, 3, 2)))),
    ("solve_triangular lower unit", _kw("solve_triangular", upper=False, unitriangular=True),
     (SQ, rng.normal(size=(2, 3, 2)))),
    ("solve_triangular right", _kw("solve_triangular", upper=True, left=False),
     (SQ, rng.normal(size=(2, 4, 3)))),
    ("solve_triangular broadcast", _kw("solve_triangular", upper=False),
     (SQ[0], rng.normal(size=(2, 3, 2)))),
]
NORM_CASES = [(o, d, k) for o in ("fro", "nuc", 2, -2, 1, -1, INF, -INF)
              for d, k in (((-2, -1), False), ((3, 1), True))]


@pytest.mark.parametrize("name,make,inputs", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, make, inputs):
    compare_fn(make(tidu), make(torch), *inputs, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("ord,dim,keepdim", NORM_CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in NORM_CASES])
def test_matrix_norm_matches_torch(ord, dim, keepdim):  # noqa: A002
    compare_fn(lambda a: tidu.linalg.matrix_norm(a, ord, dim, keepdim),
               lambda a: torch.linalg.matrix_norm(a, ord, dim, keepdim), X4, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, INF, -INF])
def test_cond_norm_orders(p):
    """PyTorch 2.13 cannot differentiate these (an in-place op in its graph): values against
    torch, singular matrices give inf as PyTorch's; gradients by finite differences."""
    singular = np.stack([SQ[0], [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]]])
    for a in (SQ, singular):
        compare_fn(lambda x: tidu.linalg.cond(x, p), lambda x: torch.linalg.cond(x, p), a,
                   rtol=1e-8, atol=1e-10, grad=False)
    if p not in (INF, -INF):  # the max/min kinks are exercised by the norms above
        finite_difference_check(lambda x: tidu.linalg.cond(x, p), SQ[:1])


def test_matrix_rank_matches_torch():
    for a, kw in ((RANK2, {}), (TALL, {"atol": 1.0, "rtol": 0.1}), (RANK2, {"hermitian": True}),
                  (TALL, {"rtol": 0.5})):
        got = tidu.linalg.matrix_rank(tidu.tensor(a), **kw)
        want = torch.linalg.matrix_rank(torch.tensor(a), **kw)
        assert got.dtype == tidu.int64 and got.tolist() == want.tolist(), kw
    diag = np.diag([1.0, 0.4, 0.01])
    assert tidu.linalg.matrix_rank(tidu.tensor(diag), 0.5).item() == 1  # old `tol` = atol


def _sym(fn):
    return lambda a: fn((a + a.mT) * 0.5)  # a symmetric perturbation keeps A symmetric


FD_CASES = [
    ("svd", lambda a: _svd_sign_free()(tidu)(a)[:2], (TALL[:1],)),
    ("svd wide vectors", lambda a: _svd_sign_free()(tidu)(a)[2:], (WIDE[:1],)),
    ("qr tall", _qr()(tidu), (TALL[:1],)),
    ("qr wide", _qr()(tidu), (WIDE[:1],)),
    ("cholesky", _sym(tidu.linalg.cholesky), (SPD[:1],)),
    ("slogdet", lambda a: tidu.linalg.slogdet(a).logabsdet, (SQ,)),
    ("pinv", tidu.linalg.pinv, (WIDE[:1],)),
    ("cross", tidu.linalg.cross, (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)))),
    ("solve_triangular", lambda a, b: tidu.linalg.solve_triangular(a, b, upper=True),
     (SQ[:1], rng.normal(size=(1, 3, 2)))),
]


@pytest.mark.parametrize("name,fn,inputs", FD_CASES, ids=[c[0] for c in FD_CASES])
def test_finite_differences(name, fn, inputs):
    finite_difference_check(fn, *inputs)


def test_top_level_aliases():
    a = tidu.tensor(TALL)
    u, s, v = TOP_LEVEL["svd"](a)                      # old API: V, not Vh
    tu, ts, tv = torch.svd(torch.tensor(TALL))
    np.testing.assert_allclose(((u * s.unsqueeze(-2)) @ v.mT).cpu().numpy(), TALL, atol=1e-12)
    assert v.shape == tv.shape and u.shape == tu.shape
    assert TOP_LEVEL["svd"](a, some=False).U.shape == (2, 4, 4)
    zu, zs, zv = TOP_LEVEL["svd"](a, compute_uv=False)
    pu, ps, pv = torch.svd(torch.tensor(TALL), compute_uv=False)
    assert zu.shape == pu.shape and zv.shape == pv.shape and not zu.cpu().numpy().any()
    np.testing.assert_allclose(TOP_LEVEL["pinverse"](a).cpu().numpy(),
                               torch.pinverse(torch.tensor(TALL)).numpy(), atol=1e-12)
    mixed = SQ * np.array([1.0, -1.0])[:, None, None]
    np.testing.assert_allclose(TOP_LEVEL["logdet"](tidu.tensor(mixed)).cpu().numpy(),
                               torch.logdet(torch.tensor(mixed)).numpy(), atol=1e-12)


def test_full_matrices_gradient_drops_extra_columns():
    """As PyTorch: full U of a tall A differentiates only through its first k columns."""
    a = tidu.tensor(TALL, requires_grad=True)
    u = tidu.linalg.svd(a).U
    u[..., 3:].abs().sum().backward()
    assert np.all(a.grad.cpu().numpy() == 0)


def test_qr_backward_refusals():
    a = tidu.tensor(TALL, requires_grad=True)
    with pytest.raises(GraphError, match="mode='complete' and nrows > ncols"):
        tidu.linalg.qr(a, mode="complete").Q.sum().backward()
    q, r = tidu.linalg.qr(a, mode="r")
    assert q.shape == (0,) and r.shape == (2, 3, 3)
    with pytest.raises(GraphError, match="not computed when mode='r'"):
        r.sum().backward()
    with pytest.raises(ArgumentError, match="unrecognized mode 'x'"):
        tidu.linalg.qr(a, mode="x")


def test_refusals():
    sq = tidu.tensor(SQ)
    with pytest.raises(NotImplementedError, match="no complex tensors.*eigh"):
        tidu.linalg.eig(sq)
    with pytest.raises(NotImplementedError, match="linalg.eigvals.*eigvalsh"):
        tidu.linalg.eigvals(sq)
    with pytest.raises(ShapeError, match="square matrices, but they are 4 by 3"):
        tidu.linalg.cholesky(tidu.tensor(TALL))
    with pytest.raises(ShapeError, match="square matrices"):
        tidu.linalg.slogdet(tidu.tensor(TALL))
    with pytest.raises(ShapeError, match="square matrices"):
        tidu.linalg.cond(tidu.tensor(TALL), 1)
    with pytest.raises(DTypeError, match="floating point"):
        tidu.linalg.svd(tidu.ones(3, 3, dtype=tidu.int64))
    with pytest.raises(DTypeError, match="floating point"):
        tidu.linalg.qr(tidu.ones(3, 3, dtype=tidu.int64))
    with pytest.raises(ShapeError, match="at least 2 dimensions"):
        tidu.linalg.svdvals(tidu.ones(3))
    with pytest.raises(tidu.linalg.LinAlgError, match="not positive-definite"):
        tidu.linalg.cholesky(tidu.tensor(-SPD))
    with pytest.raises(TypeError, match="n must be an int"):
        tidu.linalg.matrix_power(sq, 1.5)
    with pytest.raises(TypeError, match="not both"):
        tidu.linalg.pinv(sq, 0.1, atol=0.1)
    with pytest.raises(ArgumentError, match="expected at least 2 tensors"):
        tidu.linalg.multi_dot([sq])
    with pytest.raises(ShapeError, match="tensors 0 and 1 .* cannot be multiplied"):
        tidu.linalg.multi_dot([tidu.ones(2, 3), tidu.ones(2, 3)])
    with pytest.raises(ShapeError, match="dimension -1 must have length 3. Got 4 and 4"):
        tidu.linalg.cross(tidu.ones(4), tidu.ones(4))
    with pytest.raises(ShapeError, match="same number of dimensions"):
        tidu.linalg.cross(tidu.ones(2, 3), tidu.ones(3))
    with pytest.raises(ArgumentError, match="Order 3 not supported"):
        tidu.linalg.matrix_norm(sq, 3)
    with pytest.raises(ArgumentError, match="dims must be different"):
        tidu.linalg.matrix_norm(sq, dim=(1, -2))
    with pytest.raises(ArgumentError, match="invalid norm type: 3"):
        tidu.linalg.cond(sq, 3)
    with pytest.raises(ShapeError, match="B must have at least 2 dimensions"):
        tidu.linalg.solve_triangular(sq, tidu.ones(3, dtype=tidu.float64), upper=True)
