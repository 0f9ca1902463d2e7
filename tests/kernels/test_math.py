"""The compiled element functions (tidu.kernels._math) against NumPy's float64 libm: relative
error within a few float eps over the whole finite range, saturation beyond it, NaN and ±Inf
passed through, and exact values at 0."""
import numpy as np
import pytest
from numba import njit

from tidu.kernels._math import FASTMATH, fexp, fexpm1, sigmoid_neg, tanh

pytestmark = pytest.mark.host_only("the compiled kernels serve NumPy arrays only")


_FUNCS = {"exp": fexp, "expm1": fexpm1, "tanh": tanh, "sigmoid_neg": sigmoid_neg}
_REFS = {"exp": np.exp, "expm1": np.expm1, "tanh": np.tanh,
         "sigmoid_neg": lambda a: 1 / (1 + np.exp(a))}


def _vectorised(name):
    f = _FUNCS[name]

    @njit(fastmath=FASTMATH, error_model="numpy")
    def run(a, out):
        for i in range(a.size):
            out[i] = f(a[i])
    return run


RUNNERS = {name: _vectorised(name) for name in _FUNCS}


def _apply(name, a):
    out = np.empty_like(a)
    RUNNERS[name](a, out)
    return out


def _grid(dtype, lo, hi):
    tiny = np.geomspace(1e-30, 1, 301)
    return np.concatenate([np.linspace(lo, hi, 40_001), tiny, -tiny]).astype(dtype)


@pytest.mark.parametrize("dtype,ulps", [(np.float32, 4), (np.float64, 4)])
@pytest.mark.parametrize("name", sorted(_FUNCS))
def test_relative_error_is_a_few_eps_on_the_finite_range(name, dtype, ulps):
    lo, hi = (-80, 80) if dtype == np.float32 else (-700, 700)
    x = _grid(dtype, lo, hi)
    got = _apply(name, x).astype(np.float64)
    with np.errstate(over="ignore", under="ignore"):
        want = _REFS[name](x.astype(np.float64))
    ok = np.abs(want) > np.finfo(dtype).tiny * 1e6  # away from the subnormal range
    rel = np.abs(got[ok] / want[ok] - 1)
    assert rel.max() <= ulps * np.finfo(dtype).eps, (name, x[ok][np.argmax(rel)], rel.max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturation_nan_and_inf(dtype):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, 1e6, -1e6], dtype=dtype)
    t, s, e, m = (_apply(n, x) for n in ("tanh", "sigmoid_neg", "exp", "expm1"))
    for out in (t, s, e, m):
        assert np.isnan(out[0])  # a NaN is never clamped into a number
    np.testing.assert_array_equal(t[1:], [1, -1, 0, 1, -1])
    np.testing.assert_array_equal(s[3], 0.5)
    assert s[4] < np.finfo(dtype).tiny * 2 and s[5] == 1
    np.testing.assert_array_equal([e[3], m[3]], [1, 0])
    assert np.isfinite(e[4]) and e[4] > np.finfo(dtype).max / 4  # saturated, not Inf
    assert m[5] == -1


def test_functions_refuse_to_run_outside_compiled_code():
    with pytest.raises(NotImplementedError, match="Numba-compiled"):
        tanh(0.5)
