"""Bias and variance: the notes' recipe, the bootstrap decomposition (noise recovery, the
bias² + variance + noise identity, capacity trends) and mlxtend's 0-1 definitions."""
import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.data import make_teacher_student
from tidu.diagnose import (bias_variance_decomposition, bias_variance_recipe,
                           decompose_predictions)


# --------------------------------------------------------------------------- the recipe
@pytest.mark.parametrize("train, val, bias, variance", [
    (0.01, 0.11, False, True),    # Andrew Ng's four cases (baseline 0)
    (0.15, 0.16, True, False),
    (0.15, 0.30, True, True),
    (0.005, 0.01, False, False),
])
def test_recipe_four_cases(train, val, bias, variance):
    verdict = bias_variance_recipe(train, val)
    assert (verdict.high_bias, verdict.high_variance) == (bias, variance)
    assert verdict.avoidable_bias == pytest.approx(train)
    assert verdict.variance_gap == pytest.approx(val - train)
    advice = " ".join(en for en, _ in verdict.advice)
    advice_zh = " ".join(zh for _, zh in verdict.advice)
    assert ("bigger network" in advice) == bias and ("更大的网络" in advice_zh) == bias
    assert ("more training data" in advice.replace("more training data will not", "")) \
        == variance
    assert ("正则化" in advice_zh) == variance
    assert ("欠拟合" in verdict.diagnosis_zh) == (bias and not variance)
    assert ("过拟合" in verdict.diagnosis_zh) == (variance and not bias)
    assert verdict.diagnosis in str(verdict)


def test_recipe_baseline_bias_first_and_tolerances():
    # human error 7.5 %: train 8 % is close to it, val 10 % is not -> variance only
    verdict = bias_variance_recipe(0.08, 0.10, baseline_error=0.075, tolerance=0.01)
    assert not verdict.high_bias and verdict.high_variance
    assert verdict.avoidable_bias == pytest.approx(0.005)
    # both: the bias remedies come first (the notes fix bias before variance)
    both = bias_variance_recipe(0.2, 0.4)
    assert both.advice[0][0].startswith("train a bigger network")
    assert both.advice[-1][0].startswith("try a smaller model")
    # a pair of tolerances, one per gap
    assert bias_variance_recipe(0.05, 0.08, tolerance=(0.1, 0.01)).high_variance
    assert not bias_variance_recipe(0.05, 0.08, tolerance=(0.1, 0.01)).high_bias
    # the rule is strict: a gap equal to the tolerance is not high
    assert not bias_variance_recipe(0.5, 1.0, tolerance=0.5).high_variance


@pytest.mark.parametrize("kwargs, match", [
    ({"train_error": -0.1, "val_error": 0.2}, "train_error must be ≥ 0"),
    ({"train_error": float("nan"), "val_error": 0.2}, "train_error must be a finite"),
    ({"train_error": 0.1, "val_error": "0.2"}, "val_error must be a finite"),
    ({"train_error": 0.1, "val_error": 0.2, "tolerance": (0.1,)}, "tolerance"),
    ({"train_error": 0.1, "val_error": 0.2, "tolerance": -1}, "tolerance must be ≥ 0"),
])
def test_recipe_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bias_variance_recipe(**kwargs)


# --------------------------------------------------------------------------- helpers
def _least_squares(X_train, y_train, X_test):
    """Batched closed-form linear regression with intercept: (R, n, d) -> (R, m, k)."""
    A = np.concatenate([X_train, np.ones(X_train.shape[:-1] + (1,))], axis=-1)
    W = np.linalg.pinv(A) @ y_train
    return np.concatenate([X_test, np.ones((X_test.shape[0], 1))], axis=-1) @ W


def _polynomial(degree):
    def fit_predict(X_train, y_train, X_test):  # batched over rounds
        V = np.polynomial.legendre.legvander(X_train[..., 0], degree)
        W = np.linalg.pinv(V) @ y_train[..., None]
        return (np.polynomial.legendre.legvander(X_test[:, 0], degree) @ W)[..., 0]
    return fit_predict


