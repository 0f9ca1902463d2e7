"""The compiled recurrent kernels: the LSTM and GRU layers give the NumPy path's results on
both dtypes (and PyTorch's in float32), the compiled path is really taken for contiguous
float arrays, a NaN in the input reaches every output and gradient, and TIDU_KERNELS chooses
the path."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import tidu
from tidu import kernels, nn

pytestmark = pytest.mark.host_only("the compiled kernels serve NumPy arrays only")


def _run(name, dtype, seed=0, nan=False):
    """Output, final state(s) and every gradient of a 2-layer layer on one batch."""
    r = np.random.default_rng(seed)
    tidu.manual_seed(seed)
    m = getattr(nn, name)(5, 7, num_layers=2).to(dtype=getattr(tidu, np.dtype(dtype).name))
    x = r.standard_normal((9, 4, 5)).astype(dtype)
    if nan:
        x[3, 1, 2] = np.nan
    xt = tidu.tensor(x, requires_grad=True)
    h0 = tidu.tensor(r.standard_normal((2, 4, 7)).astype(dtype), requires_grad=True)
    init = (h0, tidu.tensor(r.standard_normal((2, 4, 7)).astype(dtype), requires_grad=True)) \
        if name == "LSTM" else h0
    out, state = m(xt, init)
    states = state if isinstance(state, tuple) else (state,)
    (out.sum() + sum((s * s).sum() for s in states)).backward()
    grads = [xt.grad] + [t.grad for t in (init if isinstance(init, tuple) else (init,))]
    grads += [p.grad for p in m.parameters()]
    return [out] + list(states) + grads


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_compiled_and_numpy_paths_agree(name, dtype, tol, monkeypatch):
    compiled = _run(name, dtype)
    monkeypatch.setattr(kernels, "KERNELS", "numpy")
    reference = _run(name, dtype)
    for a, b in zip(compiled, reference):
        assert a._data.dtype == dtype
        np.testing.assert_allclose(a._data, b._data, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_float32_layer_matches_torch(name):
    r = np.random.default_rng(3)
    tm = getattr(nn, name)(6, 16, batch_first=True)
    pm = getattr(torch.nn, name)(6, 16, batch_first=True)
    tm.load_state_dict({k: v.detach().numpy() for k, v in pm.state_dict().items()})
    x = r.standard_normal((8, 30, 6)).astype(np.float32)
    xt, xp = tidu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (yt, _), (yp, _) = tm(xt), pm(xp)
    (yt * yt).sum().backward()
    (yp * yp).sum().backward()
    np.testing.assert_allclose(yt._data, yp.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(xt.grad._data, xp.grad.numpy(), rtol=1e-3, atol=1e-4)
    for (k, p), q in zip(tm.named_parameters(), pm.parameters()):
        np.testing.assert_allclose(p.grad._data, q.grad.numpy(), rtol=1e-3, atol=1e-4,
                                   err_msg=k)


def test_compiled_path_is_taken_for_contiguous_float_arrays(monkeypatch):
    calls = []
    import tidu.kernels.recurrent as kr
    original = kr.lstm_forward_step

    def spy(*args):
        calls.append(args[0].dtype)
        return original(*args)
    monkeypatch.setattr(kr, "lstm_forward_step", spy)
    nn.LSTM(3, 4)(tidu.randn(5, 2, 3))
    assert calls == [np.float32] * 5
    assert kernels.use_compiled(np.zeros((2, 3))) and not kernels.use_compiled(np.zeros((2, 3)).T)
    assert not kernels.use_compiled(np.zeros(3, np.int64))
    assert not kernels.use_compiled(np.zeros(3, np.float32), np.zeros(3))


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_nan_input_reaches_the_outputs_and_gradients(name):
    results = _run(name, np.float32, nan=True)
    out, grads = results[0], results[-4:]
    assert np.isnan(out._data[3:, 1]).all() and not np.isnan(out._data[:3]).any()
    assert all(np.isnan(g._data).any() for g in grads)


def test_tidu_kernels_variable_chooses_and_checks_the_path():
    code = "import tidu.kernels as k; print(k.KERNELS)"
    env = dict(os.environ, TIDU_KERNELS="numpy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "numpy"
    env["TIDU_KERNELS"] = "fortran"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "TIDU_KERNELS must be 'numba' or 'numpy', got 'fortran'" in out.stderr


def test_preload_loads_every_kernel_for_the_dtype():
    code = ("import sys, numpy as np, tidu.kernels as k; before = 'numba' in sys.modules; "
            "k.preload(np.float64); import tidu.kernels.recurrent as r, tidu.kernels.conv as c; "
            "print(before, [str(s[0].dtype) for s in r.gru_backward_step.signatures], "
            "len(c.col2im_flat.signatures))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "['float64']", "1"], out.stderr
