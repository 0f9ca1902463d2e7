"""GridSearch, RandomSearch, CoarseToFine: optima found, the notes' claims, failures, hooks."""
import math
import random
import threading

import numpy as np
import pytest

import tidu
from tidu.tune import (CoarseToFine, GridSearch, RandomSearch, TuneError, choice, loguniform,
                       randint, uniform)

from .objectives import OPTIMUM, narrow_peak, noisy_with_failures, one_matters

UNIT_SQUARE = {"x": uniform(0.0, 1.0), "y": uniform(0.0, 1.0)}


def bowl(params):
    """Optimum 0 at x = 0.5, lr = 1e-2, act = "tanh"; x and log10(lr) matter alike."""
    return -((4 * (params["x"] - 0.5)) ** 2 + (math.log10(params["lr"]) + 2) ** 2
             + 10 * (params["act"] != "tanh"))


BOWL_SPACE = {"x": uniform(0.0, 1.0), "lr": loguniform(1e-4, 1.0),
              "act": choice(["relu", "tanh"]), "epochs": 3}


# ---------------------------------------------------------------------- optima
def test_grid_search_tries_every_point_and_finds_the_grid_optimum():
    search = GridSearch(BOWL_SPACE, bowl, points_per_axis={"x": 5, "lr": 5}, n_jobs=1, seed=0)
    result = search.run()
    assert len(result) == 5 * 5 * 2 * 1
    assert result.best_score == pytest.approx(0.0)
    assert result.best_params == {"x": 0.5, "lr": pytest.approx(1e-2), "act": "tanh",
                                  "epochs": 3}
    assert [t["index"] for t in result.trials] == list(range(50))
    # the last hyper-parameter varies fastest
    assert [t["params"]["act"] for t in result.trials[:4]] == ["relu", "tanh"] * 2


def test_random_search_finds_the_optimum_of_a_bowl():
    result = RandomSearch(BOWL_SPACE, bowl, n_trials=200, seed=0, n_jobs=1).run()
    # 100 tanh points on a 4 × 4 square (x scaled by 4, lr in decades): best d² ≈ 16/(100π)
    assert result.best_score > -0.1
    assert result.best_params["act"] == "tanh"
    assert abs(result.best_params["x"] - 0.5) < 0.1
    assert abs(math.log10(result.best_params["lr"]) + 2) < 0.3


def test_coarse_to_fine_finds_the_optimum_of_a_bowl():
    result = CoarseToFine(BOWL_SPACE, bowl, n_rounds=5, trials_per_round=12, seed=0,
                          n_jobs=1).run()
    assert result.best_score > -1e-2
    assert abs(result.best_params["x"] - 0.5) < 0.02
    assert result.best_params["lr"] == pytest.approx(1e-2, rel=0.1)
    last = result.spaces[-1]
    assert last["act"].options == ["tanh"]
    assert last["epochs"] == 3
    # narrowed around the optimum (on the log scale for lr), within the first bounds
    assert last["x"].low < 0.5 < last["x"].high and last["x"].high - last["x"].low < 0.2
    assert last["lr"].low < 1e-2 < last["lr"].high
    assert math.log10(last["lr"].high / last["lr"].low) < 0.5
    assert last["lr"].bounds == (1e-4, 1.0)
    assert [t["round"] for t in result.trials] == [r for r in range(5) for _ in range(12)]


def test_mode_min_minimizes():
    result = RandomSearch({"x": uniform(-1, 1)}, lambda p: p["x"] ** 2, n_trials=30, seed=1,
                          mode="min", n_jobs=1).run()
    assert result.best_score == min(t["score"] for t in result.trials)
    assert result.top(3)[0] is result.best_trial
    assert [t["score"] for t in result.top(3)] == sorted(t["score"] for t in result.trials)[:3]


