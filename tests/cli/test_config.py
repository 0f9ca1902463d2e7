"""Config validation: the normalized form, layer parsing and inference, and one clear error
naming the key, the bad value and what is allowed."""
import json
import textwrap

import pytest

from tidu.cli_config import (ConfigError, Experiment, apply_params, load_config, parse_config,
                             parse_override, validate)
from tidu.cli_config.search import parse_path, set_path


def config_with(text: str, extra: str = "") -> str:
    return text + "\n" + textwrap.dedent(extra)


def test_normalized_config_fills_defaults_and_names_arguments(iris_text):
    config = parse_config(iris_text)
    assert config["model"]["layers"] == [
        {"type": "Linear", "in_features": 4, "out_features": 16},
        {"type": "ReLU"},
        {"type": "Linear", "out_features": 3}]
    assert config["data"]["scale"] == "standard" and config["data"]["seed"] == 0
    assert config["loss"] == {"type": "auto"}
    assert config["training"]["metrics"] == "auto" and config["training"]["shuffle"] is True
    assert config["regularization"] == {"include_bias": False}
    assert validate(config) == config  # the normalized form validates to itself
    json.dumps(config)  # plain data, storable


def test_load_config_names_the_run_after_the_file(tmp_path, iris_text):
    path = tmp_path / "my-experiment.toml"
    path.write_text(iris_text.replace('name = "iris-mlp"', ""), encoding="utf-8")
    assert load_config(path)["name"] == "my-experiment"
    assert load_config(path, ["optimizer.lr=0.5"])["optimizer"]["lr"] == 0.5


def test_experiment_infers_widths_and_builds_everything(iris_text):
    config = parse_config(config_with(iris_text, '''
        [model.init]
        method = "kaiming_normal"
        nonlinearity = "relu"
        bias = 0.0
        [schedule]
        type = "CosineAnnealingLR"
        [regularization]
        l2 = 1e-4
        max_norm = 3.0
        [callbacks.early_stopping]
        patience = 2
        [callbacks.terminate_on_nan]
    '''))
    experiment = Experiment(config)
    model, loss_fn, optimizer, callbacks = experiment.build()
    assert model[2].in_features == 16 and model[2].out_features == 3
    assert float(abs(model[0].bias._data).max()) == 0.0  # bias = 0.0 from [model.init]
    assert type(loss_fn).__name__ == "CrossEntropyLoss"
    assert type(optimizer).__name__ == "SGD" and optimizer.param_groups[0]["momentum"] == 0.9
    names = [type(cb).__name__ for cb in callbacks]
    assert names == ["Regularizer", "MaxNorm", "LRSchedulerCallback", "EarlyStopping",
                     "TerminateOnNaN"]
    assert callbacks[2].scheduler.T_max == 3  # inferred: the number of epochs
    data = experiment.data
    assert (len(data.X_train), len(data.X_val), len(data.X_test)) == (90, 30, 30)
    assert data.task == "classification" and data.n_classes == 3
    # standard scaling with the training split's statistics
    assert abs(data.X_train.mean(axis=0)).max() < 1e-5
    assert experiment.metrics == ["accuracy"]


def test_compact_layers_read_positional_and_keyword_arguments():
    config = parse_config(textwrap.dedent('''
        [data]
        dataset = "digits"
        as_images = true
        [model]
        layers = ["Conv2d(1, 4, 3, padding=1)", "ReLU", "MaxPool2d(2)", "Flatten",
                  "BatchNorm1d", "Linear(out_features=10, bias=false)"]
    '''))
    layers = config["model"]["layers"]
    assert layers[0] == {"type": "Conv2d", "in_channels": 1, "out_channels": 4,
                         "kernel_size": 3, "padding": 1}
    assert layers[5] == {"type": "Linear", "out_features": 10, "bias": False}
    model = Experiment(config).build_model()
    assert model[4].num_features == 64 and model[5].in_features == 64  # 4 × 4 × 4 inferred


