"""Learning curves and validation curves: what they measure, on which splits, and their plots."""
import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.data import make_teacher_student
from tidu.diagnose import learning_curve, validation_curve
from tidu.model_selection import KFold, train_test_split

FIT = {"epochs": 30, "batch_size": None}


def _regression(n=120, d=8, sigma=0.3, seed=0):
    X, y, _ = make_teacher_student(n, d, noise_sigma=sigma, seed=seed)
    return X.astype(np.float32), y.astype(np.float32)


def _linear(params=None):
    decay = (params or {}).get("weight_decay", 0.0)
    model = nn.Linear(8, 1)
    return model, nn.MSELoss(), tidu.optim.Adam(model.parameters(), lr=0.1, weight_decay=decay)


def test_learning_curve_more_data_closes_the_variance_gap():
    X, y = _regression()
    curve = learning_curve(_linear, X, y, train_sizes=[10, 24, 48, 96], cv=5, seed=0,
                           fit_kwargs=FIT)
    np.testing.assert_array_equal(curve.train_sizes, [10, 24, 48, 96])
    assert curve.train_scores.shape == curve.val_scores.shape == (4, 5)
    assert curve.metric == "loss" and curve.greater_is_better is False
    gap = curve.val_mean - curve.train_mean
    # 9 parameters on 10 samples: the training set is fitted, validation is poor (variance);
    # with 96 samples the two meet near the noise level σ² = 0.09
    assert gap[0] > 0.5 and gap[-1] < 0.1 * gap[0]
    assert curve.val_mean[-1] < 0.3 * curve.val_mean[0]
    assert curve.train_mean[0] < curve.train_mean[-1]          # few samples are easy to fit
    assert np.all(curve.train_std >= 0) and curve.val_std.shape == (4,)
    # each point is a cross_validate result on the nested subsets of the same folds
    assert len(curve.cv_results) == 4
    assert [f["n_train"] for f in curve.cv_results[1].folds] == [24] * 5
    assert [f["n_val"] for f in curve.cv_results[1].folds] == [24] * 5


def test_learning_curve_fractions_splitter_and_reproducibility():
    X, y = _regression(n=60)
    splitter = KFold(3, shuffle=True, random_state=1)
    a = learning_curve(_linear, X, y, train_sizes=(0.25, 1.0), cv=splitter, seed=3,
                       fit_kwargs={"epochs": 5})
    b = learning_curve(_linear, X, y, train_sizes=(0.25, 1.0), cv=splitter, seed=3,
                       fit_kwargs={"epochs": 5})
    np.testing.assert_array_equal(a.train_sizes, [10, 40])
    np.testing.assert_array_equal(a.val_scores, b.val_scores)
    np.testing.assert_array_equal(a.train_scores, b.train_scores)
    # the full-size point trains on the splitter's whole training folds
    assert [f["n_val"] for f in a.cv_results[-1].folds] == [20, 20, 20]


def test_validation_curve_over_regularization_shows_underfitting():
    X, y = _regression(seed=1)
    values = [0.0, 0.01, 1.0, 30.0]
    curve = validation_curve(_linear, X, y, "weight_decay", values, cv=3, seed=0,
                             fit_kwargs=FIT)
    assert curve.train_scores.shape == (4, 3) and curve.param_values == values
    # strong weight decay pulls the weights to 0: both losses rise towards Var(y) (high bias)
    assert curve.train_mean[-1] > 5 * curve.train_mean[0]
    assert curve.val_mean[-1] > 5 * curve.val_mean[0]
    assert curve.best_value == values[int(np.argmin(curve.val_mean))]
    assert curve.best_value in (0.0, 0.01)
    assert [r.params for r in curve.cv_results] == [{"weight_decay": v} for v in values]


def test_validation_curve_with_accuracy_and_a_hold_out_split():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2)).astype(np.float32)
    y = ((X[:, 0] * X[:, 1]) > 0).astype(np.int64)          # XOR: needs hidden units

    def build(params):
        hidden = params["hidden"]
        model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 2))
        return model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=0.05)

    curve = validation_curve(build, X, y, "hidden", [1, 16], cv=None, val_size=0.25, seed=2,
                             metric="accuracy", fit_kwargs={"epochs": 100, "batch_size": None})
    assert curve.metric == "accuracy" and curve.greater_is_better is True
    assert curve.val_scores.shape == (2, 1)
    assert curve.val_mean[1] > 0.85 and curve.val_mean[0] < 0.8
    assert curve.best_value == 16
    # cv=None: one hold-out split, tidu.model_selection.train_test_split's for the seed
    _, val = train_test_split(np.arange(200), test_size=0.25, seed=2)
    assert curve.cv_results[0].folds[0]["n_val"] == val.size == 50


def test_plots(tmp_path):
    X, y = _regression(n=60)
    lc = learning_curve(_linear, X, y, train_sizes=[10, 40], cv=3, seed=0,
                        fit_kwargs={"epochs": 3})
    fig = lc.plot(path=tmp_path / "lc.png")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training samples" and ax.get_ylabel() == "loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]
    assert len(ax.collections) == 2                        # the two ± std bands
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), lc.val_mean)
    assert (tmp_path / "lc.png").stat().st_size > 1000

    vc = validation_curve(_linear, X, y, "weight_decay", [1e-4, 1e-2, 1.0], cv=3, seed=0,
                          fit_kwargs={"epochs": 3})
    ax = vc.plot().axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "weight_decay"   # 4 decades
    assert vc.plot(log_x=False).axes[0].get_xscale() == "linear"


@pytest.mark.parametrize("call, error, match", [
    (lambda X, y: learning_curve(_linear, X, y, train_sizes=[0, 10], cv=3), ValueError,
     r"counts must lie in \[1, "),
    (lambda X, y: learning_curve(_linear, X, y, train_sizes=[0.5, 1.5], cv=3), ValueError,
     r"fractional train_sizes must lie in \(0, 1\]"),
    (lambda X, y: learning_curve(_linear, X[:10], y, cv=3), Exception, "samples"),
    (lambda X, y: validation_curve(_linear, X, y, "weight_decay", [], cv=3), ValueError,
     "param_values is empty"),
    (lambda X, y: validation_curve(_linear, X, y, "", [1], cv=3), ValueError, "param_name"),
    (lambda X, y: learning_curve(_linear, X, y, cv="five"), TypeError, "cv must be"),
    (lambda X, y: learning_curve(_linear, X, y, cv=3, fit_kwargs={"val_data": (X, y)}),
     ValueError, "val_data"),
])
def test_bad_arguments(call, error, match):
    X, y = _regression(n=30)
    with pytest.raises(error, match=match):
        call(X, y)