# ---------------------------------------------------------------------- the notes' claims
def test_coarse_to_fine_beats_random_search_on_a_narrow_optimum():
    """Equal budget (40 trials), 10 seeds: the mean best score of coarse-to-fine (4 rounds
    of 10) is far above one-stage random search's (measured: ≈ 0.64 against ≈ 0.03 — random
    search rarely lands on the peak, 0.02 wide)."""
    c2f, rnd, distance = [], [], []
    for seed in range(10):
        result = CoarseToFine(UNIT_SQUARE, narrow_peak, n_rounds=4, trials_per_round=10,
                              seed=seed, n_jobs=1).run()
        c2f.append(result.best_score)
        best = result.best_params
        distance.append(math.hypot(best["x"] - OPTIMUM[0], best["y"] - OPTIMUM[1]))
        rnd.append(RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=40, seed=seed,
                                n_jobs=1).run().best_score)
    assert np.mean(c2f) > np.mean(rnd) + 0.3, (c2f, rnd)
    assert sum(c > r for c, r in zip(c2f, rnd)) >= 8, (c2f, rnd)
    assert np.median(distance) < 0.03, distance


def test_random_beats_grid_when_one_of_two_hyperparameters_matters():
    """Notes 001 (超参数调试): with 9 trials a 3 × 3 grid tries 3 values of the hyper-parameter
    that matters, 9 random points try 9 — and find a better score on average."""
    space = {"a": uniform(0.0, 1.0), "b": uniform(0.0, 1.0)}
    grid = GridSearch(space, one_matters, points_per_axis=3, n_jobs=1, seed=0).run()
    assert len(grid) == 9
    assert len({t["params"]["a"] for t in grid.trials}) == 3
    random_best = []
    for seed in range(10):
        result = RandomSearch(space, one_matters, n_trials=9, seed=seed, n_jobs=1).run()
        assert len({t["params"]["a"] for t in result.trials}) == 9
        random_best.append(result.best_score)
    assert grid.best_score == pytest.approx(-(0.5 - 0.37) ** 2)
    assert np.mean(random_best) > grid.best_score, random_best
    assert sum(r > grid.best_score for r in random_best) >= 8, random_best


# ---------------------------------------------------------------------- failures
def test_failing_and_diverging_trials_are_recorded_and_the_search_goes_on():
    seen = []
    result = RandomSearch({"x": uniform(0.0, 1.0)}, noisy_with_failures, n_trials=40, seed=2,
                          metric="score", n_jobs=1, callbacks=[seen.append]).run()
    assert len(result) == len(seen) == 40
    by_kind = {"raised": [], "nan": [], "inf": [], "ok": []}
    for t in result.trials:
        x = t["params"]["x"]
        kind = "raised" if x > 0.85 else "nan" if x < 0.1 else "inf" if x < 0.15 else "ok"
        by_kind[kind].append(t)
    assert all(len(v) > 0 for v in by_kind.values()), {k: len(v) for k, v in by_kind.items()}
    for t in by_kind["raised"]:
        assert t["status"] == "failed" and t["score"] is None
        assert t["error"].startswith("ValueError: x=") and "too large" in t["error"]
        assert "noisy_with_failures" in t["traceback"]
    for t in by_kind["nan"]:
        assert t["status"] == "failed" and t["error"] == "diverged: the objective returned nan"
    for t in by_kind["inf"]:
        assert t["status"] == "failed" and t["error"] == "diverged: the objective returned inf"
    for t in by_kind["ok"]:
        assert t["status"] == "finished" and t["error"] is None and set(t["metrics"]) == \
            {"score", "noise"}
    assert result.best_trial in by_kind["ok"]
    assert len(result.failed) + len(result.finished) == 40


def test_all_trials_failing_is_one_clear_error_with_the_trials():
    def boom(params):
        raise RuntimeError("no luck")

    ends = []

    class Hook:
        def on_search_end(self, result):
            ends.append(result)

    with pytest.raises(TuneError, match=r"RandomSearch: all 3 trials failed; first error: "
                                        r"RuntimeError: no luck") as info:
        RandomSearch({"x": uniform(0, 1)}, boom, n_trials=3, seed=0, n_jobs=1,
                     callbacks=[Hook()]).run()
    assert len(info.value.result.trials) == 3 and ends == [info.value.result]
    with pytest.raises(TuneError, match="no best trial"):
        info.value.result.best_params


def test_coarse_to_fine_keeps_the_space_after_a_round_that_all_failed():
    def late_bloomer(params, seed):
        if params["x"] < 0.5 and seed % 2:
            raise ValueError("odd seed")
        return params["x"]

    result = CoarseToFine({"x": uniform(0, 1)}, late_bloomer, n_rounds=3, trials_per_round=4,
                          seed=0, n_jobs=1).run()
    assert result.best_score == max(t["score"] for t in result.finished)
    for before, after, round_ in zip(result.spaces, result.spaces[1:], range(3)):
        finished_so_far = [t for t in result.finished if t["round"] <= round_]
        if not finished_so_far:
            assert after == before


