"""sharpness against the exact Hessian (analytic for least squares, PyTorch's autograd
Hessian for a small MLP), the parameters left bit for bit, stability_limit against the
divergence of the optimizer's own steps, and SharpnessTracker in fit (resume included)."""
import doctest
import math

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.backend import to_numpy
from tidu.diagnose.sharpness import SharpnessTracker, sharpness, stability_limit
from tidu.errors import ArgumentError


def _least_squares(seed=0, n=12, d=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.array([1.0, 2.0, 0.5])
    return X, rng.standard_normal((n, 1))


def _weights(model):
    return [(p._data, p._data.copy(), p.grad) for p in model.parameters()]


def _assert_untouched(model, saved, training):
    for p, (array, copy, grad) in zip(model.parameters(), saved):
        assert p._data is array and p._data.dtype == copy.dtype
        assert np.array_equal(to_numpy(p._data), to_numpy(copy))
        assert p.grad is grad
    assert model.training == training


# --------------------------------------------------------------------------- exact Hessians
def test_least_squares_equals_the_analytic_hessian():
    X, y = _least_squares()
    model = nn.Linear(3, 1)  # float32 weights: computed in float64 all the same
    A = np.hstack([X, np.ones((len(X), 1))])
    H = 2 / len(X) * A.T @ A  # MSELoss (mean) of [X 1]·[w; b]
    evals, evecs = np.linalg.eigh(H)
    saved = _weights(model)
    result = sharpness(model, nn.MSELoss(), (X, y), iters=500, tol=1e-12)
    assert result.converged and result.iterations < 500
    np.testing.assert_allclose(result.value, evals[-1], rtol=1e-7)
    assert abs(abs(result.vector @ evecs[:, -1]) - 1) < 1e-6  # weight then bias order
    _assert_untouched(model, saved, training=True)


def test_negative_dominant_eigenvalue_is_shifted_to_the_top_algebraic_one():
    # loss = mse(X·w₁, y₁) − 3·mse(X·w₂, y₂): H = diag(A, −3A), A = 2/N·XᵀX, so the eigenvalue
    # of largest magnitude is −3·λmax(A) and the largest algebraic one is λmax(A)
    X, y = _least_squares(1)
    y2 = np.hstack([y, -y])

    def loss_fn(out, target):
        d = out - tidu.Tensor(target, dtype=out.dtype)
        return (d[:, 0] * d[:, 0]).mean() - 3.0 * (d[:, 1] * d[:, 1]).mean()

    model = nn.Linear(3, 2, bias=False)
    A = 2 / len(X) * X.T @ X
    top = np.linalg.eigvalsh(A)[-1]
    result = sharpness(model, loss_fn, (X, y2), iters=500, tol=1e-12)
    assert result.converged
    np.testing.assert_allclose(result.value, top, rtol=1e-7)
    # the first phase alone would have found −3·top: that the answer is positive shows the shift
    assert result.value > 0 and result.iterations > 2


def _torch_mlp_loss(model, X, y):
    """The same MLP as a torch function of its flat parameters, in model.parameters() order."""
    shapes = [tuple(p.shape) for p in model.parameters()]
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def f(theta):
        parts, start = [], 0
        for s in shapes:
            size = int(np.prod(s))
            parts.append(theta[start:start + size].reshape(s))
            start += size
        w1, b1, w2, b2 = parts
        out = torch.tanh(Xt @ w1.T + b1) @ w2.T + b2
        return ((out - yt) ** 2).mean()

    return f


def test_mlp_equals_the_top_eigenvalue_of_torch_autograd_hessian():
    tidu.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    theta = np.concatenate([to_numpy(p._data).astype(np.float64).ravel()
                            for p in model.parameters()])
    H = torch.autograd.functional.hessian(_torch_mlp_loss(model, X, y),
                                          torch.from_numpy(theta)).numpy()
    evals, evecs = np.linalg.eigh(H)
    saved = _weights(model)
    model.eval()
    result = sharpness(model, nn.MSELoss(), (X, y), iters=1000, tol=1e-12)
    assert result.converged
    np.testing.assert_allclose(result.value, evals[-1], rtol=1e-5)
    assert abs(abs(result.vector @ evecs[:, -1]) - 1) < 1e-4
    _assert_untouched(model, saved, training=False)
    # the default (20 products, tol 1e-3) is a cheap estimate of the same number
    rough = sharpness(model, nn.MSELoss(), (X, y))
    assert rough.iterations <= 20
    np.testing.assert_allclose(rough.value, evals[-1], rtol=1e-2)


def test_gradients_and_buffers_survive_and_dropout_is_off():
    X, y = _least_squares(4)
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.Dropout(0.5), nn.Linear(5, 1))
    model(tidu.Tensor(X)).sum().backward()  # gradients and running statistics exist
    buffers = {k: to_numpy(v._data).copy() for k, v in model.state_dict().items()}
    saved = _weights(model)
    state = repr(tidu.random.get_rng_state())
    first = sharpness(model, nn.MSELoss(), (X, y), iters=5)
    second = sharpness(model, nn.MSELoss(), (X, y), iters=5)
    assert first.value == second.value  # eval mode: no dropout mask, running statistics
    _assert_untouched(model, saved, training=True)
    for k, v in model.state_dict().items():
        assert np.array_equal(to_numpy(v._data), buffers[k]), k
    assert repr(tidu.random.get_rng_state()) == state  # tidu's generator is not touched


