"""remedies.plan: each model rewrite (module types, parameter counts, He/Xavier statistics of
the new weights), the optimizer/callback/data remedies, what describe() reports, the
remedies tidu cannot apply, and the error for an unknown key."""
import math

import numpy as np
import pytest

import tidu
from tidu import nn, optim
from tidu.backend import to_numpy
from tidu.diagnose.checkup import Recipe, optimizer_spec
from tidu.diagnose.findings import REMEDIES
from tidu.diagnose.remedies import NOT_APPLICABLE, plan, run_config
from tidu.errors import ArgumentError
from tidu.train import EarlyStopping, Regularizer


def _recipe(model, X=None, y=None, opt=None, callbacks=(), val=True):
    rng = np.random.default_rng(0)
    if X is None:
        X = rng.standard_normal((40, model[0].in_features)).astype(np.float32)
        y = rng.integers(0, 2, 40)
    opt = opt or optim.SGD(model.parameters(), lr=0.1)
    cls, groups = optimizer_spec(model, opt)
    return Recipe(model=model, loss_fn=nn.CrossEntropyLoss(), optimizer_class=cls,
                  groups=groups, train_data=(X[:30], y[:30]),
                  val_data=(X[30:], y[30:]) if val else None, epochs=3, batch_size=10,
                  seed=0, callbacks=list(callbacks), metrics=["accuracy"])


def _mlp(act=nn.Sigmoid, width=8):
    tidu.manual_seed(0)
    return nn.Sequential(nn.Linear(4, width), act(), nn.Linear(width, width), act(),
                         nn.Linear(width, 2))


def _types(model):
    return [type(m).__name__ for m in model]


def _n_params(model):
    return sum(p.numel() for p in model.parameters())


def _weights_equal(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(
        np.array_equal(to_numpy(sa[k]._data), to_numpy(sb[k]._data)) for k in sa)


# --------------------------------------------------------------------------- model rewrites
def test_relu_replaces_hidden_sigmoid_and_tanh_anywhere_but_the_output():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(),
                          nn.Residual(nn.Sequential(nn.Linear(8, 8), nn.Sigmoid())),
                          nn.Linear(8, 1), nn.Sigmoid())
    X = np.zeros((40, 4), np.float32)
    p = plan("relu", _recipe(model, X, np.zeros((40, 1), np.float32)))
    assert _types(p.model) == ["Linear", "ReLU", "Residual", "Linear", "Sigmoid"]
    assert type(p.model[2].fn[1]).__name__ == "ReLU"
    assert _types(model) == ["Linear", "Tanh", "Residual", "Linear", "Sigmoid"]  # a copy
    assert not p.forkable and set(p.describe()) == {"model"}  # the weights are the same


def test_leaky_relu_and_not_applicable_without_relu():
    p = plan("leaky_relu", _recipe(_mlp(nn.ReLU)))
    assert _types(p.model) == ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear"]
    assert p.model[1].negative_slope == 0.01
    assert plan("leaky_relu", _recipe(_mlp(nn.Tanh))) is None


def test_batchnorm_inserts_before_each_hidden_activation_not_after_the_last_layer():
    model = _mlp(nn.ReLU)
    p = plan("batchnorm", _recipe(model))
    assert _types(p.model) == ["Linear", "BatchNorm1d", "ReLU", "Linear", "BatchNorm1d",
                               "ReLU", "Linear"]
    assert _n_params(p.model) == _n_params(model) + 2 * 2 * 8
    assert p.model[1].num_features == 8 and not p.forkable


def test_batchnorm2d_after_conv2d():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2))
    X = np.zeros((40, 1, 4, 4), np.float32)
    p = plan("batchnorm", _recipe(model, X, np.zeros(40, np.int64)))
    assert _types(p.model) == ["Conv2d", "BatchNorm2d", "ReLU", "Flatten", "Linear"]
    assert p.model[1].num_features == 3


def test_residual_wraps_equal_width_pairs():
    model = _mlp(nn.ReLU)
    p = plan("residual", _recipe(model))
    assert _types(p.model) == ["Linear", "ReLU", "Residual", "Linear"]
    assert _types(p.model[2].fn) == ["Linear", "ReLU"]
    assert _n_params(p.model) == _n_params(model)
    assert set(p.describe()) == {"model"}  # same weights, new structure
    tidu.manual_seed(0)
    narrow = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    assert plan("residual", _recipe(narrow)) is None


