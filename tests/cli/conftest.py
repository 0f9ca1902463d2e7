"""Small configs for the command-line tests (iris: 150 samples, trains in milliseconds)."""
import textwrap

import pytest

IRIS = textwrap.dedent('''
    name = "iris-mlp"

    [data]
    dataset = "iris"
    val_size = 0.2
    test_size = 0.2

    [model]
    layers = ["Linear(4, 16)", "ReLU", {type = "Linear", out_features = 3}]

    [optimizer]
    type = "SGD"
    lr = 0.1
    momentum = 0.9

    [training]
    epochs = 3
    batch_size = 16
    seed = 0
''')


@pytest.fixture
def iris_text():
    return IRIS


@pytest.fixture
def iris_config(tmp_path):
    path = tmp_path / "iris.toml"
    path.write_text(IRIS, encoding="utf-8")
    return path


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "runs.db"
