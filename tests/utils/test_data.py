"""tidu.utils.data against torch.utils.data: batch sequences, lengths, collation, splits,
samplers and the DataLoader's argument errors; random orders checked by their properties
(a permutation per epoch, reproducible from a seed), since tidu's streams are NumPy's."""
import collections
import doctest
import itertools

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import tidu
import tidu.utils.data as data
from tidu.backend import device_of, get_default_device
from tidu.errors import ShapeError
from tidu.random import Generator


def _np(x):
    """A batch (nested lists/tuples/dicts of tensors) as NumPy arrays, tidu or torch."""
    if isinstance(x, tidu.Tensor):
        return x.cpu().numpy()
    if isinstance(x, torch.Tensor):
        return x.cpu().numpy()
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_np(v) for v in x) if not hasattr(x, "_fields") else type(x)(*map(_np, x))
    return x


def assert_same(actual, expected, what=""):
    """Same structure and container types, same shapes, dtypes and values."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, tidu.Tensor), f"{what}: {type(actual)} is not a tidu Tensor"
        assert device_of(actual._data) == get_default_device(), f"{what}: not on the default device"
        a, e = actual.cpu().numpy(), expected.cpu().numpy()
        assert a.shape == e.shape, f"{what}: shape {a.shape} vs torch {e.shape}"
        assert a.dtype == e.dtype, f"{what}: dtype {a.dtype} vs torch {e.dtype}"
        np.testing.assert_array_equal(a, e, err_msg=what)
    elif isinstance(expected, dict):
        assert type(actual) is type(expected) and actual.keys() == expected.keys(), what
        for k in expected:
            assert_same(actual[k], expected[k], f"{what}[{k!r}]")
    elif isinstance(expected, (list, tuple)):
        assert type(actual).__name__ == type(expected).__name__, (
            f"{what}: {type(actual).__name__} vs torch {type(expected).__name__}")
        assert len(actual) == len(expected), what
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{what}[{i}]")
    else:
        assert actual == expected and type(actual) is type(expected), (
            f"{what}: {actual!r} vs {expected!r}")


def _arrays(n=11):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 3)), rng.integers(0, 4, n)


def _both_tensor_datasets(n=11):
    X, y = _arrays(n)
    return data.TensorDataset(X, y), tud.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))


# ----------------------------------------------------------------------------- DataLoader
@pytest.mark.parametrize("batch_size", [1, 3, 4, 11, 20])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_batches_and_len_match_torch(batch_size, drop_last):
    ours, theirs = _both_tensor_datasets()
    a = data.DataLoader(ours, batch_size=batch_size, drop_last=drop_last)
    b = tud.DataLoader(theirs, batch_size=batch_size, drop_last=drop_last)
    assert len(a) == len(b)
    got, want = list(a), list(b)
    assert len(got) == len(want) == len(b)
    for i, (g, w) in enumerate(zip(got, want)):
        assert_same(g, w, f"batch {i}")


@pytest.mark.parametrize("batch_size, drop_last",
                         [(1, False), (4, False), (4, True), (None, False)])
def test_generic_dataset_goes_sample_by_sample_like_torch(batch_size, drop_last):
    """A plain object with __getitem__/__len__ (no Dataset base), tuples of mixed types."""
    X, y = _arrays(10)

    class Plain:
        def __len__(self):
            return len(y)

        def __getitem__(self, i):
            return X[i], int(y[i]), float(X[i, 0]), f"s{i}"

    a = data.DataLoader(Plain(), batch_size=batch_size, drop_last=drop_last)
    b = tud.DataLoader(Plain(), batch_size=batch_size, drop_last=drop_last)
    assert len(a) == len(b)
    for i, (g, w) in enumerate(zip(a, b, strict=True)):
        assert_same(g, w, f"batch {i}")


def test_tensor_dataset_fast_path_equals_sample_by_sample_collation():
    ours, _ = _both_tensor_datasets(13)
    sub = data.Subset(data.Subset(ours, list(range(12, -1, -1))), [0, 2, 4, 6, 8, 10, 1])
    fast = list(data.DataLoader(sub, batch_size=3))
    slow = list(data.DataLoader(sub, batch_size=3, collate_fn=lambda b: data.default_collate(b)))
    assert len(fast) == len(slow) == 3
    for f, s in zip(fast, slow):
        assert_same(f, [torch.from_numpy(t.cpu().numpy()) for t in s])


def test_batches_are_copies_not_views_of_the_dataset():
    ours, _ = _both_tensor_datasets(6)
    x, _ = next(iter(data.DataLoader(ours, batch_size=3)))
    x += 100.0
    assert np.all(ours.tensors[0].cpu().numpy() < 100)


def test_custom_dataset_subclass_and_dict_samples_match_torch():
    class Squares(data.Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            return {"x": np.array([i, i * i], dtype=np.float32), "label": i % 2,
                    "name": str(i), "pair": (i, np.int32(i))}

    class TorchSquares(tud.Dataset):
        __len__ = Squares.__len__
        __getitem__ = Squares.__getitem__

    for bs in (2, 7, None):
        got = list(data.DataLoader(Squares(), batch_size=bs))
        want = list(tud.DataLoader(TorchSquares(), batch_size=bs))
        assert len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"bs={bs} batch {i}")


def test_shuffle_gives_a_permutation_per_epoch_and_a_seed_fixes_it():
    ours, _ = _both_tensor_datasets(20)
    y = ours.tensors[1].cpu().numpy()
    tidu.manual_seed(3)
    loader = data.DataLoader(ours, batch_size=6, shuffle=True)
    epochs = []
    for _ in range(3):
        order = np.concatenate([x[:, 0].cpu().numpy() for x, _ in loader])
        assert sorted(order.tolist()) == sorted(ours.tensors[0].cpu().numpy()[:, 0].tolist())
        epochs.append(order)
    assert not np.array_equal(epochs[0], epochs[1]), "the order must change between epochs"
    tidu.manual_seed(3)
    again = np.concatenate([x[:, 0].cpu().numpy() for x, _ in loader])
    np.testing.assert_array_equal(again, epochs[0])
    g1, g2 = Generator().manual_seed(7), Generator().manual_seed(7)
    a = [yb.cpu().numpy()
         for _, yb in data.DataLoader(ours, batch_size=6, shuffle=True, generator=g1)]
    b = [yb.cpu().numpy()
         for _, yb in data.DataLoader(ours, batch_size=6, shuffle=True, generator=g2)]
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert sorted(np.concatenate(a).tolist()) == sorted(y.tolist())


def test_shuffled_fast_path_uses_the_same_draws_as_the_generic_path():
    ours, _ = _both_tensor_datasets(17)
    fast = data.DataLoader(ours, batch_size=5, shuffle=True,
                           generator=Generator().manual_seed(1))
    slow = data.DataLoader(ours, batch_size=5, shuffle=True,
                           collate_fn=data.default_collate.__call__,
                           generator=Generator().manual_seed(1))
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(f[0].cpu().numpy(), s[0].cpu().numpy())


def test_custom_sampler_and_batch_sampler_match_torch():
    ours, theirs = _both_tensor_datasets(10)
    order = [9, 2, 5, 0, 7, 1, 3]
    for kw in ({"sampler": order, "batch_size": 3}, {"batch_sampler": [[4, 1], [0], [9, 8, 7]]}):
        for g, w in zip(data.DataLoader(ours, **kw), tud.DataLoader(theirs, **kw), strict=True):
            assert_same(g, w)
        assert len(data.DataLoader(ours, **kw)) == len(tud.DataLoader(theirs, **kw))


def test_num_workers_and_pin_memory_change_nothing():
    ours, theirs = _both_tensor_datasets(9)
    a = data.DataLoader(ours, batch_size=4, num_workers=3, pin_memory=True,
                        persistent_workers=True, prefetch_factor=4)
    for g, w in zip(a, tud.DataLoader(theirs, batch_size=4), strict=True):
        assert_same(g, w)
    assert data.get_worker_info() is None


@pytest.mark.parametrize("kwargs", [
    {"sampler": [0, 1], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_sampler": [[0]], "drop_last": True},
    {"batch_size": None, "drop_last": True},
    {"num_workers": -1},
    {"timeout": -1},
    {"prefetch_factor": 2},
    {"persistent_workers": True},
    {"batch_size": 0},
    {"batch_size": 2, "drop_last": 1},
])
def test_argument_errors_where_torch_raises_value_error(kwargs):
    ours, theirs = _both_tensor_datasets(4)
    with pytest.raises(ValueError):
        tud.DataLoader(theirs, **kwargs)
    with pytest.raises(ValueError):
        data.DataLoader(ours, **kwargs)


def test_options_are_frozen_after_init():
    loader = data.DataLoader(_both_tensor_datasets(4)[0])
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 2


class _Count(data.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class _TorchCount(tud.IterableDataset):
    __init__, __iter__, __len__ = _Count.__init__, _Count.__iter__, _Count.__len__


@pytest.mark.parametrize("batch_size, drop_last",
                         [(3, False), (3, True), (5, False), (None, False)])
def test_iterable_dataset_batches_match_torch(batch_size, drop_last):
    a = data.DataLoader(_Count(10), batch_size=batch_size, drop_last=drop_last)
    b = tud.DataLoader(_TorchCount(10), batch_size=batch_size, drop_last=drop_last)
    assert len(a) == len(b)
    for g, w in zip(a, b, strict=True):
        assert_same(g, w)
    with pytest.raises(ValueError, match="shuffle"):
        data.DataLoader(_Count(3), shuffle=True)
    chained = list(_Count(2) + _Count(3))
    assert chained == [0, 1, 0, 1, 2]


# ----------------------------------------------------------------------------- collation
_Point = collections.namedtuple("Point", ["x", "y"])


@pytest.mark.parametrize("batch", [
    [1, 2, 3],
    [1.5, 2.0],
    [True, False],
    [1, 2.5],
    [np.bool_(True), np.bool_(False)],
    [b"x", b"y"],
    [np.float32(1.0), np.float32(2.5)],
    [np.float64(1.0), np.float64(2.5)],
    [np.int32(4), np.int32(5)],
    [np.array(3.0), np.array(4.0)],
    [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    [np.arange(3), np.arange(3, 6)],
    [(np.arange(2.0), 1), (np.arange(2.0, 4.0), 2)],
    [{"a": 1.0, "b": [1, 2]}, {"a": 2.0, "b": [3, 4]}],
    [_Point(1, 2.0), _Point(3, 4.0)],
    [["a", 1], ["b", 2]],
    [[[1, 2], (3.0,)], [[4, 5], (6.0,)]],
])
def test_default_collate_matches_torch(batch):
    assert_same(data.default_collate(batch), tud.default_collate(batch))


def test_default_collate_stacks_tidu_tensors_and_keeps_the_graph():
    rows = [tidu.tensor(np.arange(3.0) + i, requires_grad=True) for i in range(2)]
    out = data.default_collate(rows)
    assert out.shape == (2, 3) and out.requires_grad
    (out * 2).sum().backward()
    np.testing.assert_array_equal(rows[0].grad.cpu().numpy(), 2.0)


@pytest.mark.parametrize("sample", [np.arange(3), np.float32(2), (np.arange(2), 1),
                                    {"k": np.ones(2)},
                                    [1, np.int64(2)], "text", 3])
def test_default_convert_matches_torch(sample):
    assert_same(data.default_convert(sample), tud.default_convert(sample))


def test_default_collate_errors():
    for bad in ([object(), object()], [np.array(["a"]), np.array(["b"])]):
        with pytest.raises(TypeError, match="default_collate"):
            data.default_collate(bad)
    with pytest.raises(RuntimeError, match="equal size"):
        data.default_collate([[1, 2], [3]])


# ----------------------------------------------------------------------------- datasets
def test_tensor_dataset_items_and_mismatch_error():
    ours, theirs = _both_tensor_datasets(5)
    assert len(ours) == len(theirs) == 5
    assert_same(ours[2], theirs[2])
    assert isinstance(ours.tensors[0], tidu.Tensor)
    with pytest.raises(ShapeError, match="tensor 2"):
        data.TensorDataset(np.zeros((4, 2)), np.zeros(4), np.zeros(3))


def test_subset_and_concat_indexing_match_torch():
    ours, theirs = _both_tensor_datasets(6)
    idx = [5, 0, 3]
    assert_same(data.Subset(ours, idx)[1], tud.Subset(theirs, idx)[1])
    assert len(data.Subset(ours, idx)) == 3
    a = data.ConcatDataset([ours, data.Subset(ours, idx), ours])
    b = tud.ConcatDataset([theirs, tud.Subset(theirs, idx), theirs])
    assert a.cumulative_sizes == b.cumulative_sizes == [6, 9, 15]
    for i in list(range(-15, 15)):
        assert_same(a[i], b[i], f"index {i}")
    for bad in (lambda m: m.ConcatDataset([]), lambda m: m.ConcatDataset([_Count(2)])):
        with pytest.raises(ValueError):
            bad(data)
    with pytest.raises(ValueError):
        a[-16]
    plus = ours + ours
    assert isinstance(plus, data.ConcatDataset) and len(plus) == 12


@pytest.mark.parametrize("lengths", [[3, 7], [0.5, 0.5], [0.3, 0.3, 0.4], [0.1, 0.9], [10],
                                     [0.33, 0.33, 0.34]])
def test_random_split_lengths_match_torch_and_partition(lengths):
    got = data.random_split(range(10), lengths, generator=Generator().manual_seed(0))
    want = tud.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in got] == [len(s) for s in want]
    assert all(isinstance(s, data.Subset) for s in got)
    assert sorted(itertools.chain.from_iterable(got)) == list(range(10))


def test_random_split_errors_and_seed():
    for bad in ([3, 3], [0.5, 0.6], [1.2, -0.2]):
        with pytest.raises(ValueError):
            tud.random_split(range(10), bad)
        with pytest.raises(ValueError):
            data.random_split(range(10), bad)
    with pytest.warns(UserWarning, match="index 0 is 0"):
        data.random_split(range(3), [0.0, 1.0])
    tidu.manual_seed(5)
    a = [list(s) for s in data.random_split(range(8), [4, 4])]
    tidu.manual_seed(5)
    assert a == [list(s) for s in data.random_split(range(8), [4, 4])]
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        data.random_split(range(8), [4, 4], generator=42)


# ----------------------------------------------------------------------------- samplers
@pytest.mark.parametrize("batch_size", [1, 3, 5, 7])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(batch_size, drop_last):
    order = [4, 1, 6, 0, 2, 5, 3]
    got = data.BatchSampler(order, batch_size, drop_last)
    want = tud.BatchSampler(order, batch_size, drop_last)
    assert list(got) == list(want) and len(got) == len(want)
    seq = data.BatchSampler(data.SequentialSampler(range(7)), batch_size, drop_last)
    torch_seq = tud.BatchSampler(tud.SequentialSampler(range(7)), batch_size, drop_last)
    assert list(seq) == list(torch_seq)
    assert [a.tolist() for a in seq._index_arrays()] == list(seq)


def test_sampler_argument_errors_match_torch():
    for cls in (tud.BatchSampler, data.BatchSampler):
        for args in ((range(3), 0, False), (range(3), True, False), (range(3), 2, 1)):
            with pytest.raises(ValueError):
                cls(*args)
    with pytest.raises(TypeError):
        data.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError):
        data.RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="1d"):
        data.WeightedRandomSampler(np.ones((2, 2)), 3)
    with pytest.raises(ValueError, match="num_samples"):
        data.WeightedRandomSampler([1.0, 2.0], 0)


def test_random_samplers_draw_what_they_should():
    g = Generator().manual_seed(0)
    perm = list(data.RandomSampler(range(9), generator=g))
    assert sorted(perm) == list(range(9))
    longer = list(data.RandomSampler(range(4), num_samples=10, generator=g))
    assert len(longer) == 10 and sorted(longer[:4]) == sorted(longer[4:8]) == [0, 1, 2, 3]
    drawn = list(data.RandomSampler(range(3), replacement=True, num_samples=50, generator=g))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2} and len(set(drawn)) == 3
    sub = list(data.SubsetRandomSampler([10, 20, 30], generator=g))
    assert sorted(sub) == [10, 20, 30]
    assert len(data.SequentialSampler(range(5))) == 5


def test_weighted_random_sampler_follows_the_weights():
    w = [0.0, 1.0, 3.0, 0.0, 6.0]
    s = data.WeightedRandomSampler(w, 20000, generator=Generator().manual_seed(0))
    draws = np.array(list(s))
    assert len(s) == 20000 and not np.isin(draws, [0, 3]).any()
    freq = np.bincount(draws, minlength=5) / len(draws)
    np.testing.assert_allclose(freq, np.array(w) / 10, atol=0.015)
    once = list(data.WeightedRandomSampler(w, 3, replacement=False, generator=Generator()))
    assert sorted(once) == [1, 2, 4]
    with pytest.raises(ValueError, match="without replacement"):
        data.WeightedRandomSampler(w, 4, replacement=False)
    with pytest.raises(ValueError, match=">= 0"):
        data.WeightedRandomSampler([1.0, -1.0], 2)
    ours, _ = _both_tensor_datasets(5)
    loader = data.DataLoader(ours, batch_size=4, sampler=data.WeightedRandomSampler(w, 8))
    ys = np.concatenate([x[:, 0].cpu().numpy() for x, _ in loader])
    assert len(ys) == 8 and not np.isin(ys, ours.tensors[0].cpu().numpy()[[0, 3], 0]).any()


def test_import_tidu_as_torch_names_and_doctests():
    assert tidu.utils.data.DataLoader is data.DataLoader
    for mod in ("collate", "dataloader", "dataset"):
        result = doctest.testmod(getattr(data, mod))
        assert result.attempted > 0 and result.failed == 0, mod


def test_stack_dataset_matches_torch_and_getitems_is_used():
    X, y = _arrays(5)
    a, b = data.StackDataset(X, y), tud.StackDataset(X, y)
    assert len(a) == len(b) == 5
    assert_same(data.default_collate([a[i] for i in range(3)]),
                tud.default_collate([b[i] for i in range(3)]))
    named = data.StackDataset(x=X, y=y)
    assert set(named[0]) == {"x", "y"}
    with pytest.raises(ValueError):
        data.StackDataset(X, y[:3])

    class Batched:
        calls = 0

        def __len__(self):
            return 6

        def __getitem__(self, i):
            raise AssertionError("the loader must ask __getitems__ for whole batches")

        def __getitems__(self, indices):
            Batched.calls += 1
            return [float(i) for i in indices]

    batches = list(data.DataLoader(data.Subset(Batched(), [5, 4, 3, 2]), batch_size=3))
    assert Batched.calls == 2 and [b.tolist() for b in batches] == [[5.0, 4.0, 3.0], [2.0]]
