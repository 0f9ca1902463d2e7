"""`Callback`: the hooks `fit` calls, shaped like Keras's, and `LambdaCallback`.

Order of the hooks in one run of ``fit`` (``logs`` is a dict of plain floats)::

    on_train_begin(logs)
      on_epoch_begin(epoch, logs)
        on_batch_begin(batch, logs)          before the forward pass
        penalty()                            a term added to the loss (regularizers)
        on_after_backward(batch, logs)       gradients computed, the step not yet taken
        on_batch_end(batch, logs)            after optimizer.step()
      on_epoch_end(epoch, logs)              after validation; logs hold loss, val_loss, …
    on_train_end(logs)

``epoch`` and ``batch`` count from 0 (``batch`` within the epoch).  Batch logs hold the
batch's ``loss`` (the data loss), ``size`` and each regularizer's penalty; epoch logs the
epoch means (``loss``, metrics, ``lr``) and the validation values (``val_loss``, …).

A callback reaches the run through ``self.trainer`` (``self.model`` is ``trainer.model``):
``self.trainer.stop_training = True`` ends training after the current batch (or, from
``on_after_backward``, before its step is taken); ``trainer.optimizer``,
``trainer.global_step``, ``trainer.history`` are there too.

Loggers and other extensions subclass `Callback` and override the hooks they need;
``state_dict()`` / ``load_state_dict()`` carry a callback's own state (counters, best
values, a scheduler) through checkpoints, so a resumed run continues exactly.
"""
from __future__ import annotations

__all__ = ["Callback", "CallbackList", "LambdaCallback"]

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_batch_begin",
          "on_after_backward", "on_batch_end")


class Callback:
    """Base class: every hook does nothing until overridden."""

    trainer = None
    model = None

    def set_trainer(self, trainer) -> None:
        self.trainer = trainer
        self.model = trainer.model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_after_backward(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def penalty(self):
        """A differentiable scalar tensor added to the training loss before ``backward``
        (None: nothing).  Its value is logged under ``self.name``."""
        return None

    def state_dict(self) -> dict:
        """The callback's state for checkpoints (plain numbers, strings, lists, dicts,
        arrays); empty when it has none."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


def _overrides(cb, hook: str) -> bool:
    return getattr(type(cb), hook, None) is not getattr(Callback, hook)


class CallbackList:
    """Calls a hook on every callback, in order; only callbacks that override a hook are
    called for it (the per-batch cost of unused hooks is nothing)."""

    def __init__(self, callbacks, trainer):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_trainer(trainer)
        self._by_hook = {h: [getattr(cb, h) for cb in self.callbacks if _overrides(cb, h)]
                         for h in _HOOKS}
        self.penalizers = [cb for cb in self.callbacks if _overrides(cb, "penalty")]

    def on_train_begin(self, logs):
        for fn in self._by_hook["on_train_begin"]:
            fn(logs)

    def on_train_end(self, logs):
        for fn in self._by_hook["on_train_end"]:
            fn(logs)

    def on_epoch_begin(self, epoch, logs):
        for fn in self._by_hook["on_epoch_begin"]:
            fn(epoch, logs)

    def on_epoch_end(self, epoch, logs):
        for fn in self._by_hook["on_epoch_end"]:
            fn(epoch, logs)

    def on_batch_begin(self, batch, logs):
        for fn in self._by_hook["on_batch_begin"]:
            fn(batch, logs)

    def on_after_backward(self, batch, logs):
        for fn in self._by_hook["on_after_backward"]:
            fn(batch, logs)

    def on_batch_end(self, batch, logs):
        for fn in self._by_hook["on_batch_end"]:
            fn(batch, logs)


class LambdaCallback(Callback):
    """A callback from plain functions (Keras's ``LambdaCallback``, plus
    ``on_after_backward``): ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
    ``on_batch_begin(batch, logs)``, ``on_after_backward(batch, logs)``,
    ``on_batch_end(batch, logs)``, ``on_train_begin(logs)``, ``on_train_end(logs)``.
    The simplest logger hook: ``LambdaCallback(on_epoch_end=lambda e, logs: db.write(e, logs))``.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None,
                 on_after_backward=None):
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_after_backward=on_after_backward)
        for name, fn in given.items():
            if fn is not None and not callable(fn):
                raise TypeError(f"LambdaCallback: {name} must be callable or None, got "
                                f"{type(fn).__name__}")
        self._fns = given

    def on_train_begin(self, logs=None):
        if self._fns["on_train_begin"]:
            self._fns["on_train_begin"](logs)

    def on_train_end(self, logs=None):
        if self._fns["on_train_end"]:
            self._fns["on_train_end"](logs)

    def on_epoch_begin(self, epoch, logs=None):
        if self._fns["on_epoch_begin"]:
            self._fns["on_epoch_begin"](epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._fns["on_epoch_end"]:
            self._fns["on_epoch_end"](epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        if self._fns["on_batch_begin"]:
            self._fns["on_batch_begin"](batch, logs)

    def on_after_backward(self, batch, logs=None):
        if self._fns["on_after_backward"]:
            self._fns["on_after_backward"](batch, logs)

    def on_batch_end(self, batch, logs=None):
        if self._fns["on_batch_end"]:
            self._fns["on_batch_end"](batch, logs)
