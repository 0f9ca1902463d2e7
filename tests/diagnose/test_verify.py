"""verify_remedies: the baseline rerun reproduces the checked-up run bit for bit, a forked
rerun sees the baseline's batches after the fork and differs from it only in the remedy,
the results are deterministic, and planted faults (a no-op zero_grad, a diverging rate) are
repaired by their remedy; the t-interval against SciPy and its fallback table."""
import math

import numpy as np
import pytest
from scipy import stats

import tidu
from tidu import nn, optim
from tidu.backend import to_numpy
from tidu.diagnose import checkup
from tidu.diagnose.findings import REMEDIES, Finding
from tidu.diagnose.remedies import Plan, plan, run_config
from tidu._stats import _T975, t_quantile
from tidu.diagnose.verify import (Verification, baseline_run, fork_epoch_of, remedy_run,
                                  steps_per_epoch, verify_remedies)
from tidu.errors import ArgumentError


class Tap(nn.Module):
    """Identity that records the sum of every training batch it sees (the data order)."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        if self.training:
            self.seen.append(float(to_numpy(x._data).astype(np.float64).sum()))
        return x


def _data(n=120, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(n) > 0).astype(np.int64)
    return (X[:90], y[:90]), (X[90:], y[90:])


def _checkup(opt_cls=optim.SGD, lr=0.1, act=nn.Tanh, tap=False, epochs=4, **kw):
    train, val = _data()
    tidu.manual_seed(0)
    layers = [nn.Linear(6, 16), act(), nn.Linear(16, 2)]
    model = nn.Sequential(*([Tap()] if tap else []), *layers)
    with np.errstate(all="ignore"):  # the planted diverging runs overflow
        return checkup(model, nn.CrossEntropyLoss(), opt_cls(model.parameters(), lr=lr),
                       train, val, epochs=epochs, batch_size=16, seed=5, **kw)


def _state(model):
    return {k: to_numpy(v._data).copy() for k, v in model.state_dict().items()}


def _same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(to_numpy(getattr(a[k], "_data", a[k])),
                                                       to_numpy(getattr(b[k], "_data", b[k])))
                                        for k in a)


def test_baseline_reproduces_the_checkup_run_bit_exactly():
    d = _checkup()
    run = baseline_run(d.recipe, d.recipe.seed)
    assert _same(_state(run.trainer.model), d.recipe.checkpoints.states[-1]["model"])
    for e in range(d.recipe.epochs):  # and every epoch's checkpoint on the way
        assert _same(run.checkpoint.states[e]["model"], d.recipe.checkpoints.states[e]["model"])
    other = baseline_run(d.recipe, d.recipe.seed + 1)  # another seed: another data order
    assert not _same(_state(other.trainer.model), _state(run.trainer.model))


def test_forked_run_differs_only_in_the_remedy_and_keeps_the_data_order():
    d = _checkup(tap=True, epochs=5)
    recipe, spe = d.recipe, steps_per_epoch(d.recipe)
    finding = Finding("lr_too_high", "planted", [], {}, step=2 * spe + 3)  # onset in epoch 2
    p = plan("smaller_lr", recipe, finding, recipe.seed)
    assert set(p.describe()) == {"optimizer.groups[0].lr"}
    diff = {k for k, v in run_config(p.apply(recipe)).items() if run_config(recipe)[k] != v}
    assert diff == {"optimizer.groups[0].lr"}
    base = baseline_run(recipe, recipe.seed)
    fork = fork_epoch_of(p, finding, base, spe, recipe.epochs)
    assert fork == 1
    run = remedy_run(recipe, p, recipe.seed, baseline=base, fork_epoch=fork)
    assert run.fork_epoch == 1
    assert run.trainer.model[0].seen == base.trainer.model[0].seen[(fork + 1) * spe:]
    assert len(run.trainer.model[0].seen) == 3 * spe
    assert run.trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.01)
    assert not _same(_state(run.trainer.model), _state(base.trainer.model))
    # the same fork with nothing changed is the baseline itself, bit for bit
    idle = Plan("smaller_lr", forkable=True)
    same = remedy_run(recipe, idle, recipe.seed, baseline=base, fork_epoch=fork)
    assert _same(_state(same.trainer.model), _state(base.trainer.model))
    assert same.history.history["val_loss"] == base.history.history["val_loss"]


def test_fork_epochs():
    d = _checkup(epochs=5)
    recipe, spe = d.recipe, steps_per_epoch(d.recipe)
    base = baseline_run(recipe, recipe.seed)
    at = lambda key, step: fork_epoch_of(  # noqa: E731
        plan(key, recipe, None, 0), Finding("x", "", [], {}, step=step), base, spe, 5)
    assert at("smaller_lr", spe - 1) is None  # onset in the first epoch: from scratch
    assert at("smaller_lr", None) is None
    assert at("smaller_lr", 3 * spe) == 2
    assert at("smaller_lr", 100 * spe) == 3  # at least one epoch with the remedy
    assert at("train_longer", 0) == 4  # from the last epoch
    assert at("relu", 3 * spe) is None  # the model changes: from scratch
    # a finding read from the epoch curves (overfitting) forks after its epoch, not its step
    by_epoch = lambda e: fork_epoch_of(  # noqa: E731
        plan("weight_reg", recipe, None, 0), Finding("x", "", [], {}, epoch=e), base, spe, 5)
    assert (by_epoch(0), by_epoch(2), by_epoch(9)) == (0, 2, 3)


def test_verify_is_deterministic_and_ordered():
    d = _checkup()
    keys = ["smaller_lr", "relu", "train_longer"]
    first = d.verify(seeds=2, remedies=keys)
    second = verify_remedies(d, seeds=2, remedies=keys)
    assert isinstance(first, Verification) and d.verified is first
    assert [v.key for v in first] == [v.key for v in second]
    for a, b in zip(first, second):
        assert (a.loss, a.baseline_loss, a.accuracy) == (b.loss, b.baseline_loss, b.accuracy)
        assert a.delta_loss == b.delta_loss and a.fork_epoch == b.fork_epoch
    assert sorted(v.key for v in first) == sorted(keys)
    deltas = [v.delta_loss for v in first]
    assert deltas == sorted(deltas)
    base = first[0].baseline_loss
    assert all(v.baseline_loss == base for v in first) and len(base) == 2
    v = first[0]
    np.testing.assert_allclose(v.delta_loss, np.mean(np.subtract(v.loss, v.baseline_loss)))
    half = stats.t.ppf(0.975, 1) * np.std(np.subtract(v.loss, v.baseline_loss), ddof=1) / 2**.5
    np.testing.assert_allclose(v.delta_loss_ci, (v.delta_loss - half, v.delta_loss + half))
    table = str(first)
    assert all(k in table for k in keys) and "Δval_loss" in table


def test_verify_takes_the_top_applicable_remedies_of_the_top_finding():
    d = _checkup()
    d.findings = [Finding("lr_too_high", "planted", [], {}, step=None, remedies=[
        REMEDIES[k] for k in ("lstm", "zero_grad", "smaller_lr", "relu", "clipping")])]
    result = d.verify(seeds=1, top=2, steps=steps_per_epoch(d.recipe) * 2)
    assert sorted(v.key for v in result) == ["relu", "smaller_lr"]  # lstm, zero_grad: n/a
    assert all(len(v.loss) == 1 and v.fork_epoch is None for v in result)
    d.findings = []
    assert d.verify() == []  # a healthy run: nothing to verify


def test_zero_grad_remedy_repairs_a_planted_no_op_zero_grad():
    class NoZeroGrad(optim.SGD):
        def zero_grad(self, set_to_none=True):
            pass

    d = _checkup(opt_cls=NoZeroGrad, lr=0.5, act=nn.ReLU, epochs=5)
    assert d.top.kind == "stale_gradients"
    (v,) = d.verify(seeds=3, remedies=["zero_grad"])
    assert v.improved and v.delta_loss < 0
    assert all(a < b for a, b in zip(v.loss, v.baseline_loss))
    assert list(v.changes) == ["optimizer.class"]


def test_smaller_lr_repairs_a_diverging_rate():
    d = _checkup(lr=40.0, act=nn.ReLU)
    (v,) = d.verify(seeds=2, remedies=["smaller_lr"])
    assert v.improved and v.delta_loss < 0
    assert all(a < b for a, b in zip(v.loss, v.baseline_loss))


def test_bad_remedies_and_arguments_raise_clear_errors():
    d = _checkup(epochs=2)
    with pytest.raises(ArgumentError, match=r"unknown remedy key 'relux'.*'relu'"):
        d.verify(remedies=["relux"])
    with pytest.raises(ArgumentError, match="cannot apply remedy 'lstm'"):
        d.verify(remedies=["lstm"])
    with pytest.raises(ArgumentError, match="seeds must be a positive int"):
        d.verify(seeds=0, remedies=["relu"])
    with pytest.raises(ArgumentError, match="steps must be a positive int"):
        d.verify(steps=0, remedies=["relu"])


def test_t_quantile_and_its_fallback_table():
    for dof in (1, 2, 5, 30):
        assert t_quantile(dof) == pytest.approx(stats.t.ppf(0.975, dof))
    np.testing.assert_allclose(_T975, stats.t.ppf(0.975, np.arange(1, 31)), atol=5e-4)


def test_infinite_baseline_made_finite_counts_as_improved():
    from tidu.diagnose.verify import _verified
    from types import SimpleNamespace as Run
    runs = [Run(loss=0.5, accuracy=None), Run(loss=math.inf, accuracy=None),
            Run(loss=0.4, accuracy=None)]
    bases = [Run(loss=math.inf, accuracy=None), Run(loss=math.inf, accuracy=None),
             Run(loss=math.inf, accuracy=None)]
    v = _verified("smaller_lr", None, [0, 1, 2], runs, bases)
    assert v.improved and v.delta_loss == -math.inf and v.delta_accuracy is None
    assert v.loss[1] == math.inf and math.isnan(v.delta_loss_ci[0])
    worse = _verified("smaller_lr", None, [0, 1, 2], bases, runs)
    assert not worse.improved
