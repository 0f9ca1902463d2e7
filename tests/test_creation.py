"""tidu's tensor factories (tidu/creation.py) against PyTorch's: shapes, dtypes, exact values
of the deterministic factories, distributions and reproducibility of the random ones,
requires_grad, and one tidu error for each bad size, dtype or bound."""
import numpy as np
import pytest
import torch

import tidu
from tidu.backend import to_numpy
from tidu.errors import ArgumentError


def _np(t):
    return to_numpy(t._data) if isinstance(t, tidu.Tensor) else t.detach().numpy()


def _np_dtype(dtype):
    """A torch dtype as its NumPy dtype; a tidu dtype as np.dtype."""
    if isinstance(dtype, torch.dtype):
        return torch.empty(0, dtype=dtype).numpy().dtype
    return np.dtype(dtype)


@pytest.fixture(autouse=True)
def _seed():
    tidu.manual_seed(0)
    yield


# Each case is written once against the module `m` (tidu or torch): tidu's names are PyTorch's.
DETERMINISTIC = {
    "zeros varargs": lambda m: m.zeros(2, 3),
    "zeros tuple": lambda m: m.zeros((2, 3)),
    "zeros list float64": lambda m: m.zeros([4], dtype=m.float64),
    "zeros size=": lambda m: m.zeros(size=(1, 2)),
    "zeros 0-d": lambda m: m.zeros(()),
    "zeros empty dim": lambda m: m.zeros(0, 3),
    "zeros long": lambda m: m.zeros(3, dtype=m.long),
    "zeros bool": lambda m: m.zeros(2, dtype=m.bool),
    "ones": lambda m: m.ones(2, 2),
    "ones int32": lambda m: m.ones((3,), dtype=m.int32),
    "ones double": lambda m: m.ones(2, dtype=m.double),
    "full float": lambda m: m.full((2, 3), 1.5),
    "full int → int64": lambda m: m.full((2,), 7),
    "full bool → bool": lambda m: m.full((2,), True),
    "full dtype": lambda m: m.full([2, 2], 3, dtype=m.float64),
    "eye": lambda m: m.eye(3),
    "eye rect": lambda m: m.eye(2, 4),
    "eye int": lambda m: m.eye(3, 2, dtype=m.int64),
    "arange end": lambda m: m.arange(5),
    "arange start end": lambda m: m.arange(2, 9),
    "arange step": lambda m: m.arange(1, 10, 3),
    "arange negative step": lambda m: m.arange(5, -5, -2),
    "arange float": lambda m: m.arange(0, 1, 0.1),
    "arange float64": lambda m: m.arange(-1.5, 2.25, 0.25, dtype=m.float64),
    "arange int dtype float": lambda m: m.arange(4, dtype=m.float32),
    "arange empty": lambda m: m.arange(3, 3),
    "linspace": lambda m: m.linspace(0, 1, 5),
    "linspace float64": lambda m: m.linspace(-3.0, 7.5, 11, dtype=m.float64),
    "linspace one step": lambda m: m.linspace(2, 9, 1),
    "linspace zero steps": lambda m: m.linspace(2, 9, 0),
    "linspace int": lambda m: m.linspace(0, 10, 5, dtype=m.int64),
    "linspace decreasing": lambda m: m.linspace(10, -10, 7, dtype=m.float64),
    "logspace": lambda m: m.logspace(0, 3, 4),
    "logspace base 2": lambda m: m.logspace(-2, 4, 7, base=2, dtype=m.float64),
    "zeros_like": lambda m: m.zeros_like(m.ones(2, 3, dtype=m.float64)),
    "ones_like": lambda m: m.ones_like(m.zeros(4, dtype=m.int64)),
    "ones_like dtype": lambda m: m.ones_like(m.zeros(4, dtype=m.int64), dtype=m.float32),
    "full_like": lambda m: m.full_like(m.zeros(2, 2), 2.5),
    "full_like int": lambda m: m.full_like(m.zeros(3, dtype=m.int64), 2.7),
}


