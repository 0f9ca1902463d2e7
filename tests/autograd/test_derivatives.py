"""Higher-order gradients (create_graph=True) through every op with a differentiable rule,
against PyTorch's double backward in float64."""
import numpy as np
import pytest
import torch

import tidu
import tidu.nn.functional as F
import torch.nn.functional as TF
from tests.oracle import compare_double_backward
from tidu.errors import GraphError

rng = np.random.default_rng(7)
X = rng.uniform(0.3, 1.5, (3, 4)) * rng.choice([-1, 1], (3, 4))
POS = rng.uniform(0.3, 1.5, (3, 4))
Y = rng.normal(size=(3, 4))
ROW = rng.normal(size=(4,))
W = rng.normal(size=(5, 4))
B5 = rng.normal(size=(5,))
SQ = rng.normal(size=(4, 4))
LABELS = np.array([0, 3, 1])


def both(name):
    """An op spelled the same way in both libraries: f(lib, *tensors)."""
    return name, lambda L, *t: eval(name, {"L": L, "F": F if L is tidu else TF}, {"t": t})


ELEMENTWISE = [
    ("t[0] + t[1]", (X, ROW)), ("t[0] - t[1]", (X, ROW)), ("t[0] * t[1]", (X, Y)),
    ("t[0] / t[1]", (Y, X)), ("t[0] ** 3", (X,)), ("t[0] ** 2", (X,)), ("t[0] ** t[1]", (POS, Y)),
    ("L.maximum(t[0], t[1])", (X, Y)), ("L.minimum(t[0], t[1])", (X, Y)),
    ("L.where(t[0] > 0, t[0] * t[1], t[1] ** 2)", (X, Y)), ("-t[0] * t[0]", (X,)),
    ("t[0].exp()", (X,)), ("t[0].expm1()", (X,)), ("t[0].log()", (POS,)), ("t[0].log1p()", (POS,)),
    ("t[0].sqrt()", (POS,)), ("t[0].rsqrt()", (POS,)), ("t[0].square()", (X,)), ("t[0].sin()", (X,)),
    ("t[0].cos()", (X,)), ("t[0].abs() * t[0]", (X,)), ("t[0].clamp(-0.5, 0.8) * t[0]", (X,)),
    ("t[0].sign() + t[0] ** 2", (X,)),
]
REDUCTIONS = [
    ("(t[0] ** 2).sum()", (X,)), ("(t[0] ** 2).sum(dim=1)", (X,)), ("(t[0] ** 3).mean(0, keepdim=True)", (X,)),
    ("(t[0] ** 2).amax(dim=1)", (X,)), ("(t[0] ** 2).max(dim=0)[0]", (X,)), ("(t[0] ** 3).max()", (X,)),
    ("(t[0] ** 2).prod()", (X,)), ("t[0].prod(dim=1) * t[0].sum()", (X,)), ("t[0].norm(dim=1)", (X,)), ("t[0].norm()", (X,)), ("t[0].norm(p=1, dim=0) * t[0].sum()", (X,)),
]
MATMUL = [
    ("(t[0] @ t[1].T).tanh()", (X, W)), ("t[1] @ t[0]", (X, ROW[:3])), ("(t[0] @ t[1]) ** 2", (X, ROW)),
    ("(t[0] @ t[1]).sin()", (rng.normal(size=(2, 3, 4)), SQ)),
]
SHAPE = [
    ("(t[0].reshape(4, 3) ** 2)", (X,)), ("(t[0].permute(1, 0) ** 3)", (X,)),
    ("(t[0][:, :1].expand(3, 5) * t[0][:, 1:2]) ** 2", (X,)),
    ("t[0][1:, ::2] ** 3", (X,)), ("t[0][[0, 2, 0]] ** 2", (X,)), ("t[0][t[0] > 0] ** 3", (X,)),
    ("L.cat([t[0], t[0] ** 2], dim=1) ** 2", (X,)), ("L.stack([t[0], t[0] * t[1]], dim=1) ** 2", (X, Y)),
    ("t[0].repeat(2, 1) ** 3", (X,)), ("t[0].unsqueeze(0).squeeze(0).flatten() ** 3", (X,)),
]
NN = [
    ("F.linear(t[0], t[1], t[2]).tanh()", (X, W, B5)), ("F.linear(t[0], t[1]) ** 2", (X, W)),
    ("t[0].sigmoid() * t[0]", (X,)), ("t[0].tanh() ** 2", (X,)), ("F.relu(t[0]) ** 2", (X,)),
    ("F.leaky_relu(t[0], 0.2) ** 2", (X,)), ("F.elu(t[0]) * t[0]", (X,)),
    ("F.softplus(t[0], beta=2.0)", (X,)), ("F.logsigmoid(t[0]) * t[0]", (X,)), ("F.silu(t[0])", (X,)),
    ("F.gelu(t[0])", (X,)), ("F.gelu(t[0], approximate='tanh')", (X,)), ("L.erf(t[0]) * t[0]", (X,)),
    ("F.softmax(t[0], dim=1) * t[1]", (X, Y)), ("F.log_softmax(t[0], dim=0) * t[1]", (X, Y)),
]
LOSSES = [
    ("F.mse_loss(t[0], t[1])", (X, Y)), ("F.mse_loss(t[0] ** 2, t[1], reduction='sum')", (X, Y)),
    ("F.mse_loss(t[0].tanh(), t[1], reduction='none')", (X, Y)), ("F.l1_loss(t[0] ** 3, t[1])", (X, Y)),
    ("F.binary_cross_entropy(t[0].sigmoid(), t[1].sigmoid())", (X, Y)),
    ("F.binary_cross_entropy_with_logits(t[0] * t[1], t[1].sigmoid())", (X, Y)),
    ("F.binary_cross_entropy_with_logits(t[0] ** 2, t[1].sigmoid(), pos_weight=L.tensor([1., 2., .5, 3.], dtype=L.float64))", (X, Y)),
    ("F.cross_entropy(t[0] ** 2, L.tensor([0, 3, 1]))", (X,)),
    ("F.cross_entropy(t[0] * t[1], L.tensor([0, 3, 1]), reduction='sum', label_smoothing=0.1)", (X, Y)),
    ("F.cross_entropy(t[0] ** 3, L.tensor([0, -100, 1]), reduction='none')", (X,)),
    ("F.cross_entropy(t[0].tanh(), L.tensor([0, 3, 2]), weight=L.tensor([1., 2., .5, 3.], dtype=L.float64), label_smoothing=0.2)", (X,)),
    ("F.cross_entropy(t[0].reshape(1, 4, 3) ** 2, L.tensor([[0, 3, 1]]))", (X,)),
]


