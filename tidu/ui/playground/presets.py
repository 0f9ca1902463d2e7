"""Playground presets: the notes' comparisons as A/B pairs a learner runs herself.  Each
preset names the lab experiment whose claim it shows (the lab page links to it), the knobs
of arm A, the one knob (or two, where the claim is about a pair) that arm B changes, and
what to watch.  A preset without ``b`` is a single run.

Claims the playground cannot show — they need sequences, images, search, a Hessian or a
hand-written backward (E8, E10, E11, E15, E16, E18, E22, E23, E25, E26, E27, E29) — have no
preset; their lab section is the place to see them.
"""
from __future__ import annotations

from .config import parse_config

__all__ = ["PRESETS", "preset_for_experiment", "preset_configs"]

_DEEP = {"hidden": [8, 8, 8, 8, 8, 8]}
_SMALL_NOISY = {"dataset": "moons", "n_samples": 80, "noise": 0.3, "hidden": [128, 128]}

PRESETS = {
    "vanishing": {"experiment": "E1", "title": "Vanishing gradients: sigmoid vs ReLU (He)",
                  "a": {**_DEEP, "activation": "sigmoid", "init": "small"},
                  "b": {"activation": "relu", "init": "he"},
                  "watch": "the gradient heat map: A's first layers are dark (tiny gradients)"},
    "exploding": {"experiment": "E2", "title": "Exploding gradients: N(0, 1) init vs He",
                  "a": {**_DEEP, "hidden": [32] * 6, "init": "large", "optimizer": "sgd",
                        "lr": 0.01},
                  "b": {"init": "he"},
                  "watch": "A's loss jumps to NaN; the diagnosis names the layer and step"},
    "zero_init": {"experiment": "E3", "title": "Zero initialization: symmetry is never broken",
                  "a": {"init": "zero"}, "b": {"init": "he"},
                  "watch": "A stays at chance: every hidden unit computes the same thing"},
    "init_tanh": {"experiment": "E4", "title": "Init scale in a deep tanh net: N(0, 0.01) vs Xavier",
                  "a": {**_DEEP, "activation": "tanh", "init": "small"},
                  "b": {"init": "xavier"},
                  "watch": "A's gradients vanish; Xavier keeps every layer learning"},
    "l1_vs_l2": {"experiment": "E5", "title": "L1 vs L2 penalty",
                 "a": {"hidden": [64, 64], "l1": 0.001}, "b": {"l1": 0.0, "l2": 0.001},
                 "watch": "the train/validation gap and the dead units; the lab's E5 counts the "
                          "weights L1 sets to zero (this page shows no weight histogram)"},
    "dropout": {"experiment": "E6", "title": "Dropout narrows the train/validation gap",
                "a": dict(_SMALL_NOISY), "b": {"dropout": 0.5},
                "watch": "the gap between training and validation loss, and how far the "
                         "validation loss climbs after its minimum"},
    "early_stopping": {"experiment": "E7", "title": "The validation U: where early stopping stops",
                       "a": dict(_SMALL_NOISY), "b": None,
                       "watch": "validation loss falls, then rises while training loss falls"},
    "batchnorm": {"experiment": "E9", "title": "Batch normalization in a deep sigmoid net",
                  "a": {**_DEEP, "activation": "sigmoid", "init": "xavier", "optimizer": "sgd",
                        "lr": 0.5},
                  "b": {"batchnorm": True},
                  "watch": "with BN the same learning rate trains in far fewer steps"},
    "optimizers": {"experiment": "E12", "title": "SGD vs Adam",
                   "a": {"optimizer": "sgd", "lr": 0.05}, "b": {"optimizer": "adam", "lr": 0.01},
                   "watch": "the training loss per epoch"},
    "momentum": {"experiment": "E12", "title": "SGD vs Momentum",
                 "a": {"optimizer": "sgd", "lr": 0.05}, "b": {"optimizer": "momentum"},
                 "watch": "momentum reaches a low loss in fewer epochs"},
    "adagrad": {"experiment": "E13", "title": "AdaGrad's step shrinks; RMSProp's does not",
                "a": {"optimizer": "adagrad", "lr": 0.05},
                "b": {"optimizer": "rmsprop", "lr": 0.01},
                "watch": "the update/weight ratio: AdaGrad's keeps falling"},
    "batch_size": {"experiment": "E14", "title": "Batch size 1 vs full batch",
                   "a": {"batch_size": 1, "optimizer": "sgd", "lr": 0.05},
                   "b": {"batch_size": 0},
                   "watch": "steps per epoch and how noisy the loss is"},
    "mse_vs_ce": {"experiment": "E17", "title": "MSE vs cross-entropy on the softmax output",
                  "a": {"loss": "mse", "optimizer": "sgd", "lr": 0.5},
                  "b": {"loss": "cross_entropy"},
                  "watch": "how fast validation accuracy rises in the first epochs (MSE's "
                           "gradient fades where a prediction is confidently wrong)"},
    "label_smoothing": {"experiment": "E19", "title": "Label smoothing",
                        "a": {"loss": "cross_entropy"}, "b": {"loss": "label_smoothing"},
                        "watch": "smoothed targets keep the boundary's confidence below 1"},
    "warmup_cosine": {"experiment": "E20", "title": "Warm-up + cosine at a high learning rate",
                      "a": {"lr": 0.1, "schedule": "constant"},
                      "b": {"schedule": "warmup_cosine", "horizon_epochs": 100},
                      "watch": "A diverges or thrashes at the peak rate; B warms up to it"},
    "bias_variance": {"experiment": "E21", "title": "Bias vs variance on a 1-D regression",
                      "a": {"dataset": "sine", "loss": "mse", "n_samples": 40, "noise": 0.3,
                            "hidden": [2]},
                      "b": {"hidden": [128, 128]},
                      "watch": "A underfits the sine (bias); B chases the noise (variance)"},
    "dead_relu": {"experiment": "E24", "title": "Dead ReLUs after a too-large step; Leaky ReLU",
                  "a": {"optimizer": "sgd", "lr": 1.0}, "b": {"activation": "leaky_relu"},
                  "watch": "the dead-unit percentage"},
    "zero_centred": {"experiment": "E28", "title": "Sigmoid (not zero-centred) vs tanh",
                     "a": {"activation": "sigmoid", "init": "xavier"},
                     "b": {"activation": "tanh"},
                     "watch": "tanh trains faster: its outputs are centred on zero"},
}


def preset_configs(name: str) -> tuple:
    """``(config_a, config_b or None)``, both complete and checked."""
    if name not in PRESETS:
        raise KeyError(f"preset: expected one of {', '.join(PRESETS)}; got {name!r}")
    preset = PRESETS[name]
    a = parse_config(preset["a"])
    b = None if preset["b"] is None else parse_config({**a, **preset["b"]})
    return a, b


def preset_for_experiment() -> dict:
    """``{experiment id: preset name}`` (the first preset that shows each claim)."""
    out: dict = {}
    for name, preset in PRESETS.items():
        out.setdefault(preset["experiment"], name)
    return out
