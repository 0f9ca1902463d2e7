"""Every experiment runs in quick mode and its verdict matches the expected one (held, or
documented as not reproducible with the reason)."""
import matplotlib.pyplot as plt
import pytest

from tidu.lab import all_experiments, run_experiment

EXPERIMENTS = all_experiments()


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=[e.id for e in EXPERIMENTS])
def test_experiment_gives_its_expected_verdict(exp):
    result = run_experiment(exp, full=False)
    o = result.outcome
    assert isinstance(o.held, bool)
    assert o.held == exp.expected, f"{exp.id}: {o.verdict}"
    if not exp.expected:
        assert exp.expected_reason, f"{exp.id} is expected not to hold but says no reason"
    assert o.verdict and o.setup and exp.claim_zh and exp.claim_en and exp.notes
    assert o.figures, f"{exp.id} made no figure"
    for fig in o.figures:
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert ax.get_title() or fig._suptitle, f"{exp.id}: a plot without a title"
            assert ax.get_xlabel() and ax.get_ylabel(), f"{exp.id}: a plot without axis labels"
        plt.close(fig)
