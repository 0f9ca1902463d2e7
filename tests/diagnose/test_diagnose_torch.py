"""diagnose on a PyTorch model trained in the user's own loop: the same findings, remedies and
evidence as on its tidu twin with copied weights (a deep sigmoid net: vanishing gradients; the
same net without zero_grad: stale gradients; a healthy ReLU net: none)."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.diagnose import GradientMonitor, diagnose

RNG = np.random.default_rng(5)
X = RNG.standard_normal((96, 6))
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def twins(act_p, act_t, depth):
    torch.manual_seed(0)
    layers_p, layers_t, d = [], [], 6
    for _ in range(depth):
        layers_p += [torch.nn.Linear(d, 16), act_p()]
        layers_t += [nn.Linear(d, 16), act_t()]
        d = 16
    net_p = torch.nn.Sequential(*layers_p, torch.nn.Linear(d, 2)).double()
    net_t = nn.Sequential(*layers_t, nn.Linear(d, 2)).to("float64")
    net_t.load_state_dict({k: v.detach().numpy() for k, v in net_p.state_dict().items()})
    return net_t, net_p


def train(lib, net, zero_grad, epochs=10):
    """The user's loop, written once for both libraries; returns (monitor, history dict)."""
    opt = lib.optim.SGD(net.parameters(), lr=0.1)
    loss_fn = lib.nn.CrossEntropyLoss()
    history = {"loss": []}
    with GradientMonitor(net) as mon:
        for _ in range(epochs):
            total = 0.0
            for i in range(0, len(X), 16):
                loss = loss_fn(net(lib.tensor(X[i:i + 16])), lib.tensor(Y[i:i + 16]))
                if zero_grad:
                    opt.zero_grad()
                loss.backward()
                mon.record(loss)
                opt.step()
                mon.record_update()
                total += loss.item()
            history["loss"].append(total / (len(X) // 16))
    return mon, history, opt


@pytest.mark.parametrize("case, expected", [
    (("sigmoid", 6, True), "vanishing_gradients"),
    (("relu", 2, False), "stale_gradients"),
    (("relu", 2, True), None),
])
def test_same_diagnosis_for_torch_and_tidu(case, expected):
    act, depth, zero_grad = case
    acts = {"sigmoid": (torch.nn.Sigmoid, nn.Sigmoid), "relu": (torch.nn.ReLU, nn.ReLU)}[act]
    net_t, net_p = twins(*acts, depth)
    results = []
    for lib, net in ((tidu, net_t), (torch, net_p)):
        mon, history, opt = train(lib, net, zero_grad)
        results.append(diagnose(mon, history, (X, Y), optimizer=opt))
    ours, theirs = results
    assert ours.kinds == theirs.kinds, (str(ours), str(theirs))
    assert (ours.top.kind if ours.top else None) == expected, str(ours)
    for f_ours, f_theirs in zip(ours, theirs):
        assert [r.key for r in f_ours.remedies] == [r.key for r in f_theirs.remedies]
        for key, value in f_ours.evidence.items():
            if isinstance(value, float):
                assert value == pytest.approx(f_theirs.evidence[key], rel=1e-6, nan_ok=True), key
