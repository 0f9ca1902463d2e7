"""tidu.amp against torch.amp: GradScaler runs PyTorch's loss-scaling algorithm number for
number (same scales, same skipped steps, same weights as torch's GradScaler('cpu') on a run
with inf/NaN losses); autocast is accepted everywhere PyTorch accepts it and changes nothing;
the deprecated torch.cuda.amp / torch.cpu.amp spellings warn and forward."""
import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import tidu
import tidu.cpu
from tests.oracle import copy_torch_weights

# per step: the factor the loss is multiplied by (inf / nan make every gradient non-finite)
FACTORS = [1.0, 1.0, math.inf, 1.0, 1.0, 1.0, 1.0, math.nan, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def models(seed=0):
    torch.manual_seed(seed)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    ours = tidu.nn.Sequential(tidu.nn.Linear(4, 3), tidu.nn.Tanh(), tidu.nn.Linear(3, 1))
    copy_torch_weights(ours, ref)
    return ours, ref


def run(lib, model, optimizer, scaler, xs, ys, clip=None):
    """The AMP training loop of PyTorch's docs; returns per step (scale, stepped?, weights)."""
    history = []
    for x, y, factor in zip(xs, ys, FACTORS):
        optimizer.zero_grad()
        loss = ((model(lib.tensor(x)) - lib.tensor(y)) ** 2).mean() * factor
        scaler.scale(loss).backward()
        if clip is not None:
            scaler.unscale_(optimizer)
            clip(model.parameters(), 0.5)
        before = [p.detach().cpu().numpy().copy() for p in model.parameters()]
        scaler.step(optimizer)
        scaler.update()
        after = [p.detach().cpu().numpy().copy() for p in model.parameters()]
        stepped = any((a != b).any() for a, b in zip(after, before))
        history.append((scaler.get_scale(), stepped, after, scaler.state_dict()))
    return history


def data(n=len(FACTORS)):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 5, 4)), rng.standard_normal((n, 5, 1))


