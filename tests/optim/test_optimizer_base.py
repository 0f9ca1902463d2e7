"""A PyTorch-style Optimizer subclass (its own defaults and step) runs on tidu as on torch."""
import numpy as np

import tidu
import torch


def _momentum_sgd(lib):
    class MomentumSGD(lib.optim.Optimizer):
        def __init__(self, params, lr=0.1, momentum=0.9):
            super().__init__(params, dict(lr=lr, momentum=momentum))

        @lib.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    buf = state.get("buf")
                    if buf is None:
                        buf = state["buf"] = p.grad.clone()
                    else:
                        buf.mul_(group["momentum"]).add_(p.grad)
                    p.add_(buf, alpha=-group["lr"])
    return MomentumSGD


def test_a_subclass_with_its_own_defaults_matches_torch():
    w0 = np.random.default_rng(0).normal(size=(3, 2))
    out = []
    for lib in (tidu, torch):
        w = lib.tensor(w0.copy(), requires_grad=True)
        opt = _momentum_sgd(lib)([w], lr=0.05)
        assert "clipnorm" not in opt.param_groups[0] or lib is tidu
        for _ in range(3):
            opt.zero_grad()
            (w ** 2).sum().backward()
            opt.step()
        out.append(w.detach().cpu().numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-15)
