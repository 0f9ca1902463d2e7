"""``tidu diagnose``: brief training with a GradientMonitor, findings with remedies, plots."""
import textwrap

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


def test_diagnose_reports_vanishing_gradients_with_remedies_and_saves_plots(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(DEEP_SIGMOID, encoding="utf-8")
    db_path, plots = tmp_path / "runs.db", tmp_path / "plots"
    out = invoke("diagnose", path, "--db", db_path, "--out", plots, "--progress", "none")
    assert out.exit_code == 0, out.output
    text = out.output
    assert "Vanishing gradients" in text
    assert "remedies, best first for this case:" in text and "ReLU" in text
    assert "high bias" in text  # the bias/variance reading of train and validation errors
    assert sorted(p.name for p in plots.iterdir()) == ["activation_histograms.png",
                                                        "gradient_flow.png"]
    assert all(p.stat().st_size > 1000 for p in plots.iterdir())
    (run,) = RunDB(db_path).runs()
    assert run.kind == "lab" and run.status == "finished"
    assert run.metrics["epochs"] == 3  # brief: at most 3 epochs unless --epochs says more
    assert "vanishing_gradients" in run.metrics["findings"]
    assert run.metrics["healthy"] is False


def test_diagnose_healthy_relu_network(tmp_path):
    path = tmp_path / "relu.toml"
    path.write_text(DEEP_SIGMOID.replace('"Sigmoid"', '"ReLU"').replace(
        'method = "normal"\nstd = 0.01', 'method = "kaiming_normal"\nnonlinearity = "relu"'),
        encoding="utf-8")
    out = invoke("diagnose", path, "--db", tmp_path / "runs.db", "--epochs", 1,
                 "--progress", "none")
    assert out.exit_code == 0, out.output
    assert "Vanishing gradients" not in out.output
