"""Playground presets: each is a valid A/B pair that differs in the knobs it names, points at
a registered lab experiment, and the vanishing/exploding pairs show their contrast."""
import numpy as np
import pytest

from tidu.lab.registry import all_experiments
from tidu.ui.playground import Session, config_difference
from tidu.ui.playground.presets import PRESETS, preset_configs, preset_for_experiment


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_is_a_valid_pair_differing_in_its_knobs(name):
    preset = PRESETS[name]
    a, b = preset_configs(name)
    assert preset["experiment"] in {e.id for e in all_experiments()}
    if preset["b"] is None:
        assert b is None
    else:
        assert config_difference(a, b) == [k for k in a if k in preset["b"] and preset["b"][k] != a[k]]
        assert 1 <= len(config_difference(a, b)) <= 2


def test_every_experiment_with_a_preset_links_to_one():
    links = preset_for_experiment()
    assert set(links.values()) <= set(PRESETS)
    assert links["E1"] == "vanishing" and links["E12"] == "optimizers"
    assert "E11" not in links and "E25" not in links  # sequences, a Hessian: not 2-D playthings
    with pytest.raises(KeyError, match="expected one of"):
        preset_configs("nope")


def test_vanishing_preset_contrasts():
    a, b = preset_configs("vanishing")
    sick, healthy = Session(a), Session(b)
    for s in (sick, healthy):
        s.train(steps=300)
    assert "vanishing_gradients" in [f["kind"] for f in sick.findings(force=True)]
    assert "vanishing_gradients" not in [f["kind"] for f in healthy.findings(force=True)]


def test_exploding_preset_diverges_and_names_a_layer_while_he_init_trains():
    a, b = preset_configs("exploding")
    sick, healthy = Session(a), Session(b)
    with np.errstate(all="ignore"):
        sick.train(steps=200)
    healthy.train(steps=200)
    assert sick.diverged is not None and "layer" in sick.diverged["where"]
    assert healthy.diverged is None and np.isfinite(healthy.history["loss"]).all()