def test_wider_multiplies_hidden_widths_by_four():
    model = _mlp(nn.ReLU, width=5)
    p = plan("wider", _recipe(model))
    widths = [(m.in_features, m.out_features) for m in p.model if isinstance(m, nn.Linear)]
    assert widths == [(4, 20), (20, 20), (20, 2)]
    assert _n_params(p.model) == 4 * 20 + 20 + 20 * 20 + 20 + 20 * 2 + 2
    again = plan("wider", _recipe(_mlp(nn.ReLU, width=5)))
    assert _weights_equal(p.model, again.model)  # seeded: the same new weights


def test_dropout_after_hidden_activations_only():
    model = _mlp(nn.ReLU)
    p = plan("dropout", _recipe(model))
    assert _types(p.model) == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout",
                               "Linear"]
    assert p.model[2].p == 0.2 and _n_params(p.model) == _n_params(model)
    assert not p.forkable  # no new parameters, but a different forward


def test_he_init_statistics_on_a_wide_layer():
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 200), nn.Tanh(),
                          nn.Linear(200, 2))
    X = np.zeros((40, 400), np.float32)
    p = plan("he_init", _recipe(model, X, np.zeros(40, np.int64)), seed=3)
    w0, w1, w2 = (to_numpy(m.weight._data) for m in p.model if isinstance(m, nn.Linear))
    assert abs(w0.std() / math.sqrt(2 / 400) - 1) < 0.01  # Kaiming before ReLU
    assert abs(w1.std() / math.sqrt(2 / (300 + 200)) - 1) < 0.01  # Xavier before tanh
    assert abs(w2.std() / math.sqrt(2 / (200 + 2)) - 1) < 0.05  # Xavier for the output
    assert abs(w0.mean()) < 3 * math.sqrt(2 / 400) / math.sqrt(w0.size)
    assert all(np.all(to_numpy(m.bias._data) == 0) for m in p.model if isinstance(m, nn.Linear))
    assert set(p.describe()) == {"model.weights"}
    same = plan("he_init", _recipe(model, X, np.zeros(40, np.int64)), seed=3)
    other = plan("he_init", _recipe(model, X, np.zeros(40, np.int64)), seed=4)
    assert _weights_equal(p.model, same.model) and not _weights_equal(p.model, other.model)


def test_model_rewrites_need_a_fitting_architecture():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x)

    tidu.manual_seed(0)
    recipe = _recipe(nn.Sequential(nn.Linear(4, 2)))
    recipe.model = Custom()
    for key in ("relu", "leaky_relu", "batchnorm", "residual", "wider", "dropout"):
        assert plan(key, recipe) is None, key
    assert plan("he_init", recipe) is not None  # any Linear: Xavier without an activation


# --------------------------------------------------------------------------- forkable remedies
@pytest.mark.parametrize("key, entry, after", [
    ("smaller_lr", "optimizer.groups[0].lr", 0.1 * 0.1),
    ("larger_lr", "optimizer.groups[0].lr", 0.1 * 10),
    ("clipping", "optimizer.groups[0].clipnorm", 1.0),
    ("weight_reg", "optimizer.groups[0].weight_decay", 1e-4),
    ("train_longer", "epochs", 6),
])
def test_forkable_remedies_change_one_entry(key, entry, after):
    recipe = _recipe(_mlp())
    p = plan(key, recipe)
    assert p.forkable and p.model is None and p.data is None
    assert list(p.describe()) == [entry] and p.describe()[entry][1] == pytest.approx(after)
    assert p.fork == ("last" if key == "train_longer" else "onset")


def test_lr_remedies_scale_every_group():
    model = _mlp()
    opt = optim.SGD([{"params": list(model.parameters())[:2], "lr": 0.5},
                     {"params": list(model.parameters())[2:]}], lr=0.1)
    p = plan("smaller_lr", _recipe(model, opt=opt))
    assert p.optimizer == [{"lr": pytest.approx(0.05)}, {"lr": pytest.approx(0.01)}]


def test_weight_reg_is_a_regularizer_when_the_optimizer_decays_already():
    model = _mlp()
    p = plan("weight_reg", _recipe(model, opt=optim.AdamW(model.parameters())))
    assert p.optimizer == [] and isinstance(p.callbacks[0], Regularizer)
    assert p.callbacks[0].lam == 1e-4 and list(p.describe()) == ["callbacks"]
    assert plan("weight_reg", _recipe(_mlp(), callbacks=[Regularizer()])) is None


