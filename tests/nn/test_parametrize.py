"""nn.utils.parametrize / parametrizations.weight_norm against torch: the originals'
names and values, the forward, every gradient, removal; and a custom parametrization."""
import numpy as np
import pytest
import torch

import tidu
from tests.oracle import assert_close

rng = np.random.default_rng(6)
W, B, X = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=(5, 4))


def _linear(lib):
    lin = lib.nn.Linear(4, 3).double()
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(W))
        lin.bias.copy_(lib.tensor(B))
    return lin


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(dim):
    runs = []
    for lib in (tidu, torch):
        lin = lib.nn.utils.parametrizations.weight_norm(_linear(lib), dim=dim)
        plist = lin.parametrizations.weight
        out = lin(lib.tensor(X))
        (out * lib.tensor(np.arange(15.0).reshape(5, 3))).sum().backward()
        runs.append((sorted(lin.state_dict()), out, lin.weight, plist.original0, plist.original1,
                     plist.original0.grad, plist.original1.grad, lin.bias.grad))
    ours, theirs = runs
    assert ours[0] == theirs[0]
    for i, what in enumerate(["out", "weight", "g", "v", "dg", "dv", "dbias"], start=1):
        assert_close(ours[i], theirs[i], what, rtol=1e-12)


def test_remove_and_a_custom_parametrization():
    class Symmetric(tidu.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).mT

    lin = tidu.nn.Linear(3, 3).double()
    tidu.nn.utils.parametrize.register_parametrization(lin, "weight", Symmetric())
    w = lin.weight.detach().cpu().numpy()
    assert np.array_equal(w, w.T) and tidu.nn.utils.parametrize.is_parametrized(lin, "weight")
    assert type(lin).__name__ == "ParametrizedLinear"
    tidu.nn.utils.parametrize.remove_parametrizations(lin, "weight")
    assert type(lin) is tidu.nn.Linear and isinstance(lin.weight, tidu.nn.Parameter)
    assert np.array_equal(lin.weight.detach().cpu().numpy(), w) and "parametrizations" not in dict(lin.named_children())
    with pytest.raises(ValueError, match="does not have a parametrization"):
        tidu.nn.utils.parametrize.remove_parametrizations(lin, "weight")
