"""The lab's Outcome: sub-claims decide the status (held / not held / mixed), a claim says
what would change a verdict, and the report shows all of it to a learner — takeaways in the
summary, sub-claims, per-seed spread, formatted numbers, the mode, seeds and time."""
import numpy as np
import pytest

from tidu.lab import Outcome, SubClaim
from tidu.lab.base import Experiment, Result, experiment
from tidu.lab.report import fmt, write_report


def _sub(*held):
    return [SubClaim(f"part {i}", h, f"evidence {i}") for i, h in enumerate(held)]


@pytest.mark.parametrize("held,status", [((True, True), "held"), ((False, False), "not held"),
                                         ((True, False), "mixed"), ((False, True, True), "mixed")])
def test_sub_claims_decide_the_status(held, status):
    o = Outcome(verdict="v", setup="s", subclaims=_sub(*held))
    assert o.status == status and o.held == (status == "held")


def test_a_single_claim_needs_held_and_held_cannot_contradict_sub_claims():
    assert Outcome(held=False, verdict="v", setup="s").status == "not held"
    with pytest.raises(ValueError, match="give held= or at least one SubClaim"):
        Outcome(verdict="v", setup="s")
    with pytest.raises(ValueError, match="contradicts"):
        Outcome(held=True, verdict="v", setup="s", subclaims=_sub(True, False))


def test_expected_takes_a_status_or_a_bool():
    @experiment("E995", title="t", claim_zh="—", claim_en="—", expected="mixed")
    def run(full=False):
        return Outcome(verdict="v", setup="s", subclaims=_sub(True, False))

    from tidu.lab.base import EXPERIMENTS
    try:
        assert EXPERIMENTS["E995"].expected == "mixed"
        with pytest.raises(ValueError, match="expected must be one of"):
            experiment("E996", title="t", claim_zh="—", claim_en="—", expected="maybe")(run)
    finally:
        EXPERIMENTS.pop("E995")


@pytest.mark.parametrize("value,text", [(np.float64(0.123456), "0.1235"), (np.float32(2.5), "2.5"),
                                        (np.int64(7), "7"), (True, "yes"), (None, "—"),
                                        ({"a": np.float64(1e-7)}, "a: 1e-07"),
                                        ([np.float64(1.0), 2], "[1, 2]"),
                                        (np.array([0.5, 0.25]), "[0.5, 0.25]")])
def test_numbers_are_formatted_without_numpy_reprs(value, text):
    assert fmt(value) == text


def test_report_shows_takeaway_sub_claims_seeds_and_what_would_change(tmp_path):
    exp = Experiment("E7", "Early stopping", "验证集", "validation loss is U-shaped", ("001",),
                     run=None, expected="mixed", beyond_notes="the notes do not say X")
    o = Outcome(verdict="the verdict", setup="the setup", takeaway="U-shaped in 3 of 3 seeds",
                subclaims=[SubClaim("U-shape", True, "min at epoch 12"),
                           SubClaim("stopping saves time", False, "saves 2%", beyond_notes=True)],
                what_would_change="a longer run", seeds=(0, 1, 2),
                per_seed={"best epoch": [np.int64(12), 11, 13], "val loss": [0.31, 0.29, 0.33]},
                numbers={"ratio": np.float64(0.123456)})
    page = write_report([Result(exp, o, 1.5, False)], tmp_path, seconds=42.0, jobs=2).read_text()
    for text in ("U-shaped in 3 of 3 seeds", "min at epoch 12", "saves 2%", "a longer run",
                 "seed 2", "12 ± 0.8165", "0.1235", "beyond the notes", "quick mode",
                 "took 42 s (2 at a time)", "class=\"mixed\""):
        assert text in page, text
    assert "np.float64" not in page and "np.int64" not in page