@pytest.mark.parametrize("case", list(DETERMINISTIC), ids=list(DETERMINISTIC))
def test_deterministic_factory_matches_torch(case):
    fn = DETERMINISTIC[case]
    ours, theirs = fn(tidu), fn(torch)
    assert isinstance(ours, tidu.Tensor)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == _np_dtype(theirs.dtype), (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-12 if ours.dtype == np.float64 else 1e-6,
                               atol=1e-12 if ours.dtype == np.float64 else 1e-6)
    if ours.dtype.kind != "f":
        np.testing.assert_array_equal(_np(ours), _np(theirs))
    assert not ours.requires_grad


SHAPED = {
    "empty": lambda m: m.empty(2, 3),
    "empty tuple float64": lambda m: m.empty((4,), dtype=m.float64),
    "empty_like": lambda m: m.empty_like(m.zeros(3, 1, dtype=m.int64)),
    "rand": lambda m: m.rand(3, 4),
    "rand tuple float64": lambda m: m.rand((2, 5), dtype=m.float64),
    "randn": lambda m: m.randn(7),
    "randn 0-d": lambda m: m.randn(()),
    "randint high": lambda m: m.randint(10, (3, 2)),
    "randint low high": lambda m: m.randint(-5, 5, (4,)),
    "randint keywords": lambda m: m.randint(low=2, high=4, size=(6,)),
    "randint float dtype": lambda m: m.randint(0, 3, (2,), dtype=m.float32),
    "randperm": lambda m: m.randperm(6),
    "randperm float": lambda m: m.randperm(4, dtype=m.float64),
    "normal numbers": lambda m: m.normal(2.0, 3.0, size=(4, 2)),
    "normal tensors": lambda m: m.normal(m.zeros(3, 1, dtype=m.float64), m.ones(1, 2, dtype=m.float64)),
    "normal tensor mean": lambda m: m.normal(m.zeros(5), 2.0),
    "normal tensor std": lambda m: m.normal(1.0, m.ones(2, 2)),
    "rand_like": lambda m: m.rand_like(m.zeros(2, 3, dtype=m.float64)),
    "randn_like": lambda m: m.randn_like(m.zeros(4)),
}


@pytest.mark.parametrize("case", list(SHAPED), ids=list(SHAPED))
def test_random_and_empty_factories_shape_and_dtype(case):
    ours, theirs = SHAPED[case](tidu), SHAPED[case](torch)
    assert isinstance(ours, tidu.Tensor)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == _np_dtype(theirs.dtype), (ours.dtype, theirs.dtype)


N = 200_000
DISTRIBUTIONS = {  # draw → (lowest allowed, highest allowed (exclusive), mean, std)
    "rand": (lambda: tidu.rand(N), 0.0, 1.0, 0.5, np.sqrt(1 / 12)),
    "rand float64": (lambda: tidu.rand(N, dtype=tidu.float64), 0.0, 1.0, 0.5, np.sqrt(1 / 12)),
    "rand_like": (lambda: tidu.rand_like(tidu.zeros(N)), 0.0, 1.0, 0.5, np.sqrt(1 / 12)),
    "randn": (lambda: tidu.randn(N), -np.inf, np.inf, 0.0, 1.0),
    "randn_like": (lambda: tidu.randn_like(tidu.zeros(N, dtype=tidu.float64)), -np.inf, np.inf, 0.0, 1.0),
    "normal": (lambda: tidu.normal(2.0, 3.0, size=(N,)), -np.inf, np.inf, 2.0, 3.0),
    "normal tensors": (lambda: tidu.normal(tidu.full((N,), -1.0), tidu.full((N,), 0.5)),
                       -np.inf, np.inf, -1.0, 0.5),
    "randint": (lambda: tidu.randint(-3, 7, (N,)), -3, 7, 1.5, np.sqrt((10 ** 2 - 1) / 12)),
}


@pytest.mark.parametrize("case", list(DISTRIBUTIONS), ids=list(DISTRIBUTIONS))
def test_random_factories_draw_the_right_distribution(case):
    draw, low, high, mean, std = DISTRIBUTIONS[case]
    x = _np(draw()).astype(np.float64)
    assert x.min() >= low and x.max() < high
    assert abs(x.mean() - mean) < 5 * std / np.sqrt(N)
    assert abs(x.std() - std) < 0.01 * std


