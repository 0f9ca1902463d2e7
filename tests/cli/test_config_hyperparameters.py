"""Config hyper-parameters: NaN, ±inf and negative values are refused in one line naming the
key — optimizers, schedules, penalties, layers, losses, callbacks, training, data, search."""
import math

import pytest
from click.testing import CliRunner

from tidu.cli import main
from tidu.cli_config import ConfigError, parse_config

NAN, INF = math.nan, math.inf
BAD_NUMBERS = {"nan": NAN, "inf": INF, "-inf": -INF}

# key → extra overrides the key needs (its section), and a negative value that is invalid
# (None: negative values are valid)
KEYS = {
    "optimizer.lr": ([], -0.1),
    "optimizer.momentum": ([], -0.9),
    "optimizer.dampening": ([], -0.1),
    "optimizer.weight_decay": ([], -1e-4),
    "optimizer.clipnorm": ([], -1.0),
    "optimizer.clipvalue": ([], -1.0),
    "optimizer.eps": ([("optimizer.type", "Adam"), ("optimizer.momentum", None)], -1e-8),
    "optimizer.betas[0]": ([("optimizer.type", "Adam"), ("optimizer.momentum", None),
                            ("optimizer.betas", [0.9, 0.999])], -0.9),
    "optimizer.alpha": ([("optimizer.type", "RMSprop")], -0.99),
    "optimizer.rho": ([("optimizer.type", "Adadelta"), ("optimizer.momentum", None)], -0.9),
    "optimizer.lr_decay": ([("optimizer.type", "Adagrad"), ("optimizer.momentum", None)], -0.1),
    "schedule.gamma": ([("schedule.type", "StepLR"), ("schedule.step_size", 2)], -0.5),
    "schedule.eta_min": ([("schedule.type", "CosineAnnealingLR")], -0.01),
    "schedule.max_lr": ([("schedule.type", "OneCycleLR")], -0.1),
    "schedule.factor": ([("schedule.type", "ReduceLROnPlateau")], -0.5),
    "schedule.min_lr": ([("schedule.type", "ReduceLROnPlateau")], -1e-5),
    "regularization.l1": ([], -1e-4),
    "regularization.l2": ([], -1e-4),
    "regularization.proximal_l1": ([], -1e-4),
    "regularization.max_norm": ([], -3.0),
    "regularization.elastic_net.lam": ([], -1e-4),
    "regularization.elastic_net.l1_ratio": ([("regularization.elastic_net.lam", 1e-4)], -0.5),
    "model.layers[1].p": ([("model.layers", [{"type": "Linear", "out_features": 16},
                                             {"type": "Dropout", "p": 0.2},
                                             {"type": "Linear", "out_features": 3}])], -0.2),
    "loss.label_smoothing": ([("loss.type", "CrossEntropyLoss")], -0.1),
    "callbacks.early_stopping.min_delta": ([], None),  # any sign (Keras: |min_delta|)
    "training.epochs": ([], -1),
    "training.batch_size": ([], -16),
    "data.val_size": ([], -0.2),
    "data.test_size": ([], -0.2),
}


def overrides(key, value):
    extra, _ = KEYS[key]
    pairs = []
    for k, v in extra:
        if v is None:  # drop a key the section's optimizer type does not take
            continue
        pairs.append((k, v))
    return pairs + [(key, value)]


def base_text(iris_text, key):
    extra, _ = KEYS[key]
    text = iris_text
    if any(k == "optimizer.momentum" and v is None for k, v in extra):
        text = text.replace("momentum = 0.9\n", "")
    return text


CASES = [(key, label, value) for key in KEYS for label, value in
         [*BAD_NUMBERS.items(), ("negative", KEYS[key][1])] if value is not None]


@pytest.mark.parametrize("key, label, value", CASES, ids=[f"{k}={l}" for k, l, _ in CASES])
def test_bad_hyper_parameter_is_refused_naming_the_key(iris_text, key, label, value):
    text = base_text(iris_text, key)
    parse_config(text, overrides=overrides(key, 0.5 if "epochs" not in key and "batch" not in key
                                           else 2))  # the same config with a fine value passes
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="cfg.toml", overrides=overrides(key, value))
    message = str(info.value)
    assert "\n" not in message
    assert info.value.path == key, message
    assert message.startswith(f"cfg.toml: {key} = "), message
    if label != "negative" and key not in ("training.epochs", "training.batch_size",
                                           "data.val_size", "data.test_size"):
        assert "finite" in message, message


@pytest.mark.parametrize("label", list(BAD_NUMBERS))
def test_search_space_bounds_must_be_finite(iris_text, label):
    text = iris_text + '\n[search]\n[search.space]\nlr = {uniform = [0.01, 0.1]}\n'
    parse_config(text)
    with pytest.raises(ConfigError) as info:
        parse_config(text, overrides=[("search.space.lr", {"uniform": [0.01,
                                                                       BAD_NUMBERS[label]]})])
    assert info.value.path.startswith("search.space.lr"), str(info.value)


@pytest.mark.parametrize("setting, key", [
    ("optimizer.lr=nan", "optimizer.lr"), ("optimizer.lr=inf", "optimizer.lr"),
    ("optimizer.momentum=-inf", "optimizer.momentum"),
    ("regularization.l2=inf", "regularization.l2"),
])
def test_the_command_line_reports_one_line_and_exit_2(iris_config, db_path, setting, key):
    out = CliRunner().invoke(main, ["train", str(iris_config), "--db", str(db_path),
                                    "--set", setting])
    assert out.exit_code == 2, out.output
    (line,) = out.output.strip().splitlines()
    assert line.startswith(f"Error: bad config: {iris_config}: {key} = "), line
    assert "finite" in line and "Traceback" not in out.output
    assert not db_path.exists()
