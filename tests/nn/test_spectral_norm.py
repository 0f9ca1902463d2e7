"""Spectral normalization (old hook API and the parametrization) against PyTorch in
float64: after loading torch's u, v and weights, the normalized weight, the buffers after
training-mode power iteration, the forward output and the gradients (through σ) agree in
train and eval mode; σ converges to the top singular value; and fusion / skip_init
exports from tidu.nn.utils."""
import numpy as np
import pytest
import torch

import tidu
import tidu.nn as tnn
from tidu.nn.utils import parametrizations as tparam

from ..oracle import assert_close


def _pair(make_t, make_p, seed=0):
    torch.manual_seed(seed)
    p = make_p().double()
    t = make_t()
    return t, p


def _load(t, p):
    """Copy every torch state_dict entry into tidu's module by the same key."""
    state = {k: tidu.Tensor(v.detach().numpy().copy(), dtype=np.float64)
             for k, v in p.state_dict().items()}
    own = t.state_dict()
    assert set(own) == set(state), (sorted(own), sorted(state))
    t.load_state_dict(state)


def _check_step(t, p, x, training):
    t.train(training)
    p.train(training)
    xt = tidu.Tensor(x, dtype=np.float64, requires_grad=True)
    xp = torch.tensor(x, requires_grad=True)
    out_t, out_p = t(xt), p(xp)
    assert_close(out_t, out_p, "output")
    assert_close(t.weight, p.weight, "normalized weight")
    w = np.random.default_rng(5).standard_normal(tuple(out_p.shape))
    (out_t * tidu.Tensor(w, dtype=np.float64)).sum().backward()
    (out_p * torch.from_numpy(w)).sum().backward()
    assert_close(xt.grad, xp.grad, "input gradient")
    return out_t


@pytest.mark.parametrize("make", [
    (lambda lib: lib.nn.Linear(5, 4)),
    (lambda lib: lib.nn.Conv2d(3, 4, 3)),
    (lambda lib: lib.nn.ConvTranspose2d(3, 4, 3)),
])
def test_hook_api_matches_torch_in_train_and_eval(make):
    t, p = _pair(lambda: make(tidu), lambda: make(torch))
    t.double() if hasattr(t, "double") else None
    t = tnn.utils.spectral_norm(t, n_power_iterations=2)
    p = torch.nn.utils.spectral_norm(p, n_power_iterations=2)
    assert {"weight_orig", "bias"} <= {n for n, _ in t.named_parameters()}
    _load(t, p)
    x = np.random.default_rng(1).standard_normal((2, 5) if isinstance(p, torch.nn.Linear)
                                                 else (2, 3, 6, 6))
    for training in (True, True, False):
        _check_step(t, p, x, training)
        assert_close(t.weight_u, p.weight_u, "u")
        assert_close(t.weight_v, p.weight_v, "v")
        assert_close(t.weight_orig.grad, p.weight_orig.grad, "gradient of weight_orig")


def test_eval_mode_leaves_buffers_alone_and_remove_restores_parameter():
    t = tnn.utils.spectral_norm(tnn.Linear(4, 3).double())
    u0 = t.weight_u.cpu().numpy().copy()
    t.eval()
    t(tidu.Tensor(np.ones((1, 4)), dtype=np.float64))
    np.testing.assert_array_equal(t.weight_u.cpu().numpy(), u0)
    t.train()
    t(tidu.Tensor(np.ones((1, 4)), dtype=np.float64))
    assert not np.array_equal(t.weight_u.cpu().numpy(), u0)
    expected = t.weight.detach().cpu().numpy()
    tnn.utils.remove_spectral_norm(t)
    assert sorted(n for n, _ in t.named_parameters()) == ["bias", "weight"]
    assert "weight_u" not in t.state_dict()
    np.testing.assert_allclose(t.weight.detach().cpu().numpy(), expected)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        tnn.utils.remove_spectral_norm(t)


def test_sigma_converges_to_top_singular_value():
    tidu.manual_seed(0)
    lin = tnn.utils.spectral_norm(tnn.Linear(8, 6).double(), n_power_iterations=50)
    lin(tidu.Tensor(np.ones((1, 8)), dtype=np.float64))
    w = lin.weight_orig.detach().cpu().numpy()
    top = np.linalg.svd(w, compute_uv=False)[0]
    normalized = lin.weight.detach().cpu().numpy()
    np.testing.assert_allclose(np.linalg.svd(normalized, compute_uv=False)[0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(w / normalized, top, rtol=1e-6)


def test_hook_api_errors():
    lin = tnn.utils.spectral_norm(tnn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="two spectral_norm hooks"):
        tnn.utils.spectral_norm(lin)
    with pytest.raises(ValueError, match="n_power_iterations"):
        tnn.utils.spectral_norm(tnn.Linear(3, 2), n_power_iterations=0)


@pytest.mark.parametrize("make", [
    (lambda lib: lib.nn.Linear(5, 4)),
    (lambda lib: lib.nn.Conv2d(3, 4, 3)),
])
def test_parametrization_matches_torch_in_train_and_eval(make):
    t, p = _pair(lambda: make(tidu), lambda: make(torch))
    t.double()
    tparam.spectral_norm(t)
    torch.nn.utils.parametrizations.spectral_norm(p)
    assert "parametrizations.weight.0._u" in t.state_dict()
    _load(t, p)
    x = np.random.default_rng(1).standard_normal((2, 5) if isinstance(p, torch.nn.Linear)
                                                 else (2, 3, 6, 6))
    for training in (True, False):
        _check_step(t, p, x, training)
        pl_t, pl_p = t.parametrizations.weight, p.parametrizations.weight
        assert_close(pl_t[0]._u, pl_p[0]._u, "u")
        assert_close(pl_t[0]._v, pl_p[0]._v, "v")
        assert_close(pl_t.original.grad, pl_p.original.grad, "gradient of the original")
        pl_t.original.grad = None
        pl_p.original.grad = None


def test_parametrization_of_a_vector_normalizes_it():
    m = tnn.Linear(3, 2).double()
    tparam.spectral_norm(m, name="bias")
    b = m.parametrizations.bias.original.detach().cpu().numpy()
    np.testing.assert_allclose(m.bias.detach().cpu().numpy(), b / np.linalg.norm(b))
    with pytest.raises(ValueError, match="no parameter or buffer with name 'nope'"):
        tparam.spectral_norm(m, name="nope")


def test_fusion_and_skip_init_exports():
    for name in ("fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
                 "fuse_linear_bn_weights"):
        assert getattr(tnn.utils, name) is getattr(tnn.utils.fusion, name)
    lin = tnn.utils.skip_init(tnn.Linear, 4, 3, bias=False)
    assert isinstance(lin, tnn.Linear) and tuple(lin.weight.shape) == (3, 4) and lin.bias is None
    with pytest.raises(RuntimeError, match="Expected a Module"):
        tnn.utils.skip_init(int)
