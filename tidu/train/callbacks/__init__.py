"""Callbacks for `tidu.train.fit` (Keras-shaped hooks; see `Callback`)."""
from .base import Callback, CallbackList, LambdaCallback
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .lr_scheduler import LRSchedulerCallback
from .model_checkpoint import ModelCheckpoint
from .progress import EpochSummary, ProgressBar
from .regularization import MaxNorm, ProximalL1, Regularizer
from .terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "LambdaCallback", "CSVLogger", "EarlyStopping",
           "LRSchedulerCallback", "ModelCheckpoint", "ProgressBar", "EpochSummary",
           "TerminateOnNaN", "Regularizer", "MaxNorm", "ProximalL1"]
