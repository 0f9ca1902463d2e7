"""The planted-bug benchmark: its cases cover every kind (≥ 2 each, both halves), each
builds seeded and runs one forward pass, the planted bugs do what they say, and
run_benchmark returns rows and totals (two cheap cases, no verification)."""
import math

import numpy as np
import pytest

import tidu
from tidu.backend import to_numpy
from tidu.diagnose.benchmark import (CASES, BenchmarkResult, BatchStandardize, CaseResult,
                                     LogFeatures, SGDNoZero, run_benchmark)
from tidu.diagnose.findings import KINDS
from tidu import nn


def _np(t):
    return np.asarray(to_numpy(t._data))


def test_the_cases_cover_every_kind_in_both_halves():
    faulty = [c for c in CASES if c.planted is not None]
    healthy = [c for c in CASES if c.planted is None]
    assert len(faulty) >= 33 and len(healthy) >= 12
    assert len({c.name for c in CASES}) == len(CASES)
    for kind in KINDS:
        cases = [c for c in faulty if c.planted == kind]
        assert len(cases) >= 2, kind
        assert {c.half for c in cases} == {"A", "B"}, kind
    assert {c.half for c in CASES} == {"A", "B"}
    assert {c.family for c in CASES} == {"mlp", "cnn", "rnn"}
    assert {c.half for c in healthy} == {"A", "B"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_builds_seeded_and_runs_forward(case):
    kw = case.build()
    for key in ("model", "loss_fn", "optimizer", "train_data", "val_data", "epochs",
                "batch_size", "seed"):
        assert key in kw, key
    X, y = kw["train_data"]
    assert len(X) == len(y) and len(kw["val_data"][0]) == len(kw["val_data"][1])
    out = kw["model"](tidu.tensor(X[:4]))
    assert out.shape[0] == 4
    if case.planted != "nonfinite":
        assert np.isfinite(_np(out)).all()
    again = case.build()["model"]  # seeded: the same initial weights
    for p, q in zip(kw["model"].parameters(), again.parameters()):
        np.testing.assert_array_equal(_np(p), _np(q))


def test_the_planted_modules_misbehave_as_described():
    x = tidu.tensor(np.array([[0.0, 1.0], [0.0, 4.0]], dtype=np.float32))
    assert np.isneginf(_np(LogFeatures()(x))[:, 0]).all()
    z = _np(BatchStandardize()(x))
    assert np.isnan(z[:, 0]).all() and np.allclose(z[:, 1], [-1.0, 1.0])
    layer = nn.Linear(2, 1)
    opt = SGDNoZero(layer.parameters(), lr=0.0)
    for _ in range(2):
        opt.zero_grad()
        layer(x).sum().backward()
    np.testing.assert_allclose(_np(layer.weight.grad), 2 * np.array([[0.0, 5.0]]))


def test_run_benchmark_rows_and_totals():
    cases = [next(c for c in CASES if c.name == "nan-row-cancer"),
             next(c for c in CASES if c.name == "healthy-mlp-cancer")]
    lines = []
    result = run_benchmark(verify=False, echo=lines.append, cases=cases)
    assert isinstance(result, BenchmarkResult) and len(result.cases) == 2 and len(lines) == 2
    faulty, healthy = result.cases
    assert isinstance(faulty, CaseResult)
    assert faulty.planted == "nonfinite" and faulty.top == "nonfinite" and faulty.hit
    assert faulty.findings[0] == "nonfinite" and faulty.remedy is None
    assert healthy.planted is None and healthy.findings == [] and healthy.hit
    assert math.isnan(faulty.delta_loss) and faulty.improved is None
    total = result.totals["all"]
    assert (total["faulty"], total["hits"], total["hit_rate"]) == (1, 1, 1.0)
    assert (total["healthy"], total["false_alarms"], total["verified"]) == (1, 0, 0)
    assert math.isnan(total["improve_rate"])
    assert set(result.totals) == {c.half for c in cases} | {"all"}
    md = result.to_markdown()
    assert "| nan-row-cancer |" in md and "| all | 1/1 (100%) | 0/1 |" in md


def test_run_benchmark_refuses_an_unknown_half():
    with pytest.raises(ValueError, match="half must be 'A', 'B' or None"):
        run_benchmark(half="C", verify=False)


def _case(name):
    return next(c for c in CASES if c.name == name)


def test_huge_first_steps_name_the_learning_rate_not_the_dead_units_they_cause():
    """SGD at lr 3.0 kills the ReLUs within a few steps; the diagnosis names the rate (the
    first steps move the weights by > 10% of their norm) ahead of the dead units, and the
    same model at lr 0.1 has no such finding."""
    from tidu.diagnose.checkup import checkup
    bad = checkup(**_case("lr-x30-mlp").build())
    assert bad.kinds[0] == "lr_too_high" and "dead_relu" in bad, str(bad)
    assert bad.top.evidence["median update/weight ratio, first 10% of steps"] > 0.1
    good = checkup(**_case("healthy-sgd-mlp-digits").build())
    assert "lr_too_high" not in good, str(good)
