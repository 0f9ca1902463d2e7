"""TPESearch: reproducible, in bounds for every kind of parameter, mode-aware, failures counted
as bad, beats random search on a narrow optimum, same trials on processes; its estimators."""
import doctest
import math

import numpy as np
import pytest

from tidu.tune.random_search import RandomSearch
from tidu.tune.space import choice, loguniform, randint, uniform
from tidu.tune.tpe import TPESearch, _Parzen

from .objectives import narrow_peak

UNIT_SQUARE = {"x": uniform(0.0, 1.0), "y": uniform(0.0, 1.0)}


def bowl_at_07(params):
    return -(params["x"] - 0.7) ** 2


def negated_bowl_at_07(params):
    return (params["x"] - 0.7) ** 2


def every_kind(params):
    """Best at lr = 1e-2, width = 32, k = 7, act = "tanh", x = 0.3."""
    return -((math.log10(params["lr"]) + 2) ** 2 + (math.log2(params["width"]) - 5) ** 2 / 4
             + (params["k"] - 7) ** 2 / 10 + (params["act"] != "tanh")
             + (params["x"] - 0.3) ** 2)


EVERY_KIND = {"lr": loguniform(1e-5, 1.0), "width": randint(1, 1024, log=True),
              "k": randint(0, 20), "act": choice(["relu", "tanh", "gelu"]),
              "x": uniform(-1.0, 1.0), "epochs": 3}


def narrow_log_optimum(params):
    """The issue's test function: a narrow optimum at lr = 10^-2.5, x = 0.3."""
    return -((math.log10(params["lr"]) + 2.5) ** 2 * 50 + (params["x"] - 0.3) ** 2 * 50)


def params_of(result):
    return [t["params"] for t in result.trials]


def trial(index, score, x, status="finished"):
    return {"index": index, "round": 0, "params": {"x": x}, "seed": 0, "status": status,
            "score": score if status == "finished" else None, "metrics": {}, "error": None,
            "traceback": None, "seconds": 0.0}


# ---------------------------------------------------------------------- reproducible
def test_same_seed_same_trials_and_the_startup_points_are_random_searchs():
    def run(seed):
        return TPESearch(EVERY_KIND, every_kind, n_trials=20, n_startup=6, seed=seed,
                         n_jobs=1).run()

    first, again, other = run(3), run(3), run(4)
    assert params_of(first) == params_of(again)
    assert [t["seed"] for t in first.trials] == [t["seed"] for t in again.trials]
    assert params_of(first) != params_of(other)
    random_points = RandomSearch(EVERY_KIND, every_kind, n_trials=6, seed=3).points()
    assert params_of(first)[:6] == random_points
    assert params_of(first)[6:] != RandomSearch(EVERY_KIND, every_kind, n_trials=20,
                                                seed=3).points()[6:]


def test_runs_on_two_processes_with_the_same_trials_as_in_this_process():
    def run(n_jobs):
        return TPESearch(UNIT_SQUARE, narrow_peak, n_trials=10, n_startup=4, batch_size=2,
                         seed=7, n_jobs=n_jobs).run()

    serial, parallel = run(1), run(2)
    assert parallel.info["executor"] == "processes(n_jobs=2)"
    assert params_of(parallel) == params_of(serial)
    assert [t["score"] for t in parallel.trials] == [t["score"] for t in serial.trials]


def test_batches_are_chosen_from_the_trials_finished_before_them():
    search = TPESearch(UNIT_SQUARE, narrow_peak, n_trials=11, n_startup=4, batch_size=3,
                       seed=1, n_jobs=1)
    result = search.run()
    assert [(b["first"], b["size"]) for b in search.batches_] == [(4, 3), (7, 3), (10, 1)]
    assert [b["n_good"] + b["n_bad"] for b in search.batches_] == [4, 7, 10]
    assert [b["n_good"] for b in search.batches_] == [1, 1, 1]
    # the points of a batch differ (each trial draws its own candidates)
    batch = params_of(result)[4:7]
    assert len({p["x"] for p in batch}) == 3
    # each point is what the model fitted on the earlier batches suggests
    for b in search.batches_:
        before = result.trials[:b["first"]]
        for i in range(b["first"], b["first"] + b["size"]):
            assert search.suggest(before, i) == result.trials[i]["params"]
    assert result.trials[4]["params"] != search.suggest(result.trials[:5], 4)


def test_default_batch_size_and_settings_recorded():
    assert TPESearch(UNIT_SQUARE, narrow_peak, n_jobs=1).batch_size == 1
    assert TPESearch(UNIT_SQUARE, narrow_peak, n_jobs=3).batch_size == 3
    result = TPESearch(UNIT_SQUARE, narrow_peak, n_trials=5, n_startup=2, seed=0,
                       n_jobs=1).run()
    info = result.info
    assert info["kind"] == "tpe"
    assert {k: info[k] for k in ("n_trials", "n_startup", "gamma", "n_candidates",
                                 "batch_size", "prior_weight", "max_good")} == \
        {"n_trials": 5, "n_startup": 2, "gamma": 0.1, "n_candidates": 24, "batch_size": 1,
         "prior_weight": 1.0, "max_good": 25}
    assert info["sampler"].startswith("tpe")
    assert len(result) == 5


