"""What a config may hold, section by section, and its validation.

`validate(raw)` checks a parsed TOML document and returns the normalized config — the
same structure with every default filled in and every layer as a table of named
arguments — or raises the first `ConfigError` (key, value, what is allowed).  The
normalized config is plain data: it is what the run database stores and what a search
changes, key by key, before validating again.
"""
from __future__ import annotations

import copy

from .checks import (boolean, check_kwargs, check_required, check_table, fraction_or_count,
                     integer, number, one_of, signature_args, string, string_list, table)
from .errors import ConfigError, blame, join_path, unknown_key
from .layers import normalize_layers

__all__ = ["validate", "SECTIONS", "DATASETS", "OPTIMIZERS", "SCHEDULES", "LOSSES",
           "CALLBACKS", "INITIALIZERS", "dataset_function", "optimizer_class",
           "schedule_class", "loss_class", "callback_class"]

SECTIONS = ("name", "data", "model", "loss", "optimizer", "schedule", "regularization",
            "callbacks", "training", "search")

# dataset name → function of tidu.data
DATASETS = {"digits": "load_digits", "iris": "load_iris", "breast_cancer": "load_breast_cancer",
            "wine": "load_wine", "spirals": "make_spirals", "moons": "make_moons",
            "circles": "make_circles", "xor": "make_xor",
            "teacher_student": "make_teacher_student"}
REGRESSION_DATASETS = ("teacher_student",)
_DATA_KEYS = ("dataset", "seed", "val_size", "test_size", "scale", "stratify")
SCALES = ("standard", "minmax", "none")

OPTIMIZERS = ("SGD", "Adam", "AdamW", "NAdam", "RMSprop", "Adagrad", "Adadelta")
SCHEDULES = ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
             "OneCycleLR", "ReduceLROnPlateau", "WarmupCosineLR")
_PER_BATCH = ("OneCycleLR", "WarmupCosineLR")
LOSSES = ("auto", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "HuberLoss", "BCELoss",
          "BCEWithLogitsLoss", "MultiMarginLoss")
_LOSS_ALIASES = {"cross_entropy": "CrossEntropyLoss", "nll": "NLLLoss", "mse": "MSELoss",
                 "l1": "L1Loss", "mae": "L1Loss", "huber": "HuberLoss", "bce": "BCELoss",
                 "bce_with_logits": "BCEWithLogitsLoss", "multi_margin": "MultiMarginLoss"}
CALLBACKS = {"early_stopping": "EarlyStopping", "terminate_on_nan": "TerminateOnNaN",
             "csv_logger": "CSVLogger", "model_checkpoint": "ModelCheckpoint"}
INITIALIZERS = ("uniform", "normal", "constant", "zeros", "ones", "xavier_uniform",
                "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_normal",
                "orthogonal")
_REGULARIZATION_KEYS = ("l1", "l2", "elastic_net", "max_norm", "proximal_l1", "include_bias")
_TRAINING_KEYS = ("epochs", "batch_size", "seed", "shuffle", "metrics")

# Bounds of the numbers each section's arguments may take (`checks.number`'s keywords):
# NaN and ±infinity are refused everywhere; the tables below add the sign and range
# rules, so that lr = -1, momentum = -0.9 or p = 1.5 are reported with their key before
# anything is built.  Every numeric argument of an optimizer or a schedule is ≥ 0.
NON_NEGATIVE = {"low": 0}
OPTIMIZER_BOUNDS = {"lr": {"low": 0, "low_open": True},
                    "betas": {"low": 0, "high": 1, "high_open": True}}
SCHEDULE_BOUNDS = {"max_lr": {"low": 0, "low_open": True}}
LOSS_BOUNDS = {"label_smoothing": {"low": 0, "high": 1}, "delta": {"low": 0, "low_open": True},
               "weight": NON_NEGATIVE, "pos_weight": NON_NEGATIVE}
CALLBACK_BOUNDS: dict = {}  # finite only: min_delta's sign is free (Keras takes |min_delta|),
#                             counts get the callbacks' own int checks
INIT_BOUNDS = {"std": NON_NEGATIVE}