def test_several_metrics_need_metric_to_rank():
    def two(params):
        return {"acc": params["x"], "loss": 1 - params["x"]}

    with pytest.raises(TuneError, match=r"returned several metrics \['acc', 'loss'\]; name the "
                                        r"one to rank by with metric="):
        RandomSearch({"x": uniform(0, 1)}, two, n_trials=2, seed=0, n_jobs=1).run()
    result = RandomSearch({"x": uniform(0, 1)}, two, n_trials=5, seed=0, n_jobs=1,
                          metric="loss", mode="min").run()
    assert result.best_trial["metrics"]["acc"] == max(t["params"]["x"] for t in result.trials)


# ---------------------------------------------------------------------- seeds
def test_trials_depend_on_the_seed_only():
    a = RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=6, seed=7, n_jobs=1).run()
    b = RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=6, seed=7, n_jobs=1).run()
    c = RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=6, seed=8, n_jobs=1).run()
    assert [t["params"] for t in a.trials] == [t["params"] for t in b.trials]
    assert [t["seed"] for t in a.trials] == [t["seed"] for t in b.trials]
    assert [t["params"] for t in a.trials] != [t["params"] for t in c.trials]
    assert len({t["seed"] for t in a.trials}) == 6
    # a longer search starts with the same trials
    longer = RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=9, seed=7, n_jobs=1).run()
    assert [t["params"] for t in longer.trials[:6]] == [t["params"] for t in a.trials]
    unseeded = RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=2, n_jobs=1).run()
    assert isinstance(unseeded.seed, int) and unseeded.info["seed"] == unseeded.seed


def test_each_trial_runs_with_the_global_generators_seeded_and_the_caller_state_is_kept():
    def draw(params, seed):
        return {"tidu": float(tidu.random.generator().random()), "numpy": np.random.random(),
                "python": random.random(), "seed": float(seed)}

    tidu.manual_seed(123)
    np.random.seed(5)
    random.seed(6)
    expected = (tidu.random.generator().random(), np.random.random(), random.random())
    tidu.manual_seed(123)
    np.random.seed(5)
    random.seed(6)
    result = RandomSearch({"x": uniform(0, 1)}, draw, n_trials=3, seed=0, n_jobs=1,
                          metric="tidu").run()
    assert (tidu.random.generator().random(), np.random.random(), random.random()) == expected
    for t in result.trials:
        assert t["metrics"]["seed"] == t["seed"]
        assert t["score"] == np.random.default_rng(t["seed"]).random()
        assert t["metrics"]["numpy"] == np.random.RandomState(t["seed"]).random_sample()
        assert t["metrics"]["python"] == random.Random(t["seed"]).random()


# ---------------------------------------------------------------------- hooks and records
def test_callbacks_get_the_search_info_each_trial_and_the_result():
    events = []

    class Recorder:
        def on_search_begin(self, info):
            events.append(("begin", info))

        def on_trial_end(self, trial):
            events.append(("trial", trial))

        def on_search_end(self, result):
            events.append(("end", result))

    plain = []
    search = CoarseToFine(BOWL_SPACE, bowl, n_rounds=2, trials_per_round=3, seed=4, n_jobs=1,
                          callbacks=[Recorder(), plain.append])
    result = search.run()
    assert search.result_ is result
    assert [e[0] for e in events] == ["begin"] + ["trial"] * 6 + ["end"]
    info = events[0][1]
    assert info["kind"] == "coarse_to_fine" and info["seed"] == 4 and info["mode"] == "max"
    assert info["space"]["lr"] == {"type": "loguniform", "low": 1e-4, "high": 1.0}
    assert info["n_trials"] == 6 and info["executor"] == "serial"
    assert plain == [e[1] for e in events[1:-1]] and events[-1][1] is result
    trial = plain[0]
    assert type(trial) is dict
    assert set(trial) == {"index", "round", "params", "seed", "status", "score", "metrics",
                          "error", "traceback", "seconds"}
    assert trial["seconds"] >= 0