def test_docstring_example_runs():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(sharpness, "sharpness", globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0


@pytest.mark.parametrize("kwargs, match", [
    (dict(data=np.zeros((3, 3))), "data must be one batch \\(X, y\\)"),
    (dict(data=(1, 2, 3)), "data must be one batch .* tuple of 3 items"),
    (dict(iters=0), "iters must be an int ≥ 1, got iters=0"),
    (dict(iters=2.5), "iters must be an int"),
    (dict(tol=-1.0), "tol must be a finite number > 0"),
    (dict(eps=0.0), "eps must be a finite number > 0"),
    (dict(model="net"), "model must be a tidu.nn.Module, got str"),
])
def test_bad_input_names_the_argument(kwargs, match):
    X, y = _least_squares()
    args = dict(model=nn.Linear(3, 1), loss_fn=nn.MSELoss(), data=(X, y)) | kwargs
    rest = {k: v for k, v in kwargs.items() if k not in ("model", "data")}
    with pytest.raises(ArgumentError, match=match):
        sharpness(args["model"], args["loss_fn"], args["data"], **rest)
    with pytest.raises(ArgumentError, match="iters must be an int ≥ 1"):
        SharpnessTracker((X, y), iters=0)
    with pytest.raises(ArgumentError, match="SharpnessTracker: data must be one batch"):
        SharpnessTracker(X)


def test_nonfinite_parameters_and_a_non_scalar_loss_are_refused():
    X, y = _least_squares()
    model = nn.Linear(3, 1)
    with pytest.raises(ArgumentError, match="must return a scalar tidu Tensor"):
        sharpness(model, lambda out, t: out, (X, y))
    model.weight._data[0, 0] = np.nan
    with pytest.raises(ArgumentError, match="NaN or inf"):
        sharpness(model, nn.MSELoss(), (X, y))


# --------------------------------------------------------------------------- stability limit
def test_stability_limit_values():
    w = [nn.Parameter(np.zeros(2))]
    assert stability_limit(tidu.optim.SGD(w, lr=0.1)) == pytest.approx(20.0)
    assert stability_limit(tidu.optim.SGD(w, lr=0.1, momentum=0.9)) == pytest.approx(38.0)
    assert stability_limit(tidu.optim.SGD(w, lr=0.1, momentum=0.9, dampening=0.5)) \
        == pytest.approx(76.0)
    assert stability_limit(tidu.optim.SGD(w, lr=0.1, momentum=0.9, nesterov=True)) \
        == pytest.approx(2 * 1.9 / 2.8 / 0.1)
    assert stability_limit(tidu.optim.SGD(w, lr=0.1, weight_decay=0.5)) == pytest.approx(19.5)
    assert stability_limit(tidu.optim.SGD(w, lr=0.0)) == math.inf
    for opt in (tidu.optim.Adam(w), tidu.optim.RMSprop(w), tidu.optim.Adagrad(w),
                tidu.optim.Adadelta(w)):
        assert stability_limit(opt) is None, type(opt).__name__
    assert stability_limit(torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.5)) \
        == pytest.approx(4.0)
    with pytest.raises(ArgumentError, match="stability_limit: optimizer"):
        stability_limit(object())


