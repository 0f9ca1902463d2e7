"""Datasets: bundled ones equal scikit-learn's; generators follow their documented formulas,
are reproducible with a seed and have the difficulty they promise."""
import numpy as np
import pytest
import sklearn.datasets as skd
from sklearn.linear_model import LogisticRegression

import tidu
from tidu.data import (Teacher, load_breast_cancer, load_digits, load_iris, load_wine,
                       make_circles, make_memory_sequences, make_moons, make_spirals,
                       make_teacher_student, make_xor)


@pytest.mark.parametrize("ours, theirs, shape, n_classes", [
    (load_digits, skd.load_digits, (1797, 64), 10),
    (load_iris, skd.load_iris, (150, 4), 3),
    (load_breast_cancer, skd.load_breast_cancer, (569, 30), 2),
    (load_wine, skd.load_wine, (178, 13), 3),
])
def test_bundled_datasets_equal_sklearn(ours, theirs, shape, n_classes):
    X, y = ours()
    X_ref, y_ref = theirs(return_X_y=True)
    assert X.shape == shape and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X, X_ref.astype(np.float32))
    np.testing.assert_array_equal(y, y_ref)
    assert len(np.unique(y)) == n_classes


def test_digits_as_images():
    X, y = load_digits(as_images=True)
    flat, _ = load_digits()
    assert X.shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(X.reshape(1797, 64), flat)


def test_moons_and_circles_equal_sklearn_without_noise():
    for n in (9, 100):
        X, y = make_moons(n, shuffle=False)
        X_ref, y_ref = skd.make_moons(n, shuffle=False)
        np.testing.assert_array_equal(X, X_ref.astype(np.float32))
        np.testing.assert_array_equal(y, y_ref)
        X, y = make_circles(n, factor=0.5, shuffle=False)
        X_ref, y_ref = skd.make_circles(n, factor=0.5, shuffle=False)
        np.testing.assert_array_equal(X, X_ref.astype(np.float32))
        np.testing.assert_array_equal(y, y_ref)
    X, y = make_circles(400, noise=0.05, factor=0.5, seed=0)
    radius = np.linalg.norm(X, axis=1)
    assert radius[y == 0].mean() == pytest.approx(1.0, abs=0.02)
    assert radius[y == 1].mean() == pytest.approx(0.5, abs=0.02)


def test_spirals_follow_the_formula():
    X, y = make_spirals(301, n_classes=3, noise=0.0, seed=0, shuffle=False)
    assert X.shape == (301, 2) and np.bincount(y).tolist() == [101, 100, 100]
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[:101], np.linspace(0, 1, 101), atol=1e-6)
    theta = np.arctan2(X[:, 0], X[:, 1])  # x = (r sin θ, r cos θ)
    expected = 4.0 * (y + r)
    np.testing.assert_allclose(np.angle(np.exp(1j * (theta - expected)))[r > 0.01], 0, atol=1e-5)
    Xs, ys = make_spirals(300, seed=1)
    assert not np.array_equal(ys[:100], np.zeros(100))  # shuffled by default


def test_generators_are_reproducible_and_seed_sensitive():
    for make in (make_spirals, make_moons, make_circles, make_xor):
        kw = {} if make is make_xor else {"noise": 0.1}
        a, b, c = make(seed=4, **kw), make(seed=4, **kw), make(seed=5, **kw)
        np.testing.assert_array_equal(a[0], b[0])
        assert not np.array_equal(a[0], c[0])
        assert a[0].dtype == np.float32 and a[1].dtype == np.int64
    tidu.manual_seed(0)
    first = make_xor(10)
    tidu.manual_seed(0)
    np.testing.assert_array_equal(make_xor(10)[0], first[0])


def test_xor_and_spirals_defeat_a_linear_model():
    for X, y in (make_xor(400, noise=0.2, seed=0), make_spirals(300, seed=0)):
        linear = LogisticRegression().fit(X, y).score(X, y)
        assert linear < 0.7
    X, y = make_xor(400, noise=0.2, seed=0)
    corners = np.sign(X)  # with noise 0.2 almost all points stay in their corner's quadrant
    assert np.mean(y == (corners[:, 0] != corners[:, 1])) > 0.97