def assert_same_history(ours, ref):
    for step, ((s1, st1, w1, d1), (s2, st2, w2, d2)) in enumerate(zip(ours, ref)):
        assert s1 == s2, f"step {step}: scale {s1} vs torch {s2}"
        assert st1 == st2, f"step {step}: stepped {st1} vs torch {st2}"
        assert d1 == d2, f"step {step}: state_dict {d1} vs torch {d2}"
        for a, b in zip(w1, w2):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("opt, kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.01})])
@pytest.mark.parametrize("scaler_kwargs", [
    {"init_scale": 2.0**10, "growth_interval": 3},
    {"init_scale": 1000.0, "growth_factor": 1.7, "backoff_factor": 0.3, "growth_interval": 2},
])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf and nan losses, on purpose
def test_grad_scaler_matches_torch(opt, kwargs, scaler_kwargs):
    xs, ys = data()
    ours, ref = models()
    h1 = run(tidu, ours, getattr(tidu.optim, opt)(ours.parameters(), **kwargs),
             tidu.amp.GradScaler("cpu", **scaler_kwargs), xs, ys)
    h2 = run(torch, ref, getattr(torch.optim, opt)(ref.parameters(), **kwargs),
             torch.amp.GradScaler("cpu", **scaler_kwargs), xs, ys)
    assert_same_history(h1, h2)
    assert [st for _, st, _, _ in h1].count(False) == 2  # the inf and the nan step were skipped


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_grad_scaler_with_unscale_and_clipping_matches_torch():
    xs, ys = data()
    ours, ref = models(1)
    h1 = run(tidu, ours, tidu.optim.SGD(ours.parameters(), lr=0.1),
             tidu.amp.GradScaler("cpu", growth_interval=4), xs, ys, clip=tidu.nn.utils.clip_grad_norm_)
    h2 = run(torch, ref, torch.optim.SGD(ref.parameters(), lr=0.1),
             torch.amp.GradScaler("cpu", growth_interval=4), xs, ys, clip=torch.nn.utils.clip_grad_norm_)
    assert_same_history(h1, h2)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow, on purpose
def test_unscale_divides_grads_and_flags_overflow():
    p = tidu.nn.Parameter(np.array([1.0, 2.0]))
    q = tidu.nn.Parameter(np.array([1.0]))
    opt = tidu.optim.SGD([p, q], lr=1.0)
    scaler = tidu.amp.GradScaler("cpu", init_scale=8.0)
    scaler.scale((p * np.array([3.0, -5.0])).sum() + (q * 1e308).sum()).backward()
    np.testing.assert_array_equal(p.grad.cpu().numpy(), [24.0, -40.0])
    scaler.unscale_(opt)
    np.testing.assert_array_equal(p.grad.cpu().numpy(), [3.0, -5.0])
    assert scaler.step(opt) is None  # q's scaled gradient overflowed: no step
    np.testing.assert_array_equal(p.detach().cpu().numpy(), [1.0, 2.0])
    scaler.update()
    assert scaler.get_scale() == 4.0


def test_scale_keeps_dtype_and_structure():
    scaler = tidu.amp.GradScaler("cpu", init_scale=4.0)
    assert scaler.get_scale() == 4.0  # before the first scale(): init_scale
    x32, x64 = tidu.ones(2), tidu.ones(2, dtype=tidu.float64)
    assert scaler.scale(x32).dtype == np.float32 and scaler.scale(x64).dtype == np.float64
    a, (b,) = scaler.scale([x32, (x64,)])
    np.testing.assert_array_equal(b.cpu().numpy(), [4.0, 4.0])
    assert [t.cpu().numpy()[0] for t in scaler.scale(iter([x32, x64]))] == [4.0, 4.0]
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale(3.0)


def test_scale_is_differentiable():
    w = tidu.nn.Parameter(np.array([2.0]))
    tidu.amp.GradScaler("cpu", init_scale=16.0).scale((w * w).sum()).backward()
    np.testing.assert_array_equal(w.grad.cpu().numpy(), [64.0])


def misuse():
    p = tidu.nn.Parameter(np.ones(2))
    opt = tidu.optim.SGD([p], lr=0.1)
    scaler = tidu.amp.GradScaler("cpu")
    return p, opt, scaler


def test_misuse_raises_as_torch():
    p, opt, scaler = misuse()
    with pytest.raises(AssertionError, match="Attempted unscale_ but _scale is None"):
        scaler.unscale_(opt)
    with pytest.raises(AssertionError, match="Attempted update but _scale is None"):
        scaler.update()
    scaler.scale(p.sum()).backward()
    with pytest.raises(AssertionError, match="No inf checks were recorded prior to update"):
        scaler.update()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: 0.0)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
        scaler.unscale_(opt)
    with pytest.raises(AssertionError, match="pickled at the beginning"):
        pickle.dumps(scaler)
    scaler.update()
    empty = tidu.optim.SGD([tidu.nn.Parameter(np.ones(1))], lr=0.1)
    with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer"):
        scaler.step(empty)


@pytest.mark.parametrize("kwargs, match", [({"growth_factor": 1.0}, "growth factor must be > 1.0"),
                                           ({"backoff_factor": 1.0}, "backoff factor must be < 1.0")])
def test_bad_factors_raise(kwargs, match):
    with pytest.raises(AssertionError, match=match):
        tidu.amp.GradScaler("cpu", **kwargs)


def test_update_with_new_scale():
    p, opt, scaler = misuse()
    scaler.scale(p.sum())
    scaler.update(new_scale=128.0)
    assert scaler.get_scale() == 128.0
    scaler.update(tidu.tensor(32.0, device="cpu"))
    assert scaler.get_scale() == 32.0
    with pytest.raises(AssertionError, match="new_scale should be a float"):
        scaler.update(tidu.tensor([1.0, 2.0]))


def test_state_dict_and_pickle_round_trip():
    p, opt, scaler = misuse()
    for _ in range(3):
        opt.zero_grad()
        scaler.scale(p.sum()).backward()
        scaler.step(opt)
        scaler.update()
    state = scaler.state_dict()
    assert state == {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                     "growth_interval": 2000, "_growth_tracker": 3}
    other = tidu.amp.GradScaler("cpu")
    other.load_state_dict(state)
    assert other.state_dict() == state
    assert pickle.loads(pickle.dumps(scaler)).state_dict() == state
    with pytest.raises(RuntimeError, match="source state dict is empty"):
        other.load_state_dict({})


