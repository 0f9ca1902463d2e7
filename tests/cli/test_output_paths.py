"""Output paths (--save, --out, export paths) are checked before any work starts: a missing
folder fails at once with the option named, not after training with a temporary file's
name."""
import time

import pytest
from click.testing import CliRunner

from tidu.cli import main
from tidu.runs import RunDB


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_save_into_a_missing_folder_fails_before_training(iris_config, db_path, tmp_path):
    target = tmp_path / "missing" / "model.npz"
    out = invoke("train", iris_config, "--db", db_path, "--save", target)
    assert out.exit_code == 2, out.output
    assert "Invalid value for '--save'" in out.output
    assert f"the folder '{target.parent}'" in out.output and "does not exist" in out.output
    assert ".tmp" not in out.output and "Epoch" not in out.output
    assert not db_path.exists()  # no run was started


def test_save_into_an_existing_folder_still_works(iris_config, db_path, tmp_path):
    out = invoke("train", iris_config, "--db", db_path, "--save", tmp_path / "model.npz",
                 "--progress", "none")
    assert out.exit_code == 0, out.output
    assert (tmp_path / "model.npz").exists()
    assert RunDB(db_path).runs()[0].status == "finished"


def test_bench_out_into_a_missing_folder_fails_at_once(tmp_path):
    start = time.perf_counter()
    out = invoke("bench", "mlp", "--quick", "--out", tmp_path / "missing" / "RESULTS.md")
    assert out.exit_code == 2, out.output
    assert "Invalid value for '--out'" in out.output and "does not exist" in out.output
    assert time.perf_counter() - start < 5  # nothing was benchmarked


@pytest.mark.parametrize("command", ["diagnose", "lab"])
def test_an_out_folder_that_is_a_file_fails_at_once(iris_config, db_path, tmp_path, command):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    args = [iris_config, "--db", db_path] if command == "diagnose" else ["E1", "--no-db"]
    out = invoke(command, *args, "--out", blocker / "plots")
    assert out.exit_code == 2, out.output
    assert "Invalid value for '--out'" in out.output and "cannot create the folder" in out.output
    assert not db_path.exists()


def test_diagnose_out_creates_a_missing_folder(iris_config, db_path, tmp_path):
    out = invoke("diagnose", iris_config, "--db", db_path, "--epochs", 1, "--progress", "none",
                 "--out", tmp_path / "new" / "plots")
    assert out.exit_code == 0, out.output
    assert (tmp_path / "new" / "plots" / "gradient_flow.png").exists()


def test_export_into_a_missing_folder_names_the_option(iris_config, db_path, tmp_path):
    assert invoke("train", iris_config, "--db", db_path, "--progress", "none").exit_code == 0
    for option in ("--csv", "--json"):
        out = invoke("runs", "export", 1, "--db", db_path, option, tmp_path / "no" / "run.txt")
        assert out.exit_code == 2, out.output
        assert f"Invalid value for '{option}'" in out.output