def dataset_function(name: str):
    from .. import data
    return getattr(data, DATASETS[name])


def optimizer_class(name: str):
    from .. import optim
    return getattr(optim, name)


def schedule_class(name: str):
    from ..optim import lr_scheduler
    return getattr(lr_scheduler, name)


def loss_class(name: str):
    from .. import nn
    return getattr(nn, name)


def callback_class(key: str):
    from .. import train
    return getattr(train, CALLBACKS[key])


def _dummy_optimizer(path: str, spec: dict):
    """The optimizer of ``spec`` on one throwaway parameter: runs its own checks."""
    import numpy as np

    from ..nn import Parameter
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    if "betas" in kwargs and isinstance(kwargs["betas"], list):
        kwargs["betas"] = tuple(kwargs["betas"])
    try:
        return optimizer_class(spec["type"])([Parameter(np.zeros(1))], **kwargs)
    except Exception as exc:
        raise blame(path, spec, exc) from None


# --------------------------------------------------------------------------- sections
def _data(raw) -> dict:
    path = "data"
    table(path, raw)
    if "dataset" not in raw:
        raise ConfigError(join_path(path, "dataset"), f"missing; name a dataset: "
                                                      f"{', '.join(DATASETS)}")
    name = one_of(join_path(path, "dataset"), raw["dataset"], list(DATASETS), "dataset")
    params = signature_args(dataset_function(name), skip=("seed", "shuffle"))
    check_table(path, raw, set(_DATA_KEYS) | set(params))
    out = {"dataset": name,
           "seed": integer(join_path(path, "seed"), raw.get("seed", 0), low=0),
           "val_size": fraction_or_count(join_path(path, "val_size"), raw.get("val_size", 0.2)),
           "test_size": fraction_or_count(join_path(path, "test_size"),
                                          raw.get("test_size", 0.2)),
           "scale": one_of(join_path(path, "scale"), raw.get("scale", "standard"), SCALES,
                           "scaling"),
           "stratify": boolean(join_path(path, "stratify"), raw.get("stratify", True))}
    options = {k: v for k, v in raw.items() if k not in _DATA_KEYS}
    check_kwargs(path, DATASETS[name], options, params)
    out.update(options)
    return out


def _model(raw) -> dict:
    path = "model"
    check_table(path, raw, ("layers", "init"))
    if "layers" not in raw:
        raise ConfigError("model.layers", 'missing; list the layers, e.g. layers = '
                                          '["Linear(64, 128)", "ReLU", "Linear(128, 10)"]')
    out = {"layers": normalize_layers("model.layers", raw["layers"])}
    if "init" in raw:
        out["init"] = _init(raw["init"])
    return out


def _init(raw) -> dict:
    from ..nn import init as nn_init
    path = "model.init"
    if isinstance(raw, str):
        raw = {"method": raw}
    table(path, raw)
    if "method" not in raw:
        raise ConfigError(join_path(path, "method"), f"missing; one of {', '.join(INITIALIZERS)}")
    method = one_of(join_path(path, "method"), raw["method"], INITIALIZERS, "initializer")
    params = signature_args(getattr(nn_init, method + "_"), skip=("tensor",))
    kwargs = {k: v for k, v in raw.items() if k not in ("method", "bias")}
    check_kwargs(path, f"tidu.nn.init.{method}_", kwargs, params, INIT_BOUNDS)
    out = {"method": method, **kwargs}
    if "bias" in raw:
        out["bias"] = number(join_path(path, "bias"), raw["bias"])
    return out


def _loss(raw) -> dict:
    path = "loss"
    if isinstance(raw, str):
        raw = {"type": raw}
    table(path, raw)
    name = raw.get("type", "auto")
    name = _LOSS_ALIASES.get(name, name) if isinstance(name, str) else name
    name = one_of(join_path(path, "type"), name, list(LOSSES) + sorted(_LOSS_ALIASES), "loss")
    name = _LOSS_ALIASES.get(name, name)
    kwargs = {k: v for k, v in raw.items() if k != "type"}
    if name == "auto":
        if kwargs:
            raise ConfigError(join_path(path, next(iter(kwargs))),
                              'arguments need an explicit loss type, e.g. type = '
                              '"CrossEntropyLoss"')
        return {"type": "auto"}
    cls = loss_class(name)
    params = signature_args(cls, skip=("size_average", "reduce"))
    check_kwargs(path, name, kwargs, params, LOSS_BOUNDS)
    check_required(path, name, kwargs, params)
    try:
        cls(**kwargs)
    except Exception as exc:
        raise blame(path, raw, exc) from None
    return {"type": name, **kwargs}