def test_more_startup_points_than_trials_is_random_search():
    result = TPESearch(UNIT_SQUARE, narrow_peak, n_trials=5, n_startup=10, seed=2,
                       n_jobs=1).run()
    assert params_of(result) == RandomSearch(UNIT_SQUARE, narrow_peak, n_trials=5,
                                             seed=2).points()


# ---------------------------------------------------------------------- bounds and types
def test_every_kind_of_parameter_stays_in_bounds_with_its_type():
    search = TPESearch(EVERY_KIND, every_kind, n_trials=40, n_startup=8, seed=0, n_jobs=1)
    result = search.run()
    chosen = params_of(result)[8:]
    for p in params_of(result):
        assert isinstance(p["lr"], float) and 1e-5 <= p["lr"] <= 1.0
        assert type(p["width"]) is int and 1 <= p["width"] <= 1024
        assert type(p["k"]) is int and 0 <= p["k"] <= 20
        assert p["act"] in ("relu", "tanh", "gelu")
        assert isinstance(p["x"], float) and -1.0 <= p["x"] <= 1.0
        assert p["epochs"] == 3
    # the model's picks move towards the optimum of each kind of parameter (measured on
    # the same 32 trials of random search: 28% tanh, medians 1.14, 2.30 and 6; TPE: 97%,
    # 0.65, 1.34, 3)
    assert sum(p["act"] == "tanh" for p in chosen) >= 0.7 * len(chosen)
    assert np.median([abs(math.log10(p["lr"]) + 2) for p in chosen]) < 0.9
    assert np.median([abs(math.log2(p["width"]) - 5) for p in chosen]) < 1.8
    assert np.median([abs(p["k"] - 7) for p in chosen]) <= 4
    assert result.best_score > -1.0


def test_small_integer_ranges_reach_both_ends():
    def right_edge(params):
        return params["k"] + params["w"]

    result = TPESearch({"k": randint(0, 3), "w": randint(1, 8, log=True)}, right_edge,
                       n_trials=25, n_startup=5, seed=0, n_jobs=1).run()
    assert {t["params"]["k"] for t in result.trials} == {0, 1, 2, 3}
    ws = [t["params"]["w"] for t in result.trials]
    assert set(ws) <= set(range(1, 9)) and min(ws) == 1
    assert result.best_params["w"] == 8
    assert sum(w == 8 for w in ws[5:]) >= 5  # the model returns to the best end


# ---------------------------------------------------------------------- mode and failures
def test_mode_min_on_a_loss_gives_the_trials_of_mode_max_on_the_score():
    kw = dict(n_trials=30, n_startup=8, seed=5, n_jobs=1)
    maxed = TPESearch({"x": uniform(0.0, 1.0)}, bowl_at_07, mode="max", **kw).run()
    mined = TPESearch({"x": uniform(0.0, 1.0)}, negated_bowl_at_07, mode="min", **kw).run()
    assert params_of(maxed) == params_of(mined)
    assert abs(maxed.best_params["x"] - 0.7) < 0.02
    # the model's picks gather at 0.7 (measured: median distance 0.16; on seeds 0-4
    # 0.10-0.13); the wrong direction chases the far end (0.50-0.56)
    assert np.median([abs(p["x"] - 0.7) for p in params_of(maxed)[8:]]) < 0.25
    wrong = TPESearch({"x": uniform(0.0, 1.0)}, negated_bowl_at_07, mode="max", **kw).run()
    assert np.median([abs(p["x"] - 0.7) for p in params_of(wrong)[8:]]) > 0.4


def test_failed_trials_count_as_bad_never_good():
    search = TPESearch({"x": uniform(0.0, 1.0)}, bowl_at_07, gamma=0.5, seed=0, n_jobs=1)
    trials = [trial(0, -0.5, 0.1), trial(1, None, 0.2, "failed"), trial(2, -0.1, 0.3),
              trial(3, None, 0.4, "failed"), trial(4, -0.3, 0.5), trial(5, -0.1, 0.6)]
    good, bad = search.split(trials)
    # ⌈0.5·6⌉ = 3 good among the 4 finished; equal scores: the earlier trial first
    assert [t["index"] for t in good] == [2, 5, 4]
    assert sorted(t["index"] for t in bad) == [0, 1, 3]
    mined = TPESearch({"x": uniform(0.0, 1.0)}, bowl_at_07, gamma=0.5, mode="min", seed=0,
                      n_jobs=1)
    assert [t["index"] for t in mined.split(trials)[0]] == [0, 4, 2]
    # every trial failed: no good trial, and the suggestion is still a point of the space
    failed = [trial(i, None, 0.1 * i, "failed") for i in range(4)]
    assert search.split(failed)[0] == []
    assert 0.0 <= search.suggest(failed, 4)["x"] <= 1.0


