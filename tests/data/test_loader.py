"""DataLoader: batch sizes (full batch, stochastic, mini-batch), shuffling with a seed,
drop_last, dtypes, and bit-exact resumption from state_dict() mid-epoch."""
import json

import numpy as np
import pytest

import tidu
from tidu.data import ArrayDataset, DataLoader, GaussianNoise, RandomHorizontalFlip


def _data(n=10, d=3):
    X = np.arange(n * d, dtype=np.float64).reshape(n, d)
    return X, np.arange(n, dtype=np.int64)


def _epoch(loader):
    return [tuple(t._data.copy() for t in batch) for batch in loader]


@pytest.mark.host_only("checks that unshuffled batches are views of the host dataset")
def test_unshuffled_batches_are_ordered_slices_and_len_counts_batches():
    X, y = _data(10)
    loader = DataLoader((X, y), batch_size=4)
    batches = _epoch(loader)
    assert len(loader) == len(batches) == 3
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), X.astype(np.float32))
    xb, _ = next(iter(loader))
    with pytest.raises(ValueError, match="read-only"):  # a view: the dataset is protected
        xb._data += 1
    dropped = DataLoader((X, y), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(b[1]) for b in _epoch(dropped)] == [4, 4]


def test_full_batch_and_stochastic():
    X, y = _data(7)
    full = _epoch(DataLoader((X, y), batch_size=None))
    assert len(full) == 1 and full[0][0].shape == (7, 3)
    sgd = DataLoader((X, y), batch_size=1, shuffle=True, seed=0)
    batches = _epoch(sgd)
    assert len(sgd) == 7 and all(b[0].shape == (1, 3) for b in batches)
    assert sorted(int(b[1][0]) for b in batches) == list(range(7))


def test_dtypes_follow_tidu_rules():
    X, y = _data(6)
    xb, yb = next(iter(DataLoader((X, y), batch_size=2)))
    assert isinstance(xb, tidu.Tensor) and xb.dtype == np.float32 and yb.dtype == np.int64
    tidu.set_default_dtype(np.float64)
    try:
        loader = DataLoader(ArrayDataset(X, y.astype(np.int32)), batch_size=2)
        xb, yb = next(iter(loader))
        assert xb.dtype == np.float64 and yb.dtype == np.int32  # integers keep their dtype
    finally:
        tidu.set_default_dtype(np.float32)
    (only,) = next(iter(DataLoader(X, batch_size=3)))  # a single array gives 1-tuples
    assert only.shape == (3, 3)


def test_shuffle_is_a_permutation_new_each_epoch_and_reproducible_with_a_seed():
    X, y = _data(50)
    a, b = DataLoader((X, y), 8, shuffle=True, seed=1), DataLoader((X, y), 8, shuffle=True, seed=1)
    epochs_a = [np.concatenate([t[1] for t in _epoch(a)]) for _ in range(3)]
    epochs_b = [np.concatenate([t[1] for t in _epoch(b)]) for _ in range(3)]
    for ea, eb in zip(epochs_a, epochs_b):
        np.testing.assert_array_equal(ea, eb)
        np.testing.assert_array_equal(np.sort(ea), y)
    assert not np.array_equal(epochs_a[0], epochs_a[1])
    assert not np.array_equal(epochs_a[0], y)
    xs = np.concatenate([t[0] for t in _epoch(DataLoader((X, y), 8, shuffle=True, seed=1))])
    first = np.concatenate([t[1] for t in _epoch(DataLoader((X, y), 8, shuffle=True, seed=1))])
    np.testing.assert_array_equal(xs, X[first].astype(np.float32))  # rows stay paired
    c = DataLoader((X, y), 8, shuffle=True, seed=2)
    assert not np.array_equal(np.concatenate([t[1] for t in _epoch(c)]), epochs_a[0])


def test_seed_none_follows_tidu_manual_seed():
    X, y = _data(20)
    tidu.manual_seed(5)
    first = _epoch(DataLoader((X, y), 4, shuffle=True))
    tidu.manual_seed(5)
    second = _epoch(DataLoader((X, y), 4, shuffle=True))
    for p, q in zip(first, second):
        np.testing.assert_array_equal(p[1], q[1])


@pytest.mark.parametrize("stop_after", [0, 3, 7, 8])
def test_resume_mid_epoch_reproduces_the_uninterrupted_batches(stop_after):
    X, y = _data(37)
    kw = dict(batch_size=5, shuffle=True, transform=GaussianNoise(0.1, seed=4))

    reference = DataLoader((X, y), seed=11, **kw)
    kw["transform"] = GaussianNoise(0.1, seed=4)
    expected = _epoch(reference) + _epoch(reference) + _epoch(reference)

    run = DataLoader((X, y), seed=11, **kw)
    got = _epoch(run)  # epoch 1 whole
    it = iter(run)
    got += [tuple(t._data.copy() for t in next(it)) for _ in range(stop_after)]
    state = json.loads(json.dumps(run.state_dict()))  # a checkpoint survives JSON
    # "kill": a fresh loader (different seed, fresh transform) resumes from the checkpoint
    resumed = DataLoader((X, y), seed=999, batch_size=5, shuffle=True,
                         transform=GaussianNoise(0.1, seed=0))
    resumed.load_state_dict(state)
    first = _epoch(resumed)  # the rest of the interrupted epoch (a new one if it was done)
    assert len(first) == (len(run) - stop_after or len(run))
    got += first
    while len(got) < len(expected):
        got += _epoch(resumed)
    assert len(got) == len(expected) == 3 * len(run)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g[1], e[1])
        np.testing.assert_array_equal(g[0], e[0])


def test_resume_after_a_whole_epoch_starts_the_next_permutation():
    X, y = _data(12)
    a = DataLoader((X, y), 4, shuffle=True, seed=3)
    _epoch(a)
    state = a.state_dict()
    expected = _epoch(a)
    b = DataLoader((X, y), 4, shuffle=True, seed=0)
    b.load_state_dict(state)
    for g, e in zip(_epoch(b), expected):
        np.testing.assert_array_equal(g[1], e[1])


def test_transform_applies_to_features_only():
    X, y = _data(6)
    loader = DataLoader((X[:, None, None, :], y), 6, transform=RandomHorizontalFlip(p=1.0))
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb._data, X[:, None, None, ::-1].astype(np.float32))
    np.testing.assert_array_equal(yb._data, y)


def test_bad_arguments():
    X, y = _data(5)
    for bs in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size must be a positive int or None"):
            DataLoader((X, y), batch_size=bs)
    with pytest.raises(ValueError, match="drop_last=True with batch_size=8 > 5 samples"):
        DataLoader((X, y), batch_size=8, drop_last=True)
    with pytest.raises(TypeError, match="seed must be"):
        DataLoader((X, y), seed="abc")
    loader = DataLoader((X, y), batch_size=2)
    with pytest.raises(ValueError, match="batch_size=3, this loader 2"):
        loader.load_state_dict({**loader.state_dict(), "batch_size": 3})