def _optimizer(raw) -> dict:
    path = "optimizer"
    table(path, raw)
    name = one_of(join_path(path, "type"), raw.get("type", "Adam"), OPTIMIZERS, "optimizer")
    kwargs = {k: v for k, v in raw.items() if k != "type"}
    params = signature_args(optimizer_class(name), skip=("params",))
    check_kwargs(path, name, kwargs, params, OPTIMIZER_BOUNDS, NON_NEGATIVE)
    check_required(path, name, kwargs, params)
    out = {"type": name, **kwargs}
    _dummy_optimizer(path, out)
    return out


def _schedule(raw, training: dict) -> dict:
    path = "schedule"
    table(path, raw)
    if "type" not in raw:
        raise ConfigError(join_path(path, "type"), f"missing; one of {', '.join(SCHEDULES)}")
    name = one_of(join_path(path, "type"), raw["type"], SCHEDULES, "schedule")
    cls = schedule_class(name)
    default_interval = "batch" if name in _PER_BATCH else "epoch"
    out = {"type": name,
           "interval": one_of(join_path(path, "interval"), raw.get("interval", default_interval),
                              ("epoch", "batch"), "interval")}
    kwargs = {k: v for k, v in raw.items() if k not in ("type", "interval", "monitor")}
    if "monitor" in raw:
        if name != "ReduceLROnPlateau":
            raise ConfigError(join_path(path, "monitor"), "only ReduceLROnPlateau monitors a "
                                                          "value", raw["monitor"])
        out["monitor"] = string(join_path(path, "monitor"), raw["monitor"])
    elif name == "ReduceLROnPlateau":
        out["monitor"] = "val_loss" if out["interval"] == "epoch" else "loss"
    params = signature_args(cls, skip=("optimizer", "last_epoch"))
    check_kwargs(path, name, kwargs, params, SCHEDULE_BOUNDS, NON_NEGATIVE)
    check_required(path, name, kwargs, params,
                   inferred=("T_max", "total_steps") if name in ("CosineAnnealingLR",
                                                                  "WarmupCosineLR") else ())
    out.update(kwargs)
    try:  # its own checks, on a throwaway optimizer, with the inferred lengths filled in
        trial = _schedule_kwargs(out, training["epochs"], steps_per_epoch=1)
        cls(_dummy_optimizer("optimizer", {"type": "SGD", "lr": 0.1}), **trial)
    except ConfigError:
        raise
    except Exception as exc:
        raise blame(path, out, exc) from None
    return out


def _schedule_kwargs(spec: dict, epochs: int, steps_per_epoch: int) -> dict:
    """The scheduler's arguments, with the schedule's length inferred where left out:
    ``T_max`` of CosineAnnealingLR and ``total_steps`` of OneCycleLR / WarmupCosineLR
    (in epochs or optimizer steps, following ``interval``)."""
    kwargs = {k: v for k, v in spec.items() if k not in ("type", "interval", "monitor")}
    length = max(1, epochs * (steps_per_epoch if spec["interval"] == "batch" else 1))
    if spec["type"] == "CosineAnnealingLR":
        kwargs.setdefault("T_max", length)
    elif spec["type"] == "OneCycleLR":
        if not {"total_steps", "epochs", "steps_per_epoch"} & set(kwargs):
            kwargs["total_steps"] = length
    elif spec["type"] == "WarmupCosineLR":
        kwargs.setdefault("total_steps", max(length, kwargs.get("warmup_steps", 0) + 1))
    if "milestones" in kwargs and isinstance(kwargs["milestones"], list):
        kwargs["milestones"] = list(kwargs["milestones"])
    return kwargs


