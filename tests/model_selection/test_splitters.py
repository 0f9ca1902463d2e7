"""KFold, StratifiedKFold, LeaveOneOut and ShuffleSplit yield scikit-learn's index sets."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import model_selection as sk

import tidu
from tidu.errors import ShapeError
from tidu.model_selection import (KFold, LeaveOneOut, ShuffleSplit, StratifiedKFold, check_cv)


def assert_same_splits(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for (train, test), (sk_train, sk_test) in zip(ours, theirs):
        np.testing.assert_array_equal(train, sk_train)
        np.testing.assert_array_equal(test, sk_test)
        assert train.dtype == sk_train.dtype and test.dtype == sk_test.dtype


@st.composite
def labels(draw, k):
    """Imbalanced labels (arbitrary values, in a shuffled order) with ≥ k samples per class."""
    n_classes = draw(st.integers(1, 5))
    extra = draw(st.lists(st.integers(0, 40), min_size=n_classes, max_size=n_classes))
    values = draw(st.permutations([-3, 0, 2, 5, 11]))[:n_classes]
    y = np.repeat(values, [k + e for e in extra])
    return y[np.random.default_rng(draw(st.integers(0, 99))).permutation(y.size)]


seeds = st.integers(0, 2**32 - 1)


@given(st.integers(2, 80), st.integers(2, 12), st.booleans(), seeds)
def test_kfold_equals_sklearn(n, k, shuffle, seed):
    k = min(k, n)
    X = np.zeros((n, 2))
    state = seed if shuffle else None
    assert_same_splits(KFold(k, shuffle=shuffle, random_state=state).split(X),
                       sk.KFold(k, shuffle=shuffle, random_state=state).split(X))


@given(st.data(), st.integers(2, 8), st.booleans(), seeds)
def test_stratified_kfold_equals_sklearn(data, k, shuffle, seed):
    y = data.draw(labels(k))
    X = np.zeros((y.size, 1))
    state = seed if shuffle else None
    ours = list(StratifiedKFold(k, shuffle=shuffle, random_state=state).split(X, y))
    assert_same_splits(ours, sk.StratifiedKFold(k, shuffle=shuffle,
                                                random_state=state).split(X, y))
    # every fold holds each class's share of the samples, to within one sample
    for _, test in ours:
        for c in np.unique(y):
            assert abs(np.sum(y[test] == c) - np.sum(y == c) / k) < 1


@given(st.integers(2, 40), st.integers(0, 2**32 - 1), st.sampled_from([None, 0.1, 0.35, 3]),
       st.sampled_from([None, 0.5, 2]), st.integers(1, 6))
def test_shuffle_split_equals_sklearn(n, seed, test_size, train_size, n_splits):
    X = np.zeros((n, 3))
    kw = dict(test_size=test_size, train_size=train_size, random_state=seed)
    try:
        expected = list(sk.ShuffleSplit(n_splits, **kw).split(X))
    except ValueError:
        with pytest.raises(ValueError):
            list(ShuffleSplit(n_splits, **kw).split(X))
        return
    assert_same_splits(ShuffleSplit(n_splits, **kw).split(X), expected)


@given(st.integers(2, 30))
def test_leave_one_out_equals_sklearn(n):
    X = np.zeros((n, 1))
    assert LeaveOneOut().get_n_splits(X) == n
    assert_same_splits(LeaveOneOut().split(X), sk.LeaveOneOut().split(X))


@given(seeds)
def test_a_random_state_instance_is_advanced_as_sklearn(seed):
    """An int gives the same splits on every call; a RandomState moves on, as sklearn's."""
    X, y = np.zeros((23, 1)), np.arange(23) % 3
    for ours, theirs in ((KFold(4, shuffle=True, random_state=np.random.RandomState(seed)),
                          sk.KFold(4, shuffle=True, random_state=np.random.RandomState(seed))),
                         (StratifiedKFold(3, shuffle=True,
                                          random_state=np.random.RandomState(seed)),
                          sk.StratifiedKFold(3, shuffle=True,
                                             random_state=np.random.RandomState(seed))),
                         (ShuffleSplit(2, random_state=np.random.RandomState(seed)),
                          sk.ShuffleSplit(2, random_state=np.random.RandomState(seed)))):
        first = list(ours.split(X, y))
        assert_same_splits(first, theirs.split(X, y))
        second = list(ours.split(X, y))
        assert_same_splits(second, theirs.split(X, y))
        assert any(not np.array_equal(a[1], b[1]) for a, b in zip(first, second))
    fixed = KFold(4, shuffle=True, random_state=seed)
    assert_same_splits(fixed.split(X), fixed.split(X))


