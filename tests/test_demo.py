"""`make demo`: the digits MLP reaches ≥ 95% test accuracy, and the CLI drives it."""
from click.testing import CliRunner

from tidu.cli import main
from tidu.demo import run_digits_mlp


def test_digits_mlp_reaches_95_percent():
    result = run_digits_mlp(epochs=30, seed=0)
    assert result["test_accuracy"] >= 0.95, result
    assert result["n_test"] == 450


def test_demo_command_prints_accuracy():
    out = CliRunner().invoke(main, ["demo", "--epochs", "5"])
    assert out.exit_code == 0, out.output
    assert "test accuracy: 0." in out.output


def test_cli_help():
    out = CliRunner().invoke(main, ["--help"])
    assert out.exit_code == 0 and "demo" in out.output
