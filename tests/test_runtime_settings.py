"""set/get_num_threads, seed/initial_seed, use_deterministic_algorithms and
set_printoptions."""
import numpy as np
import pytest

import tidu


@pytest.fixture
def restore_threads():
    from tidu import runtime_settings
    saved = dict(runtime_settings._state)
    yield
    if runtime_settings._state["limiter"] is not None:
        runtime_settings._state["limiter"].restore_original_limits()
    runtime_settings._state.update(saved)


def test_num_threads(restore_threads):
    assert isinstance(tidu.get_num_threads(), int) and tidu.get_num_threads() >= 1
    tidu.set_num_threads(1)
    assert tidu.get_num_threads() == 1
    threadpoolctl = pytest.importorskip("threadpoolctl")
    pools = threadpoolctl.threadpool_info()
    assert all(p["num_threads"] == 1 for p in pools)
    with pytest.raises(ValueError, match="positive number of threads"):
        tidu.set_num_threads(0)


def test_seed_and_initial_seed():
    tidu.manual_seed(1234)
    assert tidu.initial_seed() == 1234
    s = tidu.seed()
    assert isinstance(s, int) and 0 <= s < 2**63 and tidu.initial_seed() == s
    a = tidu.rand(3)
    tidu.manual_seed(s)
    np.testing.assert_array_equal(tidu.rand(3).numpy() if a.device.type == "cpu" else
                                  tidu.rand(3).cpu().numpy(), a.cpu().numpy())
    tidu.manual_seed(0)


def test_deterministic_flag():
    assert tidu.are_deterministic_algorithms_enabled() is False
    tidu.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert tidu.are_deterministic_algorithms_enabled() is True
        assert tidu.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        tidu.use_deterministic_algorithms(False)
    assert tidu.are_deterministic_algorithms_enabled() is False
    with pytest.raises(TypeError, match="mode must be a bool"):
        tidu.use_deterministic_algorithms("yes")


@pytest.fixture
def restore_printing():
    yield
    tidu.set_printoptions(profile="default")


def test_printoptions(restore_printing):
    x = tidu.tensor([1.0 / 3, 2.5, 12.5], dtype=tidu.float64)
    assert "0.3333" in repr(x) and "dtype=float64" in repr(x)
    tidu.set_printoptions(precision=2)
    assert "0.33" in repr(x) and "0.333" not in repr(x)
    tidu.set_printoptions(sci_mode=True)
    assert "3.33e-01" in repr(x)
    tidu.set_printoptions(profile="default")
    assert "0.3333" in repr(x)
    tidu.set_printoptions(threshold=5, edgeitems=2)
    assert "..." in repr(tidu.arange(100))
    tidu.set_printoptions(profile="full")
    assert "..." not in repr(tidu.arange(2000))
    tidu.set_printoptions(profile="short")
    assert tidu.get_printoptions()["precision"] == 2
    with pytest.raises(ValueError, match="profile must be one of"):
        tidu.set_printoptions(profile="long")
    with pytest.raises(ValueError, match="precision must be a number"):
        tidu.set_printoptions(precision=-1)
