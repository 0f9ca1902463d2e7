"""In-place functional activations (F.relu_ …): same tensor returned and modified, values
and gradients (through a non-leaf) as PyTorch, leaves that require grad refused."""
import numpy as np
import pytest
import torch

import tidu
from tidu.errors import GraphError
from tidu.nn import functional as F
from tests.oracle import assert_close, compare_fn

TF = torch.nn.functional

CASES = [
    ("relu_", (), {}),
    ("elu_", (0.7,), {}),
    ("leaky_relu_", (0.2,), {}),
    ("hardtanh_", (-0.5, 0.8), {}),
    ("selu_", (), {}),
    ("celu_", (), {"alpha": 1.5}),
    ("rrelu_", (0.1, 0.3), {}),
    ("threshold_", (0.1, -2.0), {}),
]


def _input():
    return np.random.default_rng(0).standard_normal((4, 5))


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_returns_the_same_tensor_with_torch_values(name, args, kwargs):
    x = tidu.tensor(_input())
    out = getattr(F, name)(x, *args, **kwargs)
    assert out is x
    expected = getattr(TF, name)(torch.tensor(_input()), *args, **kwargs)
    assert_close(x, expected, name)


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_gradient_through_a_non_leaf_matches_torch(name, args, kwargs):
    compare_fn(lambda t: getattr(F, name)(t * 1.0, *args, **kwargs),
               lambda t: getattr(TF, name)(t * 1.0, *args, **kwargs), _input())


def test_a_view_sees_the_change():
    x = tidu.tensor(_input())
    view = x[1]
    F.relu_(x)
    assert float(view.min()) >= 0.0


def test_leaf_requiring_grad_is_refused():
    x = tidu.tensor(_input(), requires_grad=True)
    with pytest.raises(GraphError, match="leaf"):
        F.relu_(x)


def test_rrelu_in_training_draws_slopes_in_range():
    x = tidu.tensor(-np.ones((200, 50)))
    F.rrelu_(x, 0.1, 0.3, training=True)
    slopes = -x.cpu().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
