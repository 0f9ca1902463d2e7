"""Regularization: penalties (values and gradients vs PyTorch and finite differences), the
parameter selection, max-norm (vs torch.renorm), proximal L1 (vs scikit-learn's Lasso), and
the fit callbacks built on them."""
import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet, Lasso

import tidu
from tidu import nn
from tidu.nn import functional as F
from tidu.regularization import (elastic_net_penalty, l1_penalty, l2_penalty, max_norm_,
                                 named_regularized_parameters, proximal_l1_,
                                 regularized_parameters)
from tidu.train import LambdaCallback, MaxNorm, ProximalL1, Regularizer, fit

from .oracle import compare_fn, finite_difference_check


@pytest.fixture
def float64():
    previous = tidu.get_default_dtype()
    tidu.set_default_dtype(np.float64)
    yield
    tidu.set_default_dtype(previous)


def _arrays(seed=0, zeros=True):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal((2, 2, 3))]
    if zeros:
        arrays[0][1, 2] = 0.0  # the L1 subgradient at 0 must be 0, as torch.abs's
        arrays[2][0, 1, 1] = 0.0
    return arrays


# --------------------------------------------------------------------------- penalties
TORCH_PENALTIES = {
    "l1": (lambda ts: l1_penalty(ts), lambda ts: sum(t.abs().sum() for t in ts)),
    "l2": (lambda ts: l2_penalty(ts), lambda ts: sum(0.5 * (t * t).sum() for t in ts)),
    "elastic_net": (lambda ts: elastic_net_penalty(ts, l1_ratio=0.3),
                    lambda ts: sum(0.3 * t.abs().sum() + 0.5 * 0.7 * (t * t).sum() for t in ts)),
}


