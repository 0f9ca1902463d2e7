"""`History`: what `fit` returns — per-epoch values, as Keras's ``History``."""
from __future__ import annotations

import math
import numbers

__all__ = ["History"]


class History:
    """``history.history[key]`` is the list of per-epoch values of ``key`` (``"loss"``,
    ``"val_loss"``, metric names, ``"lr"``, …) and ``history.epoch`` the epoch indices
    (from 0), as in Keras.  A key that first appears in a later epoch is padded with NaN
    for the earlier ones (and a missing key gets NaN), so all lists stay aligned with
    ``epoch``.  ``params`` holds the run's settings (epochs, steps per epoch, batch size);
    ``stop_reason`` says why training stopped early (None if it ran all epochs)."""

    def __init__(self):
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []
        self.params: dict = {}
        self.stop_reason: str | None = None

    def append(self, epoch: int, logs: dict) -> None:
        n = len(self.epoch)
        self.epoch.append(int(epoch))
        for key, value in logs.items():
            if key not in self.history:
                self.history[key] = [math.nan] * n
            self.history[key].append(float(value) if isinstance(value, numbers.Real) else value)
        for key, values in self.history.items():
            if len(values) == n:
                values.append(math.nan)

    def __getitem__(self, key: str) -> list:
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def state_dict(self) -> dict:
        return {"epoch": list(self.epoch),
                "history": {k: list(v) for k, v in self.history.items()},
                "stop_reason": self.stop_reason}

    def load_state_dict(self, state: dict) -> None:
        self.epoch = [int(e) for e in state["epoch"]]
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.stop_reason = state.get("stop_reason")

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.history.items()} if self.epoch else {}
        return f"History(epochs={len(self.epoch)}, last={last})"
