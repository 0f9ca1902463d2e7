"""lr_find: the exponential learning-rate sweep — a U-shaped loss curve, a suggestion in a
sane range, and a model, optimizer and random state restored exactly afterwards."""
import math

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.diagnose import lr_find


def _regression(n=256, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X @ rng.standard_normal((d, 1)) + 0.1 * rng.standard_normal((n, 1))).astype(np.float32)
    return X, y


def _max_stable_lr(X):
    """Full-batch gradient descent on mean((Xw + b − y)²) diverges beyond 2 / λmax(H),
    H = 2/n · AᵀA with A = [X, 1]."""
    A = np.concatenate([X, np.ones((X.shape[0], 1))], axis=1).astype(np.float64)
    return 2 / np.linalg.eigvalsh(2 / X.shape[0] * A.T @ A).max()


def test_loss_curve_is_u_shaped_and_suggestion_is_sane():
    X, y = _regression()
    tidu.manual_seed(0)
    model = nn.Linear(5, 1)
    result = lr_find(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.01), (X, y),
                     batch_size=None)
    lrs, losses = result.lrs, result.losses
    assert lrs[0] == pytest.approx(1e-7) and np.all(np.diff(np.log(lrs)) > 0)
    # the geometric schedule: lrᵢ = 1e-7 · (1e8)^(i / 99)
    np.testing.assert_allclose(lrs, 1e-7 * 1e8 ** (np.arange(lrs.size) / 99), rtol=1e-12)
    best = int(np.argmin(losses))
    assert 10 < best < lrs.size - 1                     # the minimum is inside: a U
    assert losses[0] > 2 * losses[best]                 # the left arm: falling
    assert losses[-1] > 4 * losses[best]                # the right arm: diverging
    assert result.diverged and lrs.size < 100           # stopped at 4 × the best loss
    limit = _max_stable_lr(X)
    for rule in ("steepest", "min/10"):
        assert limit / 1000 < result.suggestions[rule] < limit, rule
    assert result.suggestion == result.suggestions["steepest"]
    # the smoothing: bias-corrected EMA of the raw losses with β = 0.98
    avg, smoothed = 0.0, []
    for i, raw in enumerate(result.raw_losses):
        avg = 0.98 * avg + 0.02 * raw
        smoothed.append(avg / (1 - 0.98 ** (i + 1)))
    np.testing.assert_allclose(losses, smoothed, rtol=1e-12)


def test_mini_batch_sweep_with_momentum_suggests_a_sane_rate():
    X, y = _regression(seed=1)
    tidu.manual_seed(1)
    model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = tidu.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    result = lr_find(model, nn.MSELoss(), opt, (X, y), batch_size=32, suggest="min/10")
    assert result.method == "min/10"
    assert result.suggestion == result.suggestions["min/10"]
    for rule in ("steepest", "min/10"):
        assert 1e-4 < result.suggestions[rule] < 1.0, rule
    best = int(np.argmin(result.losses))
    assert result.losses[best] < 0.8 * result.losses[0] and result.losses[-1] > result.losses[best]


def test_model_optimizer_and_random_state_are_restored_exactly():
    X, y = _regression(seed=2)
    tidu.manual_seed(2)
    model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(8, 1))
    opt = tidu.optim.Adam(model.parameters(), lr=1e-3)
    tidu.train.fit(model, nn.MSELoss(), opt, (X, y), epochs=2, verbose=0)  # non-empty state
    loss = nn.MSELoss()(model(tidu.Tensor(X[:8])), tidu.Tensor(y[:8]))
    opt.zero_grad()
    loss.backward()                                          # gradients present
    model.eval()
    weights = {k: v.cpu().numpy().copy() for k, v in model.state_dict().items()}
    grads = [np.array(p.grad._data) for p in model.parameters()]
    before = opt.state_dict()
    rng_before = tidu.random.get_rng_state()

    result = lr_find(model, nn.MSELoss(), opt, (X, y), num_steps=40, end_lr=100.0)
    assert result.lrs.size >= 2

    after = model.state_dict()
    assert after.keys() == weights.keys()
    for k in weights:
        np.testing.assert_array_equal(after[k], weights[k], err_msg=k)   # bit for bit
    for p, g in zip(model.parameters(), grads):
        np.testing.assert_array_equal(p.grad._data, g)
    assert not model.training                                 # eval mode kept
    state = opt.state_dict()
    assert [g["lr"] for g in state["param_groups"]] == [1e-3]
    assert state["param_groups"] == before["param_groups"]
    assert state["state"].keys() == before["state"].keys()
    for i in before["state"]:
        for key, value in before["state"][i].items():
            np.testing.assert_array_equal(state["state"][i][key], value)
    assert tidu.random.get_rng_state() == rng_before          # no draw left a trace


def test_no_divergence_runs_all_steps():
    X, y = _regression(seed=3)
    model = nn.Linear(5, 1)
    result = lr_find(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
                     start_lr=1e-6, end_lr=1e-3, num_steps=30)
    assert result.lrs.size == 30 and not result.diverged
    assert result.lrs[-1] == pytest.approx(1e-3)


def test_a_dataloader_and_non_finite_losses():
    X, y = _regression(seed=4)
    X[:, 0] *= 1e3                                   # badly scaled: blows up to inf/nan fast
    model = nn.Linear(5, 1)
    loader = tidu.data.DataLoader((X, y), batch_size=64, shuffle=True, seed=0)
    result = lr_find(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.1), loader,
                     start_lr=1e-3, end_lr=1e6, num_steps=60, diverge_factor=1e300)
    assert result.diverged
    assert not math.isfinite(result.raw_losses[-1]) and not math.isfinite(result.losses[-1])
    assert math.isfinite(result.suggestion)


def test_plot_has_a_log_axis_and_marks_the_suggestion(tmp_path):
    X, y = _regression(seed=5)
    model = nn.Linear(5, 1)
    result = lr_find(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
                     batch_size=None)
    path = tmp_path / "lr.png"
    fig = result.plot(path=path, show_raw=True)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert "learning rate" in ax.get_xlabel() and ax.get_ylabel() == "loss"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("suggested lr" in label for label in labels)
    assert any(np.allclose(line.get_xdata(), [result.suggestion]) for line in ax.get_lines())
    assert path.stat().st_size > 1000


@pytest.mark.parametrize("kwargs, match", [
    ({"start_lr": 0}, "start_lr must be a finite number > 0"),
    ({"start_lr": 1.0, "end_lr": 0.5}, "end_lr must be > start_lr"),
    ({"num_steps": 1}, "num_steps must be an int ≥ 2"),
    ({"smooth": 1.0}, r"smooth must be in \[0, 1\)"),
    ({"diverge_factor": 1.0}, "diverge_factor must be > 1"),
    ({"suggest": "valley"}, "suggest must be one of"),
])
def test_bad_arguments(kwargs, match):
    X, y = _regression(n=16)
    model = nn.Linear(5, 1)
    with pytest.raises(ValueError, match=match):
        lr_find(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.1), (X, y),
                **kwargs)
