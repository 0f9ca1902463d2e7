"""tidu.train: ``fit`` / `Trainer` with callbacks, metrics, validation, checkpoint and resume.

* `fit`, `Trainer` — the training loop; returns a Keras-like `History`;
* callbacks — `EarlyStopping`, `ModelCheckpoint`, `LRSchedulerCallback`, `ProgressBar`,
  `EpochSummary`, `TerminateOnNaN`, loggers (`CSVLogger`, `LambdaCallback`, or any
  `Callback` subclass), regularizers (`Regularizer`, `MaxNorm`, `ProximalL1`);
* `Checkpoint` — periodic, atomic saves of the whole training state; ``fit(...,
  checkpoint=…, resume=True)`` continues a killed run bit-identically;
* `Metric` — metrics by name (``"accuracy"``) or function (``tidu.metrics.f1_score``).
"""
from .callbacks import (Callback, CSVLogger, EarlyStopping, EpochSummary, LambdaCallback,
                        LRSchedulerCallback, MaxNorm, ModelCheckpoint, ProgressBar, ProximalL1,
                        Regularizer, TerminateOnNaN)
from .checkpoint import Checkpoint
from .history import History
from .metrics import Metric
from .trainer import Trainer, fit

__all__ = ["fit", "Trainer", "History", "Checkpoint", "Metric", "Callback", "LambdaCallback",
           "CSVLogger", "EarlyStopping", "EpochSummary", "LRSchedulerCallback", "ModelCheckpoint",
           "ProgressBar", "TerminateOnNaN", "Regularizer", "MaxNorm", "ProximalL1"]
