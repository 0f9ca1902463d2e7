"""tidu.optim.swa_utils against torch.optim.swa_utils: the same sequence of weights fed to
update_parameters gives the same averaged weights (to the last bit for SWA and the EMA of
get_ema_avg_fn, within an ulp for the fused lerp of the multi_avg_fn functions), SWALR gives
PyTorch's learning rates step by step, update_bn PyTorch's BatchNorm statistics."""
import pickle

import numpy as np
import pytest
import torch
from torch.optim import swa_utils as ref_swa

import tidu
from tidu.nn import Parameter
from tidu.optim import swa_utils as swa
from tidu.optim.lr_scheduler import CosineAnnealingLR


def pair(dtype):
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    ref = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(),
                              torch.nn.Linear(5, 2)).to(torch_dtype)
    ours = tidu.nn.Sequential(tidu.nn.Linear(4, 5), tidu.nn.BatchNorm1d(5), tidu.nn.ReLU(),
                              tidu.nn.Linear(5, 2)).to(dtype)
    return ours, ref


def random_state(ref, rng, dtype):
    state = {}
    for k, v in ref.state_dict().items():
        if k.endswith("num_batches_tracked"):
            state[k] = np.array(rng.integers(0, 50), dtype=np.int64)
        else:
            state[k] = np.abs(rng.standard_normal(tuple(v.shape))).astype(dtype) + 0.1
    return state


def load(ours, ref, state):
    ours.load_state_dict({k: v.copy() for k, v in state.items()})
    ref.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})


def host(arr):
    """A parameter's array or a buffer (a tensor) as a host array."""
    return tidu.backend.to_numpy(arr._data if isinstance(arr, tidu.Tensor) else arr)


def averaged_states(ours_avg, ref_avg):
    mine = {k: host(v._data if isinstance(v, tidu.Tensor) else v)
            for k, v in ours_avg.state_dict().items()}
    theirs = {k: v.numpy() for k, v in ref_avg.state_dict().items()}
    return mine, theirs


CASES = {
    "swa": ({}, {}),
    "swa_buffers": ({"use_buffers": True}, {"use_buffers": True}),
    "ema_avg_fn": ({"avg_fn": swa.get_ema_avg_fn(0.9)}, {"avg_fn": ref_swa.get_ema_avg_fn(0.9)}),
    "swa_avg_fn": ({"avg_fn": swa.get_swa_avg_fn()}, {"avg_fn": ref_swa.get_swa_avg_fn()}),
    "ema_multi": ({"multi_avg_fn": swa.get_ema_multi_avg_fn(0.9), "use_buffers": True},
                  {"multi_avg_fn": ref_swa.get_ema_multi_avg_fn(0.9), "use_buffers": True}),
    "swa_multi": ({"multi_avg_fn": swa.get_swa_multi_avg_fn()},
                  {"multi_avg_fn": ref_swa.get_swa_multi_avg_fn()}),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_averaged_model_matches_torch(case, dtype):
    ours_kwargs, ref_kwargs = CASES[case]
    ours, ref = pair(dtype)
    rng = np.random.default_rng(0)
    load(ours, ref, random_state(ref, rng, dtype))
    ours_avg, ref_avg = swa.AveragedModel(ours, **ours_kwargs), ref_swa.AveragedModel(ref, **ref_kwargs)
    for _ in range(6):
        load(ours, ref, random_state(ref, rng, dtype))
        ours_avg.update_parameters(ours)
        ref_avg.update_parameters(ref)
        mine, theirs = averaged_states(ours_avg, ref_avg)
        assert list(mine) == list(theirs)
        for k in theirs:
            assert mine[k].dtype == theirs[k].dtype, k
            if case.endswith("multi") and mine[k].dtype.kind == "f":  # PyTorch fuses the lerp
                np.testing.assert_allclose(mine[k], theirs[k], rtol=4 * np.finfo(dtype).eps, err_msg=k)
            else:
                np.testing.assert_array_equal(mine[k], theirs[k], err_msg=k)
    assert int(ours_avg.n_averaged) == 6


def test_averaged_model_is_a_copy_that_forwards():
    ours, ref = pair(np.float64)
    avg = swa.AveragedModel(ours)
    assert avg.module is not ours and int(avg.n_averaged) == 0
    ours.eval(), avg.eval()
    x = tidu.randn(3, 4, dtype=tidu.float64)
    np.testing.assert_array_equal(avg(x).detach().cpu().numpy(), avg.module(x).detach().cpu().numpy())
    avg.update_parameters(ours)
    np.testing.assert_array_equal(avg(x).detach().cpu().numpy(), ours(x).detach().cpu().numpy())
    assert next(avg.parameters()) is not next(ours.parameters())


def test_averaged_model_checks_arguments():
    ours, _ = pair(np.float64)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa.AveragedModel(ours, avg_fn=swa.get_swa_avg_fn(), multi_avg_fn=swa.get_swa_multi_avg_fn())
    for make in (swa.get_ema_avg_fn, swa.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
            make(1.5)


def loaders(rng):
    xs = [rng.standard_normal((8, 4)) for _ in range(4)]
    return ([(tidu.tensor(x), tidu.tensor(x[:, :1])) for x in xs],
            [(torch.tensor(x), torch.tensor(x[:, :1])) for x in xs])


def test_update_bn_matches_torch():
    ours, ref = pair(np.float64)
    load(ours, ref, random_state(ref, np.random.default_rng(1), np.float64))
    ours.eval(), ref.eval()
    ours_loader, ref_loader = loaders(np.random.default_rng(2))
    swa.update_bn(ours_loader, ours)
    ref_swa.update_bn(ref_loader, ref)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(host(getattr(ours[1], name)), getattr(ref[1], name).numpy(),
                                   rtol=1e-12, err_msg=name)
    assert int(ours[1].num_batches_tracked) == 4
    assert ours[1].momentum == 0.1 and ours.training is False  # restored
    swa.update_bn([t for t, _ in ours_loader], ours)  # plain tensors as batches
    np.testing.assert_allclose(host(ours[1].running_mean), ref[1].running_mean.numpy(), rtol=1e-12)


def test_update_bn_without_batchnorm_does_nothing():
    lin = tidu.nn.Linear(4, 2)
    swa.update_bn(iter(()), lin)  # the loader is not even read
    assert lin.training


def optimizers(lrs=(0.1, 0.05)):
    ours = [Parameter(np.ones(2)), Parameter(np.ones(3))]
    ref = [torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)]
    return (tidu.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ours, lrs)]),
            torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ref, lrs)]))


