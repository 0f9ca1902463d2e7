"""The README's Python examples run as written."""
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # examples may write files (model.npz)
    exec(compile(BLOCKS[index], f"README.md example {index + 1}", "exec"), {"__name__": "__readme__"})
    assert capsys.readouterr().out.strip()  # each example prints its result


def test_readme_config_trains(tmp_path):
    from click.testing import CliRunner

    from tidu.cli import main

    config = re.search(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S).group(1)
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    out = CliRunner().invoke(main, ["train", str(path), "--epochs", "1", "--db", str(tmp_path / "r.db"),
                                    "--progress", "none"])
    assert out.exit_code == 0, out.output
    assert "val_accuracy" in out.output
