"""Pruning: median / percentile rules on the validation curve, and the diagnosis pruner that
stops trials whose gradients exploded or turned non-finite."""
import pytest

from tidu.tune import RandomSearch, GridSearch, choice, loguniform, make_objective
from tidu.tune.pruning import (DiagnosisPruner, MedianPruner, PercentilePruner,
                               PruningContext, TrialPruned)

from .objectives import build_mlp, scaled_iris

REFERENCE = [[0.5, 0.6, 0.7], [0.4, 0.5, 0.6], [0.3, 0.4, 0.5]]


def test_median_rule_in_both_directions():
    ctx = PruningContext([MedianPruner(n_startup_trials=3)], "max", REFERENCE)
    ctx.report(0, 0.45)  # above the median 0.4 of epoch 0: goes on
    with pytest.raises(TrialPruned, match=r"0.35 is worse than the median 0.5 of 3 earlier"):
        ctx.report(1, 0.35)
    assert ctx.curve == [0.45, 0.35]
    low = PruningContext([MedianPruner(n_startup_trials=3)], "min", REFERENCE)
    with pytest.raises(TrialPruned) as caught:
        low.report(0, 0.45)  # a loss above the median 0.4
    assert caught.value.epoch == 0 and caught.value.finding is None


def test_startup_warmup_and_percentile():
    PruningContext([MedianPruner(n_startup_trials=4)], "max", REFERENCE).report(0, 0.0)
    PruningContext([MedianPruner(n_startup_trials=1, n_warmup_epochs=2)], "max",
                   REFERENCE).report(1, 0.0)
    # percentile 90 keeps the top 90%: for a score, the bar is the 10th percentile
    lenient = PruningContext([PercentilePruner(90.0, n_startup_trials=1)], "max", REFERENCE)
    lenient.report(0, 0.35)  # bar 0.32 at epoch 0
    with pytest.raises(TrialPruned, match="worse than the 90th percentile 0.42"):
        lenient.report(1, 0.41)  # bar 0.42 at epoch 1
    strict = PruningContext([PercentilePruner(10.0, n_startup_trials=1)], "max", REFERENCE)
    with pytest.raises(TrialPruned, match="10th percentile 0.48"):
        strict.report(0, 0.45)  # only the top 10% go on: bar 0.48
    with pytest.raises(ValueError, match="percentile must be a number in \\[0, 100\\]"):
        PercentilePruner(150)


def objective(epochs=6):
    X, y = scaled_iris()
    return make_objective(build_mlp, X, y, fit_kwargs={"epochs": epochs, "batch_size": 16})


def test_a_search_with_the_median_pruner_stops_the_slow_trials():
    space = {"lr": loguniform(1e-5, 0.3), "hidden": 8}
    search = RandomSearch(space, objective(), n_trials=10, n_jobs=1, seed=0,
                          pruner=MedianPruner(n_startup_trials=3))
    result = search.run()
    pruned = [t for t in result.trials if t["status"] == "pruned"]
    finished = result.finished
    assert pruned and len(finished) >= 3
    assert all(len(t["curve"]) == 6 for t in finished)
    assert all(len(t["curve"]) < 6 and t["error"].startswith("pruned at epoch") for t in pruned)
    assert all(t["finding"] is None for t in pruned)
    # the pruned trials were the slow learners: lower rates than the best finished one
    assert max(t["params"]["lr"] for t in pruned) < result.best_params["lr"]
    assert result.info["pruner"] == ["MedianPruner(n_startup_trials=3, n_warmup_epochs=0)"]
    again = RandomSearch(space, objective(), n_trials=10, n_jobs=2, batch_size=1, seed=0,
                         pruner=MedianPruner(n_startup_trials=3)).run()
    assert [t["status"] for t in again.trials] == [t["status"] for t in result.trials]


def test_the_diagnosis_pruner_stops_an_exploding_trial_with_its_finding():
    space = {"lr": choice([0.05, 1e6]), "hidden": 8}
    result = GridSearch(space, objective(epochs=4), n_jobs=1, seed=0,
                        pruner=DiagnosisPruner(every_n_steps=2)).run()
    healthy, exploded = result.trials
    assert healthy["status"] == "finished" and len(healthy["curve"]) == 4
    assert exploded["status"] == "pruned" and exploded["curve"] and len(exploded["curve"]) < 4
    assert exploded["finding"] in ("exploding_gradients", "nonfinite")
    assert exploded["error"].startswith("pruned at epoch 0: ")
    assert ("Exploding gradients" in exploded["error"]) == (
        exploded["finding"] == "exploding_gradients")


def test_pruning_needs_an_objective_that_reports_epochs():
    with pytest.raises(TypeError, match="pruner= needs an objective that takes pruning="):
        RandomSearch({"x": loguniform(1e-3, 1.0)}, lambda p: p["x"], pruner=MedianPruner())
    with pytest.raises(TypeError, match="pruner must be a MedianPruner"):
        RandomSearch({"x": loguniform(1e-3, 1.0)}, objective(), pruner="median")
    with pytest.raises(ValueError, match="kinds must be findings of tidu.diagnose"):
        DiagnosisPruner(kinds=["exploding"])
    X, y = scaled_iris()
    folds = make_objective(build_mlp, X, y, cv=3, fit_kwargs={"epochs": 2})
    result = RandomSearch({"lr": loguniform(1e-3, 0.1), "hidden": 4}, folds, n_trials=1,
                          n_jobs=1, seed=0, pruner=MedianPruner())
    with pytest.raises(Exception, match="pruning= needs plain hold-out scoring"):
        result.run()


def test_a_missing_epoch_score_is_an_error_not_a_pruned_trial():
    from tidu.tune.objective import _pruning_callbacks
    ctx = PruningContext([MedianPruner(n_startup_trials=0)], "max", REFERENCE)
    (report,) = _pruning_callbacks(ctx, "f1")
    with pytest.raises(KeyError, match=r"no 'val_f1' to report \(they have \['val_loss'\]\)"):
        report.on_epoch_end(0, {"val_loss": 0.5})
    assert ctx.curve == []