def test_the_search_moves_away_from_where_trials_fail():
    def fails_low(params):
        if params["x"] < 0.4:
            raise ValueError("diverged")
        return 0.0  # every finished trial is as good as another

    search = TPESearch({"x": uniform(0.0, 1.0)}, fails_low, n_trials=40, n_startup=10,
                       gamma=0.5, seed=0, n_jobs=1)
    result = search.run()
    random_fails = sum(t["status"] == "failed" for t in result.trials[:10])
    tpe_fails = sum(t["status"] == "failed" for t in result.trials[10:])
    assert random_fails >= 2
    assert tpe_fails <= 0.15 * 30, tpe_fails


def test_a_parameter_missing_from_some_trials_is_fitted_on_the_others():
    search = TPESearch({"x": uniform(0.0, 1.0), "c": choice(["a", "b"])}, bowl_at_07,
                       gamma=0.5, seed=0, n_jobs=1)
    trials = [trial(i, -abs(0.7 - 0.1 * i), 0.1 * i) for i in range(10)]
    for t in trials[:5]:
        t["params"]["c"] = "a"
    trials[9]["params"]["x"] = 7.0  # out of range: left out of x's fit
    point = search.suggest(trials, 10)
    assert 0.0 <= point["x"] <= 1.0 and point["c"] in ("a", "b")


# ---------------------------------------------------------------------- the claim
def test_tpe_beats_random_search_on_a_narrow_optimum():
    """Paired over 10 seeds, 40 trials each (10 random, then TPE): the mean best score of
    TPE is above random search's (measured: ≈ −0.67 against ≈ −0.96, TPE better on 9 of
    10 seeds)."""
    space = {"lr": loguniform(1e-5, 1.0), "x": uniform(0.0, 1.0)}
    tpe, rnd = [], []
    for seed in range(10):
        tpe.append(TPESearch(space, narrow_log_optimum, n_trials=40, n_startup=10, seed=seed,
                             n_jobs=1).run().best_score)
        rnd.append(RandomSearch(space, narrow_log_optimum, n_trials=40, seed=seed,
                                n_jobs=1).run().best_score)
    assert np.mean(tpe) > np.mean(rnd), (tpe, rnd)
    assert sum(t > r for t, r in zip(tpe, rnd)) >= 7, (tpe, rnd)


# ---------------------------------------------------------------------- the estimators
def test_parzen_mixture_is_a_density_on_its_range():
    est = _Parzen(np.array([0.1, 0.15, 0.8]), 0.0, 1.0, prior_weight=1.0)
    x = np.linspace(0.0, 1.0, 20001)
    pdf = np.exp(est.log_pdf(x))
    assert np.trapezoid(pdf, x) == pytest.approx(1.0, abs=1e-4)
    assert est.log_mass(np.array([0.0]), np.array([1.0]))[0] == pytest.approx(0.0, abs=1e-12)
    halves = np.exp(est.log_mass(np.array([0.0, 0.5]), np.array([0.5, 1.0])))
    assert halves.sum() == pytest.approx(1.0)
    assert halves[0] > halves[1]  # two of the three observations are below 0.5
    # bandwidths: the larger neighbour distance (the prior's mean 0.5 a neighbour), clipped
    # to [1/min(100, n + 1), 1]; the prior keeps the whole width
    assert est.sigma.tolist() == pytest.approx([0.25, 0.35, 0.3, 1.0])
    draws = est.sample(np.random.default_rng(0), 5000)
    assert draws.min() >= 0.0 and draws.max() <= 1.0
    assert np.mean(draws < 0.5) == pytest.approx(halves[0], abs=0.03)


def test_parzen_with_no_observation_is_the_prior():
    est = _Parzen(np.array([]), -2.0, 2.0, prior_weight=1.0)
    assert est.mu.tolist() == [0.0] and est.sigma.tolist() == [4.0]


def test_bad_arguments_name_the_argument():
    for kwargs, name in [({"gamma": 0}, "gamma"), ({"gamma": 1.0}, "gamma"),
                         ({"gamma": True}, "gamma"), ({"n_candidates": 0}, "n_candidates"),
                         ({"batch_size": 0}, "batch_size"), ({"n_startup": -1}, "n_startup"),
                         ({"n_trials": 0}, "n_trials"), ({"prior_weight": 0}, "prior_weight"),
                         ({"prior_weight": math.inf}, "prior_weight")]:
        with pytest.raises(ValueError, match=f"TPESearch: {name} must"):
            TPESearch(UNIT_SQUARE, narrow_peak, n_jobs=1, **kwargs)


def test_docstring_example_runs():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(TPESearch, "TPESearch", globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0
