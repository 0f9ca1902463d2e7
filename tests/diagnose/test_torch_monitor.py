"""GradientMonitor on a PyTorch model: the same statistics as on the tidu twin with copied
weights (float64, same batches, SGD, the user's own loop), hooks removed on detach, the
structure flags, where values first turned non-finite, and one clear error for a model that
is neither a tidu nor a torch module."""
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close
from tidu import nn
from tidu.diagnose import GradientMonitor
from tidu.nn import functional as F

RNG = np.random.default_rng(3)
X = RNG.standard_normal((32, 6))
Y = X[:, :2].sum(axis=1, keepdims=True) + 0.1 * RNG.standard_normal((32, 1))
STATS = ("grad_norm", "weight_norm", "weight_rms", "update_ratio", "act_mean", "act_std",
         "saturated", "dead", "stale", "nonfinite_grad", "nonfinite_weight", "nonfinite_act")


def twins():
    """The same MLP (Tanh, ReLU, Sigmoid hidden activations) in torch and in tidu, float64,
    with the torch weights copied into tidu."""
    torch.manual_seed(0)
    net_p = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                torch.nn.ReLU(), torch.nn.Dropout(0.0), torch.nn.Linear(8, 8),
                                torch.nn.Sigmoid(), torch.nn.Linear(8, 1)).double()
    net_t = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Dropout(0.0),
                          nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 1)).to("float64")
    net_t.load_state_dict({k: v.detach().numpy() for k, v in net_p.state_dict().items()})
    return net_t, net_p


def run_torch(net, zero_grad=True, epochs=2, **kwargs):
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    with GradientMonitor(net, **kwargs) as mon:
        for _ in range(epochs):
            for i in range(0, len(X), 8):
                loss = torch.nn.functional.mse_loss(net(torch.from_numpy(X[i:i + 8])),
                                                    torch.from_numpy(Y[i:i + 8]))
                if zero_grad:
                    opt.zero_grad()
                loss.backward()
                mon.record(loss)
                opt.step()
                mon.record_update()
                with torch.no_grad():  # a validation pass: not captured
                    net(torch.from_numpy(100 * X[:4]))
    return mon


def run_tidu(net, zero_grad=True, epochs=2, **kwargs):
    opt = tidu.optim.SGD(net.parameters(), lr=0.05)
    with GradientMonitor(net, **kwargs) as mon:
        for _ in range(epochs):
            for i in range(0, len(X), 8):
                loss = F.mse_loss(net(tidu.tensor(X[i:i + 8])), tidu.tensor(Y[i:i + 8]))
                if zero_grad:
                    opt.zero_grad()
                loss.backward()
                mon.record(loss)
                opt.step()
                mon.record_update()
                with tidu.no_grad():
                    net(tidu.tensor(100 * X[:4]))
    return mon


@pytest.mark.parametrize("zero_grad", [True, False])
def test_torch_statistics_equal_the_tidu_twins(zero_grad):
    net_t, net_p = twins()
    s_t = run_tidu(net_t, zero_grad=zero_grad).stats
    s_p = run_torch(net_p, zero_grad=zero_grad).stats
    assert len(s_p) == len(s_t) == 8
    assert [vars(a) for a in s_p.layers] == [vars(a) for a in s_t.layers]
    assert [a.activation for a in s_p.layers] == ["tanh", "relu", "sigmoid", None]
    assert [a.activation_module for a in s_p.layers] == ["1", "3", "6", None]
    np.testing.assert_array_equal(s_p.steps, s_t.steps)
    assert_close(s_p.loss, s_t.loss, "loss", rtol=1e-10, atol=1e-12)
    for name in STATS:
        a, b = getattr(s_p, name), getattr(s_t, name)
        assert a.shape == (8, 4), name
        assert_close(a, b, name, rtol=1e-10, atol=1e-12)
    for name in ("grad_norm", "weight_norm", "update_ratio", "act_std", "stale"):
        assert np.isfinite(getattr(s_p, name)).all(), name
    assert np.isfinite(s_p.saturated[:, 2]).all() and np.isfinite(s_p.dead[:, 1]).all()
    assert s_p.activation_samples.keys() == s_t.activation_samples.keys()
    for key, values in s_p.activation_samples.items():
        assert_close(values, s_t.activation_samples[key], key, rtol=1e-10, atol=1e-12)
    assert s_p.nonfinite_origin is None and (s_p.first_nonfinite_act == -1).all()
    if zero_grad:
        assert (s_p.stale == 0).all()
    else:  # the gradients of every earlier step are still in .grad
        assert (s_p.stale[0] == 0).all()
        assert (np.median(s_p.stale[1:], axis=0) > 0.5).all(), s_p.stale


@pytest.mark.parametrize("zero_grad", [True, False])
def test_torch_stale_against_the_gradients_before_and_after_backward_with_clipping(zero_grad):
    """stale = ‖g_before‖ / ‖g_before + g_fresh‖ per layer, with g_before the .grad before
    backward and the sum the .grad right after it: a clipping between backward and record
    does not count as staleness."""
    _, net = twins()
    layers = [net[0], net[2], net[5], net[7]]
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    expected = []
    with GradientMonitor(net) as mon:
        for i in range(0, len(X), 8):
            if zero_grad:
                opt.zero_grad()
            before = [[p.grad.clone() if p.grad is not None else torch.zeros_like(p)
                       for p in m.parameters()] for m in layers]
            loss = torch.nn.functional.mse_loss(net(torch.from_numpy(X[i:i + 8])),
                                                torch.from_numpy(Y[i:i + 8]))
            loss.backward()
            expected.append([math.sqrt(sum(float((b ** 2).sum()) for b in bs)
                                       / sum(float((p.grad ** 2).sum()) for p in m.parameters()))
                             for bs, m in zip(before, layers)])
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1e-3)
            mon.record(loss)
            opt.step()
            mon.record_update()
    stale = mon.stats.stale
    assert_close(stale, np.array(expected), "stale", rtol=1e-10, atol=1e-12)
    assert (stale == 0).all() if zero_grad else (stale[1:] > 0).all()


