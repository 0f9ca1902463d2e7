"""`LRSchedulerCallback`: step a ``tidu.optim.lr_scheduler`` scheduler from `fit`."""
from __future__ import annotations

from .base import Callback
from .monitor import monitored_value

__all__ = ["LRSchedulerCallback"]


class LRSchedulerCallback(Callback):
    """``LRSchedulerCallback(scheduler, interval="epoch", monitor="val_loss")``: call
    ``scheduler.step()`` after every epoch (``interval="epoch"``, after validation) or after
    every optimizer step (``"batch"`` — for OneCycleLR, warmup_cosine and other per-step
    schedules).  A ``ReduceLROnPlateau`` gets the monitored value: ``scheduler.step(
    logs[monitor])`` (per batch, ``monitor`` must be ``"loss"``, the batch loss).
    The scheduler's state travels in checkpoints.  The epoch's ``lr`` is logged by `fit`.
    """

    def __init__(self, scheduler, interval: str = "epoch", monitor: str = "val_loss"):
        if not (hasattr(scheduler, "step") and hasattr(scheduler, "state_dict")
                and hasattr(scheduler, "optimizer")):
            raise TypeError(f"LRSchedulerCallback: expected a tidu.optim.lr_scheduler scheduler, "
                            f"got {type(scheduler).__name__}")
        if interval not in ("epoch", "batch"):
            raise ValueError(f"LRSchedulerCallback: interval must be 'epoch' or 'batch', got "
                             f"interval={interval!r}")
        from ...optim.lr_scheduler import ReduceLROnPlateau
        self.scheduler = scheduler
        self.interval = interval
        self.monitor = monitor
        self._plateau = isinstance(scheduler, ReduceLROnPlateau)
        if self._plateau and interval == "batch" and monitor != "loss":
            raise ValueError(f"LRSchedulerCallback: a per-batch ReduceLROnPlateau can only "
                             f"monitor the batch 'loss', got monitor={monitor!r}")

    def on_train_begin(self, logs=None):
        if self.scheduler.optimizer is not self.trainer.optimizer:
            raise ValueError("LRSchedulerCallback: the scheduler was built on another "
                             "optimizer than the one fit trains with")
        if self._plateau and self.interval == "epoch" and self.monitor.startswith("val_") \
                and self.trainer.val_loader is None:
            raise ValueError(f"LRSchedulerCallback: monitor={self.monitor!r} needs val_data")

    def _step(self, logs):
        if self._plateau:
            self.scheduler.step(monitored_value("LRSchedulerCallback", self.monitor, logs))
        else:
            self.scheduler.step()

    def on_batch_end(self, batch, logs=None):
        if self.interval == "batch":
            self._step(logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.interval == "epoch":
            self._step(logs)

    def state_dict(self) -> dict:
        return {"scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.scheduler.load_state_dict(state["scheduler"])