def _regularization(raw) -> dict:
    path = "regularization"
    check_table(path, raw, _REGULARIZATION_KEYS)
    out = {}
    for key in ("l1", "l2", "proximal_l1"):
        if key in raw:
            out[key] = number(join_path(path, key), raw[key], low=0)
    if "max_norm" in raw:
        out["max_norm"] = number(join_path(path, "max_norm"), raw["max_norm"], low=0,
                                 low_open=True)
    if "elastic_net" in raw:
        where = join_path(path, "elastic_net")
        spec = raw["elastic_net"]
        check_table(where, spec, ("lam", "l1_ratio"))
        if "lam" not in spec:
            raise ConfigError(join_path(where, "lam"), "missing; the penalty's weight λ ≥ 0")
        out["elastic_net"] = {
            "lam": number(join_path(where, "lam"), spec["lam"], low=0),
            "l1_ratio": number(join_path(where, "l1_ratio"), spec.get("l1_ratio", 0.5), low=0,
                               high=1)}
    out["include_bias"] = boolean(join_path(path, "include_bias"),
                                  raw.get("include_bias", False))
    return out


def _callbacks(raw) -> dict:
    path = "callbacks"
    check_table(path, raw, CALLBACKS)
    out = {}
    for key, spec in raw.items():
        where = join_path(path, key)
        if isinstance(spec, bool):
            if not spec:
                continue
            spec = {}
        if not isinstance(spec, dict):
            raise ConfigError(where, "expected a table of the callback's arguments, or true",
                              spec)
        cls = callback_class(key)
        params = signature_args(cls)
        check_kwargs(where, CALLBACKS[key], spec, params, CALLBACK_BOUNDS)
        check_required(where, CALLBACKS[key], spec, params)
        try:
            cls(**spec)
        except Exception as exc:
            raise blame(where, spec, exc) from None
        out[key] = dict(spec)
    return out


def _training(raw) -> dict:
    from ..train.metrics import resolve_metrics
    path = "training"
    check_table(path, raw, _TRAINING_KEYS)
    batch = raw.get("batch_size", 32)
    if batch != "full":
        if isinstance(batch, str):
            raise ConfigError(join_path(path, "batch_size"),
                              'expected an integer ≥ 1, or "full" for full-batch training', batch)
        integer(join_path(path, "batch_size"), batch, low=1)
    out = {"epochs": integer(join_path(path, "epochs"), raw.get("epochs", 10), low=0),
           "batch_size": batch,
           "seed": integer(join_path(path, "seed"), raw.get("seed", 0), low=0),
           "shuffle": boolean(join_path(path, "shuffle"), raw.get("shuffle", True))}
    metrics = raw.get("metrics", "auto")
    if metrics != "auto":
        metrics = string_list(join_path(path, "metrics"), metrics)
        for i, name in enumerate(metrics):
            try:
                resolve_metrics([name])
            except Exception as exc:
                raise ConfigError(join_path(join_path(path, "metrics"), i),
                                  str(exc).replace("fit: ", ""), name) from None
    out["metrics"] = metrics
    return out


def validate(raw: dict) -> dict:
    """The normalized config of ``raw`` (a parsed TOML document), or one `ConfigError`."""
    from .search import validate_search
    table("", raw)
    for key in raw:
        if key not in SECTIONS:
            raise unknown_key("", key, SECTIONS)
    for key in ("data", "model"):
        if key not in raw:
            raise ConfigError(key, f"missing; a config needs a [{key}] section")
    name = raw.get("name")
    config = {"name": None if name is None else string("name", name)}
    config["data"] = _data(raw["data"])
    config["model"] = _model(raw["model"])
    config["loss"] = _loss(raw.get("loss", {}))
    config["optimizer"] = _optimizer(raw.get("optimizer", {}))
    config["training"] = _training(raw.get("training", {}))
    if "schedule" in raw:
        config["schedule"] = _schedule(raw["schedule"], config["training"])
    config["regularization"] = _regularization(raw.get("regularization", {}))
    config["callbacks"] = _callbacks(raw.get("callbacks", {}))
    if raw.get("search") is not None:
        config["search"] = validate_search(raw["search"], copy.deepcopy(config))
    return config
