"""cross_validate / holdout_score / refit: per-fold numbers equal a hand-made fit of each fold,
mean ± std over them, reproducible seeds, refit on every row, and clear errors."""
from functools import partial

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.metrics import accuracy
from tidu.model_selection import (CVResult, KFold, StratifiedKFold, cross_validate,
                                  holdout_score, refit)
from tidu.train import EarlyStopping, LRSchedulerCallback, Metric, Trainer

FIT = {"epochs": 4, "batch_size": 32}


@pytest.fixture(scope="module")
def iris():
    X, y = tidu.data.load_iris()
    return (X - X.mean(0)) / X.std(0), y


def build(params=None):
    hidden = (params or {}).get("hidden", 8)
    model = nn.Sequential(nn.Linear(4, hidden), nn.ReLU(), nn.Dropout(0.1), nn.Linear(hidden, 3))
    return model, nn.CrossEntropyLoss(), tidu.optim.Adam(model.parameters(), lr=0.05)


def test_per_fold_scores_are_those_of_each_fold_trained_by_hand(iris):
    X, y = iris
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(build, X, y, cv=cv, fit_kwargs=FIT, seed=10, return_models=True,
                            return_train_score=True)
    assert isinstance(result, CVResult) and result.n_splits == 3
    assert set(result.scores) == {"loss", "accuracy", "train_loss", "train_accuracy"}
    assert result.seeds == [10, 11, 12]
    for fold, (train, val) in enumerate(cv.split(X, y)):
        tidu.manual_seed(10 + fold)
        model, loss_fn, optimizer = build()
        trainer = Trainer(model, loss_fn, optimizer, metrics=["accuracy"], verbose=0)
        trainer.fit((X[train], y[train]), **FIT)
        expected = trainer.evaluate((X[val], y[val]))
        assert result.folds[fold]["n_train"] == 100 and result.folds[fold]["n_val"] == 50
        assert result.scores["loss"][fold] == pytest.approx(expected["loss"], rel=1e-6)
        assert result.scores["accuracy"][fold] == expected["accuracy"]
        assert result.folds[fold]["accuracy"] == expected["accuracy"]
        # the returned model is that fold's trained model
        assert accuracy(y[val], Trainer(result.models[fold], loss_fn, optimizer,
                                        verbose=0).predict(X[val])) == expected["accuracy"]
    for name, values in result.scores.items():
        assert result.mean[name] == pytest.approx(np.mean(values))
        assert result.std[name] == pytest.approx(np.std(values))
    assert result.score == result.mean["accuracy"] and result.greater_is_better
    assert result.score_std == result.std["accuracy"]
    assert result.mean["accuracy"] > 0.75  # it did learn
    assert result.fit_times.shape == (3,) and np.all(result.fit_times > 0)
    assert result.score_times.shape == (3,) and np.all(result.score_times > 0)
    assert "accuracy: " in result.summary() and "(3 folds)" in result.summary()
    record = result.to_dict()
    assert record["scores"]["accuracy"] == result.scores["accuracy"].tolist()
    assert "models" not in record


def test_same_seed_same_numbers_other_seed_other_numbers(iris):
    X, y = iris
    a = cross_validate(build, X, y, cv=3, fit_kwargs=FIT, seed=3)
    b = cross_validate(build, X, y, cv=3, fit_kwargs=FIT, seed=3)
    c = cross_validate(build, X, y, cv=3, fit_kwargs=FIT, seed=4)
    np.testing.assert_array_equal(a.scores["loss"], b.scores["loss"])
    assert not np.array_equal(a.scores["loss"], c.scores["loss"])
    # seed=None takes its base seed from tidu's global generator
    tidu.manual_seed(5)
    d = cross_validate(build, X, y, cv=3, fit_kwargs=FIT)
    tidu.manual_seed(5)
    e = cross_validate(build, X, y, cv=3, fit_kwargs=FIT)
    assert d.seeds == e.seeds
    np.testing.assert_array_equal(d.scores["loss"], e.scores["loss"])


def test_int_cv_is_unshuffled_stratified_kfold_for_labels_and_kfold_for_targets(iris):
    X, y = iris
    result = cross_validate(build, X, y, cv=5, fit_kwargs=FIT, seed=0)
    stratified = cross_validate(build, X, y, cv=StratifiedKFold(5), fit_kwargs=FIT, seed=0)
    np.testing.assert_array_equal(result.scores["loss"], stratified.scores["loss"])
    # regression: float targets get KFold; mse is minimized
    rng = np.random.default_rng(0)
    Xr = rng.standard_normal((60, 3)).astype(np.float32)
    yr = (Xr @ np.array([1.0, -2.0, 0.5], dtype=np.float32))[:, None]

    def build_linear():
        model = nn.Linear(3, 1)
        return model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=0.1)

    reg = cross_validate(build_linear, Xr, yr, cv=4, metrics=["mse"], fit_kwargs=FIT, seed=0)
    by_hand = cross_validate(build_linear, Xr, yr, cv=KFold(4), metrics=["mse"],
                             fit_kwargs=FIT, seed=0)
    np.testing.assert_array_equal(reg.scores["mse"], by_hand.scores["mse"])
    assert reg.scoring == "mse" and not reg.greater_is_better
    np.testing.assert_allclose(reg.scores["mse"], reg.scores["loss"], rtol=1e-5)


