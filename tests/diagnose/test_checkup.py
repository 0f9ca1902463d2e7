"""checkup + diagnose: each kind of finding fires on a small planted case and stays silent on
its healthy twin (the same model, data and seed with the bug removed)."""
import math

import numpy as np
import pytest

import tidu
import tidu.nn as nn
from tidu.diagnose import KINDS, Thresholds, checkup, diagnose

RNG = np.random.default_rng(0)
X = RNG.normal(size=(480, 8)).astype(np.float32)
Y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.int64)
TRAIN, VAL = (X[:320], Y[:320]), (X[320:], Y[320:])


def mlp(width=32, act=nn.ReLU, depth=1):
    layers, d = [], 8
    for _ in range(depth):
        layers += [nn.Linear(d, width), act()]
        d = width
    return nn.Sequential(*layers, nn.Linear(d, 2))


class NoZeroGradSGD(tidu.optim.SGD):
    """The planted bug: an optimizer whose zero_grad forgets to clear."""

    def zero_grad(self, set_to_none=True):
        pass


class Log(nn.Module):
    """log of its input: NaN once the input turns negative."""

    def forward(self, x):
        return x.log()


def run(model, opt=None, data=TRAIN, val=VAL, epochs=6, lr=0.05, momentum=0.9, **kw):
    tidu.manual_seed(0)
    opt = opt(model) if opt else tidu.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    return checkup(model, nn.CrossEntropyLoss(), opt, data, val, epochs=epochs, batch_size=32,
                   seed=0, **kw)


def _healthy():
    tidu.manual_seed(0)
    return run(mlp())


@pytest.fixture(scope="module")
def healthy():
    return _healthy()


def test_healthy_twin_has_no_finding(healthy):
    assert healthy.healthy and healthy.top is None, str(healthy)
    assert set(healthy.history) >= {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert len(healthy.sharpness["values"]) == 7  # start + 6 epochs


def init_weights(model, std=None, bias=None, he=False):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            if he:
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            elif std is not None:
                nn.init.normal_(m.weight, 0.0, std)
            if bias is not None:
                nn.init.constant_(m.bias, bias)
    return model


def hidden_bias(model, value):
    """Set the biases of every Linear but the output layer."""
    for m in list(model.modules())[1:-1]:
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.bias, value)
    return model


def with_column_scaled(factor):
    Xs = X.copy()
    Xs[:, 3] *= factor
    return dict(data=(Xs[:320], Y[:320]), val=(Xs[320:], Y[320:]))


def with_nan_row():
    Xn = X.copy()
    Xn[5, 2] = np.nan
    return dict(data=(Xn[:320], Y[:320]))


RNG_O = np.random.default_rng(1)
XO = RNG_O.normal(size=(400, 8)).astype(np.float32)
YO = (XO[:, 0] + RNG_O.normal(scale=1.0, size=400) > 0).astype(np.int64)  # label noise
XU = RNG.normal(size=(480, 2)).astype(np.float32)
YU = ((XU ** 2).sum(1) > 1.4).astype(np.int64)  # a circle: no line separates it
CIRCLE = dict(data=(XU[:320], YU[:320]), val=(XU[320:], YU[320:]))


def overfit_run(n_train, width, depth):
    """Noisy labels: a big net on 40 samples overfits (the bug); a 4-unit net on 200 does not
    (measured: even 16 units on 200 samples let the validation loss rise 13%)."""
    model = mlp(width=width, depth=depth)
    return run(model, opt=lambda m: tidu.optim.Adam(m.parameters(), lr=3e-3),
               data=(XO[:n_train], YO[:n_train]), val=(XO[200:], YO[200:]), epochs=60,
               sharpness=False)