@pytest.mark.parametrize("opts", [dict(), dict(momentum=0.9), dict(momentum=0.5, dampening=0.3),
                                  dict(momentum=0.9, nesterov=True), dict(weight_decay=1.0)])
def test_stability_limit_separates_converging_from_diverging_steps(opts):
    """The optimizer's own steps on L = ½·λ·θ²: |θ| shrinks at 0.95× the limit, grows at
    1.05× — the limit is the edge, for each form of the update."""
    lr = 0.1
    limit = stability_limit(tidu.optim.SGD([nn.Parameter(np.zeros(1))], lr=lr, **opts))
    finals = []
    for factor in (0.95, 1.05):
        lam = factor * limit
        theta = nn.Parameter(np.ones(1), dtype=np.float64)
        opt = tidu.optim.SGD([theta], lr=lr, **opts)
        for _ in range(1000):
            opt.zero_grad()
            (0.5 * lam * theta * theta).sum().backward()
            opt.step()
            if not 1e-6 < abs(float(theta._data[0])) < 1e6:
                break
        finals.append(abs(float(theta._data[0])))
    assert finals[0] <= 1e-6 and finals[1] >= 1e6, finals


# --------------------------------------------------------------------------- tracker in fit
def _run(tracker, epochs, tmp_path=None, resume=False):
    tidu.manual_seed(5)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    X, y = _least_squares(6, n=24)
    opt = tidu.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    return tidu.train.fit(model, nn.MSELoss(), opt, (X, y), epochs=epochs, batch_size=8,
                          seed=0, verbose=0, callbacks=[tracker],
                          checkpoint=None if tmp_path is None else tmp_path / "c.npz",
                          resume=resume)


def test_tracker_records_at_begin_and_every_n_epochs():
    X, y = _least_squares(7, n=10)
    tracker = SharpnessTracker((X[:, :3], y), every_n_epochs=2, iters=5)
    _run(tracker, epochs=5)
    assert tracker.epochs == [0, 2, 4] and tracker.steps == [0, 6, 12]
    assert len(tracker.values) == 3 and all(math.isfinite(v) and v > 0 for v in tracker.values)
    assert tracker.limits == pytest.approx([2 * 1.5 / 0.05] * 3)
    np.testing.assert_allclose(tracker.ratios(), np.array(tracker.values) / 60.0)
    assert tracker.values[0] != tracker.values[1]  # the weights moved between measurements


def test_tracker_resumes_from_a_checkpoint(tmp_path):
    X, y = _least_squares(8, n=10)
    ref = SharpnessTracker((X, y), iters=5)
    _run(ref, epochs=4)
    first = SharpnessTracker((X, y), iters=5)
    _run(first, epochs=2, tmp_path=tmp_path)
    resumed = SharpnessTracker((X, y), iters=5)
    _run(resumed, epochs=4, tmp_path=tmp_path, resume=True)
    assert resumed.state_dict() == ref.state_dict()
    assert resumed.epochs == [0, 1, 2, 3, 4]


def test_tracker_records_nan_for_nonfinite_weights():
    X, y = _least_squares(9, n=10)
    tracker = SharpnessTracker((X, y), iters=3)
    model = nn.Linear(3, 1)
    model.weight._data[0, 0] = np.inf
    opt = tidu.optim.Adam(model.parameters())
    with np.errstate(all="ignore"):
        tidu.train.fit(model, nn.MSELoss(), opt, (X, y), epochs=1, verbose=0,
                       callbacks=[tracker])
    assert len(tracker.values) == 2 and all(math.isnan(v) for v in tracker.values)
    assert all(math.isnan(v) for v in tracker.limits)  # Adam: no limit
    assert tracker.converged == [False, False]