def test_scoring_metrics_params_and_given_splits(iris):
    X, y = iris
    splits = [(np.arange(0, 150, 2), np.arange(1, 150, 2))]
    seen = []

    def build_with(params):
        seen.append(params)
        return build(params)

    f1_macro = partial(tidu.metrics.f1_score, average="macro")
    result = cross_validate(build_with, X, y, cv=splits, params={"hidden": 5}, fit_kwargs=FIT,
                            metrics=["accuracy", f1_macro], scoring="loss", seed=0)
    assert seen == [{"hidden": 5}] and result.params == {"hidden": 5}
    assert result.scoring == "loss" and not result.greater_is_better
    assert result.score == result.mean["loss"] and result.n_splits == 1
    assert set(result.scores) == {"loss", "accuracy", "f1_score"}
    assert result.std["loss"] == 0.0
    custom = cross_validate(build, X, y, cv=2, fit_kwargs=FIT, seed=0,
                            metrics=[Metric(lambda t, o: np.mean(o.argmax(1) != t), name="err",
                                            greater_is_better=False)])
    assert custom.scoring == "err" and not custom.greater_is_better


def test_per_model_callbacks_and_validation_curves(iris):
    X, y = iris

    def build_scheduled():
        model, loss_fn, optimizer = build()
        scheduler = tidu.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        return model, loss_fn, optimizer, [LRSchedulerCallback(scheduler)]

    result = cross_validate(build_scheduled, X, y, cv=3, seed=0, validate_each_epoch=True,
                            fit_kwargs={**FIT, "callbacks": [EarlyStopping(patience=50)]})
    for history in result.histories:
        assert history["lr"] == [0.05, 0.025, 0.0125, 0.00625]
        assert len(history["val_loss"]) == 4 and len(history["val_accuracy"]) == 4


def test_holdout_score_is_one_seeded_stratified_split(iris):
    X, y = iris
    result = holdout_score(build, X, y, 0.2, stratify=True, fit_kwargs=FIT, seed=2)
    assert result.n_splits == 1 and result.folds[0]["n_val"] == 30
    assert result.folds[0]["n_train"] == 120 and result.seeds == [2]
    # the split is train_test_split's for that seed; the model is built after manual_seed(2)
    train, val = tidu.model_selection.train_test_split(np.arange(150), test_size=0.2, seed=2,
                                                       stratify=y)
    assert np.bincount(y[val]).tolist() == [10, 10, 10]
    again = cross_validate(build, X, y, cv=[(train, val)], fit_kwargs=FIT, seed=2)
    np.testing.assert_array_equal(again.scores["loss"], result.scores["loss"])
    assert holdout_score(build, X, y, 45, fit_kwargs=FIT, seed=2).folds[0]["n_val"] == 45


def test_refit_trains_on_every_row(iris):
    X, y = iris
    model, history = refit(build, X, y, FIT, params={"hidden": 6}, seed=1, metrics=["accuracy"])
    assert history.params["samples"] == 150 and len(history["loss"]) == 4
    assert model[0].weight.shape == (6, 4)
    tidu.manual_seed(1)
    expected_model, loss_fn, optimizer = build({"hidden": 6})
    expected = Trainer(expected_model, loss_fn, optimizer, metrics=["accuracy"], verbose=0)
    expected_history = expected.fit((X, y), **FIT)
    assert history["loss"] == expected_history["loss"]
    np.testing.assert_array_equal(model[0].weight._data, expected_model[0].weight._data)
    result = refit(build, X, y, FIT, seed=1, val_data=(X[:30], y[:30]))
    assert "val_loss" in result.history and result.fit_time > 0
    assert result.optimizer is not None and result.loss_fn is not None


def test_bad_input_is_refused_clearly(iris):
    X, y = iris
    with pytest.raises(ValueError, match="n_splits ≥ 2"):
        cross_validate(build, X, y, cv=1)
    with pytest.raises(ValueError, match="n_splits=200 is greater than the number of samples "
                                         "n_samples=150"):
        cross_validate(build, X, y, cv=KFold(200))
    with pytest.raises(ValueError, match="classes \\[2\\] have only \\[3\\]"):
        cross_validate(build, X[:103], y[:103], cv=5)
    with pytest.raises(ValueError, match="unknown fit_kwargs key 'epoch'"):
        cross_validate(build, X, y, cv=3, fit_kwargs={"epoch": 3})
    with pytest.raises(ValueError, match="fit_kwargs\\['val_data'\\] is not allowed"):
        cross_validate(build, X, y, cv=3, fit_kwargs={"val_data": (X, y)})
    with pytest.raises(ValueError, match="scoring='f1' is not among the computed scores"):
        cross_validate(build, X, y, cv=3, scoring="f1")
    with pytest.raises(TypeError, match="build must return \\(model, loss_fn, optimizer\\)"):
        cross_validate(lambda: build()[:2], X, y, cv=3, fit_kwargs=FIT)
    with pytest.raises(TypeError, match="build returned a str as the model; expected a tidu.nn"):
        cross_validate(lambda: ("model", nn.MSELoss(), None), X, y, cv=3)
    shared = build()
    with pytest.raises(ValueError, match="same model object for fold 1"):
        cross_validate(lambda: shared, X, y, cv=3, fit_kwargs=FIT)
    with pytest.raises(TypeError, match="seed must be a non-negative int"):
        cross_validate(build, X, y, cv=3, seed=1.5)
    with pytest.raises(ValueError, match="y has 149 labels/targets but X has 150 samples"):
        cross_validate(build, X, y[:-1], cv=3)
    with pytest.raises(IndexError, match="outside \\[0, 149\\]"):
        cross_validate(build, X, y, cv=[(np.arange(10), np.array([150]))])
    with pytest.raises(ValueError, match="split 0's validation indices is empty"):
        cross_validate(build, X, y, cv=[(np.arange(10), np.array([], dtype=int))])
