"""param_importance: the fANOVA-style main effects of a random forest of the trials."""
import math

import pytest

from tidu.tune import RandomSearch, choice, loguniform, randint, uniform
from tidu.tune.importance import param_importance

SPACE = {"lr": loguniform(1e-5, 1.0), "x": uniform(0.0, 1.0), "width": randint(4, 64),
         "act": choice(["relu", "tanh"]), "epochs": 5}


def ranked(params):
    """log10(lr) matters most, x somewhat, width and act not at all."""
    return -((math.log10(params["lr"]) + 2.5) ** 2 + 0.3 * (params["x"] - 0.5) ** 2)


def search(objective, n=60, seed=0):
    return RandomSearch(SPACE, objective, n_trials=n, n_jobs=1, seed=seed).run()


def test_the_ranking_follows_the_effects_and_the_shares_sum_to_one():
    imp = param_importance(search(ranked))
    assert list(imp)[:2] == ["lr", "x"] and set(imp) == {"lr", "x", "width", "act"}
    assert imp["lr"] > 0.8 and imp["x"] > max(imp["width"], imp["act"])
    assert sum(imp.values()) == pytest.approx(1.0)
    assert "epochs" not in imp  # a constant is not searched


def test_a_categorical_that_decides_the_score_ranks_first():
    imp = param_importance(search(lambda p: 1.0 * (p["act"] == "tanh") + 0.01 * p["x"]))
    assert list(imp)[0] == "act" and imp["act"] > 0.9


def test_seeded_and_deterministic():
    result = search(ranked, n=30)
    assert param_importance(result, seed=3) == param_importance(result, seed=3)


def test_a_flat_score_gives_zero_shares():
    assert set(param_importance(search(lambda p: 1.0, n=10)).values()) == {0.0}


def test_too_few_trials_and_bad_arguments_are_refused():
    result = search(ranked, n=3)
    with pytest.raises(ValueError, match="at least 4 finished trials, got 3"):
        param_importance(result)
    with pytest.raises(ValueError, match="n_trees must be an int ≥ 1"):
        param_importance(search(ranked, n=5), n_trees=0)
