"""The pathology map: every trial's outcome beside the score, on a log axis for the rate."""
import io
import math

import pytest

from tidu.tune import RandomSearch, loguniform, uniform
from tidu.tune.plots import OUTCOMES, plot_pathology_map, trial_outcome

SPACE = {"lr": loguniform(1e-5, 10.0), "momentum": uniform(0.0, 0.99)}


def toy_training(params):
    """Diverges above lr·(1 + momentum) = 1; learns little below 1e-3."""
    step = params["lr"] * (1 + params["momentum"])
    if step > 1.0:
        return math.nan
    return -abs(math.log10(step) + 1.0)


def test_outcomes_of_a_toy_search_and_the_map():
    result = RandomSearch(SPACE, toy_training, n_trials=40, n_jobs=1, seed=0).run()
    outcomes = [trial_outcome(t) for t in result.trials]
    diverged = [t for t, o in zip(result.trials, outcomes) if o == "diverged"]
    assert diverged and all(t["params"]["lr"] * (1 + t["params"]["momentum"]) > 1
                            for t in diverged)
    assert outcomes.count("finished") == len(result.finished)
    fig = plot_pathology_map(result, "lr", "momentum")
    score_ax, outcome_ax = fig.axes[:2]
    assert score_ax.get_xscale() == "log" and score_ax.get_yscale() == "linear"
    labels = [t.get_text() for t in outcome_ax.get_legend().get_texts()]
    assert f"diverged ({len(diverged)})" in labels
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    from matplotlib.image import imread
    buf.seek(0)
    pixels = imread(buf)
    assert pixels.std() > 0.05  # drawn, not blank


def test_a_recorded_finding_names_the_outcome():
    base = {"status": "failed", "error": "pruned", "params": {}}
    assert trial_outcome(dict(base, finding="exploding_gradients")) == "exploding_gradients"
    assert trial_outcome(dict(base, error="ValueError: boom")) == "failed"
    assert trial_outcome(dict(base, error="diverged: the objective returned nan")) == "diverged"
    assert set(OUTCOMES) >= {"finished", "diverged", "dead_relu", "vanishing_gradients"}


def test_an_unknown_parameter_is_refused():
    result = RandomSearch(SPACE, toy_training, n_trials=5, n_jobs=1, seed=0).run()
    with pytest.raises(ValueError, match="'width' is not a searched parameter"):
        plot_pathology_map(result, "lr", "width")