def test_a_callback_that_raises_stops_the_search():
    def stop(trial):
        if trial["index"] == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=10, seed=0, n_jobs=1,
                     callbacks=stop).run()


def test_to_records_is_one_flat_row_per_trial():
    result = GridSearch({"a": choice(["x", "y"]), "n": randint(1, 2)},
                        lambda p: float(p["n"]), n_jobs=1, seed=0).run()
    rows = result.to_records()
    assert [(r["index"], r["a"], r["n"], r["score"]) for r in rows] == [
        (0, "x", 1, 1.0), (1, "x", 2, 2.0), (2, "y", 1, 1.0), (3, "y", 2, 2.0)]
    assert {"status", "round", "seconds", "seed", "error"} <= set(rows[0])
    assert "2/2" not in repr(result) and "4/4 trials finished" in repr(result)


# ---------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("make, error, message", [
    (lambda: RandomSearch([1], bowl), TypeError, "RandomSearch: space must be a dict"),
    (lambda: RandomSearch({}, bowl), ValueError, "space must name at least one"),
    (lambda: RandomSearch(UNIT_SQUARE, 3), TypeError, "objective must be callable"),
    (lambda: RandomSearch(UNIT_SQUARE, bowl, mode="maximize"), ValueError,
     "mode must be 'max' or 'min', got mode='maximize'"),
    (lambda: RandomSearch(UNIT_SQUARE, bowl, n_trials=0), ValueError,
     "n_trials must be an int ≥ 1, got n_trials=0"),
    (lambda: RandomSearch(UNIT_SQUARE, bowl, n_jobs=0), ValueError, "n_jobs must be a positive"),
    (lambda: RandomSearch(UNIT_SQUARE, bowl, seed=-1), ValueError, "seed must be an int ≥ 0"),
    (lambda: RandomSearch(UNIT_SQUARE, bowl, client=object(), scheduler="tcp://x:1"),
     ValueError, "give client= or scheduler=, not both"),
    (lambda: RandomSearch(UNIT_SQUARE, bowl, client=object()), TypeError,
     "client must be a dask.distributed.Client"),
    (lambda: RandomSearch(UNIT_SQUARE, bowl, callbacks=[3]), TypeError,
     "callbacks[0] must be a function"),
    (lambda: GridSearch(UNIT_SQUARE, bowl, points_per_axis={"z": 2}), ValueError,
     "points_per_axis names ['z']"),
    (lambda: GridSearch(UNIT_SQUARE, bowl, points_per_axis=0), ValueError,
     "points_per_axis must be a positive int"),
    (lambda: CoarseToFine(UNIT_SQUARE, bowl, shrink=0), ValueError,
     "shrink must be in (0, 1], got shrink=0"),
    (lambda: CoarseToFine(UNIT_SQUARE, bowl, keep_top=0), ValueError, "keep_top must be"),
])
def test_bad_arguments_name_what_is_wrong(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert message in str(info.value)


def test_an_unpicklable_objective_is_refused_before_any_worker_starts():
    lock = threading.Lock()

    def locked(params):
        with lock:
            return params["x"]

    with pytest.raises(TypeError, match="the objective must be picklable .* n_jobs=1"):
        RandomSearch(UNIT_SQUARE, locked, n_trials=2, n_jobs=2).run()
    assert RandomSearch(UNIT_SQUARE, locked, n_trials=2, n_jobs=1, seed=0).run().best_score > 0


@pytest.mark.parametrize("wrap", [float, np.float32, np.array, tidu.tensor])
def test_numpy_and_tensor_scores_become_python_floats(wrap):
    result = RandomSearch({"x": uniform(0, 1)}, lambda p: {"acc": wrap(p["x"])}, n_trials=2,
                          seed=0, n_jobs=1).run()
    for t in result.trials:
        assert type(t["score"]) is float and type(t["metrics"]["acc"]) is float
        assert t["score"] == pytest.approx(t["params"]["x"], rel=1e-6)


def test_a_non_numeric_score_fails_the_trial_with_its_type():
    with pytest.raises(TuneError, match="must return a number or a dict of numbers, got str"):
        RandomSearch({"x": uniform(0, 1)}, lambda p: "good", n_trials=1, seed=0,
                     n_jobs=1).run()
