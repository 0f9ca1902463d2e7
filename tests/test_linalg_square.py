"""tidu.linalg solve/inv/det/eigh/eigvalsh against torch.linalg (float64, values and
gradients), and the gradients against finite differences."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import compare_fn, finite_difference_check
from tidu.errors import ShapeError

rng = np.random.default_rng(5)
M = rng.normal(size=(2, 4, 4)) + 4 * np.eye(4)
SYM = M + np.swapaxes(M, -1, -2)


def _sign_free(lib):
    """eigh's eigenvectors are defined up to sign (LAPACK builds differ): compare v²."""
    def fn(a):
        w, v = lib.linalg.eigh(a)
        return w, v * v
    return fn


CASES = [
    ("solve matrix", lambda L: L.linalg.solve, (M, rng.normal(size=(2, 4, 3)))),
    ("solve vector", lambda L: L.linalg.solve, (M, rng.normal(size=(2, 4)))),
    ("solve broadcast", lambda L: L.linalg.solve, (M[0], rng.normal(size=(3, 4, 2)))),
    ("solve right", lambda L: (lambda a, b: L.linalg.solve(a, b, left=False)),
     (M, rng.normal(size=(2, 3, 4)))),
    ("inv", lambda L: L.linalg.inv, (M,)),
    ("det", lambda L: L.linalg.det, (M,)),
    ("det single", lambda L: L.linalg.det, (M[0],)),
    ("eigvalsh", lambda L: L.linalg.eigvalsh, (SYM,)),
    ("eigh", _sign_free, (SYM,)),
]


@pytest.mark.parametrize("name,make,inputs", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, make, inputs):
    compare_fn(make(tidu), make(torch), *inputs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,make,inputs", CASES[:1] + CASES[4:6] + CASES[7:],
                         ids=[c[0] for c in CASES[:1] + CASES[4:6] + CASES[7:]])
def test_finite_differences(name, make, inputs):
    fn = make(tidu)
    if name.startswith("eig"):  # a symmetric perturbation keeps the input symmetric
        inner = fn
        fn = lambda a: inner((a + a.mT) * 0.5)  # noqa: E731
    finite_difference_check(fn, *inputs)


def test_hessian_test_of_a_saddle():
    """The notes' test: f = x² − y² at its stationary point has eigenvalues of both signs."""
    h = tidu.autograd.functional.hessian(lambda v: v[0] ** 2 - v[1] ** 2,
                                         tidu.tensor([0.0, 0.0], dtype=tidu.float64))
    assert tidu.linalg.eigvalsh(h).tolist() == [-2.0, 2.0]


def test_refusals():
    with pytest.raises(ShapeError, match="square matrices"):
        tidu.linalg.inv(tidu.zeros(2, 3))
    with pytest.raises(ShapeError, match="needs 4 rows"):
        tidu.linalg.solve(tidu.tensor(M), tidu.tensor(np.ones((2, 3, 1))))