def test_randint_covers_its_range_and_randperm_is_a_permutation():
    values = _np(tidu.randint(2, 6, (1000,)))
    assert set(values.tolist()) == {2, 3, 4, 5}
    perm = _np(tidu.randperm(50))
    assert perm.dtype == np.int64
    np.testing.assert_array_equal(np.sort(perm), np.arange(50))
    assert not np.array_equal(perm, np.arange(50))
    assert tidu.randperm(0).shape == (0,)


def test_normal_uses_each_elements_mean_and_std():
    mean = tidu.tensor(np.array([0.0, 100.0, -100.0]), dtype=tidu.float64)
    x = _np(tidu.normal(mean, 0.0))
    np.testing.assert_array_equal(x, [0.0, 100.0, -100.0])  # std 0: exactly the mean
    assert tidu.normal(mean, 1.0).dtype == np.float64


RANDOM = {
    "rand": lambda **kw: tidu.rand(5, **kw),
    "randn": lambda **kw: tidu.randn(2, 3, **kw),
    "randint": lambda **kw: tidu.randint(0, 100, (8,), **kw),
    "randperm": lambda **kw: tidu.randperm(20, **kw),
    "normal": lambda **kw: tidu.normal(0.0, 1.0, (4,), **kw),
    "rand_like": lambda **kw: tidu.rand_like(tidu.zeros(6), **kw),
    "randn_like": lambda **kw: tidu.randn_like(tidu.zeros(6), **kw),
}


@pytest.mark.parametrize("name", list(RANDOM))
def test_manual_seed_makes_draws_reproducible(name):
    tidu.manual_seed(123)
    first = _np(RANDOM[name]())
    second = _np(RANDOM[name]())
    tidu.manual_seed(123)
    np.testing.assert_array_equal(_np(RANDOM[name]()), first)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("name", list(RANDOM))
def test_generator_argument_is_used_instead_of_the_global_one(name):
    a = _np(RANDOM[name](generator=np.random.default_rng(7)))
    state = tidu.get_rng_state()
    b = _np(RANDOM[name](generator=np.random.default_rng(7)))
    np.testing.assert_array_equal(a, b)
    assert tidu.get_rng_state() == state  # the global generator was not touched
    with pytest.raises(tidu.TiduError, match="generator"):
        RANDOM[name](generator=7)


REQUIRES_GRAD = {
    "zeros": lambda m: m.zeros(2, 3, requires_grad=True),
    "ones": lambda m: m.ones(3, dtype=m.float64, requires_grad=True),
    "full": lambda m: m.full((2,), 2.0, requires_grad=True),
    "empty": lambda m: m.empty(2, requires_grad=True),
    "eye": lambda m: m.eye(2, requires_grad=True),
    "arange": lambda m: m.arange(0.0, 3.0, requires_grad=True),
    "linspace": lambda m: m.linspace(0, 1, 4, requires_grad=True),
    "logspace": lambda m: m.logspace(0, 1, 4, requires_grad=True),
    "rand": lambda m: m.rand(3, requires_grad=True),
    "randn": lambda m: m.randn(3, requires_grad=True),
    "randperm": lambda m: m.randperm(3, dtype=m.float32, requires_grad=True),
    "normal": lambda m: m.normal(0.0, 1.0, (3,), requires_grad=True),
    "zeros_like": lambda m: m.zeros_like(m.ones(3), requires_grad=True),
    "ones_like": lambda m: m.ones_like(m.ones(3), requires_grad=True),
    "full_like": lambda m: m.full_like(m.ones(3), 4.0, requires_grad=True),
    "rand_like": lambda m: m.rand_like(m.ones(3), requires_grad=True),
    "randn_like": lambda m: m.randn_like(m.ones(3), requires_grad=True),
}


@pytest.mark.parametrize("name", list(REQUIRES_GRAD))
def test_requires_grad_makes_a_leaf_that_gets_a_gradient(name):
    ours, theirs = REQUIRES_GRAD[name](tidu), REQUIRES_GRAD[name](torch)
    assert ours.requires_grad and theirs.requires_grad and ours.is_leaf
    (ours * 3.0).sum().backward()
    (theirs * 3.0).sum().backward()
    np.testing.assert_array_equal(_np(ours.grad), _np(theirs.grad))
    assert ours.grad.dtype == ours.dtype


@pytest.mark.parametrize("fn", [lambda m: m.zeros(2, dtype=m.int64, requires_grad=True),
                                lambda m: m.arange(3, requires_grad=True),
                                lambda m: m.randint(0, 3, (2,), requires_grad=True)])
