"""From a checked configuration to the objects that train: the data (split and scaled), the
network, its initialization, the optimizer, the learning-rate schedule and the loss.

Everything here is tidu's public API — the playground is a front end to the same components
the notes' experiments use, not a second implementation of them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import nn, optim
from ...data import (MinMaxScaler, StandardScaler, make_blobs, make_circles, make_moons,
                     make_sine, make_spirals, make_xor)
from ...nn import functional as F
from ...optim import lr_scheduler

__all__ = ["PlaygroundData", "make_data", "make_model", "make_optimizer", "make_scheduler",
           "make_loss", "N_CLASSES"]

N_CLASSES = {"spirals": 3, "blobs": 3, "moons": 2, "circles": 2, "xor": 2, "sine": 1}


@dataclass
class PlaygroundData:
    """The raw points (for drawing), the scaled ones (for the network) and the scaler."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    scaler: object | None
    n_classes: int                    # 1: regression

    @property
    def regression(self) -> bool:
        return self.n_classes == 1

    def scale(self, X: np.ndarray) -> np.ndarray:
        return X if self.scaler is None else self.scaler.transform(X).astype(np.float32)


def _points(config: dict) -> tuple:
    n, noise, seed = config["n_samples"], config["noise"], config["seed"]
    name = config["dataset"]
    if name == "spirals":
        return make_spirals(n, n_classes=3, noise=noise, seed=seed)
    if name == "moons":
        return make_moons(n, noise=noise, seed=seed)
    if name == "circles":
        return make_circles(n, noise=noise, factor=0.5, seed=seed)
    if name == "xor":
        return make_xor(n, noise=noise, seed=seed)
    if name == "blobs":
        return make_blobs(n, n_classes=3, noise=noise, seed=seed)
    return make_sine(n, noise_sigma=noise, seed=seed)


def make_data(config: dict) -> PlaygroundData:
    """The dataset, shuffled and split into training and validation parts by the seed (the
    notes' hold-out), with the scaler fitted on the training part only."""
    X, y = _points(config)
    order = np.random.default_rng(config["seed"] + 1).permutation(len(X))
    n_val = max(1, int(round(config["val_fraction"] * len(X))))
    val, train = order[:n_val], order[n_val:]
    scaler = {"none": None, "minmax": MinMaxScaler(), "zscore": StandardScaler()}[config["scaling"]]
    if scaler is not None:
        scaler.fit(X[train])
    return PlaygroundData(X[train], y[train], X[val], y[val], scaler,
                          N_CLASSES[config["dataset"]])


_ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "prelu": nn.PReLU,
                "rrelu": nn.RReLU, "elu": nn.ELU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
_GAIN = {"relu": "relu", "leaky_relu": "leaky_relu", "prelu": "leaky_relu", "rrelu": "leaky_relu",
         "elu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "maxout": "relu"}


def _hidden_block(config: dict, n_in: int, width: int) -> list:
    if config["activation"] == "maxout":
        layers = [nn.Maxout(n_in, width, pool_size=2)]
    else:
        layers = [nn.Linear(n_in, width)]
    if config["batchnorm"]:
        layers.append(nn.BatchNorm1d(width))
    if config["activation"] != "maxout":
        layers.append(_ACTIVATIONS[config["activation"]]())
    if config["dropout"] > 0:
        layers.append(nn.Dropout(config["dropout"]))
    return layers


def _initialize(model, config: dict) -> None:
    """The notes' initializations of every Linear weight (biases to zero); ``default``
    keeps PyTorch's (uniform ±1/√fan_in)."""
    kind = config["init"]
    if kind == "default":
        return
    gain = nn.init.calculate_gain(_GAIN[config["activation"]])
    for module in model.modules():
        if not isinstance(module, nn.Linear):
            continue
        w = module.weight
        if kind == "zero":
            nn.init.zeros_(w)
        elif kind == "small":
            nn.init.normal_(w, 0.0, 0.01)
        elif kind == "large":
            nn.init.normal_(w, 0.0, 1.0)
        elif kind == "xavier":
            nn.init.xavier_normal_(w, gain=gain)
        elif kind == "he":
            nn.init.kaiming_normal_(w, nonlinearity="relu")
        elif kind == "lecun":
            nn.init.lecun_normal_(w)
        else:
            nn.init.orthogonal_(w, gain=gain)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def make_model(config: dict, n_in: int, n_out: int):
    """``Linear → [BatchNorm1d] → activation → [Dropout]`` per hidden width, then a linear
    output layer (logits; one output for regression), initialized as configured."""
    layers, width_in = [], n_in
    for width in config["hidden"]:
        layers += _hidden_block(config, width_in, width)
        width_in = width
    layers.append(nn.Linear(width_in, n_out))
    model = nn.Sequential(*layers)
    _initialize(model, config)
    return model


def make_optimizer(config: dict, params):
    """The optimizer with the page's hyper-parameters (PyTorch's names and defaults)."""
    name, lr = config["optimizer"], config["lr"]
    if name in ("sgd", "momentum", "nesterov"):
        momentum = 0.0 if name == "sgd" else config["momentum"]
        return optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov")
    if name == "adagrad":
        return optim.Adagrad(params, lr=lr)
    if name == "adadelta":
        return optim.Adadelta(params, lr=lr, rho=config["rho"])
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr, alpha=config["rho"])
    betas = (config["beta1"], config["beta2"])
    if name == "adam":
        return optim.Adam(params, lr=lr, betas=betas)
    return optim.AdamW(params, lr=lr, betas=betas, weight_decay=config["weight_decay"])


def make_scheduler(config: dict, optimizer, steps_per_epoch: int):
    """A per-step schedule: step decay every ``step_epochs`` epochs, cosine annealing or
    linear warm-up + cosine over ``horizon_epochs`` epochs (None: constant)."""
    kind = config["schedule"]
    if kind == "constant":
        return None
    if kind == "step":
        return lr_scheduler.StepLR(optimizer, step_size=config["step_epochs"] * steps_per_epoch,
                                   gamma=config["gamma"])
    total = config["horizon_epochs"] * steps_per_epoch
    warmup = config["warmup_epochs"] * steps_per_epoch if kind == "warmup_cosine" else 0
    return lr_scheduler.WarmupCosineLR(optimizer, warmup_steps=min(warmup, total - 1),
                                       total_steps=total)


def make_loss(config: dict, n_classes: int):
    """``loss(output, target)`` for the chosen loss: cross-entropy (optionally with label
    smoothing), multi-class hinge, or MSE — on the softmax probabilities against one-hot
    targets for a classification (the notes' MSE-vs-cross-entropy comparison)."""
    kind = config["loss"]
    if n_classes == 1:
        return F.mse_loss
    if kind == "cross_entropy":
        return F.cross_entropy
    if kind == "label_smoothing":
        smoothing = config["smoothing"]
        return lambda out, y: F.cross_entropy(out, y, label_smoothing=smoothing)
    if kind == "hinge":
        return F.multi_margin_loss
    return lambda out, y: F.mse_loss(F.softmax(out, dim=1),
                                     F.one_hot(y, n_classes).to(out.dtype))