def test_regression_dataset_gets_mse_and_residual_blocks(iris_text):
    config = parse_config(textwrap.dedent('''
        [data]
        dataset = "teacher_student"
        n_samples = 200
        n_features = 5
        noise_sigma = 0.1
        [model]
        layers = ["Linear(5, 8)", {type = "Residual", layers = ["Linear(8, 8)", "Tanh"]},
                  "Linear(8, 1)"]
        [optimizer]
        lr = 0.01
    '''))
    experiment = Experiment(config)
    model, loss_fn, optimizer, _ = experiment.build()
    assert experiment.data.task == "regression" and type(loss_fn).__name__ == "MSELoss"
    assert type(optimizer).__name__ == "Adam"  # the default optimizer
    assert type(model[1]).__name__ == "Residual"


SPACE = ("search.space.lr", "{loguniform = [0.01, 0.1]}")


@pytest.mark.parametrize("overrides, path, value, allowed", [
    # unknown layer type, with a suggestion and the list
    ([("model.layers", '["Linear(4, 16)", "Rectifier", "Linear(16, 3)"]')],
     "model.layers[1].type", '"Rectifier"', "AvgPool2d, BatchNorm1d"),
    ([("model.layers", '["Linear(4, 16)", "Dense", "Linear(16, 3)"]')],
     "model.layers[1].type", '"Dense"', 'did you mean "Linear"?'),
    ([("model.layers[1].type", '"Sigmod"')], "model.layers[1].type", '"Sigmod"',
     'did you mean "Sigmoid"?'),
    # wrong type of value
    ([("training.epochs", '"ten"')], "training.epochs", '"ten"',
     "expected an integer ≥ 0, got a string"),
    ([("training.epochs", "2.5")], "training.epochs", "2.5", "expected an integer ≥ 0, got a "
                                                              "float"),
    ([("optimizer.lr", '"fast"')], "optimizer.lr", '"fast"', "SGD's lr must be number, got a "
                                                             "string"),
    ([("training.batch_size", '"all"')], "training.batch_size", '"all"', '"full"'),
    ([("model.layers[0].out_features", "16.5")], "model.layers[0].out_features", "16.5",
     "Linear's out_features must be integer, got a float"),
    # unknown keys, with the closest allowed key
    ([("optimizer.momentun", "0.9")], "optimizer.momentun", None, 'did you mean "momentum"?'),
    ([("optimizr.lr", "0.1")], "optimizr", None, 'did you mean "optimizer"?'),
    ([("data.noize", "0.1")], "data.noize", None, "allowed: dataset, scale, seed, stratify"),
    ([("callbacks.early_stoping.patience", "2")], "callbacks.early_stoping", None,
     'did you mean "early_stopping"?'),
    # bad values
    ([("optimizer.lr", "-0.1")], "optimizer.lr", "-0.1", "expected a finite number > 0"),
    ([("optimizer.momentum", "-1")], "optimizer.momentum", "-1", "expected a finite number ≥ 0"),
    ([("regularization.l2", "-1")], "regularization.l2", "-1", "expected a finite number ≥ 0"),
    ([("data.val_size", "1.5")], "data.val_size", "1.5", "a fraction in [0, 1)"),
    ([("data.dataset", '"irs"')], "data.dataset", '"irs"', 'did you mean "iris"?'),
    ([("schedule.type", '"Cosine"')], "schedule.type", '"Cosine"', "CosineAnnealingLR"),
    ([("training.metrics", '["accuracy", "f2"]')], "training.metrics[1]", '"f2"',
     "unknown metric name"),
    ([("callbacks.early_stopping.patience", "-2")], "callbacks.early_stopping.patience", "-2",
     "patience must be an int ≥ 0"),
    ([("model.layers", '["Linear(4)", "ReLU"]')], "model.layers[0].out_features", None,
     "missing: Linear needs out_features"),
    ([("model.layers", '["Linear(4, 3, bogus=1)"]')], "model.layers[0].bogus", None,
     "Linear has no argument 'bogus'"),
    ([("model.init.method", '"he_normal"')], "model.init.method", '"he_normal"',
     "kaiming_normal"),
    ([("search.space.lr", "{loguniform = [0, 1]}")], "search.space.lr.loguniform", "[0, 1]",
     "must be positive"),
    ([("search.space.lrr", "[0.1, 0.2]")], "search.space.lrr", None, 'did you mean "lr"?'),
    ([('search.space."model.layers[7].out_features"', "[8, 16]")],
     'search.space."model.layers[7].out_features"', None, "model.layers[7] does not exist"),
    ([("search.space.momentum", "{uniform = [-1, 0.5]}")], "search.space.momentum", None,
     "optimizer.momentum = -1: expected a finite number ≥ 0"),
    ([("search.space.lr", "{normal = [0, 1]}")], "search.space.lr", None,
     "{loguniform = [lo, hi]}"),
    ([SPACE, ("search.metric", '"val_acc"')], "search.metric", '"val_acc"',
     'did you mean "val_accuracy"?'),
    ([SPACE, ("search.strategy", '"bayes"')], "search.strategy", '"bayes"',
     "allowed: random, grid, coarse_to_fine"),
])
def test_a_bad_config_gets_one_error_naming_key_value_and_what_is_allowed(
        iris_text, overrides, path, value, allowed):
    pairs = [(key, parse_override(f"k = {text}")[1]) for key, text in overrides]
    with pytest.raises(ConfigError) as info:
        parse_config(iris_text, source="cfg.toml", overrides=pairs)
    message = str(info.value)
    assert "\n" not in message
    assert info.value.path == path, message
    assert message.startswith(f"cfg.toml: {path}"), message
    if value is not None:
        assert f"{path} = {value}:" in message, message
    assert allowed in message, message