def _sine(X):
    return np.sin(np.pi * X[:, 0])


def _sine_data(seed, n_train=40, n_test=1000, sigma=0.3):
    rng = np.random.default_rng(seed)
    X_train, X_test = rng.uniform(-1, 1, (n_train, 1)), rng.uniform(-1, 1, (n_test, 1))
    return (X_train, _sine(X_train) + sigma * rng.standard_normal(n_train),
            X_test, _sine(X_test) + sigma * rng.standard_normal(n_test))


# --------------------------------------------------------------------------- noise
def test_recovers_injected_noise_from_the_known_generator_with_a_tidu_model():
    sigma = 0.5
    X, y, teacher = make_teacher_student(300, 5, noise_sigma=sigma, seed=0)
    X_test, y_test = teacher.sample(2000, seed=1)

    def build():
        model = nn.Linear(5, 1)
        return model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.1)

    result = bias_variance_decomposition(build, (X, y, X_test, y_test), rounds=4, seed=0,
                                         noise="estimate", truth=teacher,
                                         fit_kwargs={"epochs": 15, "batch_size": 64})
    assert abs(result.noise / sigma**2 - 1) < 0.10
    assert result.predictions.shape == (4, 2000, 1)
    # a linear student of a linear teacher: almost no bias left, and a small variance
    assert result.bias < 0.05 * sigma**2 and 0 < result.variance < 0.1 * sigma**2
    assert result.expected_loss == pytest.approx(
        result.bias + result.variance + result.noise + result.residual, rel=1e-12)


def test_estimates_noise_from_repeated_inputs_without_the_truth():
    sigma = 0.4
    X, y, teacher = make_teacher_student(200, 3, noise_sigma=sigma, seed=2)
    base = teacher.sample(300, seed=3)[0]
    X_test = np.repeat(base, 6, axis=0)            # every x six times, fresh noise each
    rng = np.random.default_rng(4)
    y_test = teacher(X_test) + sigma * rng.standard_normal((X_test.shape[0], 1))
    result = bias_variance_decomposition(data=(X, y, X_test, y_test), rounds=30, seed=0,
                                         fit_predict=_least_squares, batched=True,
                                         noise="estimate")
    assert abs(result.noise / sigma**2 - 1) < 0.10
    # without the truth the bias is what is left of mean (f̄ − y)²: the identity is exact
    assert result.expected_loss == pytest.approx(result.bias + result.variance + result.noise,
                                                 rel=1e-12, abs=1e-15)
    assert result.residual == pytest.approx(0, abs=1e-12)


def test_noise_estimate_is_the_held_out_residual_of_the_truth():
    data = _sine_data(0)
    result = bias_variance_decomposition(data=data, rounds=20, seed=0, fit_predict=_polynomial(3),
                                         batched=True, truth=_sine, noise="estimate")
    assert result.noise == pytest.approx(np.mean((data[3] - _sine(data[2])) ** 2), rel=1e-12)