def test_defaults_and_unseeded_shuffling():
    assert KFold().n_splits == 10 and StratifiedKFold().n_splits == 10  # the notes' k = 10
    assert KFold().get_n_splits() == 10 and ShuffleSplit().get_n_splits() == 10
    assert repr(KFold(3)) == "KFold(n_splits=3, shuffle=False, random_state=None)"
    X = np.zeros((50, 1))
    tidu.manual_seed(7)
    a = [test for _, test in KFold(5, shuffle=True).split(X)]
    b = [test for _, test in KFold(5, shuffle=True).split(X)]
    tidu.manual_seed(7)
    c = [test for _, test in KFold(5, shuffle=True).split(X)]
    assert any(not np.array_equal(p, q) for p, q in zip(a, b))
    for p, q in zip(a, c):
        np.testing.assert_array_equal(p, q)
    # a tensor or a list works as X; a column of labels as y
    assert len(list(StratifiedKFold(2).split(tidu.Tensor(X), (np.arange(50) % 2)[:, None]))) == 2


def test_check_cv_picks_stratified_for_class_labels():
    assert type(check_cv(3, np.array([0, 1, 1, 0]))) is StratifiedKFold
    assert type(check_cv(3, np.array([0.5, 1.2, 3.0]))) is KFold
    assert type(check_cv(4)) is KFold and check_cv(4).n_splits == 4
    splitter = ShuffleSplit(2)
    assert check_cv(splitter) is splitter
    pairs = [(np.array([0, 1]), np.array([2])), (np.array([1, 2]), np.array([0]))]
    given_splits = list(check_cv(pairs).split(np.zeros((3, 1))))
    assert len(given_splits) == 2 and given_splits[1][1].tolist() == [0]
    with pytest.raises(TypeError, match="cv must be an int"):
        check_cv("five")
    with pytest.raises(TypeError, match="cv item 0"):
        check_cv([np.arange(3)])


def test_bad_arguments_are_refused_clearly():
    X = np.zeros((5, 1))
    with pytest.raises(ValueError, match="n_splits ≥ 2.*n_splits=1"):
        KFold(1)
    with pytest.raises(TypeError, match="KFold: n_splits must be an int"):
        KFold(2.5)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        KFold(3, shuffle="yes")
    with pytest.raises(ValueError, match="random_state=0 has no effect with shuffle=False"):
        StratifiedKFold(3, random_state=0)
    with pytest.raises(ValueError, match="n_splits=6 is greater than the number of samples "
                                         "n_samples=5"):
        list(KFold(6).split(X))
    with pytest.raises(ValueError, match=r"classes \[1\] have only \[2\]"):
        StratifiedKFold(3).split(X, [0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="continuous"):
        StratifiedKFold(2).split(X, [0.1, 0.5, 0.3, 0.2, 0.9])
    with pytest.raises(ValueError, match="needs the class labels y"):
        StratifiedKFold(2).split(X)
    with pytest.raises(ShapeError, match="y has 4 labels but X has 5 samples"):
        StratifiedKFold(2).split(X, [0, 1, 0, 1])
    with pytest.raises(ShapeError, match="multi-label"):
        StratifiedKFold(2).split(X, np.zeros((5, 2)))
    with pytest.raises(TypeError, match="seed must be an int in"):
        KFold(2, shuffle=True, random_state=-1).split(X)
    with pytest.raises(ValueError, match="at least 2 samples"):
        LeaveOneOut().split(np.zeros((1, 1)))
    with pytest.raises(ValueError, match="needs X"):
        LeaveOneOut().get_n_splits()
    with pytest.raises(ValueError, match="ShuffleSplit: n_splits must be a positive int"):
        ShuffleSplit(0)
    with pytest.raises(ValueError, match="test_size=5 must be an int in \\[1, 4\\]"):
        ShuffleSplit(test_size=5).split(X)
    with pytest.raises(ValueError, match="test_size \\+ train_size = 1.05 exceeds 1"):
        ShuffleSplit(test_size=0.5, train_size=0.55).split(X)
    with pytest.raises(TypeError, match="test_size must be an int .* got '1'"):
        ShuffleSplit(test_size="1").split(X)
