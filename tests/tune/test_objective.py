"""make_objective: a tidu model per trial, scored by hold-out or k-fold (tidu.model_selection)."""
import numpy as np
import pytest

from tidu.model_selection import cross_validate, train_test_split
from tidu.tune import CoarseToFine, RandomSearch, TuneError, loguniform, make_objective, randint

from .objectives import build_mlp, scaled_iris

FIT = {"epochs": 8, "batch_size": 16}
SPACE = {"lr": loguniform(1e-3, 0.3), "hidden": randint(4, 12)}


@pytest.fixture(scope="module")
def iris():
    return scaled_iris()


def test_a_random_search_on_iris_with_a_tiny_mlp(iris):
    X, y = iris
    objective = make_objective(build_mlp, X, y, fit_kwargs=FIT)
    assert objective.metric == "accuracy" and objective.mode == "max"
    result = RandomSearch(SPACE, objective, n_trials=6, seed=0, n_jobs=1).run()
    assert result.metric == "accuracy" and result.mode == "max"
    assert result.best_score >= 0.9, result.to_records()
    for t in result.trials:
        assert t["status"] == "finished" and set(t["metrics"]) == {"loss", "accuracy"}
        assert t["score"] == t["metrics"]["accuracy"]
    accuracies = [t["score"] for t in result.trials]
    assert max(accuracies) > min(accuracies)  # the learning rate matters
    # a trial replays exactly from its params and seed
    best = result.best_trial
    assert objective(best["params"], seed=best["seed"]) == best["metrics"]
    assert "holdout(val_size=0.2)" in result.info["objective"]


def test_the_holdout_split_is_the_same_for_every_trial_and_stratified(iris):
    X, y = iris
    objective = make_objective(build_mlp, X, y, val_size=0.2, seed=3)
    (train, val), = objective.cv
    expected_train, expected_val = train_test_split(np.arange(150), test_size=0.2, seed=3,
                                                    stratify=y)
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(val, expected_val)
    assert np.bincount(y[val]).tolist() == [10, 10, 10]


def test_k_fold_scoring_is_model_selection_cross_validate(iris):
    X, y = iris
    objective = make_objective(build_mlp, X, y, cv=3, fit_kwargs=FIT)
    params = {"lr": 0.05, "hidden": 8}
    scores = objective(params, seed=5)
    direct = cross_validate(build_mlp, X, y, cv=3, params=params, fit_kwargs=FIT,
                            metrics=["accuracy"], seed=5)
    assert scores == {"loss": direct.mean["loss"], "accuracy": direct.score,
                      "accuracy_std": direct.score_std}


def test_a_loss_metric_is_minimized(iris):
    X, y = iris
    objective = make_objective(build_mlp, X, y, fit_kwargs=FIT, metric="loss",
                               metrics=["accuracy"])
    assert objective.mode == "min"
    result = CoarseToFine(SPACE, objective, n_rounds=2, trials_per_round=3, seed=1,
                          n_jobs=1).run()
    assert result.mode == "min"
    assert result.best_score == min(t["metrics"]["loss"] for t in result.finished)


def test_a_diverging_learning_rate_is_a_failed_trial(iris):
    X, y = iris
    objective = make_objective(build_mlp, X, y, fit_kwargs=FIT)
    space = {"lr": loguniform(1e-2, 1e6), "hidden": 8}
    result = RandomSearch(space, objective, n_trials=6, seed=0, n_jobs=1).run()
    diverged = [t for t in result.failed if "diverged" in t["error"]]
    assert diverged and all(t["params"]["lr"] > 1 for t in diverged)
    assert all("training loss ended at nan" in t["error"] or "ended at inf" in t["error"]
               for t in diverged)
    assert result.best_trial["status"] == "finished"
    with pytest.raises(TuneError, match="diverged"):
        RandomSearch({"lr": loguniform(1e5, 1e6), "hidden": 8}, objective, n_trials=2, seed=0,
                     n_jobs=1).run()


def test_bad_arguments_name_what_is_wrong(iris):
    X, y = iris
    with pytest.raises(TypeError, match="make_objective: build must be a callable"):
        make_objective(3, X, y)
    with pytest.raises(ValueError, match="unknown metric name 'acuracy'"):
        make_objective(build_mlp, X, y, metric="acuracy")
    with pytest.raises(TypeError, match="fit_kwargs must be a dict"):
        make_objective(build_mlp, X, y, fit_kwargs=[("epochs", 3)])


def test_the_objective_runs_on_worker_processes(iris):
    X, y = iris
    objective = make_objective(build_mlp, X, y, fit_kwargs={"epochs": 2, "batch_size": 32})
    serial = RandomSearch(SPACE, objective, n_trials=2, seed=4, n_jobs=1).run()
    parallel = RandomSearch(SPACE, objective, n_trials=2, seed=4, n_jobs=2).run()
    assert [t["metrics"] for t in parallel.trials] == [t["metrics"] for t in serial.trials]
