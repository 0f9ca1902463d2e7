"""Seed-aware results: configurations tried with several seeds, the winner with its interval,
and whether it is told apart from the runner-up beyond seed noise."""
import math

import numpy as np
import pytest
from scipy import stats

from tidu._stats import distinguishable, mean_interval, welch_p
from tidu.tune import SearchResult


def trials(groups):
    """Trial records: for each (params, scores), one finished trial per score (seed = i)."""
    out, index = [], 0
    for params, scores in groups:
        for i, score in enumerate(scores):
            out.append({"index": index, "round": 0, "params": params, "seed": i,
                        "status": "finished", "score": score, "metrics": {}, "error": None,
                        "traceback": None, "seconds": 0.0})
            index += 1
    return out


def result(groups, mode="max"):
    return SearchResult(trials(groups), mode, None, 0, {"kind": "random"})


def test_groups_by_configuration_with_a_t_interval():
    groups = [({"lr": 0.1}, [0.80, 0.82, 0.81]), ({"lr": 0.01}, [0.90, 0.91, 0.92])]
    best, second = result(groups).by_config()
    assert best["params"] == {"lr": 0.01} and best["n"] == 3 and best["seeds"] == [0, 1, 2]
    half = stats.t.ppf(0.975, 2) * np.std([0.90, 0.91, 0.92], ddof=1) / math.sqrt(3)
    assert best["mean"] == pytest.approx(0.91)
    assert best["ci"] == pytest.approx((0.91 - half, 0.91 + half))
    assert second["params"] == {"lr": 0.1}
    lowest_first = result(groups, mode="min").by_config()
    assert [g["params"] for g in lowest_first] == [{"lr": 0.1}, {"lr": 0.01}]


def test_a_clear_winner_and_a_tie_within_seed_noise():
    clear = result([({"lr": 0.1}, [0.80, 0.82, 0.81]), ({"lr": 0.01}, [0.90, 0.91, 0.92])])
    w = clear.winner
    assert w["distinguishable"] is True and w["p"] < 0.05
    assert "better beyond seed noise" in clear.seed_verdict()
    tie = result([({"lr": 0.1}, [0.80, 0.90, 0.85]), ({"lr": 0.01}, [0.86, 0.82, 0.88])])
    w = tie.winner
    assert w["params"] == {"lr": 0.01} and w["distinguishable"] is False
    assert w["p"] == pytest.approx(stats.ttest_ind([0.86, 0.82, 0.88], [0.80, 0.90, 0.85],
                                                   equal_var=False).pvalue)
    assert "not distinguishable beyond seed noise" in tie.seed_verdict()


def test_one_seed_each_cannot_be_told_from_noise():
    r = result([({"lr": 0.1}, [0.8]), ({"lr": 0.01}, [0.9])])
    assert r.winner["distinguishable"] is None
    assert "cannot be told from seed noise" in r.seed_verdict()


def test_the_shared_statistics():
    assert math.isnan(mean_interval([1.0])[1][0]) and mean_interval([])[0] != mean_interval([])[0]
    assert welch_p([1.0, 1.0], [2.0, 2.0]) == 0.0 and welch_p([1.0, 1.0], [1.0, 1.0]) == 1.0
    assert math.isnan(welch_p([1.0], [2.0, 3.0]))
    assert distinguishable([1.0, 1.1, 0.9], [5.0, 5.1, 4.9])[0] is True


def noisy(params, seed):
    """The score is x plus seed noise of sd 0.05."""
    return params["x"] + float(np.random.default_rng(seed).normal(0.0, 0.05))


def test_repeats_run_every_configuration_with_its_own_seeds():
    from tidu.tune import RandomSearch, uniform
    space = {"x": uniform(0.0, 1.0)}
    once = RandomSearch(space, noisy, n_trials=4, n_jobs=1, seed=0).run()
    thrice = RandomSearch(space, noisy, n_trials=4, n_jobs=1, seed=0, repeats=3).run()
    assert len(thrice) == 12 and thrice.info["repeats"] == 3
    assert [(t["config"], t["repeat"]) for t in thrice.trials[:4]] == [(0, 0), (0, 1), (0, 2),
                                                                       (1, 0)]
    # repeat 0 is the single-seed search's trial: same params, same seed
    assert [t["seed"] for t in thrice.trials[::3]] == [t["seed"] for t in once.trials]
    assert [t["params"] for t in thrice.trials[::3]] == [t["params"] for t in once.trials]
    groups = thrice.by_config()
    assert all(g["n"] == 3 and len(set(g["seeds"])) == 3 for g in groups)
    assert "config" not in once.trials[0]
    parallel = RandomSearch(space, noisy, n_trials=4, n_jobs=2, seed=0, repeats=3).run()
    assert [(t["params"], t["seed"], t["score"]) for t in parallel.trials] == \
        [(t["params"], t["seed"], t["score"]) for t in thrice.trials]


def test_repeats_is_checked():
    from tidu.tune import RandomSearch, uniform
    with pytest.raises(ValueError, match="repeats must be an int ≥ 1, got repeats=0"):
        RandomSearch({"x": uniform(0.0, 1.0)}, noisy, repeats=0)


def test_resume_reuses_ended_trials_and_runs_the_rest():
    from tidu.tune import RandomSearch, uniform
    space = {"x": uniform(0.0, 1.0)}
    full = RandomSearch(space, noisy, n_trials=6, n_jobs=1, seed=0).run()
    seen = []
    partial = [dict(t) for t in full.trials[:3]] + [dict(full.trials[3], status="killed")]
    resumed = RandomSearch(space, noisy, n_trials=6, n_jobs=1, seed=0,
                           callbacks=[seen.append]).run(resume=partial)
    assert sorted(t["index"] for t in seen) == [3, 4, 5]  # killed and missing ones run
    assert [(t["params"], t["score"]) for t in resumed.trials] == \
        [(t["params"], t["score"]) for t in full.trials]
    with pytest.raises(ValueError, match="cannot resume: trial 0 had params"):
        RandomSearch(space, noisy, n_trials=6, n_jobs=1, seed=1).run(resume=partial)
