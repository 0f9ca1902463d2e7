"""From a validated config to the things `fit` needs: data, model, loss, optimizer,
callbacks.  Errors that only show with the data (a layer that does not fit its input, an
output size that does not match the classes) are `ConfigError` too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import ConfigError, blame, join_path
from .layers import build_layers
from .schema import (_schedule_kwargs, callback_class, dataset_function, loss_class,
                     optimizer_class, schedule_class)

__all__ = ["Data", "load_data", "Experiment", "build_experiment"]

_CLASS_LOSSES = ("CrossEntropyLoss", "NLLLoss", "MultiMarginLoss")
_BINARY_LOSSES = ("BCELoss", "BCEWithLogitsLoss")


@dataclass
class Data:
    """The splits of a config's dataset, scaled with statistics of the training split.

    ``task`` is ``"classification"`` (integer labels) or ``"regression"``;
    ``n_classes`` the number of classes (None for regression); ``sample_shape`` one input's
    shape; ``X_val`` / ``X_test`` are None when their size is 0."""
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    task: str
    n_classes: int | None
    sample_shape: tuple
    extra: dict = field(default_factory=dict)

    @property
    def train(self):
        return self.X_train, self.y_train

    @property
    def val(self):
        return None if self.X_val is None else (self.X_val, self.y_val)

    @property
    def test(self):
        return None if self.X_test is None else (self.X_test, self.y_test)

    def describe(self) -> str:
        parts = [f"{self.name}: {len(self.X_train)} train"]
        if self.X_val is not None:
            parts.append(f"{len(self.X_val)} val")
        if self.X_test is not None:
            parts.append(f"{len(self.X_test)} test")
        kind = (f"{self.n_classes} classes" if self.task == "classification"
                else "regression")
        return ", ".join(parts) + f" — {kind}, inputs of shape {self.sample_shape}"


def _split(X, y, size, seed, stratify, path):
    from ..model_selection import train_test_split
    if size == 0:
        return X, y, None, None
    labels = y if stratify else None
    try:
        X_a, X_b, y_a, y_b = train_test_split(X, y, test_size=size, seed=seed, stratify=labels)
    except Exception as exc:
        raise ConfigError(path, str(exc).splitlines()[0], size) from None
    return X_a, y_a, X_b, y_b


def _scale(kind: str, train: np.ndarray, others: list):
    from ..data import MinMaxScaler, StandardScaler
    if kind == "none":
        return train, others
    scaler = StandardScaler() if kind == "standard" else MinMaxScaler()
    shape = train.shape[1:]
    flat = scaler.fit_transform(train.reshape(len(train), -1))
    out = [None if o is None else
           scaler.transform(o.reshape(len(o), -1)).reshape((len(o),) + shape).astype(train.dtype)
           for o in others]
    return flat.reshape(train.shape).astype(train.dtype), out


def load_data(config: dict) -> Data:
    """Load or generate ``config["data"]``'s dataset, split off the test and validation
    parts (stratified for classification when ``stratify``), scale with the training
    split's statistics."""
    spec = config["data"]
    name = spec["dataset"]
    fn = dataset_function(name)
    options = {k: v for k, v in spec.items()
               if k not in ("dataset", "seed", "val_size", "test_size", "scale", "stratify")}
    import inspect
    if "seed" in inspect.signature(fn).parameters:
        options["seed"] = spec["seed"]
    try:
        out = fn(**options)
    except Exception as exc:
        raise blame("data", {k: v for k, v in spec.items() if k in options}, exc) from None
    X, y = out[0], out[1]
    extra = {"teacher": out[2]} if len(out) > 2 else {}
    task = "classification" if y.dtype.kind in "iu" else "regression"
    stratify = spec["stratify"] and task == "classification"
    n = len(X)
    # fractions are of the whole dataset (rounded up), as train_val_test_split
    n_test, n_val = (math.ceil(s * n) if isinstance(s, float) else s
                     for s in (spec["test_size"], spec["val_size"]))
    if n_test + n_val >= n:
        raise ConfigError("data.val_size", f"validation ({n_val}) + test ({n_test}) samples "
                                           f"leave no training data out of {n}",
                          spec["val_size"])
    X_rest, y_rest, X_test, y_test = _split(X, y, n_test, spec["seed"], stratify,
                                            "data.test_size")
    X_train, y_train, X_val, y_val = _split(X_rest, y_rest, n_val, spec["seed"] + 1,
                                            stratify, "data.val_size")
    X_train, (X_val, X_test) = _scale(spec["scale"], X_train, [X_val, X_test])
    n_classes = int(y.max()) + 1 if task == "classification" else None
    return Data(name, X_train, y_train, X_val, y_val, X_test, y_test, task, n_classes,
                tuple(X.shape[1:]), extra)


