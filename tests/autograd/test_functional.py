"""tidu.autograd.functional against torch.autograd.functional (float64)."""
import numpy as np
import pytest
import torch
import torch.autograd.functional as TAF

import tidu
import tidu.autograd.functional as AF
from tests.oracle import assert_close
from tidu.errors import ArgumentError

rng = np.random.default_rng(11)
A = rng.normal(size=(3,))
B = rng.normal(size=(2, 3))
V3 = rng.normal(size=(3,))
V23 = rng.normal(size=(2, 3))


def scalar_two(x, y):
    return (x.sin() * (y ** 2).sum(0)).sum() + (x * x).prod()


def vector_fn(x):
    return (x.exp() * x[0]).tanh()


def pair_out(x, y):
    return x * y.sum(0), (y ** 3).sum()


def _t(lib, *arrays):
    return tuple(lib.tensor(a.copy()) for a in arrays)


def _same(ours, theirs, what):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), what
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _same(a, b, f"{what}[{i}]")
    else:
        assert not ours.requires_grad, f"{what}: a result of create_graph=False has no graph"
        assert_close(ours, theirs, what, rtol=1e-12, atol=1e-13)


CASES = [
    ("jacobian", lambda m, L: m.jacobian(vector_fn, _t(L, A)[0])),
    ("jacobian tuple", lambda m, L: m.jacobian(pair_out, _t(L, A, B))),
    ("hessian", lambda m, L: m.hessian(lambda x: (x.sin() * x ** 3).sum(), _t(L, A)[0])),
    ("hessian tuple", lambda m, L: m.hessian(scalar_two, _t(L, A, B))),
    ("vjp", lambda m, L: m.vjp(vector_fn, _t(L, A)[0], _t(L, V3)[0])),
    ("jvp", lambda m, L: m.jvp(pair_out, _t(L, A, B), _t(L, V3, V23))),
    ("vhp", lambda m, L: m.vhp(scalar_two, _t(L, A, B), _t(L, V3, V23))),
    ("hvp", lambda m, L: m.hvp(scalar_two, _t(L, A, B), _t(L, V3, V23))),
    ("hvp unused input", lambda m, L: m.hvp(lambda x, y: (x ** 3).sum(), _t(L, A, B),
                                            _t(L, V3, V23))),
]


@pytest.mark.parametrize("name,call", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, call):
    _same(call(AF, tidu), call(TAF, torch), name)


def test_create_graph_result_is_differentiable():
    """d/dx of trace(hessian(f)(x)) with create_graph — the Laplacian's gradient."""
    out = []
    for lib, m in ((tidu, AF), (torch, TAF)):
        x = lib.tensor(A.copy(), requires_grad=True)
        h = m.hessian(lambda z: (z.sin() * z ** 3).sum() + z.prod(), x, create_graph=True)
        (g,) = lib.autograd.grad(sum(h[i, i] for i in range(3)), x)
        out.append(g)
    assert_close(out[0], out[1], "gradient of the Hessian's trace", rtol=1e-12)


def test_refusals():
    x = tidu.tensor(A.copy())
    with pytest.raises(ArgumentError, match="single tensor with one element"):
        AF.hessian(lambda z: z * 2, x)
    with pytest.raises(ArgumentError, match="v may be omitted only"):
        AF.vjp(lambda z: z * 2, x)
    with pytest.raises(ArgumentError, match="v\\[0\\] has shape"):
        AF.hvp(lambda z: (z ** 2).sum(), x, tidu.tensor(B.copy()))
    with pytest.raises(ArgumentError, match="reverse-mode"):
        AF.jacobian(lambda z: z * 2, x, strategy="forward-mode")
