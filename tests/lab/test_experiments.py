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


@pytest.mark.parametrize("exp_id", ["E3", "E5", "E17", "E29"])
def test_an_experiment_is_deterministic_whatever_ran_before(exp_id):
    import numpy as np

    import tidu
    from tidu.lab import get

    exp = get([exp_id])[0]
    first = run_experiment(exp).outcome
    tidu.manual_seed(12345)  # disturb the global random state between the runs
    np.random.seed(6789)
    second = run_experiment(exp).outcome
    for fig in first.figures + second.figures:
        plt.close(fig)
    assert first.numbers == second.numbers and first.verdict == second.verdict