@pytest.mark.parametrize("expr,inputs", ELEMENTWISE + REDUCTIONS + MATMUL + SHAPE + NN + LOSSES,
                         ids=[e for e, _ in ELEMENTWISE + REDUCTIONS + MATMUL + SHAPE + NN + LOSSES])
def test_double_backward_matches_torch(expr, inputs):
    _, fn = both(expr)
    compare_double_backward(fn, *inputs)


def test_dropout_double_backward_keeps_the_mask():
    """d²/dx² Σ c·dropout(x)² = 2c·s² with s the kept scale (0 or 1/(1−p)), same draw."""
    x = tidu.tensor(X, dtype=tidu.float64, requires_grad=True)
    tidu.manual_seed(3)
    y = F.dropout(x, 0.4, training=True)
    (g,) = tidu.autograd.grad((y ** 2 * 3.0).sum(), x, create_graph=True)
    (h,) = tidu.autograd.grad(g.sum(), x)
    scale = y.detach().cpu().numpy() / X
    np.testing.assert_allclose(h.cpu().numpy(), 6.0 * scale ** 2, rtol=1e-12)
    assert set(np.round(np.unique(scale), 9)) <= {0.0, round(1 / 0.6, 9)}


def test_third_order_through_pow_and_mul():
    x = tidu.tensor([0.5, -2.0], dtype=tidu.float64, requires_grad=True)
    (g1,) = tidu.autograd.grad((x ** 4).sum(), x, create_graph=True)
    (g2,) = tidu.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = tidu.autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(g3.cpu().numpy(), 24 * x.detach().cpu().numpy(), rtol=1e-14)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_gradient_penalty_matches_torch():
    """loss.backward(create_graph=True) leaves .grad with a graph: a penalty on it trains."""
    results = []
    for L in (tidu, torch):
        w = L.tensor(W, dtype=L.float64, requires_grad=True)
        x = L.tensor(X, dtype=L.float64)
        loss = ((x @ w.T).tanh() ** 2).mean()
        loss.backward(create_graph=True)
        penalty = (w.grad ** 2).sum()
        assert penalty.requires_grad
        first = w.grad.detach().clone()
        w.grad = None
        penalty.backward()
        results.append((first.cpu().numpy(), w.grad.cpu().numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_an_op_without_a_rule_is_named():
    x = tidu.tensor(X, dtype=tidu.float64, requires_grad=True)
    with pytest.raises(GraphError, match="create_graph=True.*Cumsum"):
        tidu.autograd.grad(x.cumsum(0).sum(), x, create_graph=True)


def test_a_freed_graph_says_so():
    x = tidu.tensor(X, dtype=tidu.float64, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()  # frees the graph
    with pytest.raises(GraphError, match="backward through a graph a second time"):
        tidu.autograd.grad(y, x, create_graph=True)
