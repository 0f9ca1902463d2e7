"""The diagnosis' remedies as changes of playground knobs, so one click applies one.

Each remedy of `tidu.diagnose.REMEDIES` that a knob can express maps to a patch of the
configuration; the others (residual connections, pre-training, LSTM, …) need a network the
playground does not build and are shown without a button.
"""
from __future__ import annotations

__all__ = ["remedy_patch", "apply_remedy"]

_SATURATING = ("sigmoid", "tanh")


def _he_or_xavier(c: dict) -> dict | None:
    init = "xavier" if c["activation"] in _SATURATING else "he"
    return None if c["init"] == init else {"init": init}


def _scaled(c: dict, field: str, factor: float, low: float, high: float) -> dict | None:
    value = min(high, max(low, c[field] * factor))
    return None if value == c[field] else {field: value}


def _grown(c: dict, field: str, start: float, high: float) -> dict | None:
    value = start if c[field] == 0 else min(high, c[field] * 2)
    return None if value == c[field] else {field: value}


_PATCHES = {
    "relu": lambda c: {"activation": "relu"} if c["activation"] in _SATURATING else None,
    "leaky_relu": lambda c: None if c["activation"] == "leaky_relu" else {"activation": "leaky_relu"},
    "he_init": _he_or_xavier,
    "batchnorm": lambda c: None if c["batchnorm"] else {"batchnorm": True},
    "clipping": lambda c: {"clip": 1.0} if c["clip"] == 0 or c["clip"] > 1.0 else None,
    "weight_reg": lambda c: _grown(c, "l2", 1e-3, 1.0),
    "smaller_lr": lambda c: _scaled(c, "lr", 0.1, 1e-6, 10.0),
    "larger_lr": lambda c: _scaled(c, "lr", 10.0, 1e-6, 10.0),
    "standardize": lambda c: None if c["scaling"] == "zscore" else {"scaling": "zscore"},
    "dropout": lambda c: None if c["dropout"] >= 0.5 else {"dropout": round(c["dropout"] + 0.2, 2)},
    "wider": lambda c: None if not c["hidden"] or min(c["hidden"]) >= 256 else
    {"hidden": [min(256, 2 * w) for w in c["hidden"]]},
    "more_data": lambda c: _scaled(c, "n_samples", 2.0, 20, 5000),
}


def remedy_patch(key: str, config: dict) -> dict | None:
    """The knobs that apply remedy ``key`` to ``config`` (None: no knob expresses it, or it
    is already applied)."""
    patch = _PATCHES.get(key)
    if patch is None:
        return None
    out = patch(config)
    if out and "n_samples" in out:
        out["n_samples"] = int(out["n_samples"])
    return out


def apply_remedy(key: str, config: dict) -> dict:
    """``config`` with remedy ``key`` applied; a remedy the playground cannot apply raises a
    ValueError that names it."""
    patch = remedy_patch(key, config)
    if patch is None:
        raise ValueError(f"remedy {key!r}: the playground has no knob for it, or it is already "
                         f"applied to this configuration")
    return {**config, **patch}
