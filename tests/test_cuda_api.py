"""`tidu.cuda` and `tidu.backends` as PyTorch's queries: the device-selection idiom of
PyTorch code runs unchanged, CUDA is reported only where CuPy sees a GPU, MPS never."""
import subprocess
import sys

import pytest

import tidu
import tidu.backend as backend


def test_device_idiom_runs_unchanged():
    torch = tidu
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x = torch.zeros(2, 3, device=device)
    assert x.device == device
    assert device == ("cuda" if backend.is_available("cuda") else "cpu")


def test_cuda_is_available_follows_the_backend():
    assert tidu.cuda.is_available() is backend.is_available("cuda")
    assert tidu.cuda.device_count() == (1 if tidu.cuda.is_available() else 0)


@pytest.mark.parametrize("available", [True, False])
def test_cuda_queries_when_a_gpu_is_or_is_not_seen(monkeypatch, available):
    monkeypatch.setattr(backend, "is_available", lambda device="cuda": available and device == "cuda")
    assert tidu.cuda.is_available() is available
    assert tidu.cuda.device_count() == int(available)
    assert tidu.device("cuda" if tidu.cuda.is_available() else "cpu") == ("cuda" if available else "cpu")


def test_cuda_without_cupy_is_not_available(monkeypatch):
    if "cuda" in backend._BACKENDS:
        pytest.skip("CUDA is registered here")
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` fails
    assert tidu.cuda.is_available() is False
    assert tidu.cuda.device_count() == 0


def test_cuda_seeding_calls_are_accepted_and_tidu_seed_rules():
    tidu.manual_seed(3)
    tidu.cuda.manual_seed(99)
    tidu.cuda.manual_seed_all(99)
    a = tidu.rand(4).cpu().numpy()
    tidu.manual_seed(3)
    assert (tidu.rand(4).cpu().numpy() == a).all()
    assert tidu.cuda.current_device() == 0


def test_mps_is_never_available():
    assert tidu.backends.mps.is_available() is False
    assert tidu.backends.mps.is_built() is False


def test_cudnn_flags_are_accepted():
    cudnn = tidu.backends.cudnn
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, False, False)
    cudnn.deterministic, cudnn.benchmark = True, False
    try:
        assert tidu.backends.cudnn.deterministic is True
    finally:
        cudnn.deterministic = False
    assert cudnn.is_available() is False


def test_cuda_and_backends_import_lazily():
    code = ("import sys, tidu\n"
            "assert 'tidu.cuda' not in sys.modules and 'tidu.backends' not in sys.modules\n"
            "assert tidu.backends.mps.is_available() is False\n"
            "import tidu.backends.mps, tidu.cuda\n"
            "print(tidu.cuda.device_count())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in ("0", "1")
