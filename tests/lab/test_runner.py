"""`run_lab`: runs experiments, records them in the run database, writes the report; and
the registry lists every claim of SPEC.md."""
import pytest

from tidu.lab import all_experiments, get, run_lab
from tidu.lab.base import Outcome, experiment, EXPERIMENTS
from tidu.runs import RunDB


def test_registry_lists_all_29_claims_in_order():
    ids = [e.id for e in all_experiments()]
    assert ids == [f"E{i}" for i in range(1, 30)]


def test_get_accepts_plain_numbers_and_names_unknown_ids():
    assert [e.id for e in get(["18", "e18", "E18"])] == ["E18"] * 3
    with pytest.raises(KeyError, match="no experiment 'E99'"):
        get(["E99"])


def test_run_lab_records_runs_and_writes_report(tmp_path):
    db = tmp_path / "runs.db"
    results, path = run_lab(["E18"], out=tmp_path / "report", db=db, log=lambda _: None,
                            progress=False)
    assert path.exists() and "E18" in path.read_text(encoding="utf-8")
    assert [r.outcome.held for r in results] == [True]
    runs = RunDB(db).runs()
    assert {r.status for r in runs} == {"finished"} and len(runs) == 2
    child = next(r for r in runs if r.parent_id is not None)
    assert child.kind == "lab" and child.metrics["held"] == 1.0


def test_a_failing_experiment_is_reported_not_raised(tmp_path):
    @experiment("E990", title="always fails", claim_zh="—", claim_en="—", notes=("000",))
    def broken(full=False) -> Outcome:
        raise RuntimeError("boom")

    try:
        results, path = run_lab(["E990"], out=tmp_path, db=tmp_path / "r.db", log=lambda _: None,
                                progress=False)
        assert not results[0].outcome.held and "boom" in results[0].outcome.verdict
        assert RunDB(tmp_path / "r.db").runs()[-1].status in ("failed", "finished")
        assert any(r.status == "failed" for r in RunDB(tmp_path / "r.db").runs())
    finally:
        EXPERIMENTS.pop("E990")


def test_report_renders_figures_once_and_nested_numbers_readably(tmp_path):
    import matplotlib.pyplot as plt

    @experiment("E991", title="nested numbers", claim_zh="—", claim_en="—", notes=("000",))
    def nested(full=False) -> Outcome:
        fig, ax = plt.subplots()
        ax.plot([0, 1])
        return Outcome(held=True, verdict="ok", setup="—", figures=[fig],
                       numbers={"late_loss": {"AdaGrad": 0.2225015, "RMSProp": 0.0109736}})

    try:
        before = len(plt.get_fignums())
        results, path = run_lab(["E991"], out=tmp_path, db=False, log=lambda _: None,
                                progress=False)
        assert len(plt.get_fignums()) == before  # closed as soon as the experiment ended
        assert isinstance(results[0].outcome.figures[0], str)
        page = path.read_text(encoding="utf-8")
        assert "AdaGrad: 0.2225, RMSProp: 0.01097" in page and "{" not in page.split("late_loss")[1][:80]
    finally:
        EXPERIMENTS.pop("E991")