def test_requires_grad_on_an_integer_tensor_is_refused(fn):
    with pytest.raises(RuntimeError):
        fn(torch)
    with pytest.raises(tidu.DTypeError, match="float"):
        fn(tidu)


def test_default_dtype_is_followed():
    tidu.set_default_dtype(np.float64)
    try:
        for t in (tidu.zeros(2), tidu.full((1,), 1.0), tidu.arange(0.0, 1.0, 0.5), tidu.rand(2),
                  tidu.randn(2), tidu.linspace(0, 1, 3), tidu.eye(2), tidu.normal(0.0, 1.0, (2,))):
            assert t.dtype == np.float64
        assert tidu.arange(3).dtype == np.int64 and tidu.randint(3, (2,)).dtype == np.int64
    finally:
        tidu.set_default_dtype(np.float32)


@pytest.mark.parametrize("name,expected", [("float", torch.float), ("float32", torch.float32),
                                           ("float64", torch.float64), ("double", torch.double),
                                           ("long", torch.long), ("int", torch.int),
                                           ("int32", torch.int32), ("int64", torch.int64),
                                           ("bool", torch.bool), ("half", torch.half),
                                           ("float16", torch.float16)])
def test_dtype_aliases_are_pytorchs(name, expected):
    assert np.dtype(getattr(tidu, name)) == _np_dtype(expected)


def test_dtype_aliases_do_not_shadow_builtins_outside_the_module():
    namespace = {}
    exec("import tidu\nresult = (int('3'), float('2.5'), bool(0))", namespace)
    assert namespace["result"] == (3, 2.5, False)
    assert tidu.float32 is np.float32 and tidu.float is np.float32 and tidu.long is np.int64


def test_device_argument_places_the_result():
    for t in (tidu.zeros(2, device="cpu"), tidu.randn(2, device=tidu.device("cpu")),
              tidu.arange(3, device="cpu"), tidu.zeros_like(tidu.ones(2), device="cpu")):
        assert t.device == "cpu" and type(t._data) is np.ndarray
    with pytest.raises(tidu.DeviceError):
        tidu.zeros(2, device="tpu")


# ------------------------------------------------------------------ from_numpy, as_tensor
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.bool_, np.uint8])
def test_from_numpy_shares_memory_and_keeps_dtype(dtype):
    arr = np.arange(6).reshape(2, 3).astype(dtype)
    ours, theirs = tidu.from_numpy(arr), torch.from_numpy(arr.copy())
    assert ours.dtype == _np_dtype(theirs.dtype) == arr.dtype
    assert ours.shape == (2, 3) and ours.device == "cpu"
    assert np.shares_memory(ours._data, arr)
    arr[0, 0] = 1
    assert _np(ours)[0, 0] == 1  # a write to the array shows in the tensor
    ours._data[1, 2] = 0
    assert arr[1, 2] == 0  # and back


def test_as_tensor_is_kept():
    x = tidu.ones(3)
    assert tidu.as_tensor(x) is x


# ------------------------------------------------------------------ errors
SIZED = {
    "zeros": lambda m, s: m.zeros(*s), "ones": lambda m, s: m.ones(*s),
    "empty": lambda m, s: m.empty(*s), "rand": lambda m, s: m.rand(*s),
    "randn": lambda m, s: m.randn(*s), "full": lambda m, s: m.full(s, 1.0),
    "randint": lambda m, s: m.randint(0, 5, s), "normal": lambda m, s: m.normal(0.0, 1.0, s),
    "zeros tuple": lambda m, s: m.zeros(s),
}


@pytest.mark.parametrize("name", list(SIZED))
@pytest.mark.parametrize("size", [(2, -1), (2.5,), (2, "3")], ids=["negative", "float", "str"])
def test_bad_sizes_are_refused(name, size):
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        SIZED[name](torch, size)
    with pytest.raises(ArgumentError, match=name.split()[0] + ": size"):
        SIZED[name](tidu, size)


