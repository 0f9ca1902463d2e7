"""`ProgressBar` (tqdm) and `EpochSummary`: what ``fit(verbose=1)`` / ``verbose=2`` show."""
from __future__ import annotations

import sys

from .base import Callback

__all__ = ["ProgressBar", "EpochSummary", "format_logs"]


def format_logs(logs: dict) -> str:
    return " - ".join(f"{k}: {v:.4g}" for k, v in logs.items()
                      if isinstance(v, float) or isinstance(v, int) and not isinstance(v, bool))


def _is_terminal(file) -> bool:
    isatty = getattr(file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed stream
        return False


class ProgressBar(Callback):
    """One tqdm bar per epoch (``Epoch 3/10``, batches done, running mean loss; the epoch's
    logs when it ends).  ``file`` defaults to sys.stdout; ``disable=None`` turns the bar off
    when ``file`` is not a terminal (a log file, a pipe, a test run), so logs stay clean."""

    def __init__(self, file=None, disable: bool | None = None, leave: bool = True):
        self.file = file
        self.disable = disable
        self.leave = leave
        self._bar = None

    def on_train_begin(self, logs=None):
        file = self.file if self.file is not None else sys.stdout
        self._file = file
        self._off = (not _is_terminal(file)) if self.disable is None else bool(self.disable)

    def on_epoch_begin(self, epoch, logs=None):
        if self._off:
            return
        from tqdm import tqdm
        self._close()
        params = self.trainer.params
        initial = (logs or {}).get("initial_batch", 0)
        self._bar = tqdm(total=params["steps"], initial=initial, file=self._file,
                         desc=f"Epoch {epoch + 1}/{params['epochs']}", unit="batch",
                         leave=self.leave, dynamic_ncols=True)
        self._sum, self._n = 0.0, 0

    def on_batch_end(self, batch, logs=None):
        if self._bar is None:
            return
        self._sum += logs["loss"] * logs["size"]
        self._n += logs["size"]
        self._bar.set_postfix(loss=f"{self._sum / self._n:.4g}", refresh=False)
        self._bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is None:
            return
        self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
        self._close()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class EpochSummary(Callback):
    """One line per epoch (Keras's ``verbose=2``): ``Epoch 3/10 - loss: 0.31 - val_loss: …``."""

    def __init__(self, file=None):
        self.file = file

    def on_epoch_end(self, epoch, logs=None):
        file = self.file if self.file is not None else sys.stdout
        print(f"Epoch {epoch + 1}/{self.trainer.params['epochs']} - {format_logs(logs or {})}",
              file=file, flush=True)