# --------------------------------------------------------------------------- the identity
def test_bias_plus_variance_plus_noise_equals_the_expected_mse():
    data = _sine_data(1)
    X_test, y_test = data[2], data[3]
    fp = _polynomial(4)
    # no truth, no noise term: mlxtend's decomposition, E = bias + variance exactly
    plain = bias_variance_decomposition(data=data, rounds=50, seed=3, fit_predict=fp,
                                        batched=True)
    P = plain.predictions
    mean = P.mean(axis=0)
    assert plain.expected_loss == pytest.approx(np.mean((P - y_test) ** 2), rel=1e-12)
    assert plain.expected_loss == pytest.approx(plain.bias + plain.variance, rel=1e-12)
    # mlxtend's formulas for 'mse', written out
    assert plain.as_mlxtend() == pytest.approx((
        np.mean([np.mean((p - y_test) ** 2) for p in P]),
        np.sum((mean - y_test) ** 2) / y_test.size,
        np.sum((mean - P) ** 2) / P.size), rel=1e-12)
    # a known noise variance: subtracted from the target bias, the identity stays exact
    known = bias_variance_decomposition(data=data, rounds=50, seed=3, fit_predict=fp,
                                        batched=True, noise=0.09)
    assert known.expected_loss == pytest.approx(known.bias + known.variance + 0.09, rel=1e-12)
    assert known.bias == pytest.approx(plain.bias - 0.09, rel=1e-12)
    # the truth known: bias² against f, noise estimated; what is left is the cross term
    true = bias_variance_decomposition(data=data, rounds=50, seed=3, fit_predict=fp,
                                       batched=True, truth=_sine, noise="estimate")
    f = _sine(X_test)
    assert true.bias == pytest.approx(np.mean((mean - f) ** 2), rel=1e-12)
    assert true.variance == pytest.approx(np.mean(P.var(axis=0)), rel=1e-12)
    assert true.residual == pytest.approx(2 * np.mean((mean - f) * (f - y_test)), abs=1e-12)
    assert abs(true.residual) < 0.05 * true.expected_loss
    assert true.expected_loss == pytest.approx(true.bias + true.variance + true.noise,
                                               rel=0.05)


def test_bias_falls_and_variance_rises_with_capacity():
    degrees = (0, 1, 3, 5, 7, 9)
    bias, variance = np.zeros(len(degrees)), np.zeros(len(degrees))
    for seed in range(3):  # averaged over three training sets
        data = _sine_data(seed, n_train=100)
        for i, degree in enumerate(degrees):
            r = bias_variance_decomposition(data=data, rounds=100, seed=seed, truth=_sine,
                                            fit_predict=_polynomial(degree), batched=True)
            bias[i] += r.bias / 3
            variance[i] += r.variance / 3
    # bias² falls from the constant to the cubic and stays low (sin(πx) is odd: degree 3
    # already catches most of it); variance grows past the cubic
    assert np.all(np.diff(bias[:3]) < 0)
    assert np.all(bias[3:] < bias[1] / 5) and bias[0] > 10 * bias[-1]
    assert np.all(np.diff(variance[2:]) > 0)
    assert variance[-1] > 3 * variance[1]


# --------------------------------------------------------------------------- 0-1 loss
def _mlxtend_01(all_pred, y_test):
    """mlxtend's bias_variance_decomp formulas for '0-1_loss', as it writes them."""
    main_predictions = np.apply_along_axis(lambda x: np.argmax(np.bincount(x)), axis=0,
                                           arr=all_pred)
    avg_expected_loss = np.apply_along_axis(lambda x: (x != y_test).mean(), axis=1,
                                            arr=all_pred).mean()
    avg_bias = np.sum(main_predictions != y_test) / y_test.size
    var = np.zeros(all_pred.shape[1])
    for pred in all_pred:
        var += (pred != main_predictions).astype(np.int64)
    var /= all_pred.shape[0]
    return avg_expected_loss, avg_bias, var.sum() / y_test.shape[0], main_predictions