ALL_FACTORIES = {
    "zeros": lambda dt: tidu.zeros(2, dtype=dt), "ones": lambda dt: tidu.ones(2, dtype=dt),
    "full": lambda dt: tidu.full((2,), 1.0, dtype=dt), "empty": lambda dt: tidu.empty(2, dtype=dt),
    "eye": lambda dt: tidu.eye(2, dtype=dt), "arange": lambda dt: tidu.arange(3, dtype=dt),
    "linspace": lambda dt: tidu.linspace(0, 1, 3, dtype=dt),
    "logspace": lambda dt: tidu.logspace(0, 1, 3, dtype=dt),
    "rand": lambda dt: tidu.rand(2, dtype=dt), "randn": lambda dt: tidu.randn(2, dtype=dt),
    "randint": lambda dt: tidu.randint(3, (2,), dtype=dt),
    "randperm": lambda dt: tidu.randperm(3, dtype=dt),
    "normal": lambda dt: tidu.normal(0.0, 1.0, (2,), dtype=dt),
    "zeros_like": lambda dt: tidu.zeros_like(tidu.ones(2), dtype=dt),
    "ones_like": lambda dt: tidu.ones_like(tidu.ones(2), dtype=dt),
    "full_like": lambda dt: tidu.full_like(tidu.ones(2), 1.0, dtype=dt),
    "empty_like": lambda dt: tidu.empty_like(tidu.ones(2), dtype=dt),
    "rand_like": lambda dt: tidu.rand_like(tidu.ones(2), dtype=dt),
    "randn_like": lambda dt: tidu.randn_like(tidu.ones(2), dtype=dt),
}


@pytest.mark.parametrize("name", list(ALL_FACTORIES))
def test_half_precision_is_refused_in_one_line(name):
    for half in (tidu.float16, tidu.half, "float16"):
        with pytest.raises(tidu.DTypeError, match=f"^{name}: tidu does not support half precision") as err:
            ALL_FACTORIES[name](half)
        assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", list(ALL_FACTORIES))
@pytest.mark.parametrize("dtype", [np.complex128, object, "no such dtype"])
def test_unsupported_dtypes_are_refused(name, dtype):
    with pytest.raises(tidu.DTypeError, match=f"^{name}: dtype"):
        ALL_FACTORIES[name](dtype)


@pytest.mark.parametrize("name", ["rand", "randn", "normal", "rand_like", "randn_like"])
def test_float_draws_refuse_integer_dtypes(name):
    with pytest.raises(tidu.DTypeError, match="float dtype"):
        ALL_FACTORIES[name](tidu.int64)


BAD = {
    "arange step 0": lambda m: m.arange(0, 5, 0),
    "arange wrong sign": lambda m: m.arange(0, 5, -1),
    "arange nan": lambda m: m.arange(0, float("nan")),
    "linspace negative steps": lambda m: m.linspace(0, 1, -1),
    "linspace float steps": lambda m: m.linspace(0, 1, 2.5),
    "logspace negative steps": lambda m: m.logspace(0, 1, -2),
    "eye negative": lambda m: m.eye(-1),
    "eye negative m": lambda m: m.eye(2, -3),
    "randint low >= high": lambda m: m.randint(5, 3, (2,)),
    "randint int size": lambda m: m.randint(0, 3, 2),
    "randperm negative": lambda m: m.randperm(-1),
    "normal negative std": lambda m: m.normal(0.0, -1.0, (2,)),
    "normal negative std tensor": lambda m: m.normal(m.zeros(2), -m.ones(2)),
    "full int size": lambda m: m.full(3, 1.0),
    "from_numpy list": lambda m: m.from_numpy([1.0, 2.0]),
    "zeros no size": lambda m: m.zeros(),
    "rand no size": lambda m: m.rand(),
    "zeros size twice": lambda m: m.zeros(2, size=(2,)),
    "zeros_like non-tensor": lambda m: m.zeros_like([1.0, 2.0]),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_arguments_raise_one_tidu_error(case):
    with pytest.raises(Exception):
        BAD[case](torch)
    with pytest.raises(tidu.TiduError) as err:
        BAD[case](tidu)
    op = case.split()[0]
    assert str(err.value).startswith(f"{op}: ")


def test_from_numpy_refuses_half_and_object_arrays():
    with pytest.raises(tidu.DTypeError, match="half precision"):
        tidu.from_numpy(np.zeros(2, np.float16))
    with pytest.raises(tidu.DTypeError):
        tidu.from_numpy(np.array(["a"], dtype=object))