@pytest.mark.parametrize("kwargs", [
    {"swa_lr": 0.01}, {"swa_lr": [0.01, 0.2], "anneal_strategy": "linear", "anneal_epochs": 5},
    {"swa_lr": 0.02, "anneal_epochs": 0}, {"swa_lr": 0.02, "anneal_epochs": 1},
])
def test_swalr_matches_torch(kwargs):
    ours_opt, ref_opt = optimizers()
    ours, ref = swa.SWALR(ours_opt, **kwargs), ref_swa.SWALR(ref_opt, **kwargs)
    for step in range(25):
        assert ours.get_last_lr() == ref.get_last_lr(), f"step {step}"
        ours_opt.step(), ref_opt.step()
        ours.step(), ref.step()


def test_swalr_after_another_schedule_matches_torch():
    ours_opt, ref_opt = optimizers()
    ours_cos = CosineAnnealingLR(ours_opt, T_max=20)
    ref_cos = torch.optim.lr_scheduler.CosineAnnealingLR(ref_opt, T_max=20)
    ours_swa, ref_swa_sched = swa.SWALR(ours_opt, swa_lr=0.03), ref_swa.SWALR(ref_opt, swa_lr=0.03)
    for epoch in range(30):
        ours_opt.step(), ref_opt.step()
        if epoch > 10:
            ours_swa.step(), ref_swa_sched.step()
        else:
            ours_cos.step(), ref_cos.step()
        assert [g["lr"] for g in ours_opt.param_groups] == [g["lr"] for g in ref_opt.param_groups]


def test_swalr_state_dict_round_trip():
    ours_opt, _ = optimizers()
    sched = swa.SWALR(ours_opt, swa_lr=0.01, anneal_strategy="linear")
    for _ in range(3):
        sched.step()
    state = pickle.loads(pickle.dumps(sched.state_dict()))
    assert "anneal_func" not in state and "optimizer" not in state
    other_opt, _ = optimizers()
    other = swa.SWALR(other_opt, swa_lr=0.01, anneal_epochs=3)  # cos, until loaded
    other.load_state_dict(state)
    for group, lr in zip(other_opt.param_groups, sched.get_last_lr()):
        group["lr"] = lr
    sched.step(), other.step()
    assert other.get_last_lr() == sched.get_last_lr()
    assert other.anneal_func(0.5) == 0.5  # linear again


def test_swalr_checks_arguments():
    opt, _ = optimizers()
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got cosine"):
        swa.SWALR(opt, swa_lr=0.1, anneal_strategy="cosine")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
        swa.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr has 3 values for 2 param groups"):
        swa.SWALR(opt, swa_lr=[0.1, 0.2, 0.3])
    with pytest.raises(TypeError, match="expected a tidu.optim optimizer"):
        swa.SWALR(object(), swa_lr=0.1)


def test_pytorch_spelling():
    torch_ = tidu
    model = torch_.nn.Linear(3, 1)
    optimizer = torch_.optim.SGD(model.parameters(), lr=0.1)
    swa_model = torch_.optim.swa_utils.AveragedModel(model)
    scheduler = torch_.optim.swa_utils.SWALR(optimizer, swa_lr=0.05)
    for _ in range(3):
        swa_model.update_parameters(model)
        scheduler.step()
    assert int(swa_model.n_averaged) == 3