# kind -> (the planted bug, its healthy twin: the same run with the bug removed)
PLANTED = {
    "vanishing_gradients": (
        lambda: run(mlp(act=nn.Sigmoid, depth=8), lr=0.1, momentum=0.0, sharpness=False),
        lambda: run(init_weights(mlp(depth=8), he=True), lr=0.1, momentum=0.0,
                    sharpness=False)),
    "exploding_gradients": (
        lambda: run(init_weights(mlp(width=64, depth=6), std=1.0), lr=1e-4, momentum=0.0,
                    sharpness=False, epochs=3),
        lambda: run(mlp(width=64, depth=6), lr=1e-4, momentum=0.0, sharpness=False, epochs=3)),
    "dead_relu": (lambda: run(hidden_bias(mlp(width=32, depth=2), -4.0), sharpness=False),
                  lambda: run(hidden_bias(mlp(width=32, depth=2), 0.0), sharpness=False)),
    "saturation": (
        lambda: run(init_weights(mlp(act=nn.Sigmoid), std=4.0), sharpness=False),
        lambda: run(mlp(act=nn.Sigmoid), sharpness=False)),
    "lr_too_high": (lambda: run(mlp(), lr=3.0), lambda: run(mlp(), lr=0.05)),
    "lr_too_low": (lambda: run(mlp(), lr=1e-6, momentum=0.0, sharpness=False),
                   lambda: run(mlp(), lr=0.05, momentum=0.0, sharpness=False)),
    "stale_gradients": (
        lambda: run(mlp(), opt=lambda m: NoZeroGradSGD(m.parameters(), lr=0.01),
                    sharpness=False),
        lambda: run(mlp(), opt=lambda m: tidu.optim.SGD(m.parameters(), lr=0.01),
                    sharpness=False)),
    "unscaled_inputs": (lambda: run(mlp(), lr=1e-3, sharpness=False, **with_column_scaled(1e3)),
                        lambda: run(mlp(), lr=1e-3, sharpness=False, **with_column_scaled(1))),
    "nonfinite": (
        lambda: run(nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), Log(),
                                  nn.Linear(16, 2)), sharpness=False, epochs=2),
        lambda: run(nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.Identity(),
                                  nn.Linear(16, 2)), sharpness=False, epochs=2)),
    "overfitting": (lambda: overfit_run(40, 128, 2), lambda: overfit_run(200, 4, 1)),
    "underfitting": (lambda: run(nn.Sequential(nn.Linear(2, 2)), sharpness=False, **CIRCLE),
                     lambda: run(nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2)),
                                 sharpness=False, **CIRCLE)),
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_planted_bug_is_the_top_finding_and_its_twin_is_silent(kind):
    planted, twin = PLANTED[kind]
    tidu.manual_seed(0)
    d = planted()
    assert d.top is not None and d.top.kind == kind, str(d)
    tidu.manual_seed(0)
    t = twin()
    assert kind not in t, str(t)


def test_exploding_evidence_names_the_amplification():
    tidu.manual_seed(0)
    d = PLANTED["exploding_gradients"][0]()
    assert d.top.evidence["activation std, last layer / first layer (median)"] > 1e2


def test_lr_too_high_names_the_stability_limit():
    tidu.manual_seed(0)
    d = PLANTED["lr_too_high"][0]()
    lam, limit = d["lr_too_high"].evidence["sharpness λ_max, stability limit"]
    assert math.isfinite(lam) and limit == pytest.approx(2 * 1.9 / 3.0)


def test_nonfinite_names_step_and_layer():
    tidu.manual_seed(0)
    d = PLANTED["nonfinite"][0]()
    assert d.top.step is not None and d.top.layers == ["3"], str(d)


def test_nonfinite_rows_in_the_data_are_reported_without_training():
    tidu.manual_seed(0)
    d = run(mlp(), sharpness=False, epochs=2, **with_nan_row())
    assert d.kinds == ["nonfinite"] and d.top.remedies[0].key == "fix_data"
    assert d.top.evidence["training rows with NaN/inf inputs"] == 1 and d.monitor is None
    # verified: the rows dropped, the run trains (finite) where it could not train at all
    fixed = d.verify(seeds=2, remedies="fix_data")[0]
    assert fixed.baseline_loss == [math.inf, math.inf] and max(fixed.loss) < 1.0
    assert fixed.improved and fixed.delta_loss == -math.inf