@pytest.mark.parametrize("kind", sorted(TORCH_PENALTIES))
def test_penalty_value_and_gradients_equal_torch(kind):
    ours, theirs = TORCH_PENALTIES[kind]
    compare_fn(lambda *ts: ours(list(ts)), lambda *ts: theirs(list(ts)), *_arrays(),
               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", sorted(TORCH_PENALTIES))
def test_penalty_gradients_match_finite_differences(kind):
    ours, _ = TORCH_PENALTIES[kind]
    finite_difference_check(lambda *ts: ours(list(ts)), *_arrays(seed=1, zeros=False))


def test_penalty_values_by_formula_and_dtype():
    w = [tidu.Tensor(np.array([[1.0, -2.0], [0.0, 3.0]], dtype=np.float32), requires_grad=True),
         tidu.Tensor(np.array([-0.5], dtype=np.float32), requires_grad=True)]
    assert l1_penalty(w).item() == pytest.approx(6.5)
    assert l2_penalty(w).item() == pytest.approx(0.5 * 14.25)
    assert elastic_net_penalty(w, 0.25).item() == pytest.approx(0.25 * 6.5 + 0.75 * 0.5 * 14.25)
    assert elastic_net_penalty(w, 1.0).item() == pytest.approx(l1_penalty(w).item())
    assert elastic_net_penalty(w, 0.0).item() == pytest.approx(l2_penalty(w).item())
    for penalty in (l1_penalty(w), l2_penalty(w), elastic_net_penalty(w)):
        assert penalty.dtype == np.float32 and penalty.requires_grad
    (l1_penalty(w) * 2.0).backward()
    np.testing.assert_array_equal(w[0].grad._data, [[2.0, -2.0], [0.0, 2.0]])
    assert w[0].grad.dtype == np.float32


def test_elastic_net_penalty_is_sklearns():
    """λ·elastic_net_penalty + mean-squared error / 2 is ElasticNet's objective at its optimum:
    its gradient in the weights vanishes there (where the weights are nonzero)."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 6))
    y = X @ np.array([1.5, 0.0, -2.0, 0.0, 0.3, 0.0]) + 0.1 * rng.standard_normal(80)
    alpha, rho = 0.1, 0.6
    est = ElasticNet(alpha=alpha, l1_ratio=rho, tol=1e-14, max_iter=100_000).fit(X, y)
    w = tidu.Tensor(est.coef_.copy(), requires_grad=True, dtype=np.float64)
    X_t, y_t = tidu.Tensor(X, dtype=np.float64), tidu.Tensor(y, dtype=np.float64)
    residual = X_t @ w + est.intercept_ - y_t
    objective = (residual * residual).sum() * (0.5 / len(y)) + elastic_net_penalty([w], rho) * alpha
    objective.backward()
    nonzero = est.coef_ != 0
    assert nonzero.sum() >= 2
    np.testing.assert_allclose(w.grad._data[nonzero], 0, atol=1e-8)


def test_penalty_of_a_module_uses_its_weights_only():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    expected = sum(np.abs(model[i].weight._data).sum() for i in (0, 2))
    assert l1_penalty(model).item() == pytest.approx(expected, rel=1e-6)


def test_empty_parameter_list_gives_zero():
    assert l2_penalty([]).item() == 0.0


# --------------------------------------------------------------------------- selection
def _mixed_model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 8, bias=False),
                         nn.LayerNorm(8), nn.Linear(8, 3))


def test_regularized_parameters_exclude_biases_and_normalization():
    model = _mixed_model()
    names = [n for n, _ in named_regularized_parameters(model)]
    assert names == ["0.weight", "3.weight", "5.weight"]
    with_bias = [n for n, _ in named_regularized_parameters(model, include_bias=True)]
    assert with_bias == ["0.weight", "0.bias", "3.weight", "5.weight", "5.bias"]
    with_norm = [n for n, _ in named_regularized_parameters(model, include_norm=True)]
    assert with_norm == ["0.weight", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias",
                         "5.weight"]
    everything = named_regularized_parameters(model, include_bias=True, include_norm=True)
    assert [n for n, _ in everything] == [n for n, _ in model.named_parameters()]
    params = regularized_parameters(model)
    assert params[0] is model[0].weight and all(isinstance(p, nn.Parameter) for p in params)


def test_rnn_biases_are_biases():
    rnn = nn.LSTM(3, 4)
    names = [n for n, _ in named_regularized_parameters(rnn)]
    assert names == ["weight_ih_l0", "weight_hh_l0"]


def test_frozen_parameters_are_left_out():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model[0].weight.requires_grad = False
    assert [n for n, _ in named_regularized_parameters(model)] == ["1.weight"]


# --------------------------------------------------------------------------- max-norm
@pytest.mark.parametrize("shape,dim", [((6, 5), 0), ((6, 5), 1), ((4, 3, 2, 2), 0),
                                       ((4, 3, 2, 2), 1), ((4, 3, 2, 2), -1), ((7,), 0)])
def test_max_norm_equals_torch_renorm(shape, dim):
    rng = np.random.default_rng(4)
    w = rng.standard_normal(shape) * rng.uniform(0.2, 2.0, size=shape)
    c = 1.1
    as_2d = w.reshape(-1, 1) if w.ndim == 1 else w  # torch.renorm wants ≥ 2 dimensions
    expected = torch.renorm(torch.from_numpy(as_2d), p=2, dim=dim, maxnorm=c).numpy()
    expected = expected.reshape(shape)
    t = tidu.Tensor(w.copy(), dtype=np.float64)
    data = t._data
    max_norm_([t], c, dim=dim)
    assert t._data is data  # in place
    np.testing.assert_allclose(t._data, expected, rtol=1e-14, atol=0)
    assert not np.array_equal(t._data, w)  # some slice was over the limit


def test_max_norm_whole_tensor_and_untouched_slices():
    w = tidu.Tensor(np.array([[3.0, 4.0], [0.3, 0.4]]), dtype=np.float64)
    max_norm_([w], 1.0, dim=0)
    np.testing.assert_allclose(w._data[0], np.array([3.0, 4.0]) / (5 + 1e-7), rtol=1e-15)
    np.testing.assert_array_equal(w._data[1], [0.3, 0.4])  # norm 0.5 ≤ 1: bit-for-bit unchanged
    v = tidu.Tensor(np.array([[3.0, 4.0], [0.0, 0.0]]), dtype=np.float64)
    max_norm_([v], 2.0, dim=None)
    assert np.linalg.norm(v._data) == pytest.approx(2.0, rel=1e-7)


# --------------------------------------------------------------------------- proximal L1
def test_proximal_l1_soft_thresholds_in_place():
    w0 = np.array([[-0.30, -0.05, 0.0], [0.04, 0.10, 2.0]])
    t = tidu.Tensor(w0.copy(), dtype=np.float64)
    data = t._data
    proximal_l1_([t], lr=0.5, lam=0.1)  # threshold 0.05
    assert t._data is data
    np.testing.assert_allclose(t._data, np.sign(w0) * np.maximum(np.abs(w0) - 0.05, 0), rtol=1e-15)
    zero = t._data == 0
    assert zero.sum() == 3 and not np.signbit(t._data[zero]).any()  # exact +0.0


def test_proximal_l1_float32_and_noop():
    t = tidu.Tensor(np.array([0.5, -0.5], dtype=np.float32))
    proximal_l1_([t], lr=0.0, lam=1.0)
    np.testing.assert_array_equal(t._data, [0.5, -0.5])
    proximal_l1_([t], lr=1.0, lam=0.25)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t._data, [0.25, -0.25])


def test_fit_with_proximal_l1_is_the_lasso(float64):
    """Full-batch SGD + ProximalL1(λ) on the mean squared error is ISTA on
    (1/n)‖y − Xw − b‖² + λ‖w‖₁, i.e. scikit-learn's Lasso with α = λ/2 (its loss is
    1/(2n)‖·‖²) and an unpenalized intercept."""
    X, y, _ = tidu.data.make_teacher_student(n_samples=100, n_features=20, noise_sigma=0.1,
                                             sparse=0.6, seed=0)
    lam = 0.1
    tidu.manual_seed(0)
    model = nn.Linear(20, 1)
    fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.2), (X, y), epochs=1500,
        batch_size=None, callbacks=[ProximalL1(lam)], verbose=0)
    lasso = Lasso(alpha=lam / 2, tol=1e-14, max_iter=100_000).fit(X, y.ravel())
    np.testing.assert_allclose(model.weight._data.ravel(), lasso.coef_, atol=1e-10)
    np.testing.assert_allclose(model.bias._data, [lasso.intercept_], atol=1e-10)
    np.testing.assert_array_equal(model.weight._data.ravel() == 0, lasso.coef_ == 0)


def test_sparse_teacher_proximal_l1_gives_zeros_l2_none():
    X, y, teacher = tidu.data.make_teacher_student(n_samples=400, n_features=40,
                                                   noise_sigma=0.1, sparse=0.75, seed=1)
    weights = {}
    for kind, callback in (("prox", ProximalL1(0.1)), ("l2", Regularizer("l2", lam=0.1))):
        tidu.manual_seed(0)
        model = nn.Linear(40, 1)
        history = fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.05), (X, y),
                      epochs=60, batch_size=32, callbacks=[callback], verbose=0, seed=0)
        assert history["loss"][-1] < 0.1
        weights[kind] = model.weight._data.ravel()
    zeros = weights["prox"] == 0
    assert zeros.mean() >= 0.5
    assert not zeros[teacher.support].any()  # the informative features survive
    assert zeros[~teacher.support].mean() >= 0.8
    assert np.count_nonzero(weights["l2"] == 0) == 0


# --------------------------------------------------------------------------- callbacks
def test_l2_regularizer_is_sgd_weight_decay(float64):
    """λ·½‖w‖² in the loss with SGD takes PyTorch's weight_decay=λ step (weights only)."""
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((64, 5)), rng.integers(0, 3, 64)
    results = []
    for use_regularizer in (True, False):
        tidu.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))
        weights = regularized_parameters(model)
        biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
        if use_regularizer:
            opt = tidu.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            callbacks = [Regularizer("l2", lam=0.01)]
        else:
            opt = tidu.optim.SGD([{"params": weights, "weight_decay": 0.01},
                                  {"params": biases}], lr=0.1, momentum=0.9)
            callbacks = []
        history = fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=5, batch_size=16,
                      callbacks=callbacks, verbose=0, seed=3)
        results.append((model.state_dict(), history))
    (a, ha), (b, hb) = results
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-14, err_msg=key)
    np.testing.assert_allclose(ha["loss"], hb["loss"], rtol=1e-12)  # loss excludes the penalty
    assert "l2_penalty" in ha and "l2_penalty" not in hb