def test_teacher_student_noise_is_known():
    X, y, teacher = make_teacher_student(20000, 8, noise_sigma=0.3, seed=0)
    assert isinstance(teacher, Teacher) and y.shape == (20000, 1) and X.dtype == np.float32
    residual = y - teacher(X)
    assert abs(residual.mean()) < 0.01 and abs(residual.std() - 0.3) < 0.01
    assert abs(teacher(X).std() - 1.0) < 0.02  # unit-norm weights: Var f(x) = 1
    np.testing.assert_allclose(np.linalg.norm(teacher.weights, axis=0), 1.0)
    X2, y2 = teacher.sample(100, seed=1)  # fresh data, same truth
    assert np.std(y2 - teacher(X2)) < 0.45
    Xm, ym, mlp = make_teacher_student(500, 5, noise_sigma=0.0, seed=0, teacher="mlp",
                                       n_hidden=16, n_outputs=2)
    assert mlp.kind == "mlp" and ym.shape == (500, 2)
    np.testing.assert_allclose(ym, mlp(Xm), rtol=1e-6, atol=1e-6)


def test_sparse_teacher_has_exact_zeros():
    X, y, teacher = make_teacher_student(200, 20, noise_sigma=0.1, seed=0, sparse=0.75)
    assert teacher.support.sum() == 5
    assert np.count_nonzero(teacher.weights) == 5
    # y does not depend on the zero-weight features
    X_changed = X.copy()
    X_changed[:, ~teacher.support] += 100.0
    np.testing.assert_allclose(teacher(X_changed), teacher(X), rtol=1e-9)
    assert make_teacher_student(10, 4, seed=0, sparse=0.99)[2].support.sum() == 1
    with pytest.raises(ValueError, match="sparse"):
        make_teacher_student(10, 4, sparse=1.0)


def test_memory_sequences_label_is_the_token_lag_steps_back():
    X, y = make_memory_sequences(300, length=12, lag=7, n_symbols=5, seed=0)
    assert X.shape == (300, 12) and X.dtype == np.int64 and y.dtype == np.int64
    np.testing.assert_array_equal(y, X[:, 12 - 1 - 7])
    assert set(np.unique(X)) == set(range(5))
    first, yf = make_memory_sequences(50, length=9, seed=1)
    np.testing.assert_array_equal(yf, first[:, 0])  # default lag: the first token
    oh, yo = make_memory_sequences(50, length=9, seed=1, one_hot=True)
    assert oh.shape == (50, 9, 4) and oh.dtype == np.float32
    np.testing.assert_array_equal(oh.argmax(-1), first)
    np.testing.assert_array_equal(oh.sum(-1), 1.0)
    # the other positions carry no information about the label
    other = X[:, 0]
    assert np.mean(other == y) < 0.35
    with pytest.raises(ValueError, match="lag must be an int in"):
        make_memory_sequences(10, length=5, lag=5)


def test_bad_generator_arguments():
    with pytest.raises(ValueError, match="n_samples must be an int"):
        make_spirals(0)
    with pytest.raises(ValueError, match="factor"):
        make_circles(10, factor=1.5)
    with pytest.raises(ValueError, match="teacher must be"):
        make_teacher_student(10, 3, teacher="cnn")


def test_blobs_sit_on_a_circle_and_a_linear_model_separates_them():
    from tidu.data import make_blobs
    X, y = make_blobs(600, n_classes=4, noise=0.05, radius=2.0, seed=0)
    assert X.shape == (600, 2) and X.dtype == np.float32 and np.bincount(y).tolist() == [150] * 4
    centres = np.stack([X[y == k].mean(axis=0) for k in range(4)])
    expected = 2.0 * np.stack([np.cos(np.arange(4) * np.pi / 2), np.sin(np.arange(4) * np.pi / 2)], 1)
    np.testing.assert_allclose(centres, expected, atol=0.02)
    assert LogisticRegression().fit(X, y).score(X, y) == 1.0
    with pytest.raises(ValueError, match="n_samples=2 < n_classes=3"):
        make_blobs(2, n_classes=3)


def test_sine_noise_is_known():
    from tidu.data import make_sine
    X, y = make_sine(20_000, noise_sigma=0.3, seed=1)
    assert X.shape == y.shape == (20_000, 1) and y.dtype == np.float32
    assert X.min() >= -1 and X.max() <= 1
    residual = y - np.sin(np.pi * X)
    assert abs(residual.std() - 0.3) < 0.01 and abs(residual.mean()) < 0.01
    with pytest.raises(ValueError, match="noise_sigma must be a number >= 0, got -1"):
        make_sine(10, noise_sigma=-1)