def test_underfitting_baseline_is_the_knn_accuracy():
    tidu.manual_seed(0)
    d = PLANTED["underfitting"][0]()
    base = d.top.evidence["final training accuracy, 5-NN cross-validated accuracy"][1]
    assert base > 0.85


def test_every_kind_has_a_planted_case_here():
    assert set(PLANTED) == set(KINDS)


def test_diagnose_a_users_own_loop_from_history_dict():
    history = {"loss": [0.7, 0.4, 0.2, 0.1, 0.05, 0.02, 0.01],
               "val_loss": [0.7, 0.5, 0.45, 0.5, 0.6, 0.7, 0.8]}
    d = diagnose(history=history)
    assert d.kinds == ["overfitting"] and d.top.epoch == 2 and d.top.step is None
    flat = {"loss": [0.7, 0.5, 0.4, 0.35, 0.3, 0.28, 0.27],
            "val_loss": [0.72, 0.52, 0.43, 0.38, 0.33, 0.31, 0.30]}
    assert diagnose(history=flat).healthy


def test_thresholds_override_and_validation(healthy):
    assert diagnose(healthy.monitor, vanishing_ratio=1e-4).thresholds["vanishing_ratio"] == 1e-4
    with pytest.raises(TypeError, match="unknown threshold"):
        diagnose(healthy.monitor, vanishing=1e-4)
    with pytest.raises(ValueError, match="dead must be a fraction"):
        Thresholds(dead=1.5)
    with pytest.raises(ValueError, match="nothing to diagnose"):
        diagnose()


def test_checkup_rejects_a_non_tidu_model():
    with pytest.raises(TypeError, match="checkup: model must be a tidu.nn.Module"):
        checkup(object(), nn.MSELoss(), None, TRAIN, epochs=1)


def test_checkup_keeps_a_recipe_and_epoch_checkpoints(healthy):
    recipe = healthy.recipe
    assert len(recipe.checkpoints.states) == 6
    assert recipe.checkpoints.states[0]["progress"]["epoch"] == 0
    # the recipe's model is the initial one, not the trained one
    trained = healthy.monitor._target.state_dict()
    assert not np.array_equal(recipe.model.state_dict()["0.weight"].cpu().numpy(),
                              trained["0.weight"].cpu().numpy())


def test_verify_reruns_follow_the_users_lr_schedule():
    from tidu.train import LRSchedulerCallback
    tidu.manual_seed(0)
    model = mlp()
    opt = tidu.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = LRSchedulerCallback(tidu.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    d = checkup(model, nn.CrossEntropyLoss(), opt, TRAIN, VAL, epochs=3, batch_size=32,
                callbacks=[sched], sharpness=False)
    rebuilt, new_opt, callbacks = d.recipe.build()
    assert callbacks[0].scheduler.optimizer is new_opt
    from tidu.diagnose.verify import baseline_run
    run = baseline_run(d.recipe, d.recipe.seed)
    assert run.history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    assert d.history["lr"] == pytest.approx([0.1, 0.05, 0.025])


def test_nonfinite_at_step_0_does_not_blame_the_step_size():
    """log of a value that is negative from the first forward: no update has been made, so
    the advice is a stable operation, not a smaller rate or clipping."""
    tidu.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), Log(), nn.Linear(16, 2))
    d = run(model, sharpness=False, epochs=1)
    assert d.top.kind == "nonfinite" and d.top.step == 0, str(d)
    assert [r.key for r in d.top.remedies] == ["stable_ops"]


def test_nonfinite_after_updates_advises_a_smaller_rate():
    """Weights pushed to overflow by a huge rate turn non-finite after some updates."""
    tidu.manual_seed(0)
    d = run(mlp(depth=3), lr=1e8, momentum=0.9, sharpness=False, epochs=2)
    f = d["nonfinite"]
    assert f.step > 0 and {"smaller_lr", "clipping"} <= {r.key for r in f.remedies}, str(d)
