"""``tidu diagnose``: a brief checkup of a config's model — findings with remedies, the
bias/variance reading, the plots and the HTML report — and ``--benchmark``'s wiring."""
import re
import sys
import textwrap
import types

from click.testing import CliRunner

from tidu.cli import main
from tidu.runs import RunDB

DEEP_SIGMOID = textwrap.dedent('''
    name = "deep-sigmoid"
    [data]
    dataset = "iris"
    [model]
    layers = ["Linear(4, 16)", "Sigmoid", "Linear(16, 16)", "Sigmoid", "Linear(16, 16)",
              "Sigmoid", "Linear(16, 16)", "Sigmoid", "Linear(16, 16)", "Sigmoid",
              "Linear(16, 16)", "Sigmoid", "Linear(16, 3)"]
    [model.init]
    method = "normal"
    std = 0.01
    bias = 0.0
    [optimizer]
    type = "SGD"
    lr = 0.1
    [training]
    epochs = 5
    batch_size = 30
''')


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_diagnose_reports_vanishing_gradients_verifies_remedies_writes_plots_and_page(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_SIGMOID, encoding="utf-8")
    db_path, plots = tmp_path / "runs.db", tmp_path / "plots"
    out = invoke("diagnose", path, "--db", db_path, "--out", plots, "--progress", "none",
                 "--seeds", 2, "--top", 1)
    assert out.exit_code == 0, out.output
    text = out.output
    assert "Vanishing gradients" in text
    assert "remedies, best first for this case:" in text and "ReLU" in text
    assert "high bias" in text  # the bias/variance reading of train and validation errors
    assert 'verify the top 1 remedies of "Vanishing gradients' in text and "over 2 seeds" in text
    (row,) = [line for line in text.splitlines() if line.startswith("relu ")]
    assert row.split()[-2:] == ["2", "scratch"]  # 2 seeds, rerun from scratch
    assert sorted(p.name for p in plots.iterdir()) == ["activation_histograms.png",
                                                        "diagnosis.html", "gradient_flow.png"]
    assert all(p.stat().st_size > 1000 for p in plots.iterdir())
    page = (plots / "diagnosis.html").read_text(encoding="utf-8")
    assert f"report {plots / 'diagnosis.html'}" in text
    assert "<title>tidu diagnosis: deep-sigmoid (run 1)</title>" in page
    assert "1. Vanishing gradients" in page and "Not verified" not in page
    assert '<table class="verified">' in page and "<code>relu</code>" in page
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) >= 4
    (run,) = RunDB(db_path).runs()
    assert run.kind == "lab" and run.status == "finished"
    assert run.metrics["epochs"] == 3  # brief: at most 3 epochs unless --epochs says more
    assert "vanishing_gradients" in run.metrics["findings"]
    assert run.metrics["healthy"] is False
    assert [v["key"] for v in run.metrics["verified"]] == ["relu"]


def test_diagnose_no_verify(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_SIGMOID, encoding="utf-8")
    out = invoke("diagnose", path, "--db", tmp_path / "runs.db", "--epochs", 1,
                 "--progress", "none", "--no-verify")
    assert out.exit_code == 0, out.output
    assert "Vanishing gradients" in out.output and "\nverify " not in out.output
    (run,) = RunDB(tmp_path / "runs.db").runs()
    assert run.metrics["epochs"] == 1 and "verified" not in run.metrics


def test_diagnose_healthy_relu_network(tmp_path):
    path = tmp_path / "relu.toml"
    path.write_text(DEEP_SIGMOID.replace('"Sigmoid"', '"ReLU"').replace(
        'method = "normal"\nstd = 0.01', 'method = "kaiming_normal"\nnonlinearity = "relu"'),
        encoding="utf-8")
    out = invoke("diagnose", path, "--db", tmp_path / "runs.db", "--epochs", 1,
                 "--progress", "none")
    assert out.exit_code == 0, out.output
    assert "Vanishing gradients" not in out.output


def test_benchmark_needs_no_config_and_prints_markdown(monkeypatch):
    calls = []

    class Result:
        def to_markdown(self):
            return "| case | planted | top |\n|---|---|---|\n| deep-sigmoid | vanishing | vanishing |"

    def run_benchmark(half=None, verify=True, seeds=3, echo=print):
        calls.append({"half": half, "verify": verify, "seeds": seeds})
        echo("case 1/1 deep-sigmoid")
        return Result()

    fake = types.ModuleType("tidu.diagnose.benchmark")
    fake.run_benchmark = run_benchmark
    monkeypatch.setitem(sys.modules, "tidu.diagnose.benchmark", fake)
    out = invoke("diagnose", "--benchmark", "--half", "B", "--no-verify", "--seeds", 2)
    assert out.exit_code == 0, out.output
    assert calls == [{"half": "B", "verify": False, "seeds": 2}]
    assert out.output.splitlines() == ["case 1/1 deep-sigmoid", "", "| case | planted | top |",
                                       "|---|---|---|", "| deep-sigmoid | vanishing | vanishing |"]
    assert invoke("diagnose", "--benchmark").exit_code == 0
    assert calls[-1] == {"half": None, "verify": True, "seeds": 3}


def test_diagnose_usage_errors(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_SIGMOID, encoding="utf-8")
    for args, message in ((["--benchmark", path], "--benchmark runs its own cases; drop "
                                                  "CONFIG.toml"),
                          ([], "missing CONFIG.toml (or --benchmark)"),
                          ([path, "--half", "A"], "--half chooses a half of the benchmark"),
                          (["--benchmark", "--half", "C"], "'C' is not one of 'A', 'B'")):
        out = invoke("diagnose", *args)
        assert out.exit_code == 2 and message in out.output, out.output