def test_regularizer_penalty_names_and_logged_values():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((30, 4)).astype(np.float32), rng.standard_normal((30, 1))
    tidu.manual_seed(0)
    model = nn.Linear(4, 1)
    initial_l1 = float(np.abs(model.weight._data).sum())
    batches = []

    def abs_sum(params):
        return l1_penalty(params)

    history = fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.01), (X, y),
                  epochs=1, batch_size=8, verbose=0,
                  callbacks=[Regularizer("elastic_net", lam=0.1, l1_ratio=0.5),
                             Regularizer(abs_sum, lam=0.2, name="my_l1"),
                             LambdaCallback(on_batch_end=lambda b, logs: batches.append(
                                 dict(logs)))])
    assert {"elastic_net_penalty", "my_l1", "loss"} <= set(history.history)
    assert batches[0]["my_l1"] == pytest.approx(0.2 * initial_l1, rel=1e-6)
    sizes = np.array([b["size"] for b in batches])
    assert sizes.tolist() == [8, 8, 8, 6]
    for key in ("my_l1", "elastic_net_penalty", "loss"):  # epoch value: batch-size-weighted mean
        values = np.array([b[key] for b in batches])
        assert history[key][0] == pytest.approx((values * sizes).sum() / sizes.sum(), rel=1e-12)