# --------------------------------------------------------------------------- model
def _init_weights(model, spec: dict) -> None:
    from ..nn import init as nn_init
    from ..nn.modules.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
    fn = getattr(nn_init, spec["method"] + "_")
    kwargs = {k: v for k, v in spec.items() if k not in ("method", "bias")}
    for module in model.modules():
        if isinstance(module, (BatchNorm1d, BatchNorm2d, LayerNorm)):
            continue
        weight = module._parameters.get("weight") if hasattr(module, "_parameters") else None
        if weight is not None and weight._data.ndim >= 2:
            try:
                fn(weight, **kwargs)
            except Exception as exc:
                raise blame("model.init", spec, exc) from None
            bias = module._parameters.get("bias")
            if bias is not None and "bias" in spec:
                nn_init.constant_(bias, spec["bias"])


def _check_output(config: dict, data: Data, out_shape: tuple, loss: str) -> None:
    layers = config["model"]["layers"]
    last = join_path("model.layers", len(layers) - 1)
    if "out_features" in layers[-1]:
        value = layers[-1]["out_features"]
        last = join_path(last, "out_features")
    else:
        value = ConfigError._NO_VALUE
    if data.task == "classification" and loss in _CLASS_LOSSES:
        if out_shape != (data.n_classes,):
            raise ConfigError(last, f"the model gives outputs of shape {out_shape} per sample, "
                                    f"but {data.name} has {data.n_classes} classes: the last "
                                    f"layer should give {data.n_classes} values", value)
    elif loss in _BINARY_LOSSES:
        if data.task != "classification" or data.n_classes > 2:
            raise ConfigError("loss.type", f"is for two classes; {data.name} has "
                                           f"{data.n_classes or 'continuous'} targets", loss)
        if out_shape != (1,):
            raise ConfigError(last, f"the model gives outputs of shape {out_shape} per sample; "
                                    f"{loss} needs one value per sample", value)
    elif data.task == "regression":
        target = data.y_train.shape[1:] or (1,)
        if out_shape != target:
            raise ConfigError(last, f"the model gives outputs of shape {out_shape} per sample, "
                                    f"the targets have shape {target}", value)