def test_errors_found_only_with_the_data_name_the_key(iris_text):
    config = parse_config(iris_text.replace('out_features = 3}', 'out_features = 7}'))
    with pytest.raises(ConfigError, match=r"model\.layers\[2\]\.out_features = 7: the model "
                                          r"gives outputs of shape \(7,\) per sample, but iris "
                                          r"has 3 classes"):
        Experiment(config)
    config = parse_config(iris_text.replace('"Linear(4, 16)"', '"Linear(5, 16)"'))
    with pytest.raises(ConfigError, match=r"model\.layers\[0\] = .*does not fit its input of "
                                          r"shape \(batch, 4\).*leave in_features out"):
        Experiment(config)


def test_toml_syntax_error_is_a_config_error():
    with pytest.raises(ConfigError, match="cfg.toml: .*not valid TOML"):
        parse_config("[data\n", source="cfg.toml")


def test_missing_sections_are_named():
    with pytest.raises(ConfigError, match="model: missing; a config needs a \\[model\\] section"):
        parse_config('[data]\ndataset = "iris"\n')
    with pytest.raises(ConfigError, match='data.dataset: missing; name a dataset: digits'):
        parse_config('[data]\n[model]\nlayers = ["Linear(4, 3)"]\n')


def test_overrides_and_paths(iris_text):
    assert parse_override("optimizer.lr=0.01") == ("optimizer.lr", 0.01)
    assert parse_override('data.scale = "minmax"') == ("data.scale", "minmax")
    assert parse_override("data.scale=minmax") == ("data.scale", "minmax")  # bare string
    assert parse_override("training.metrics=['f1']") == ("training.metrics", ["f1"])
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        parse_override("lr")
    assert parse_path('model.layers[0].out_features') == ["model", "layers", 0, "out_features"]
    assert parse_path('model.layers.0.out_features') == ["model", "layers", 0, "out_features"]
    assert parse_path('search.space."optimizer.lr"') == ["search", "space", "optimizer.lr"]
    config = parse_config(iris_text)
    changed = set_path(config, "model.layers[0].out_features", 32)
    assert changed["model"]["layers"][0]["out_features"] == 32
    assert config["model"]["layers"][0]["out_features"] == 16  # a copy
    # overriding a compact layer's argument from the command line works too
    text_config = parse_config(iris_text, overrides=[("model.layers[0].out_features", 8)])
    assert text_config["model"]["layers"][0]["out_features"] == 8
    tuned = apply_params(config, {"lr": 0.5, "batch_size": 8, "model.layers[0].out_features": 4})
    assert tuned["optimizer"]["lr"] == 0.5 and tuned["training"]["batch_size"] == 8
    assert Experiment(tuned).build_model()[2].in_features == 4


def test_config_error_pickles():
    import pickle
    for error in (ConfigError("a.b", "bad", 3, source="x.toml"), ConfigError("a", "missing")):
        copy = pickle.loads(pickle.dumps(error))
        assert str(copy) == str(error)
