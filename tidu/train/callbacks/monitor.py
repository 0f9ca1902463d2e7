"""Shared by the callbacks that watch a logged value (`EarlyStopping`, `ModelCheckpoint`)."""
from __future__ import annotations

from ..metrics import monitor_direction

__all__ = ["resolve_mode", "monitored_value"]


def resolve_mode(owner: str, monitor: str, mode: str, trainer) -> str:
    """'min' or 'max' for ``monitor``; ``mode="auto"`` infers it from the name (losses and
    errors down; accuracy, precision, recall, F1 and metrics with ``greater_is_better`` up)
    and raises, as Keras 3 does, when it cannot."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got mode={mode!r}")
    if monitor.startswith("val_") and trainer is not None and trainer.val_loader is None:
        raise ValueError(f"{owner}: monitor={monitor!r} needs validation data; pass "
                         f"val_data to fit, or monitor a training value such as 'loss'")
    if mode != "auto":
        return mode
    direction = monitor_direction(monitor, trainer.metrics if trainer is not None else ())
    if direction is None:
        raise ValueError(f"{owner}: cannot tell whether monitor={monitor!r} should be "
                         f"minimized or maximized; pass mode='min' or mode='max'")
    return direction


def monitored_value(owner: str, monitor: str, logs: dict) -> float:
    """``logs[monitor]`` as a float; a missing key is an error naming the keys there are
    (Keras only warns and skips the epoch)."""
    logs = logs or {}
    if monitor not in logs:
        raise ValueError(f"{owner}: monitor={monitor!r} is not among the logged values "
                         f"{sorted(logs)}")
    return float(logs[monitor])