class Experiment:
    """A validated config and its data, ready to build fresh models: ``build()`` returns
    ``(model, loss_fn, optimizer, callbacks)`` (the build contract of
    `tidu.model_selection`, so an `Experiment` can be cross-validated); `fit_kwargs`
    the rest of ``fit``'s arguments.  Picklable (the config and the arrays)."""

    def __init__(self, config: dict, data: Data | None = None,
                 with_validation: bool | None = None):
        self.config = config
        self.data = data if data is not None else load_data(config)
        self.with_validation = (self.data.X_val is not None if with_validation is None
                                else bool(with_validation))
        self.loss_type = self._loss_type()
        if self.loss_type in _BINARY_LOSSES:
            for part in ("y_train", "y_val", "y_test"):
                y = getattr(self.data, part)
                if y is not None:
                    setattr(self.data, part, y.astype(self.data.X_train.dtype).reshape(-1, 1))
        self.build()  # every error now, before any training

    # ------------------------------------------------------------------ pieces
    def _loss_type(self) -> str:
        t = self.config["loss"]["type"]
        if t == "auto":
            return "CrossEntropyLoss" if self.data.task == "classification" else "MSELoss"
        return t

    @property
    def metrics(self) -> list:
        m = self.config["training"]["metrics"]
        if m == "auto":
            return ["accuracy"] if self.data.task == "classification" else []
        return list(m)

    @property
    def batch_size(self):
        b = self.config["training"]["batch_size"]
        return None if b == "full" else b

    def steps_per_epoch(self) -> int:
        n = len(self.data.X_train)
        return 1 if self.batch_size is None else math.ceil(n / self.batch_size)

    def build_model(self):
        model, out_shape = build_layers("model.layers", self.config["model"]["layers"],
                                        self.data.sample_shape)
        _check_output(self.config, self.data, out_shape, self.loss_type)
        if "init" in self.config["model"]:
            _init_weights(model, self.config["model"]["init"])
        return model

    def build_loss(self):
        kwargs = {k: v for k, v in self.config["loss"].items() if k != "type"}
        return loss_class(self.loss_type)(**kwargs)

    def build_optimizer(self, model):
        spec = self.config["optimizer"]
        kwargs = {k: (tuple(v) if k == "betas" and isinstance(v, list) else v)
                  for k, v in spec.items() if k != "type"}
        try:
            return optimizer_class(spec["type"])(model.parameters(), **kwargs)
        except Exception as exc:
            raise blame("optimizer", spec, exc) from None

    def build_callbacks(self, optimizer, with_validation: bool | None = None) -> list:
        """The config's callbacks, bound to ``optimizer``: regularizers, the schedule,
        early stopping and the others."""
        from ..train import LRSchedulerCallback, MaxNorm, ProximalL1, Regularizer
        if with_validation is None:
            with_validation = self.with_validation
        cfg = self.config
        out = []
        reg = cfg["regularization"]
        bias = reg.get("include_bias", False)
        for key in ("l1", "l2"):
            if reg.get(key):
                out.append(Regularizer(key, lam=reg[key], include_bias=bias))
        if "elastic_net" in reg and reg["elastic_net"]["lam"]:
            out.append(Regularizer("elastic_net", lam=reg["elastic_net"]["lam"],
                                   l1_ratio=reg["elastic_net"]["l1_ratio"], include_bias=bias))
        if reg.get("max_norm"):
            out.append(MaxNorm(reg["max_norm"], include_bias=bias))
        if reg.get("proximal_l1"):
            out.append(ProximalL1(reg["proximal_l1"], include_bias=bias))
        if "schedule" in cfg:
            spec = cfg["schedule"]
            kwargs = _schedule_kwargs(spec, cfg["training"]["epochs"], self.steps_per_epoch())
            try:
                scheduler = schedule_class(spec["type"])(optimizer, **kwargs)
            except Exception as exc:
                raise blame("schedule", spec, exc) from None
            monitor = spec.get("monitor", "val_loss")
            if monitor.startswith("val_") and not with_validation and \
                    spec["type"] == "ReduceLROnPlateau":
                raise ConfigError("schedule.monitor", "needs a validation split (data.val_size "
                                                      "> 0)", monitor)
            out.append(LRSchedulerCallback(scheduler, interval=spec["interval"], monitor=monitor))
        for key, spec in cfg["callbacks"].items():
            where = join_path("callbacks", key)
            monitor = spec.get("monitor", "val_loss" if key in ("early_stopping",
                                                                 "model_checkpoint") else None)
            if monitor and monitor.startswith("val_") and not with_validation:
                raise ConfigError(join_path(where, "monitor"), "needs a validation split "
                                  "(data.val_size > 0)", monitor)
            out.append(callback_class(key)(**spec))
        return out

    def build(self, params=None) -> tuple:
        """A fresh ``(model, loss_fn, optimizer, callbacks)``; ``params`` is ignored (the
        config already holds the trial's values)."""
        model = self.build_model()
        optimizer = self.build_optimizer(model)
        return model, self.build_loss(), optimizer, self.build_callbacks(optimizer)

    __call__ = build

    def fit_kwargs(self) -> dict:
        t = self.config["training"]
        return {"epochs": t["epochs"], "batch_size": self.batch_size, "shuffle": t["shuffle"]}


def build_experiment(config: dict) -> Experiment:
    """`Experiment` of a validated config (loads the data, builds everything once to
    surface errors)."""
    return Experiment(config)
