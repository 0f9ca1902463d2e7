"""Devices: tensors and models on a device other than the CPU, proven on a NumPy-backed
stand-in GPU (tests/fake_device.py, as strict as CuPy about host arrays) and, where a CUDA
GPU with CuPy is present, on the real one."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.backend import device_of, is_available, to_numpy
from tidu.nn import functional as F
from tests import fake_device

ROOT = Path(__file__).resolve().parents[1]
# The suites that run with every tensor on the device: ops, layers, losses, optimizers,
# regularizers, fit, the data loader and the diagnostics, each against the PyTorch oracle
# as on the CPU.
DEVICE_SUITES = ["tests/ops", "tests/nn", "tests/optim", "tests/train", "tests/data",
                 "tests/diagnose", "tests/test_tensor_engine.py", "tests/test_serialization.py",
                 "tests/test_regularization.py"]

fake_device.register()


def _suite(device):
    env = dict(os.environ, TIDU_TEST_DEVICE=device)
    return subprocess.run([sys.executable, "-m", "pytest", "-x", "-rs", "-p", "no:cacheprovider",
                           "-o", "addopts=", "-q", *DEVICE_SUITES],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_oracle_suites_pass_with_every_tensor_on_a_device():
    done = _suite("fake")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("on device fake:" in line for line in skips), skips  # only host-side tests


@pytest.mark.skipif(not is_available("cuda"), reason="no CUDA GPU with CuPy on this machine; "
                    "the same suites run on the NumPy-backed stand-in device above")
def test_the_oracle_suites_pass_on_the_gpu():
    done = _suite("cuda")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_a_tensor_stays_on_its_device_through_forward_and_backward():
    x = tidu.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, device="fake")
    assert x.device == "fake" and x.device.type == "fake"
    y = (tidu.exp(x * 2.0) + 1).sum()
    y.backward()
    assert device_of(x.grad._data) == "fake"
    np.testing.assert_allclose(to_numpy(x.grad._data), 2 * np.exp(2 * np.arange(6.0).reshape(2, 3)),
                               rtol=1e-6)


def test_mixing_devices_is_an_error_naming_the_op():
    a = tidu.Tensor(np.ones(3), device="fake")
    b = tidu.Tensor(np.ones(3))
    with pytest.raises(tidu.DeviceError, match=r"add: operands are on different devices \(cpu, fake\)"):
        a + b


def test_to_moves_differentiably_and_numpy_needs_cpu_first():
    x = tidu.Tensor([1.0, 2.0], requires_grad=True)
    d = x.to("fake")
    assert d.device == "fake" and x.device == "cpu"
    (d * d).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad._data, [2.0, 4.0])
    with pytest.raises(TypeError, match=r"device 'fake'.*\.cpu\(\)\.numpy\(\)"):
        d.numpy()
    np.testing.assert_array_equal(d.cpu().numpy(), [1.0, 2.0])
    assert x.to("cpu") is x and x.to(np.float32) is x


def test_a_model_moved_to_the_device_trains_like_on_the_host():
    def run(device):
        tidu.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(8, 3)).to(device)
        opt = tidu.optim.Adam(model.parameters(), lr=0.01)
        rng = np.random.default_rng(0)
        x, y = rng.standard_normal((32, 4)), rng.integers(0, 3, 32)
        for _ in range(5):
            opt.zero_grad()
            loss = F.cross_entropy(model(tidu.Tensor(x, device=device)), tidu.Tensor(y, device=device))
            loss.backward()
            opt.step()
        assert {device_of(a._data) for a in model.state_dict().values()} == {device}
        assert {device_of(s["exp_avg"]._data) for s in opt.state.values()} == {device}
        return {k: to_numpy(v._data) for k, v in model.to("cpu").state_dict().items()}

    host, device = run("cpu"), run("fake")
    for key in host:  # same draws (dropout masks come from the one seeded generator)
        np.testing.assert_allclose(device[key], host[key], rtol=1e-6, atol=1e-7, err_msg=key)


def test_fit_moves_host_batches_to_the_models_device():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3)).to("fake")
    rng = np.random.default_rng(1)
    data = (rng.standard_normal((40, 4)), rng.integers(0, 3, 40))
    history = tidu.train.fit(model, F.cross_entropy, tidu.optim.SGD(model.parameters(), lr=0.1),
                             data, val_data=data, epochs=2, batch_size=8, metrics=["accuracy"])
    assert len(history.history["loss"]) == 2 and 0 <= history.history["val_accuracy"][-1] <= 1
    assert device_of(model[0].weight._data) == "fake"


def test_set_backend_chooses_the_device_of_new_tensors_and_layers():
    try:
        tidu.set_backend("fake")
        assert tidu.get_default_device() == "fake" and tidu.get_backend() == "fakecupy"
        layer = nn.Linear(2, 2)
        assert layer.weight.device == "fake" and tidu.Tensor([1.0]).device == "fake"
    finally:
        tidu.set_backend("numpy")
    assert tidu.Tensor([1.0]).device == "cpu"


@pytest.mark.skipif(is_available("cuda"), reason="this machine has a CUDA GPU with CuPy")
def test_asking_for_a_missing_gpu_says_why():
    with pytest.raises(tidu.DeviceError, match=r"device 'cuda'"):
        tidu.set_backend("cupy")
    assert tidu.get_default_device() == "cpu"
    with pytest.raises(tidu.DeviceError, match="unknown device 'tpu'"):
        tidu.Tensor([1.0], device="tpu")
    assert "cupy" not in sys.modules or is_available("cuda")