def test_zero_one_decomposition_equals_mlxtend_formulas_on_fixed_predictions():
    rng = np.random.default_rng(0)
    y_test = rng.integers(0, 4, 150)
    # predictions that mostly agree with y, with many ties between two labels (rounds even)
    all_pred = np.where(rng.random((10, 150)) < 0.6, y_test, rng.integers(0, 4, (10, 150)))
    all_pred[:5, :20], all_pred[5:, :20] = 1, 2   # exact 5-5 ties: the smaller label wins
    expected, bias, var, main = _mlxtend_01(all_pred, y_test)
    result = decompose_predictions(all_pred, y_test, loss="0-1")
    assert result.as_mlxtend() == pytest.approx((expected, bias, var), rel=1e-12)
    np.testing.assert_array_equal(result.main_prediction, main)
    assert np.all(result.main_prediction[:20] == 1)
    assert np.isnan(result.residual) and result.noise == 0
    # the same through bias_variance_decomposition with a fit_predict replaying them
    calls = iter(all_pred)
    X = np.zeros((30, 2))
    via = bias_variance_decomposition(data=(X, np.zeros(30, int), np.zeros((150, 2)), y_test),
                                      rounds=10, loss="0-1_loss", seed=0,
                                      fit_predict=lambda Xt, yt, Xs: next(calls))
    assert via.as_mlxtend() == pytest.approx((expected, bias, var), rel=1e-12)
    # class scores become labels by argmax
    scores = np.eye(4)[all_pred] + 0.01
    assert decompose_predictions(scores, y_test, loss="0-1").as_mlxtend() == \
        pytest.approx((expected, bias, var), rel=1e-12)


def test_bootstrap_resamples_are_mlxtends():
    n, rounds, seed = 25, 6, 123
    seen = []

    def fit_predict(X_train, y_train, X_test):
        seen.append(y_train.copy())
        return np.zeros(X_test.shape[0])

    bias_variance_decomposition(data=(np.zeros((n, 1)), np.arange(n), np.zeros((3, 1)),
                                      np.zeros(3)), rounds=rounds, seed=seed,
                                fit_predict=fit_predict)
    rng = np.random.RandomState(seed)   # mlxtend's _draw_bootstrap_sample
    for drawn in seen:
        np.testing.assert_array_equal(drawn, rng.choice(np.arange(n), size=n, replace=True))


def test_zero_one_with_a_tidu_classifier_is_reproducible():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 2)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    X_test = rng.standard_normal((200, 2)).astype(np.float32)
    y_test = (X_test[:, 0] + X_test[:, 1] > 0).astype(np.int64)

    def build():
        model = nn.Linear(2, 2)
        return model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.5)

    runs = [bias_variance_decomposition(build, (X, y, X_test, y_test), rounds=3, loss="0-1",
                                        seed=7, fit_kwargs={"epochs": 5}) for _ in range(2)]
    a, b = runs
    np.testing.assert_array_equal(a.predictions, b.predictions)
    assert a.predictions.shape == (3, 200) and set(np.unique(a.predictions)) <= {0, 1}
    assert a.expected_loss < 0.15                        # a linearly separable problem
    assert 0 <= a.variance <= a.expected_loss + a.bias


# --------------------------------------------------------------------------- errors
def test_bad_arguments_raise_one_clear_error():
    data = _sine_data(0, n_train=10, n_test=5)
    fp = _polynomial(1)
    with pytest.raises(TypeError, match="exactly one of build"):
        bias_variance_decomposition(data=data)
    with pytest.raises(ValueError, match="loss must be 'mse' or '0-1'"):
        bias_variance_decomposition(data=data, fit_predict=fp, batched=True, loss="mae")
    with pytest.raises(ValueError, match="rounds must be an int ≥ 2"):
        bias_variance_decomposition(data=data, fit_predict=fp, batched=True, rounds=1)
    with pytest.raises(TypeError, match=r"data must be \(X_train, y_train, X_test, y_test\)"):
        bias_variance_decomposition(data=data[:2], fit_predict=fp)
    with pytest.raises(ValueError, match="repeated x"):
        bias_variance_decomposition(data=data, fit_predict=fp, batched=True, noise="estimate")
    with pytest.raises(ValueError, match="must be ≥ 0"):
        bias_variance_decomposition(data=data, fit_predict=fp, batched=True, noise=-1.0)
    with pytest.raises(ValueError, match="no truth or noise"):
        decompose_predictions(np.zeros((3, 4), int), np.zeros(4, int), loss="0-1", noise=0.1)
    with pytest.raises(ValueError, match="fit_kwargs apply to build"):
        bias_variance_decomposition(data=data, fit_predict=fp, fit_kwargs={"epochs": 2})
