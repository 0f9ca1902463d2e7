"""MinMaxScaler and StandardScaler equal scikit-learn's (statistics, transform,
inverse_transform), including constant and near-constant features, and refuse misuse."""
import numpy as np
import pytest
import sklearn.preprocessing as skp
from hypothesis import given
from hypothesis import strategies as st

import tidu
from tidu.data import MinMaxScaler, NotFittedError, StandardScaler
from tidu.errors import ShapeError


@st.composite
def matrices(draw):
    n = draw(st.integers(1, 30))
    d = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    scale = 10.0 ** rng.uniform(-3, 4, d)
    X = rng.standard_normal((n, d)) * scale + rng.uniform(-100, 100, d)
    X[:, rng.random(d) < 0.3] = 3.7                       # constant columns
    if d > 1 and draw(st.booleans()):
        X[:, 0] = 1e8 + rng.standard_normal(n) * 1e-9      # near-constant (float round-off)
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return X.astype(dtype), (rng.standard_normal((5, d)) * scale).astype(dtype)


def _rtol(dtype):
    return 1e-12 if dtype == np.float64 else 1e-6


@given(matrices(), st.sampled_from([(0.0, 1.0), (-1.0, 1.0), (2.0, 5.0)]))
def test_minmax_equals_sklearn(data, feature_range):
    X, X_new = data
    ours = MinMaxScaler(feature_range).fit(X)
    ref = skp.MinMaxScaler(feature_range=feature_range).fit(X)
    for attr in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        np.testing.assert_array_equal(getattr(ours, attr), getattr(ref, attr), err_msg=attr)
    for Z in (X, X_new):
        out = ours.transform(Z)
        assert out.dtype == X.dtype
        np.testing.assert_array_equal(out, ref.transform(Z))
        np.testing.assert_array_equal(ours.inverse_transform(out), ref.inverse_transform(out))
    np.testing.assert_array_equal(ours.fit_transform(X), ref.transform(X))


@given(matrices(), st.booleans(), st.booleans())
def test_standard_equals_sklearn(data, with_mean, with_std):
    X, X_new = data
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    ref = skp.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    for attr in ("mean_", "var_", "scale_"):
        a, b = getattr(ours, attr), getattr(ref, attr)
        if b is None:
            assert a is None, attr
        else:
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=0, err_msg=attr)
    for Z in (X, X_new):
        out = ours.transform(Z)
        assert out.dtype == X.dtype
        np.testing.assert_allclose(out, ref.transform(Z), rtol=_rtol(X.dtype), atol=1e-12)
        np.testing.assert_allclose(ours.inverse_transform(out), ref.inverse_transform(out),
                                   rtol=_rtol(X.dtype), atol=1e-12)


def test_constant_features_follow_sklearn():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    mm = MinMaxScaler().fit(X)
    np.testing.assert_array_equal(mm.transform(X)[:, 1], [0.0, 0.0, 0.0])  # maps to range min
    np.testing.assert_array_equal(mm.transform([[0.0, 7.0]]), [[-0.5, 2.0]])
    ss = StandardScaler().fit(X)
    assert ss.scale_[1] == 1.0
    np.testing.assert_array_equal(ss.transform(X)[:, 1], [0.0, 0.0, 0.0])
    Xc = np.full((7, 1), 0.1)  # mean 0.1 has round-off: var ≈ 1e-35, still constant
    assert StandardScaler().fit(Xc).scale_[0] == skp.StandardScaler().fit(Xc).scale_[0] == 1.0


def test_notes_formulas_and_fit_on_train_only():
    X_train = np.array([[0.0, 10.0], [5.0, 20.0], [10.0, 40.0]])
    X_test = np.array([[20.0, 0.0]])
    mm = MinMaxScaler().fit(X_train)
    np.testing.assert_allclose(mm.transform(X_test), (X_test - X_train.min(0)) / np.ptp(X_train, 0))
    ss = StandardScaler().fit(X_train)
    np.testing.assert_allclose(ss.transform(X_test), (X_test - X_train.mean(0)) / X_train.std(0))
    assert MinMaxScaler(clip=True).fit(X_train).transform(X_test).tolist() == [[1.0, 0.0]]


@pytest.mark.host_only("scalers work on host arrays (data preparation happens before the device)")
def test_integer_input_and_tensors():
    X = np.array([[1, 2], [3, 8]])
    out = StandardScaler().fit_transform(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, skp.StandardScaler().fit_transform(X))
    t = tidu.Tensor(np.array([[1.0, 2.0], [3.0, 8.0]]))
    res = MinMaxScaler().fit(t).transform(t)
    assert isinstance(res, tidu.Tensor) and res.dtype == np.float32
    np.testing.assert_array_equal(res._data, [[0, 0], [1, 1]])


def test_state_dict_round_trip():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    for cls in (MinMaxScaler, StandardScaler):
        a = cls().fit(X)
        b = cls()
        b.load_state_dict(a.state_dict())
        np.testing.assert_array_equal(b.transform(X), a.transform(X))


def test_misuse_is_refused():
    with pytest.raises(NotFittedError, match="StandardScaler.transform: .* not fitted"):
        StandardScaler().transform(np.zeros((2, 2)))
    with pytest.raises(NotFittedError, match="MinMaxScaler.inverse_transform"):
        MinMaxScaler().inverse_transform(np.zeros((2, 2)))
    s = StandardScaler().fit(np.random.default_rng(0).standard_normal((5, 4)))
    with pytest.raises(ShapeError, match="X has 3 features, but StandardScaler was fitted on 4"):
        s.transform(np.zeros((2, 3)))
    with pytest.raises(ShapeError, match="2-D"):
        MinMaxScaler().fit(np.zeros(4))
    with pytest.raises(ValueError, match="min < max"):
        MinMaxScaler((1, 0))
    with pytest.raises(ValueError, match="non-finite"):
        s.transform(np.full((1, 4), np.nan))