def test_early_stopping_monitors_val_loss_or_loss():
    p = plan("early_stopping", _recipe(_mlp()))
    cb = p.callbacks[0]
    assert isinstance(cb, EarlyStopping) and cb.patience == 5 and cb.restore_best_weights
    assert cb.monitor == "val_loss" and p.forkable
    assert plan("early_stopping", _recipe(_mlp(), val=False)).callbacks[0].monitor == "loss"
    assert plan("early_stopping", _recipe(_mlp(), callbacks=[EarlyStopping()])) is None


def test_zero_grad_replaces_a_no_op_zero_grad_only():
    class NoZero(optim.SGD):
        def zero_grad(self, set_to_none=True):
            pass

    model = _mlp()
    p = plan("zero_grad", _recipe(model, opt=NoZero(model.parameters(), lr=0.1)))
    assert issubclass(p.optimizer_class, NoZero) and p.forkable
    assert p.optimizer_class.zero_grad is optim.Optimizer.zero_grad
    assert list(p.describe()) == ["optimizer.class"]
    assert plan("zero_grad", _recipe(_mlp())) is None  # already the real one


def test_clipping_not_applied_twice():
    model = _mlp()
    assert plan("clipping", _recipe(model, opt=optim.SGD(model.parameters(), lr=0.1,
                                                         clipvalue=0.5))) is None


# --------------------------------------------------------------------------- data remedies
def test_standardize_fits_on_train_and_applies_to_val():
    rng = np.random.default_rng(1)
    X = (rng.standard_normal((40, 4)) * [1, 10, 100, 1000] + 50).astype(np.float32)
    recipe = _recipe(_mlp(), X, rng.integers(0, 2, 40))
    p = plan("standardize", recipe)
    (Xt, yt), (Xv, yv) = p.data(recipe.train_data, recipe.val_data)
    mu, sd = X[:30].astype(np.float64).mean(0), X[:30].astype(np.float64).std(0)
    np.testing.assert_allclose(Xt, (X[:30] - mu) / sd, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(Xv, (X[30:] - mu) / sd, rtol=1e-5, atol=1e-4)
    assert Xt.dtype == np.float32 and np.array_equal(yt, recipe.train_data[1])
    assert set(p.describe()) == {"data.train", "data.val"} and not p.forkable


def test_standardize_per_channel_for_images():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((40, 3, 4, 4)) * np.array([1, 10, 100])[None, :, None, None] + 5
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten(), nn.Linear(8, 2))
    recipe = _recipe(model, X, np.zeros(40, np.int64))
    (Xt, _), _ = plan("standardize", recipe).data(recipe.train_data, recipe.val_data)
    np.testing.assert_allclose(Xt.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(Xt.std(axis=(0, 2, 3)), 1, rtol=1e-12)


def test_fix_data_drops_non_finite_rows():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 4)).astype(np.float32)
    X[[2, 5], 1], X[35, 0] = np.nan, np.inf
    recipe = _recipe(_mlp(), X, rng.integers(0, 2, 40))
    (Xt, yt), (Xv, yv) = plan("fix_data", recipe).data(recipe.train_data, recipe.val_data)
    assert Xt.shape == (28, 4) and yt.shape == (28,) and Xv.shape == (9, 4)
    assert np.isfinite(Xt).all() and np.isfinite(Xv).all()
    assert plan("fix_data", _recipe(_mlp())) is None  # nothing to drop
    assert plan("standardize", recipe) is None  # NaN first: fix the data


# --------------------------------------------------------------------------- keys
def test_remedies_tidu_cannot_apply():
    recipe = _recipe(_mlp())
    for key in NOT_APPLICABLE:
        assert plan(key, recipe) is None
    assert set(NOT_APPLICABLE) <= set(REMEDIES)


def test_unknown_key_lists_the_known_ones():
    with pytest.raises(ArgumentError, match=r"unknown remedy key 'he'.*'he_init'"):
        plan("he", _recipe(_mlp()))


def test_plan_leaves_the_recipe_untouched():
    recipe = _recipe(_mlp())
    before = run_config(recipe)
    for key in REMEDIES:
        plan(key, recipe, seed=1)
    assert run_config(recipe) == before