def test_torch_every_n_steps_and_detach_removes_every_hook():
    _, net_p = twins()
    mon = run_torch(net_p, every_n_steps=3)
    assert mon.stats.steps.tolist() == [0, 3, 6]
    assert not mon.attached
    for module in net_p.modules():
        assert not module._forward_hooks, type(module).__name__
    for p in net_p.parameters():
        assert not p._backward_hooks
    # training goes on without the monitor and nothing more is recorded
    net_p(torch.from_numpy(X)).sum().backward()
    assert len(mon.stats) == 3


def test_torch_structure_flags_and_recurrent_layers():
    torch.manual_seed(0)

    class Tagger(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.LSTM(6, 5, batch_first=True)
            self.norm = torch.nn.BatchNorm1d(5)
            self.head = torch.nn.Linear(5, 1)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(self.norm(out[:, -1]))

    net = Tagger().double()
    xs = torch.from_numpy(RNG.standard_normal((4, 3, 6)))
    with GradientMonitor(net) as mon:
        loss = net(xs).pow(2).mean()
        loss.backward()
        mon.record(loss)
    s = mon.stats
    assert (s.has_recurrent, s.has_batchnorm, s.has_residual) == (True, True, False)
    assert s.layer_names == ["rnn", "norm", "head"]
    assert [info.type for info in s.layers] == ["LSTM", "BatchNorm1d", "Linear"]
    grads = [math.sqrt(sum(float((p.grad ** 2).sum()) for p in m.parameters()))
             for m in (net.rnn, net.norm, net.head)]
    np.testing.assert_allclose(s.grad_norm[0], grads, rtol=1e-12)
    # the LSTM's activation is the first element of its (out, (h, c)) output
    out = net.rnn(xs)[0].detach().numpy()
    np.testing.assert_allclose(s.act_mean[0, 0], out.mean(), rtol=1e-12)


def test_torch_nonfinite_origin_from_the_recorded_statistics():
    _, net_p = twins()
    with torch.no_grad():
        net_p[2].weight[0, 0] = float("inf")
    with np.errstate(all="ignore"), GradientMonitor(net_p) as mon:
        loss = torch.nn.functional.mse_loss(net_p(torch.from_numpy(X)), torch.from_numpy(Y))
        loss.backward()
        mon.record(loss)
    origin = mon.stats.nonfinite_origin
    assert origin["where"] == "forward" and origin["layer"] == "2", origin
    assert origin["module"] == "Linear" and origin["step"] == 0
    assert "only for tidu models" in origin["note"]
    assert mon.stats.first_nonfinite_act.tolist() == [1]


def test_a_model_that_is_neither_tidu_nor_torch_is_refused():
    class Model:
        def parameters(self):
            return []

    for bad in (Model(), {"weight": np.ones(3)}, "net"):
        with pytest.raises(TypeError, match="model must be a tidu.nn.Module or a "
                                            "torch.nn.Module, got"):
            GradientMonitor(bad)
        with pytest.raises(TypeError, match=r"GradientMonitor.attach: model must be"):
            GradientMonitor().attach(bad)


def test_torch_is_imported_only_for_a_torch_model():
    code = ("import sys, numpy as np, tidu\n"
            "from tidu import nn\n"
            "from tidu.diagnose import GradientMonitor\n"
            "net = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))\n"
            "with GradientMonitor(net) as mon:\n"
            "    loss = net(tidu.tensor(np.ones((4, 3), np.float32))).sum()\n"
            "    loss.backward(); mon.record(loss)\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n"
            "assert mon.stats.stale.tolist() == [[0.0, 0.0]]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("library", ["tidu", "torch"])
def test_an_elman_rnn_output_is_read_as_its_tanh(library):
    """nn.RNN's output sequence is tanh(W_ih x + W_hh h + b): its saturated fraction is
    |h| > 0.99 over the whole output; an LSTM's output is no activation's (NaN)."""
    xs = 3 * RNG.standard_normal((6, 4, 3))
    if library == "torch":
        torch.manual_seed(0)
        rnn, lstm = torch.nn.RNN(3, 5, batch_first=True), torch.nn.LSTM(3, 5, batch_first=True)
        torch.nn.init.normal_(rnn.weight_ih_l0, 0.0, 5.0)
        mods, x = (rnn.double(), lstm.double()), torch.from_numpy(xs)
        out_of = lambda m: m(x)[0].detach().cpu().numpy()  # noqa: E731
    else:
        tidu.manual_seed(0)
        rnn, lstm = tidu.nn.RNN(3, 5, batch_first=True), tidu.nn.LSTM(3, 5, batch_first=True)
        tidu.nn.init.normal_(rnn.weight_ih_l0, 0.0, 5.0)
        mods, x = (rnn.double(), lstm.double()), tidu.tensor(xs)
        out_of = lambda m: m(x)[0].detach().cpu().numpy()  # noqa: E731
    for module, kind in zip(mods, ["tanh", None]):
        with GradientMonitor(module) as mon:
            loss = module(x)[0].sum()
            loss.backward()
            mon.record(loss)
        s = mon.stats
        assert s.layers[0].activation == kind
        if kind is None:
            assert np.isnan(s.saturated[0, 0])
        else:
            expected = np.mean(np.abs(out_of(module)) > 0.99)
            assert expected > 0.25 and s.saturated[0, 0] == pytest.approx(expected)
