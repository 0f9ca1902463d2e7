"""tidu.nn.utils.parameters_to_vector / vector_to_parameters against torch.nn.utils (same
vector, gradients through it, the round trip, in-place writes into the same parameter
objects), and the deprecated clip_grad_norm alias (same result as clip_grad_norm_, warns)."""
import numpy as np
import pytest
import torch

import tidu
from tests.nn.test_clip_grad import gradient_sets
from tests.oracle import assert_close
from tidu import nn
from tidu.errors import ShapeError
from tidu.nn.utils import (clip_grad_norm, clip_grad_norm_, get_total_norm,
                           parameters_to_vector, vector_to_parameters)


def models(seed=0):
    torch.manual_seed(seed)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Conv2d(3, 2, 2))
    ours = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Conv2d(3, 2, 2)).double()
    ref = ref.double()
    ours.load_state_dict({k: v.detach().cpu().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def test_parameters_to_vector_equals_torch_and_carries_gradients():
    ours, ref = models()
    vec = parameters_to_vector(ours.parameters())
    rvec = torch.nn.utils.parameters_to_vector(ref.parameters())
    assert vec.shape == tuple(rvec.shape) == (sum(p.numel() for p in ref.parameters()),)
    assert_close(vec, rvec, "the flat vector")
    assert vec.requires_grad
    weights = np.random.default_rng(0).standard_normal(vec.shape[0])
    ((vec * tidu.tensor(weights)) ** 2).sum().backward()
    ((rvec * torch.from_numpy(weights)) ** 2).sum().backward()
    rparams = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, rparams[name].grad, f"gradient of {name} through the vector")


def test_vector_to_parameters_writes_in_place_like_torch():
    ours, ref = models(1)
    params = list(ours.parameters())
    arrays = [p._data for p in params]
    values = np.random.default_rng(1).standard_normal(sum(p.numel() for p in params))
    opt = tidu.optim.SGD(ours.parameters(), lr=0.1)
    vector_to_parameters(tidu.tensor(values), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.from_numpy(values.copy()), ref.parameters())
    rparams = dict(ref.named_parameters())
    for (name, p), arr in zip(ours.named_parameters(), arrays):
        assert p._data is arr  # the same parameter object and array, updated in place
        assert_close(p, rparams[name], f"parameter {name}")
    assert opt.param_groups[0]["params"][0] is params[0]
    np.testing.assert_array_equal(parameters_to_vector(ours.parameters()).cpu().numpy(), values)
    assert all(p.requires_grad and p.grad is None for p in params)


def test_round_trip_and_dtype_kept():
    model = nn.Linear(5, 2)  # float32
    vec = parameters_to_vector(model.parameters())
    before = vec.cpu().numpy().copy()
    vector_to_parameters(tidu.tensor(np.arange(12.0)), model.parameters())  # a float64 vec
    assert model.weight.dtype == np.float32
    np.testing.assert_array_equal(model.weight.cpu().numpy().ravel(), np.arange(10.0))
    vector_to_parameters(tidu.tensor(before), model.parameters())
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).cpu().numpy(), before)


def test_bad_arguments_raise():
    model = nn.Linear(3, 2)
    with pytest.raises(TypeError, match="expected a tidu Tensor for vec, got ndarray"):
        vector_to_parameters(np.zeros(8), model.parameters())
    with pytest.raises(TypeError):  # PyTorch refuses a non-tensor too
        torch.nn.utils.vector_to_parameters(np.zeros(8), torch.nn.Linear(3, 2).parameters())
    with pytest.raises(ShapeError, match=r"vec has 7 values, the parameters 8 \(6 \+ 2\)"):
        vector_to_parameters(tidu.zeros(7), model.parameters())
    with pytest.raises(ShapeError, match=r"vec must be 1-D, got shape \(2, 4\)"):
        vector_to_parameters(tidu.zeros(2, 4), model.parameters())
    with pytest.raises(TypeError, match="expected tidu tensors .* got list at position 0"):
        parameters_to_vector([[1.0, 2.0]])
    with pytest.raises(ValueError, match="got no parameters"):
        parameters_to_vector([])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, "inf"])
def test_deprecated_clip_grad_norm_equals_clip_grad_norm_(norm_type):
    ours, ref = gradient_sets(seed=2, scale=3.0)
    twin, _ = gradient_sets(seed=2, scale=3.0)
    with pytest.warns(FutureWarning, match="clip_grad_norm is deprecated in favor of "
                                           "nn.utils.clip_grad_norm_"):
        total = clip_grad_norm(ours, 1.0, norm_type=norm_type)
    with pytest.warns(FutureWarning):
        rtotal = torch.nn.utils.clip_grad_norm(ref, 1.0, norm_type=norm_type)
    assert_close(total, rtotal, "total norm")
    assert_close(total, clip_grad_norm_(twin, 1.0, norm_type=norm_type), "same as the _ form")
    for a, b, c in zip(ours, ref, twin):
        if b.grad is not None:
            assert_close(a.grad, b.grad, "clipped gradient")
            np.testing.assert_array_equal(a.grad.cpu().numpy(), c.grad.cpu().numpy())
    assert float(get_total_norm([p.grad for p in ours if p.grad is not None], norm_type)) \
        == pytest.approx(1.0, rel=1e-5)


def test_exported_names():
    for name in ("parameters_to_vector", "vector_to_parameters", "clip_grad_norm",
                 "clip_grad_norm_", "clip_grad_value_", "get_total_norm"):
        assert name in tidu.nn.utils.__all__ and hasattr(torch.nn.utils, name)