def test_cuda_scaler_without_cuda_disables_itself_as_torch(monkeypatch):
    monkeypatch.setattr(tidu.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = tidu.amp.GradScaler()
    p, opt, _ = misuse()
    loss = (p * 3.0).sum()
    assert not scaler.is_enabled() and scaler.scale(loss) is loss
    loss.backward()
    scaler.step(opt)  # a plain optimizer.step()
    scaler.update()
    np.testing.assert_allclose(p.detach().cpu().numpy(), [0.7, 0.7])
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    scaler.load_state_dict({})  # a no-op when disabled


def test_disabled_scaler_is_a_pass_through():
    scaler = tidu.amp.GradScaler("cpu", enabled=False)
    assert scaler.is_enabled() is False and scaler.get_scale() == 1.0


def test_deprecated_spellings_warn_and_forward(monkeypatch):
    monkeypatch.setattr(tidu.cuda, "is_available", lambda: False)
    with pytest.warns(FutureWarning, match="torch.amp.GradScaler\\('cuda'"):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            assert not tidu.cuda.amp.GradScaler().is_enabled()
    with pytest.warns(FutureWarning, match="torch.amp.GradScaler\\('cpu'"):
        scaler = tidu.cpu.amp.GradScaler(init_scale=4.0)
    assert scaler.is_enabled() and scaler.get_scale() == 4.0
    with pytest.warns(FutureWarning, match="torch.amp.autocast\\('cpu'"):
        assert tidu.cpu.amp.autocast()._enabled
    with pytest.warns(FutureWarning, match="torch.amp.autocast\\('cuda'"):
        with pytest.warns(UserWarning, match="CUDA is not available. Disabling autocast"):
            assert not tidu.cuda.amp.autocast()._enabled


def test_autocast_changes_nothing():
    lin = tidu.nn.Linear(3, 2)
    x = tidu.randn(4, 3)
    plain = lin(x).detach().cpu().numpy()
    with tidu.amp.autocast("cpu") as region:
        inside = lin(x)
    assert region._enabled and region.fast_dtype == "bfloat16"
    assert inside.dtype == np.float32
    np.testing.assert_array_equal(inside.detach().cpu().numpy(), plain)

    @tidu.amp.autocast("cpu", dtype=tidu.float16)
    def forward(t):
        return lin(t)
    np.testing.assert_array_equal(forward(x).detach().cpu().numpy(), plain)
    assert forward.__name__ == "forward"


def test_autocast_checks_as_torch(monkeypatch):
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        tidu.amp.autocast(0)
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'mps'"):
        tidu.amp.autocast("mps")
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        tidu.amp.autocast("foo")
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not supported"):
        assert not tidu.amp.autocast("cpu", dtype=tidu.float32)._enabled
    monkeypatch.setattr(tidu.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available. Disabling autocast"):
        assert not tidu.amp.autocast("cuda")._enabled
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not tidu.amp.autocast("cuda", enabled=False)._enabled
    with pytest.raises(TypeError, match="requires a callable"):
        tidu.amp.autocast("cpu")(3)


def test_custom_fwd_bwd_return_the_functions():
    def f(ctx, x):
        return x
    assert tidu.amp.custom_fwd(f, device_type="cuda") is f
    assert tidu.amp.custom_fwd(device_type="cpu", cast_inputs=tidu.float16)(f) is f
    assert tidu.amp.custom_bwd(device_type="cuda")(f) is f
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        tidu.amp.custom_fwd(f, device_type=None)
    assert tidu.amp.is_autocast_available("cpu") and not tidu.amp.is_autocast_available("mps")


def test_cpu_module_queries():
    assert tidu.cpu.is_available() and tidu.cpu.device_count() == 1
    assert tidu.cpu.current_device() == "cpu" and tidu.cpu.synchronize() is None


def test_pytorch_amp_idiom_runs_unchanged():
    torch_ = tidu
    model = torch_.nn.Linear(4, 1)
    optimizer = torch_.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch_.amp.GradScaler("cpu")
    x, y = torch_.randn(8, 4), torch_.randn(8, 1)
    for _ in range(3):
        optimizer.zero_grad()
        with torch_.autocast(device_type="cpu", dtype=torch_.float16):
            loss = torch_.nn.functional.mse_loss(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    assert scaler.get_scale() == 2.0**16