def test_max_norm_callback_keeps_incoming_norms_bounded():
    rng = np.random.default_rng(7)
    X, y = rng.standard_normal((64, 6)).astype(np.float32), rng.integers(0, 2, 64)
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
    fit(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=2.0), (X, y),
        epochs=5, batch_size=8, callbacks=[MaxNorm(0.5)], verbose=0)
    for layer in (model[0], model[2]):
        norms = np.linalg.norm(layer.weight._data, axis=1)
        assert norms.max() <= 0.5 + 1e-6
    assert np.linalg.norm(model[0].weight._data, axis=1).max() > 0.45  # it was active


def test_proximal_l1_uses_each_groups_learning_rate():
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    for layer in model:
        layer.bias._data[...] = 0  # zero inputs, biases and targets: zero gradients, pure prox
    w0 = [model[0].weight._data.copy(), model[1].weight._data.copy()]
    opt = tidu.optim.SGD([{"params": [model[0].weight], "lr": 0.0},
                          {"params": [model[1].weight], "lr": 0.0, "momentum": 0.0},
                          {"params": [model[0].bias, model[1].bias]}], lr=0.0)
    X, y = np.zeros((4, 3), np.float32), np.zeros((4, 3), np.float32)
    cb = ProximalL1(lam=1.0)
    fit(model, F.mse_loss, opt, (X, y), epochs=1, batch_size=None, callbacks=[cb], verbose=0)
    np.testing.assert_array_equal(model[0].weight._data, w0[0])  # lr 0: no shrinkage
    opt.param_groups[1]["lr"] = 0.1
    fit(model, F.mse_loss, opt, (X, y), epochs=1, batch_size=None, callbacks=[cb], verbose=0)
    np.testing.assert_array_equal(model[0].weight._data, w0[0])
    expected = np.sign(w0[1]) * np.maximum(np.abs(w0[1]) - 0.1, 0)
    np.testing.assert_allclose(model[1].weight._data, expected, rtol=1e-6, atol=1e-7)


# --------------------------------------------------------------------------- errors
def test_bad_arguments_raise_clear_errors():
    w = tidu.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="l1_ratio"):
        elastic_net_penalty([w], l1_ratio=1.5)
    with pytest.raises(TypeError, match=r"l2_penalty: params\[0\] must be a tidu Tensor"):
        l2_penalty([np.ones(3)])
    with pytest.raises(TypeError, match="l1_penalty: params must be an iterable"):
        l1_penalty(3.0)
    with pytest.raises(ValueError, match=r"max_norm_: max_norm must be in \(0, inf\), got 0"):
        max_norm_([w], 0)
    with pytest.raises(ValueError, match=r"max_norm_: dim must be None or an axis"):
        max_norm_([tidu.Tensor(np.ones((2, 2)))], 1.0, dim=2)
    with pytest.raises(ValueError, match=r"proximal_l1_: lam must be in \[0, inf\), got -1"):
        proximal_l1_([w], lr=0.1, lam=-1)
    with pytest.raises(ValueError, match="Regularizer: penalty must be one of"):
        Regularizer("l3")
    with pytest.raises(ValueError, match="Regularizer: lam must be finite, got nan"):
        Regularizer("l2", lam=float("nan"))
    with pytest.raises(TypeError, match="regularized_parameters: expected a tidu.nn.Module"):
        regularized_parameters([w])


def test_regularizer_names_must_not_clash():
    model = nn.Linear(2, 1)
    X, y = np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)
    for callbacks in ([Regularizer("l2"), Regularizer("l2")], [Regularizer("l1", name="loss")]):
        with pytest.raises(ValueError, match="two logged values would be named"):
            fit(model, F.mse_loss, tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
                callbacks=callbacks, verbose=0)


def test_proximal_l1_refuses_parameters_outside_the_optimizer():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    opt = tidu.optim.SGD(model[1].parameters(), lr=0.1)
    X, y = np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)
    with pytest.raises(ValueError, match="ProximalL1: parameter '0.weight' is not optimized"):
        fit(model, F.mse_loss, opt, (X, y), callbacks=[ProximalL1(0.1)], verbose=0)
