"""FeatureAlphaDropout / F.feature_alpha_dropout (statistics: mean and variance kept, whole
channels dropped to one constant, gradient a·m, eval identity) and F.gumbel_softmax
(sample statistics, rows summing to 1, hard one-hots with straight-through gradients)."""
import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import compare_fn

TF = torch.nn.functional
ALPHA_PRIME = 1.7580993408473766


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_feature_alpha_dropout_keeps_mean_and_variance_and_drops_channels(p):
    tidu.manual_seed(0)
    y = F.feature_alpha_dropout(tidu.tensor(_x(4000, 8, 5)), p, training=True).cpu().numpy()
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1.0) < 0.03
    a = 1.0 / np.sqrt((ALPHA_PRIME ** 2 * p + 1.0) * (1.0 - p))
    dropped_value = -a * ALPHA_PRIME * (1.0 - p)
    dropped = np.all(np.isclose(y, dropped_value), axis=2)       # whole (n, c) channels
    assert abs(dropped.mean() - p) < 0.02
    partly = np.any(np.isclose(y, dropped_value), axis=2) & ~dropped
    assert not partly.any()


def test_feature_alpha_dropout_gradient_is_a_times_mask():
    p = 0.4
    tidu.manual_seed(1)
    x = tidu.tensor(_x(50, 6, 3), requires_grad=True)
    y = F.feature_alpha_dropout(x, p, training=True)
    y.sum().backward()
    a = 1.0 / np.sqrt((ALPHA_PRIME ** 2 * p + 1.0) * (1.0 - p))
    kept = ~np.all(np.isclose(y.cpu().numpy(), -a * ALPHA_PRIME * (1.0 - p)), axis=2, keepdims=True)
    np.testing.assert_allclose(x.grad.cpu().numpy(), np.broadcast_to(kept * a, x.shape))


def test_feature_alpha_dropout_eval_and_edge_cases():
    x = _x(3, 4, 2)
    compare_fn(lambda t: F.feature_alpha_dropout(t, 0.5), lambda t: TF.feature_alpha_dropout(t, 0.5), x)
    compare_fn(lambda t: F.feature_alpha_dropout(t, 0.0, True),
               lambda t: TF.feature_alpha_dropout(t, 0.0, True), x)
    compare_fn(lambda t: F.feature_alpha_dropout(t, 1.0, True),
               lambda t: TF.feature_alpha_dropout(t, 1.0, True), x)
    m = nn.FeatureAlphaDropout(0.3)
    assert repr(m) == "FeatureAlphaDropout(p=0.3)"
    xt = tidu.tensor(x)
    assert m.eval()(xt) is xt
    assert not np.allclose(m.train()(xt).cpu().numpy(), x)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.FeatureAlphaDropout(1.5)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(tidu.randn(5), 0.5, True)


def test_feature_alpha_dropout_inplace_writes_into_the_input():
    x = tidu.tensor(_x(20, 4, 3))
    out = F.feature_alpha_dropout(x, 0.5, training=True, inplace=True)
    assert out is x and not np.allclose(x.cpu().numpy(), _x(20, 4, 3))


def test_gumbel_softmax_samples_follow_the_categorical():
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    logits = tidu.tensor(np.tile(np.log(probs), (20000, 1)))
    tidu.manual_seed(0)
    soft = F.gumbel_softmax(logits, tau=0.5).cpu().numpy()
    np.testing.assert_allclose(soft.sum(-1), 1.0)
    hard = F.gumbel_softmax(logits, hard=True).cpu().numpy()
    assert set(np.unique(hard)) == {0.0, 1.0} and np.all(hard.sum(-1) == 1.0)
    np.testing.assert_allclose(hard.mean(0), probs, atol=0.015)
    np.testing.assert_allclose(np.bincount(soft.argmax(-1), minlength=4) / len(soft), probs,
                               atol=0.015)
    # a low temperature makes soft samples almost one-hot
    cold = F.gumbel_softmax(logits[:200], tau=0.01).cpu().numpy()
    assert (cold.max(-1) > 0.99).mean() > 0.95


def test_gumbel_softmax_hard_gradient_is_the_soft_one():
    logits = tidu.tensor(_x(5, 6), requires_grad=True)
    weights = tidu.tensor(_x(5, 6, seed=1))
    tidu.manual_seed(3)
    hard = F.gumbel_softmax(logits, tau=0.7, hard=True, dim=0)
    (hard * weights).sum().backward()
    g_hard = logits.grad.cpu().numpy().copy()
    np.testing.assert_array_equal(hard.cpu().numpy().sum(0), np.ones(6))
    logits.grad = None
    tidu.manual_seed(3)
    soft = F.gumbel_softmax(logits, tau=0.7, hard=False, dim=0)
    (soft * weights).sum().backward()
    np.testing.assert_allclose(g_hard, logits.grad.cpu().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(hard.cpu().numpy().argmax(0), soft.cpu().numpy().argmax(0))


def test_gumbel_softmax_errors():
    with pytest.raises(ValueError, match="tau must be positive"):
        F.gumbel_softmax(tidu.randn(3), tau=0)
    with pytest.raises(TypeError, match="float"):
        F.gumbel_softmax(tidu.tensor([1, 2]))
