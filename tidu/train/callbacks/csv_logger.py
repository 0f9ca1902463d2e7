"""`CSVLogger`: one CSV row per epoch (Keras's)."""
from __future__ import annotations

import csv
import os

from .base import Callback

__all__ = ["CSVLogger"]


class CSVLogger(Callback):
    """``CSVLogger(filename, separator=",", append=False)``: writes ``epoch`` (from 0, as
    Keras) and the epoch's logs, columns in sorted key order fixed by the first epoch (a
    value missing later is written ``NA``).  ``append=True`` adds to an existing file
    without repeating the header — what a resumed run wants."""

    def __init__(self, filename, separator: str = ",", append: bool = False):
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self._file = None
        self._writer = None
        self.keys = None

    def on_train_begin(self, logs=None):
        has_content = self.append and os.path.exists(self.filename) \
            and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = None
        self._header_written = has_content

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._writer is None:
            self.keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys,
                                          delimiter=self.separator, extrasaction="ignore",
                                          restval="NA")
            if not self._header_written:
                self._writer.writeheader()
                self._header_written = True
        self._writer.writerow({"epoch": epoch, **logs})
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
