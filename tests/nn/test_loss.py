"""Losses against PyTorch (forward + every input gradient, float64), finite differences,
stability at logits of ±1e4, error messages, and dtype preservation."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.errors import DTypeError, ShapeError
from tidu.nn import functional as F
from tests.oracle import compare_fn, compare_module, finite_difference_check

REDS = ["none", "mean", "sum"]
HYP = settings(max_examples=20, deadline=None)


def rng(seed=0):
    return np.random.default_rng(seed)


def T(a):
    """A constant float64 tidu tensor (weights, constant targets)."""
    return tidu.Tensor(np.asarray(a), dtype=np.asarray(a).dtype)


def P(a):
    return torch.from_numpy(np.asarray(a))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --------------------------------------------------------------------------- regression
ELEMENTWISE = {
    "mse": (F.mse_loss, TF.mse_loss),
    "l1": (F.l1_loss, TF.l1_loss),
    "huber": (F.huber_loss, TF.huber_loss),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@pytest.mark.parametrize("reduction", REDS)
def test_regression_losses_match_torch(name, reduction):
    f, tf = ELEMENTWISE[name]
    r = rng(1)
    x, y = r.standard_normal((6, 3)), r.standard_normal((6, 3))
    # both inputs are float: compare_fn makes the target require grad too (torch supports it)
    compare_fn(lambda a, b: f(a, b, reduction=reduction),
               lambda a, b: tf(a, b, reduction=reduction), x, y)
    # constant target
    compare_fn(lambda a: f(a, T(y), reduction=reduction),
               lambda a: tf(a, P(y), reduction=reduction), x)


@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("reduction", REDS)
def test_huber_delta(delta, reduction):
    r = rng(2)
    x, y = 3 * r.standard_normal((5, 4)), r.standard_normal((5, 4))
    compare_fn(lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=delta),
               lambda a, b: TF.huber_loss(a, b, reduction=reduction, delta=delta), x, y)


@HYP
@given(shape=st.lists(st.integers(1, 5), min_size=0, max_size=3), seed=st.integers(0, 10**6),
       name=st.sampled_from(list(ELEMENTWISE)), reduction=st.sampled_from(REDS))
def test_regression_losses_hypothesis(shape, seed, name, reduction):
    f, tf = ELEMENTWISE[name]
    r = rng(seed)
    x, y = r.standard_normal(shape), r.standard_normal(shape)
    compare_fn(lambda a, b: f(a, b, reduction=reduction),
               lambda a, b: tf(a, b, reduction=reduction), x, y)


def test_l1_gradient_zero_where_equal():
    x = tidu.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True, dtype=np.float64)
    F.l1_loss(x, T(np.array([1.0, 0.0, 5.0])), reduction="sum").backward()
    np.testing.assert_array_equal(x.grad._data, [0.0, 1.0, -1.0])


# --------------------------------------------------------------------------- binary
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDS)
def test_bce_matches_torch(weighted, reduction):
    r = rng(3)
    x = sigmoid(r.standard_normal((5, 3)))
    y = r.uniform(0, 1, (5, 3))
    w = r.uniform(0.5, 2, (3,)) if weighted else None
    kw_t = {"weight": T(w)} if weighted else {}
    kw_p = {"weight": P(w)} if weighted else {}
    compare_fn(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction, **kw_t),
               lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction, **kw_p), x, y)
    # hard 0/1 labels as a constant target
    y01 = (r.uniform(0, 1, (5, 3)) > 0.5).astype(np.float64)
    compare_fn(lambda a: F.binary_cross_entropy(a, T(y01), reduction=reduction, **kw_t),
               lambda a: TF.binary_cross_entropy(a, P(y01), reduction=reduction, **kw_p), x)


def test_bce_log_clamped_at_minus_100():
    x = tidu.Tensor(np.array([0.0, 1.0, 0.5]), dtype=np.float64)
    y = T(np.array([1.0, 0.0, 1.0]))
    out = F.binary_cross_entropy(x, y, reduction="none")
    ref = TF.binary_cross_entropy(torch.tensor([0.0, 1.0, 0.5], dtype=torch.float64),
                                  torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64),
                                  reduction="none")
    np.testing.assert_allclose(out._data, ref.numpy())
    np.testing.assert_allclose(out._data[:2], [100.0, 100.0])


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
@pytest.mark.parametrize("reduction", REDS)
def test_bce_with_logits_matches_torch(weighted, pos_weighted, reduction):
    r = rng(4)
    x, y = 3 * r.standard_normal((6, 4)), r.uniform(0, 1, (6, 4))
    kw_t, kw_p = {}, {}
    if weighted:
        w = r.uniform(0.5, 2, (6, 1))
        kw_t["weight"], kw_p["weight"] = T(w), P(w)
    if pos_weighted:
        pw = r.uniform(0.5, 3, (4,))
        kw_t["pos_weight"], kw_p["pos_weight"] = T(pw), P(pw)
    compare_fn(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction, **kw_t),
               lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=reduction, **kw_p),
               x, y)


@HYP
@given(n=st.integers(1, 6), c=st.integers(1, 5), seed=st.integers(0, 10**6),
       reduction=st.sampled_from(REDS))
def test_bce_losses_hypothesis(n, c, seed, reduction):
    r = rng(seed)
    z, y = 2 * r.standard_normal((n, c)), r.uniform(0, 1, (n, c))
    compare_fn(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
               lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=reduction), z, y)
    compare_fn(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction),
               lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction), sigmoid(z), y)


# --------------------------------------------------------------------------- cross-entropy
def _targets(r, shape, c, ignore_index=None, frac=0.3):
    t = r.integers(0, c, shape)
    if ignore_index is not None:
        t = np.where(r.uniform(0, 1, shape) < frac, ignore_index, t)
        t.flat[0] = 0  # at least one counted sample
    return t


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [None, -100, 2])
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
def test_cross_entropy_index_targets(reduction, weighted, ignore_index, smoothing):
    r = rng(5)
    x = 2 * r.standard_normal((7, 4))
    t = _targets(r, (7,), 4, ignore_index)
    w = r.uniform(0.2, 2, (4,))
    kw_t = {"reduction": reduction, "label_smoothing": smoothing}
    kw_p = dict(kw_t)
    if weighted:
        kw_t["weight"], kw_p["weight"] = T(w), P(w)
    if ignore_index is not None:
        kw_t["ignore_index"] = kw_p["ignore_index"] = ignore_index
    compare_fn(lambda a, b: F.cross_entropy(a, b, **kw_t),
               lambda a, b: TF.cross_entropy(a, b, **kw_p), x, t)


@pytest.mark.parametrize("shape", [(5,), (3, 5), (2, 5, 3), (2, 5, 3, 2)])
@pytest.mark.parametrize("reduction", REDS)
def test_cross_entropy_input_shapes(shape, reduction):
    r = rng(6)
    x = r.standard_normal(shape)
    tshape = () if len(shape) == 1 else shape[:1] + shape[2:]
    t = _targets(r, tshape, 5, ignore_index=-100 if tshape else None)
    w = r.uniform(0.2, 2, (5,))
    for kw_t, kw_p in [({}, {}), ({"weight": T(w), "label_smoothing": 0.2},
                                 {"weight": P(w), "label_smoothing": 0.2})]:
        compare_fn(lambda a, b: F.cross_entropy(a, b, reduction=reduction, **kw_t),
                   lambda a, b: TF.cross_entropy(a, b, reduction=reduction, **kw_p),
                   x, np.asarray(t))


@pytest.mark.parametrize("shape", [(4,), (6, 4), (2, 4, 3)])
@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_probability_targets(shape, reduction, weighted, smoothing):
    r = rng(7)
    x = 2 * r.standard_normal(shape)
    ax = 0 if len(shape) == 1 else 1
    e = np.exp(r.standard_normal(shape))
    y = e / e.sum(axis=ax, keepdims=True)
    w = r.uniform(0.2, 2, (4,))
    kw_t = {"reduction": reduction, "label_smoothing": smoothing}
    kw_p = dict(kw_t)
    if weighted:
        kw_t["weight"], kw_p["weight"] = T(w), P(w)
    # target requiring grad (compare_fn) and as a constant
    compare_fn(lambda a, b: F.cross_entropy(a, b, **kw_t),
               lambda a, b: TF.cross_entropy(a, b, **kw_p), x, y)
    compare_fn(lambda a: F.cross_entropy(a, T(y), **kw_t),
               lambda a: TF.cross_entropy(a, P(y), **kw_p), x)


@HYP
@given(n=st.integers(1, 8), c=st.integers(1, 6), seed=st.integers(0, 10**6),
       reduction=st.sampled_from(REDS), smoothing=st.sampled_from([0.0, 0.05, 0.5]),
       weighted=st.booleans())
def test_cross_entropy_hypothesis(n, c, seed, reduction, smoothing, weighted):
    r = rng(seed)
    x = 3 * r.standard_normal((n, c))
    t = r.integers(0, c, n)
    w = r.uniform(0.2, 2, (c,))
    kw_t = {"reduction": reduction, "label_smoothing": smoothing}
    kw_p = dict(kw_t)
    if weighted:
        kw_t["weight"], kw_p["weight"] = T(w), P(w)
    compare_fn(lambda a, b: F.cross_entropy(a, b, **kw_t),
               lambda a, b: TF.cross_entropy(a, b, **kw_p), x, t)
    onehot = np.eye(c)[t]
    compare_fn(lambda a: F.cross_entropy(a, T(onehot), **kw_t),
               lambda a: TF.cross_entropy(a, P(onehot), **kw_p), x)


def test_cross_entropy_all_ignored_is_nan_as_torch():
    x = tidu.Tensor(np.zeros((3, 2)), requires_grad=True, dtype=np.float64)
    out = F.cross_entropy(x, tidu.Tensor(np.full(3, -100)))
    ref = TF.cross_entropy(torch.zeros(3, 2, dtype=torch.float64), torch.full((3,), -100))
    assert np.isnan(out.item()) and torch.isnan(ref)
    assert F.cross_entropy(x, tidu.Tensor(np.full(3, -100)), reduction="sum").item() == 0.0


def test_label_smoothing_doc_claim():
    """ε = 0.1, K = 2 turns the target [0, 1] into [0.05, 0.95]."""
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    smoothed = F.cross_entropy(T(x), tidu.Tensor(np.array([1, 1])), label_smoothing=0.1)
    explicit = F.cross_entropy(T(x), T(np.array([[0.05, 0.95], [0.05, 0.95]])))
    np.testing.assert_allclose(smoothed.item(), explicit.item(), rtol=1e-12)
    assert "[0.05, 0.95]" in F.cross_entropy.__doc__


def test_cross_entropy_is_one_fused_node_and_retains_graph():
    x = tidu.Tensor(rng(8).standard_normal((4, 3)), requires_grad=True, dtype=np.float64)
    loss = F.cross_entropy(x, tidu.Tensor(np.array([0, 2, 1, 2])))
    assert loss._parents == (x,)
    loss.backward(retain_graph=True)
    first = x.grad._data.copy()
    x.grad = None
    loss.backward()
    np.testing.assert_allclose(x.grad._data, first)
    # softmax − onehot, over N
    p = np.exp(x._data) / np.exp(x._data).sum(1, keepdims=True)
    np.testing.assert_allclose(first, (p - np.eye(3)[[0, 2, 1, 2]]) / 4)


def test_demo_style_call_with_int_targets():
    tidu.manual_seed(0)
    model = nn.Linear(8, 3)
    x = tidu.Tensor(rng(9).standard_normal((5, 8)))
    loss = F.cross_entropy(model(x), tidu.Tensor(np.array([0, 1, 2, 1, 0])))
    loss.backward()
    assert loss.dtype == np.float32 and model.weight.grad.dtype == np.float32
    # plain NumPy targets work too
    assert np.isclose(F.cross_entropy(model(x), np.array([0, 1, 2, 1, 0])).item(), loss.item())


# --------------------------------------------------------------------------- nll
@pytest.mark.parametrize("shape", [(4,), (6, 4), (2, 4, 3)])
@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_nll_loss(shape, reduction, weighted, ignore_index):
    r = rng(10)
    x = r.standard_normal(shape)
    tshape = () if len(shape) == 1 else shape[:1] + shape[2:]
    t = _targets(r, tshape, 4, ignore_index if tshape else None)
    w = r.uniform(0.2, 2, (4,))
    kw_t = {"reduction": reduction, "ignore_index": ignore_index}
    kw_p = dict(kw_t)
    if weighted:
        kw_t["weight"], kw_p["weight"] = T(w), P(w)
    compare_fn(lambda a, b: F.nll_loss(a, b, **kw_t), lambda a, b: TF.nll_loss(a, b, **kw_p),
               x, np.asarray(t))
    # log_softmax + nll == cross_entropy
    ce = F.cross_entropy(T(x), tidu.Tensor(np.asarray(t)), **kw_t)
    nll = F.nll_loss(F.log_softmax(T(x), dim=0 if len(shape) == 1 else 1),
                     tidu.Tensor(np.asarray(t)), **kw_t)
    np.testing.assert_allclose(ce._data, nll._data, rtol=1e-12)


# --------------------------------------------------------------------------- multi margin
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("margin", [1.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDS)
def test_multi_margin_loss(p, margin, weighted, reduction):
    r = rng(11)
    x = r.standard_normal((7, 4))
    t = r.integers(0, 4, 7)
    w = r.uniform(0.2, 2, (4,))
    kw_t = {"p": p, "margin": margin, "reduction": reduction}
    kw_p = dict(kw_t)
    if weighted:
        kw_t["weight"], kw_p["weight"] = T(w), P(w)
    compare_fn(lambda a, b: F.multi_margin_loss(a, b, **kw_t),
               lambda a, b: TF.multi_margin_loss(a, b, **kw_p), x, t)


@pytest.mark.parametrize("reduction", REDS)
def test_multi_margin_single_sample(reduction):
    r = rng(12)
    x = r.standard_normal(5)
    compare_fn(lambda a, b: F.multi_margin_loss(a, b, reduction=reduction),
               lambda a, b: TF.multi_margin_loss(a, b, reduction=reduction), x, np.asarray(3))


@HYP
@given(n=st.integers(1, 8), c=st.integers(2, 6), seed=st.integers(0, 10**6),
       p=st.sampled_from([1, 2]), reduction=st.sampled_from(REDS))
def test_multi_margin_hypothesis(n, c, seed, p, reduction):
    r = rng(seed)
    x, t = r.standard_normal((n, c)), r.integers(0, c, n)
    compare_fn(lambda a, b: F.multi_margin_loss(a, b, p=p, reduction=reduction),
               lambda a, b: TF.multi_margin_loss(a, b, p=p, reduction=reduction), x, t)


# --------------------------------------------------------------------------- triplet
@pytest.mark.parametrize("p", [1, 2, 3])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", REDS)
def test_triplet_margin_loss(p, swap, reduction):
    r = rng(13)
    a, pos, neg = r.standard_normal((3, 8, 5))
    for margin, eps in [(1.0, 1e-6), (2.0, 1e-3)]:
        compare_fn(lambda *xs: F.triplet_margin_loss(*xs, margin=margin, p=p, eps=eps, swap=swap,
                                                     reduction=reduction),
                   lambda *xs: TF.triplet_margin_loss(*xs, margin=margin, p=p, eps=eps, swap=swap,
                                                      reduction=reduction), a, pos, neg)


@pytest.mark.parametrize("reduction", REDS)
def test_triplet_single_triplet(reduction):
    a, pos, neg = rng(14).standard_normal((3, 6))
    compare_fn(lambda *xs: F.triplet_margin_loss(*xs, swap=True, reduction=reduction),
               lambda *xs: TF.triplet_margin_loss(*xs, swap=True, reduction=reduction), a, pos, neg)


def test_triplet_swap_changes_the_loss():
    a = np.array([[0.0, 0.0]])
    pos = np.array([[1.0, 0.0]])
    neg = np.array([[1.2, 0.0]])  # closer to the positive than to the anchor
    plain = F.triplet_margin_loss(T(a), T(pos), T(neg), reduction="none", eps=0.0).item()
    swapped = F.triplet_margin_loss(T(a), T(pos), T(neg), reduction="none", eps=0.0,
                                    swap=True).item()
    np.testing.assert_allclose([plain, swapped], [1.0 - 1.2 + 1.0, 1.0 - 0.2 + 1.0])


@HYP
@given(n=st.integers(1, 6), d=st.integers(1, 5), seed=st.integers(0, 10**6),
       p=st.sampled_from([1, 2]), swap=st.booleans(), reduction=st.sampled_from(REDS))
def test_triplet_hypothesis(n, d, seed, p, swap, reduction):
    a, pos, neg = rng(seed).standard_normal((3, n, d))
    compare_fn(lambda *xs: F.triplet_margin_loss(*xs, p=p, swap=swap, reduction=reduction),
               lambda *xs: TF.triplet_margin_loss(*xs, p=p, swap=swap, reduction=reduction),
               a, pos, neg)


# --------------------------------------------------------------------------- finite differences
def test_finite_differences():
    r = rng(15)
    x, y = r.standard_normal((3, 4)), r.standard_normal((3, 4))
    t = np.array([0, 3, 2])
    w = r.uniform(0.5, 2, (4,))
    probs = sigmoid(x)
    soft = np.exp(y) / np.exp(y).sum(1, keepdims=True)
    finite_difference_check(lambda a, b: F.mse_loss(a, b), x, y)
    finite_difference_check(lambda a, b: F.l1_loss(a, b, reduction="none"), x, y + 0.01)
    finite_difference_check(lambda a, b: F.huber_loss(a, b, delta=0.7), 2 * x, y)
    finite_difference_check(lambda a, b: F.binary_cross_entropy(a, b, weight=T(w)), probs,
                            sigmoid(y))
    finite_difference_check(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, weight=T(w), pos_weight=T(w[::-1].copy())), 3 * x, sigmoid(y))
    finite_difference_check(lambda a, b: F.cross_entropy(a, b, weight=T(w), label_smoothing=0.2),
                            x, t)
    finite_difference_check(lambda a, b: F.cross_entropy(a, b, weight=T(w), label_smoothing=0.2,
                                                          reduction="none"), x, soft)
    finite_difference_check(lambda a, b: F.cross_entropy(a, b, ignore_index=3), x, t)
    finite_difference_check(lambda a, b: F.nll_loss(a, b, weight=T(w)), x, t)
    finite_difference_check(lambda a, b: F.multi_margin_loss(a, b, p=2, weight=T(w)), x, t)
    finite_difference_check(lambda a, b, c: F.triplet_margin_loss(a, b, c, p=3, swap=True),
                            x, y, r.standard_normal((3, 4)))


# --------------------------------------------------------------------------- stability
def test_cross_entropy_stable_at_huge_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]])
    t = np.array([1, 2, 0])
    for kw in [{}, {"label_smoothing": 0.1}, {"weight": np.array([1.0, 2.0, 0.5])}]:
        kw_t = {k: (T(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        kw_p = {k: (P(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        for red in REDS:
            out = compare_fn(lambda a, b: F.cross_entropy(a, b, reduction=red, **kw_t),
                             lambda a, b: TF.cross_entropy(a, b, reduction=red, **kw_p), x, t)
            assert np.isfinite(out._data).all()
    onehot = np.eye(3)[t]
    compare_fn(lambda a: F.cross_entropy(a, T(onehot), label_smoothing=0.1),
               lambda a: TF.cross_entropy(a, P(onehot), label_smoothing=0.1), x)
    # float32 too, value and gradient finite
    x32 = tidu.Tensor(x.astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(x32, tidu.Tensor(t), label_smoothing=0.1)
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x32.grad._data).all()
    np.testing.assert_allclose(loss.item(), TF.cross_entropy(torch.tensor(x, dtype=torch.float32),
                               torch.tensor(t), label_smoothing=0.1).item(), rtol=1e-5)


def test_bce_with_logits_stable_at_huge_logits():
    x = np.array([1e4, -1e4, 1e4, -1e4, 50.0, -50.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.3, 0.7])
    pw = np.full(6, 2.0)
    for red in REDS:
        out = compare_fn(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=red),
                         lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction=red),
                         x, y)
        assert np.isfinite(out._data).all()
        compare_fn(lambda a: F.binary_cross_entropy_with_logits(a, T(y), pos_weight=T(pw),
                                                                reduction=red),
                   lambda a: TF.binary_cross_entropy_with_logits(a, P(y), pos_weight=P(pw),
                                                                 reduction=red), x)
    loss = F.binary_cross_entropy_with_logits(T(x), T(y), reduction="none")._data
    np.testing.assert_allclose(loss[:4], [0.0, 0.0, 1e4, 1e4])


def test_margin_losses_at_huge_values():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    t = np.array([1, 2])
    for p in (1, 2):
        out = compare_fn(lambda a, b: F.multi_margin_loss(a, b, p=p),
                         lambda a, b: TF.multi_margin_loss(a, b, p=p), x, t)
        assert np.isfinite(out._data).all()
    out = compare_fn(lambda *xs: F.triplet_margin_loss(*xs),
                     lambda *xs: TF.triplet_margin_loss(*xs),
                     x, -x, x * 0.5)
    assert np.isfinite(out._data).all()


# --------------------------------------------------------------------------- modules
def test_modules_match_torch():
    r = rng(16)
    x, y = r.standard_normal((5, 3)), r.standard_normal((5, 3))
    t = r.integers(0, 3, 5)
    w = r.uniform(0.5, 2, (3,))
    cases = [
        (nn.MSELoss(), torch.nn.MSELoss(), (x, y)),
        (nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum"), (x, y)),
        (nn.HuberLoss(reduction="none", delta=0.5), torch.nn.HuberLoss(reduction="none", delta=0.5),
         (x, y)),
        (nn.BCELoss(weight=w), torch.nn.BCELoss(weight=P(w)), (sigmoid(x), sigmoid(y))),
        (nn.BCEWithLogitsLoss(weight=w, pos_weight=w[::-1].copy(), reduction="sum"),
         torch.nn.BCEWithLogitsLoss(weight=P(w), pos_weight=P(w[::-1].copy()), reduction="sum"),
         (x, sigmoid(y))),
        (nn.CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(weight=P(w), ignore_index=1, label_smoothing=0.1), (x, t)),
        (nn.NLLLoss(weight=w, reduction="none"), torch.nn.NLLLoss(weight=P(w), reduction="none"),
         (x, t)),
        (nn.MultiMarginLoss(p=2, margin=0.5, weight=w),
         torch.nn.MultiMarginLoss(p=2, margin=0.5, weight=P(w)), (x, t)),
        (nn.TripletMarginLoss(margin=0.5, p=1, swap=True),
         torch.nn.TripletMarginLoss(margin=0.5, p=1, swap=True), (x, y, x[::-1].copy())),
    ]
    for mine, ref, inputs in cases:
        assert sorted(mine.state_dict()) == sorted(ref.state_dict()), type(mine).__name__
        compare_module(mine, ref, *inputs)


def test_module_legacy_reduction_args_and_repr():
    assert nn.MSELoss(size_average=False).reduction == "sum"
    assert nn.L1Loss(reduce=False).reduction == "none"
    assert nn.CrossEntropyLoss(size_average=True, reduce=True).reduction == "mean"
    assert "label_smoothing=0.1" in repr(nn.CrossEntropyLoss(label_smoothing=0.1))
    assert "delta=2.0" in repr(nn.HuberLoss(delta=2.0))


# --------------------------------------------------------------------------- errors
def _f32(*shape):
    return tidu.Tensor(np.zeros(shape, dtype=np.float32))


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy,
                                F.binary_cross_entropy_with_logits])
def test_elementwise_losses_do_not_broadcast(fn):
    with pytest.raises(ShapeError) as e:
        fn(_f32(4, 1), _f32(4))
    msg = str(e.value)
    assert fn.__name__ in msg and "(4, 1)" in msg and "(4,)" in msg


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy,
                                F.binary_cross_entropy_with_logits])
def test_elementwise_losses_reject_int_targets(fn):
    with pytest.raises(DTypeError) as e:
        fn(_f32(4), tidu.Tensor(np.array([0, 1, 1, 0])))
    assert fn.__name__ in str(e.value) and "int64" in str(e.value)


def test_mixed_float_dtypes_rejected():
    with pytest.raises(DTypeError, match="float64"):
        F.mse_loss(_f32(3), tidu.Tensor(np.zeros(3), dtype=np.float64))


def test_cross_entropy_target_dtype_errors():
    logits = _f32(4, 3)
    with pytest.raises(DTypeError) as e:   # float targets where class indices are needed
        F.cross_entropy(logits, tidu.Tensor(np.array([0.0, 1.0, 2.0, 1.0])))
    assert "cross_entropy" in str(e.value) and "class indices" in str(e.value)
    assert "float32" in str(e.value)
    with pytest.raises(DTypeError) as e:   # int targets where probabilities are needed
        F.cross_entropy(logits, tidu.Tensor(np.eye(3, dtype=np.int64)[[0, 1, 2, 0]]))
    assert "probabilities" in str(e.value) and "int64" in str(e.value)
    with pytest.raises(DTypeError, match="nll_loss.*integer"):
        F.nll_loss(logits, tidu.Tensor(np.zeros(4)))
    with pytest.raises(DTypeError, match="multi_margin_loss.*integer"):
        F.multi_margin_loss(logits, tidu.Tensor(np.zeros(4)))


def test_cross_entropy_target_shape_error():
    with pytest.raises(ShapeError) as e:
        F.cross_entropy(_f32(4, 3), tidu.Tensor(np.zeros((4, 1), dtype=np.int64)))
    msg = str(e.value)
    assert "cross_entropy" in msg and "(4, 3)" in msg and "(4,)" in msg and "(4, 1)" in msg
    with pytest.raises(ShapeError, match=r"nll_loss.*\(5,\)"):
        F.nll_loss(_f32(4, 3), tidu.Tensor(np.zeros(5, dtype=np.int64)))
    with pytest.raises(ShapeError, match="cross_entropy.*scalar"):
        F.cross_entropy(_f32(), tidu.Tensor(np.array(0)))


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss, F.multi_margin_loss])
@pytest.mark.parametrize("label", [3, 7, -1])
def test_out_of_range_labels(fn, label):
    t = tidu.Tensor(np.array([0, label, 1, 2]))
    with pytest.raises(tidu.IndexRangeError) as e:
        fn(_f32(4, 3), t)
    msg = str(e.value)
    assert fn.__name__ in msg and f"label {label}" in msg and "0…2" in msg


def test_ignore_index_is_not_out_of_range():
    # uniform logits: each counted sample contributes log 3
    out = F.cross_entropy(_f32(4, 3), tidu.Tensor(np.array([0, -100, 1, 2])), reduction="sum")
    np.testing.assert_allclose(out.item(), 3 * np.log(3), rtol=1e-6)
    out = F.nll_loss(_f32(4, 3) - 1.0, tidu.Tensor(np.array([0, 5, 1, 2])), ignore_index=5,
                     reduction="sum")
    assert out.item() == 3.0
    t = tidu.Tensor(np.array([0, -100, 1, 7]))
    with pytest.raises(tidu.IndexRangeError, match="label -100"):
        F.cross_entropy(_f32(4, 3), t, ignore_index=7)


@pytest.mark.parametrize("call", [
    lambda: F.mse_loss(_f32(2), _f32(2), reduction="avg"),
    lambda: F.cross_entropy(_f32(2, 2), tidu.Tensor(np.array([0, 1])), reduction="max"),
    lambda: F.triplet_margin_loss(_f32(2, 2), _f32(2, 2), _f32(2, 2), reduction="elementwise"),
    lambda: nn.BCELoss(reduction="batchmean"),
])
def test_bad_reduction(call):
    with pytest.raises(ValueError, match="reduction must be 'none', 'mean' or 'sum'"):
        call()


def test_other_errors():
    with pytest.raises(ShapeError, match=r"cross_entropy: weight must have shape \(3,\)"):
        F.cross_entropy(_f32(4, 3), tidu.Tensor(np.zeros(4, dtype=np.int64)),
                        weight=tidu.Tensor(np.ones(4, dtype=np.float32)))
    with pytest.raises(ValueError, match="multi_margin_loss: p must be 1 or 2"):
        F.multi_margin_loss(_f32(4, 3), tidu.Tensor(np.zeros(4, dtype=np.int64)), p=3)
    with pytest.raises(ShapeError, match=r"triplet_margin_loss.*\(4, 3\), \(4, 3\) and \(4, 2\)"):
        F.triplet_margin_loss(_f32(4, 3), _f32(4, 3), _f32(4, 2))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must hold probabilities"):
        F.binary_cross_entropy(tidu.Tensor(np.array([0.5, 1.5])), _f32(2))
    with pytest.raises(ShapeError, match="pos_weight"):
        F.binary_cross_entropy_with_logits(_f32(4, 3), _f32(4, 3),
                                           pos_weight=tidu.Tensor(np.ones(4, dtype=np.float32)))
    with pytest.raises(DTypeError, match="mse_loss: input must be a float tensor"):
        F.mse_loss(tidu.Tensor(np.array([1, 2])), _f32(2))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(_f32(2, 2), tidu.Tensor(np.array([0, 1])), label_smoothing=1.5)
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        F.huber_loss(_f32(2), _f32(2), delta=0.0)


# --------------------------------------------------------------------------- dtype
def test_float32_kept_everywhere():
    r = rng(17)
    x = r.standard_normal((4, 3)).astype(np.float32)
    y = r.uniform(0.1, 0.9, (4, 3)).astype(np.float32)
    t = np.array([0, 2, 1, 2])
    w = r.uniform(0.5, 2, 3).astype(np.float32)
    calls = [
        lambda a: F.mse_loss(a, tidu.Tensor(y)),
        lambda a: F.l1_loss(a, tidu.Tensor(y), reduction="sum"),
        lambda a: F.huber_loss(a, tidu.Tensor(y), reduction="none"),
        lambda a: F.binary_cross_entropy(F.sigmoid(a), tidu.Tensor(y), weight=tidu.Tensor(w)),
        lambda a: F.binary_cross_entropy_with_logits(a, tidu.Tensor(y), pos_weight=w),
        lambda a: F.cross_entropy(a, tidu.Tensor(t), weight=w, label_smoothing=0.1),
        lambda a: F.cross_entropy(a, tidu.Tensor(y), reduction="none"),
        lambda a: F.cross_entropy(a, y),  # a plain NumPy probability target
        lambda a: F.nll_loss(a, tidu.Tensor(t), weight=tidu.Tensor(w)),
        lambda a: F.multi_margin_loss(a, tidu.Tensor(t), p=2, weight=tidu.Tensor(w)),
        lambda a: F.triplet_margin_loss(a, a * 0.5, tidu.Tensor(y), p=3, swap=True),
    ]
    for i, call in enumerate(calls):
        a = tidu.Tensor(x, requires_grad=True)
        out = call(a)
        assert out.dtype == np.float32, (i, out.dtype)
        out.sum().backward()
        assert a.grad.dtype == np.float32, (i, a.grad.dtype)
    # a float64 NumPy target is cast to the input's dtype, not the other way round
    out = F.mse_loss(tidu.Tensor(x), y.astype(np.float64))
    assert out.dtype == np.float32
    # float64 stays float64
    out = F.cross_entropy(tidu.Tensor(x.astype(np.float64), dtype=np.float64), tidu.Tensor(t))
    assert out.dtype == np.float64
