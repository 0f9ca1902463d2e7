"""`tidu lab`: --list shows all 29 claims; a run writes the report and records the runs."""
from click.testing import CliRunner

from tidu.cli import main
from tidu.runs import RunDB


def test_lab_list_shows_all_29_experiments_with_claims():
    out = CliRunner().invoke(main, ["lab", "--list"])
    assert out.exit_code == 0, out.output
    for i in range(1, 30):
        assert f"E{i} " in out.output
    assert "为防止" in out.output  # the notes' own words


def test_lab_runs_selected_experiments_and_writes_report(tmp_path):
    db = tmp_path / "runs.db"
    out = CliRunner().invoke(main, ["lab", "E18", "--out", str(tmp_path / "r"), "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "1 of 1 claims held" in out.output and (tmp_path / "r" / "index.html").exists()
    assert {r.kind for r in RunDB(db).runs()} == {"lab"}


def test_lab_unknown_id_is_one_clean_error():
    out = CliRunner().invoke(main, ["lab", "E99", "--no-db"])
    assert out.exit_code != 0 and "no experiment 'E99'" in out.output
