"""`fit` and `Trainer`: the training loop, with callbacks, metrics, validation and resume.

One step on a batch (x, y)::

    out = model(x);  loss = loss_fn(out, y) + Σ callback penalties
    optimizer.zero_grad();  loss.backward();  [on_after_backward];  optimizer.step()

Batch GD, mini-batch GD and SGD are the same loop fed different batches:
``batch_size=None`` is the whole training set as one batch, ``1`` one sample per step.
After the epoch's batches, the model is evaluated on ``val_data`` in eval mode under
``no_grad`` (dropout off, BatchNorm on its running statistics), then put back in train mode.

Logged per epoch (``History``): ``loss`` — the mean of the batch losses weighted by batch
size, as Keras; each regularizer's penalty under its own name (``l2_penalty``, …), kept out
of ``loss`` so that ``loss`` and ``val_loss`` measure the same thing (Keras adds the
regularization terms into both); ``lr`` — group 0's learning rate when the epoch's batches
are done (before an epoch-end callback steps a per-epoch scheduler: the rate the epoch ran at);
metrics over the epoch's training outputs; and ``val_loss`` / ``val_<metric>``.
"""
from __future__ import annotations

import math

import numpy as np

from ..backend import device_of, to_device, to_numpy
from .. import random as _random
from ..data.loader import ArrayDataset, DataLoader
from ..errors import SerializationError, StateDictError
from ..nn.modules.module import Module
from ..tensor import Tensor, no_grad
from .callbacks.base import Callback, CallbackList
from .callbacks.progress import EpochSummary, ProgressBar
from .checkpoint import as_checkpoint, check_state, get_rng_states, set_rng_states
from .history import History
from .metrics import resolve_metrics

__all__ = ["Trainer", "fit"]

CHECKPOINT_FORMAT = "tidu.train.checkpoint"
CHECKPOINT_VERSION = 1


def _check_batch_size(batch_size, owner: str):
    if batch_size is None:
        return None
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(f"{owner}: batch_size must be a positive int, or None for the full "
                         f"batch, got batch_size={batch_size!r}")
    return int(batch_size)


def _check_epochs(epochs) -> int:
    if isinstance(epochs, (bool, np.bool_)) or not isinstance(epochs, (int, np.integer)) \
            or epochs < 0:
        raise ValueError(f"fit: epochs must be an int ≥ 0, got epochs={epochs!r}")
    return int(epochs)


class Trainer:
    """The training loop as an object: ``Trainer(model, loss_fn, optimizer, metrics=[],
    callbacks=[], checkpoint=None, verbose="auto")``, then ``trainer.fit(train_data, …)``
    (returns a `History`), ``trainer.evaluate(data)`` and ``trainer.predict(X)``.

    ``loss_fn(outputs, targets)`` returns a scalar tensor (a loss module such as
    ``nn.CrossEntropyLoss()`` or a function such as ``F.mse_loss``).  ``verbose``: 0 silent,
    1 a progress bar per epoch (tqdm; silent when stdout is not a terminal), 2 one line per
    epoch; ``"auto"`` is 1.  During ``fit`` the trainer exposes ``stop_training`` (set it to
    end training), ``stop_reason``, ``epoch``, ``global_step``, ``history``, ``params``.
    """

    def __init__(self, model, loss_fn, optimizer, *, metrics=(), callbacks=(), checkpoint=None,
                 verbose="auto"):
        if not isinstance(model, Module):
            raise TypeError(f"Trainer: model must be a tidu.nn.Module, got {type(model).__name__}")
        if not callable(loss_fn):
            raise TypeError(f"Trainer: loss_fn must be callable (outputs, targets) -> scalar "
                            f"tensor, got {type(loss_fn).__name__}")
        for attr in ("step", "zero_grad", "state_dict", "load_state_dict", "param_groups"):
            if not hasattr(optimizer, attr):
                raise TypeError(f"Trainer: optimizer must be a tidu.optim optimizer, got "
                                f"{type(optimizer).__name__}")
        if verbose not in ("auto", 0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f"Trainer: verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]
        callbacks = list(callbacks or ())
        for i, cb in enumerate(callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(f"Trainer: callbacks[{i}] must be a tidu.train.Callback, got "
                                f"{type(cb).__name__}")
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.metrics = resolve_metrics(metrics or ())
        self.callbacks = callbacks
        self.checkpoint = as_checkpoint(checkpoint)
        self.verbose = verbose
        self.history = History()
        self.stop_training = False
        self.stop_reason = None
        self.params: dict = {}
        self.epoch = 0
        self.batches_done = 0
        self.global_step = 0
        self.train_loader = None
        self.val_loader = None
        self._epoch_finished = False
        self._callback_list = None
        self._penalty_names: list = []
        self._reset_accumulators()

    # ------------------------------------------------------------------ data
    def _loader(self, data, batch_size, shuffle: bool, name: str) -> DataLoader:
        if isinstance(data, DataLoader):
            return data
        if isinstance(data, ArrayDataset) or (isinstance(data, (tuple, list)) and len(data) == 2):
            # an unshuffled loader gets a fixed seed so that it draws nothing from tidu's
            # global generator (adding val_data must not change the dropout masks)
            return DataLoader(data, batch_size=batch_size, shuffle=shuffle,
                              seed=None if shuffle else 0)
        raise TypeError(f"fit: {name} must be (X, y) arrays or a tidu.data.DataLoader, got "
                        f"{type(data).__name__}" +
                        (f" of {len(data)} items" if isinstance(data, (tuple, list)) else ""))

    @property
    def _device(self) -> str:
        first = next(iter(self.model.parameters()), None)
        return "cpu" if first is None else device_of(first._data)

    def _unpack(self, batch):
        """(inputs, targets) of a batch, on the model's device (batches come from the host)."""
        if len(batch) != 2:
            raise ValueError(f"fit: every batch must be (inputs, targets), got a batch of "
                             f"{len(batch)} arrays")
        device = self._device
        return tuple(t if device_of(t._data) == device else Tensor._wrap(to_device(t._data, device))
                     for t in batch)

    def _loss(self, out, y) -> Tensor:
        loss = self.loss_fn(out, y)
        if not isinstance(loss, Tensor) or loss._data.size != 1:
            what = (f"a tensor of shape {loss.shape}" if isinstance(loss, Tensor)
                    else type(loss).__name__)
            raise TypeError(f"fit: loss_fn must return a scalar tensor, got {what}")
        return loss

    # ------------------------------------------------------------------ accumulators
    def _reset_accumulators(self) -> None:
        self._loss_sum = 0.0
        self._count = 0
        self._penalty_sums: dict[str, float] = {}
        self._outputs: list = []
        self._targets: list = []

    def _accumulate(self, logs: dict, out: Tensor, y: Tensor) -> None:
        n = logs["size"]
        self._loss_sum += logs["loss"] * n
        self._count += n
        for name in self._penalty_names:
            self._penalty_sums[name] = self._penalty_sums.get(name, 0.0) + logs[name] * n
        if self.metrics:
            self._outputs.append(np.array(to_numpy(out._data)))
            self._targets.append(to_numpy(y._data))

    def _metric_logs(self, outputs: list, targets: list, prefix: str = "") -> dict:
        if not self.metrics or not outputs:
            return {}
        out, y = np.concatenate(outputs), np.concatenate(targets)
        return {prefix + m.name: m(y, out) for m in self.metrics}

    def _epoch_logs(self) -> dict:
        logs = {"loss": self._loss_sum / self._count if self._count else math.nan}
        for name, total in self._penalty_sums.items():
            logs[name] = total / self._count
        logs.update(self._metric_logs(self._outputs, self._targets))
        logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
        return logs

    # ------------------------------------------------------------------ one step
    def _train_step(self, index: int, batch, cbs: CallbackList) -> bool:
        x, y = self._unpack(batch)
        logs = {"size": int(x.shape[0])}
        cbs.on_batch_begin(index, logs)
        out = self.model(x)
        loss = self._loss(out, y)
        logs["loss"] = loss.item()
        total = loss
        for cb in cbs.penalizers:
            term = cb.penalty()
            if term is not None:
                total = total + term
                logs[cb.name] = term.item()
        self.optimizer.zero_grad()
        total.backward()
        cbs.on_after_backward(index, logs)
        self._accumulate(logs, out, y)
        if self.stop_training:  # stopped before the step (e.g. TerminateOnNaN)
            return False
        self.optimizer.step()
        self.global_step += 1
        self.batches_done = index + 1
        cbs.on_batch_end(index, logs)
        return True

    # ------------------------------------------------------------------ fit
    def fit(self, train_data, val_data=None, epochs: int = 1, batch_size: int | None = 32,
            shuffle: bool = True, seed: int | None = None, resume: bool = False) -> History:
        """Train for ``epochs`` epochs; returns the `History`.

        ``train_data``/``val_data``: ``(X, y)`` arrays (batched here with ``batch_size`` —
        None the full batch, 1 stochastic — and, for training, reshuffled every epoch when
        ``shuffle``) or a `tidu.data.DataLoader` (used as it is: its own batch size and
        shuffling).  ``seed``: if given, ``tidu.manual_seed(seed)`` is called first, which
        fixes the shuffling and the dropout masks of the run (the model's initial weights
        are the caller's).  ``resume=True`` continues from the trainer's checkpoint if its
        file exists (see `Checkpoint`).
        """
        epochs = _check_epochs(epochs)
        batch_size = _check_batch_size(batch_size, "fit")
        if resume and self.checkpoint is None:
            raise ValueError("fit: resume=True needs a checkpoint (fit(..., checkpoint=path))")
        if seed is not None:
            _random.manual_seed(seed)
        self.train_loader = self._loader(train_data, batch_size, bool(shuffle), "train_data")
        self.val_loader = (None if val_data is None else
                           self._loader(val_data, batch_size, False, "val_data"))
        n_batches = len(self.train_loader)
        self.history = History()
        self.history.params = self.params = {
            "epochs": epochs, "steps": n_batches, "batch_size": self.train_loader.batch_size,
            "samples": self.train_loader.n_samples, "validation": self.val_loader is not None}
        self.stop_training, self.stop_reason = False, None
        self.epoch, self.batches_done, self.global_step = 0, 0, 0
        self._epoch_finished = False
        self._reset_accumulators()

        cbs = CallbackList(self.callbacks + self._display_callbacks(), self)
        self._callback_list = cbs
        self._penalty_names = [cb.name for cb in cbs.penalizers]
        taken = ["loss", "size", "lr"] + [m.name for m in self.metrics]
        for i, name in enumerate(self._penalty_names):
            if name in taken or name in self._penalty_names[:i] or name.startswith("val_"):
                raise ValueError(f"fit: two logged values would be named {name!r}; give each "
                                 f"regularizer its own name=")
        cbs.on_train_begin({})
        start_epoch, start_batch = 0, 0
        if resume:
            state = self.checkpoint.load()
            if state is not None:
                start_epoch, start_batch = self._restore(state, epochs)

        logs: dict = {}
        epoch = start_epoch
        while epoch < epochs and not self.stop_training:
            self.epoch, self._epoch_finished = epoch, False
            self.model.train()
            if start_batch == 0:
                self._reset_accumulators()
                self.batches_done = 0
            cbs.on_epoch_begin(epoch, {"initial_batch": start_batch} if start_batch else {})
            if start_batch < n_batches:
                for index, batch in enumerate(self.train_loader, start=start_batch):
                    if not self._train_step(index, batch, cbs) or self.stop_training:
                        break
                    if self.checkpoint is not None and self.checkpoint.step_due(self.global_step):
                        self.checkpoint.save(self.state_dict())
            start_batch = 0
            logs = self._epoch_logs()
            if self.val_loader is not None:
                logs.update({"val_" + k: v for k, v in self._evaluate(self.val_loader).items()})
            cbs.on_epoch_end(epoch, logs)
            self.history.append(epoch, logs)
            self._epoch_finished = True
            if self.checkpoint is not None and self.checkpoint.epoch_due(epoch):
                self.checkpoint.save(self.state_dict())
            epoch += 1
        self.history.stop_reason = self.stop_reason
        cbs.on_train_end(logs)
        if self.checkpoint is not None and self.checkpoint.save_on_train_end:
            self.checkpoint.save(self.state_dict())
        return self.history

    def _display_callbacks(self) -> list:
        if any(isinstance(cb, (ProgressBar, EpochSummary)) for cb in self.callbacks):
            return []
        if self.verbose in ("auto", 1):
            return [ProgressBar()]
        if self.verbose == 2:
            return [EpochSummary()]
        return []

    # ------------------------------------------------------------------ evaluation
    def _evaluate(self, loader: DataLoader) -> dict:
        was_training = self.model.training
        self.model.eval()
        total, count, outputs, targets = 0.0, 0, [], []
        try:
            with no_grad():
                for batch in loader:
                    x, y = self._unpack(batch)
                    out = self.model(x)
                    n = int(x.shape[0])
                    total += self._loss(out, y).item() * n
                    count += n
                    if self.metrics:
                        outputs.append(to_numpy(out._data))
                        targets.append(to_numpy(y._data))
        finally:
            self.model.train(was_training)
        logs = {"loss": total / count}
        logs.update(self._metric_logs(outputs, targets))
        return logs

    def evaluate(self, data, batch_size: int | None = None) -> dict:
        """``{"loss": …, <metric>: …}`` on ``data`` ((X, y) or a DataLoader) in eval mode
        under no_grad; ``batch_size=None`` evaluates it as one batch."""
        batch_size = _check_batch_size(batch_size, "evaluate")
        return self._evaluate(self._loader(data, batch_size, False, "data"))

    def predict(self, X, batch_size: int | None = None) -> np.ndarray:
        """The model's outputs on ``X`` (an array or tensor) in eval mode under no_grad."""
        batch_size = _check_batch_size(batch_size, "predict")
        X = X._data if isinstance(X, Tensor) else X
        loader = DataLoader(X, batch_size=batch_size, shuffle=False, seed=0)
        was_training = self.model.training
        self.model.eval()
        try:
            with no_grad():
                outs = [self.model(x)._data for (x,) in loader]
        finally:
            self.model.train(was_training)
        return np.concatenate(outs)

    # ------------------------------------------------------------------ checkpoints
    def _callback_states(self) -> dict:
        states = {}
        for i, cb in enumerate(self.callbacks):
            state = cb.state_dict()
            if state:
                states[f"{i}:{type(cb).__name__}"] = state
        return states

    def state_dict(self) -> dict:
        """The whole training state (what `Checkpoint` saves); valid during ``fit``."""
        if self.train_loader is None:
            raise RuntimeError("Trainer.state_dict: the training state exists only during fit")
        accumulators = {"loss_sum": self._loss_sum, "count": self._count,
                        "penalty_sums": dict(self._penalty_sums),
                        "outputs": np.concatenate(self._outputs) if self._outputs else None,
                        "targets": np.concatenate(self._targets) if self._targets else None}
        return {
            "format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "callbacks": self._callback_states(),
            "train_loader": self.train_loader.state_dict(),
            "rng": get_rng_states(),
            "progress": {"epoch": self.epoch, "batches_done": self.batches_done,
                         "epoch_finished": self._epoch_finished,
                         "global_step": self.global_step, "epochs": self.params["epochs"],
                         "steps_per_epoch": self.params["steps"]},
            "accumulators": accumulators,
            "history": self.history.state_dict(),
            "stop_training": bool(self.stop_training), "stop_reason": self.stop_reason,
        }

    def _restore(self, state: dict, epochs: int) -> tuple:
        """Load a checkpoint taken by `state_dict`; returns (epoch, batch) to continue at."""
        where = self.checkpoint.path
        # a file without our format/version fields is a tampered or foreign file
        if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
            raise SerializationError(f"fit(resume=True): {where!r} is not a tidu.train "
                                     f"checkpoint (field 'format' is "
                                     f"{_field(state, 'format')}, expected "
                                     f"{CHECKPOINT_FORMAT!r})")
        if state.get("version") != CHECKPOINT_VERSION:
            raise SerializationError(f"fit(resume=True): {where!r} has checkpoint version "
                                     f"{_field(state, 'version')}, this tidu reads "
                                     f"{CHECKPOINT_VERSION}")
        check_state(state, where)  # every field present and well-typed before any is applied
        progress = state["progress"]
        if progress["steps_per_epoch"] != self.params["steps"]:
            raise StateDictError(f"fit(resume=True): the checkpoint was taken with "
                                 f"{progress['steps_per_epoch']} batches per epoch, this run has "
                                 f"{self.params['steps']} (different data or batch_size)")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        saved = dict(state["callbacks"])
        for i, cb in enumerate(self.callbacks):
            key = f"{i}:{type(cb).__name__}"
            if key in saved:
                cb.load_state_dict(saved.pop(key))
        if saved:
            raise StateDictError(f"fit(resume=True): the checkpoint holds state for callbacks "
                                 f"{sorted(saved)} that this run does not have at those "
                                 f"positions; pass the same callbacks in the same order")
        self.train_loader.load_state_dict(state["train_loader"])
        set_rng_states(state["rng"])
        self.history.load_state_dict(state["history"])
        acc = state["accumulators"]
        self._loss_sum, self._count = float(acc["loss_sum"]), int(acc["count"])
        self._penalty_sums = {k: float(v) for k, v in acc["penalty_sums"].items()}
        self._outputs = [] if acc["outputs"] is None else [acc["outputs"]]
        self._targets = [] if acc["targets"] is None else [acc["targets"]]
        self.stop_training = bool(state["stop_training"])
        self.stop_reason = state["stop_reason"]
        self.epoch = int(progress["epoch"])
        self.batches_done = int(progress["batches_done"])
        self.global_step = int(progress["global_step"])
        self._epoch_finished = bool(progress["epoch_finished"])
        if self._epoch_finished:
            return self.epoch + 1, 0
        return self.epoch, self.batches_done


def fit(model, loss_fn, optimizer, train_data, val_data=None, epochs: int = 1,
        batch_size: int | None = 32, callbacks=(), metrics=(), shuffle: bool = True,
        seed: int | None = None, verbose="auto", checkpoint=None, resume: bool = False) -> History:
    """Train ``model`` on ``train_data`` and return a Keras-like `History`
    (``history.history["loss"]``, ``["val_loss"]``, metric names; ``history.epoch``).

    ``fit(model, loss_fn, optimizer, (X, y), val_data=(Xv, yv), epochs=10, batch_size=32,
    callbacks=[EarlyStopping(patience=3)], metrics=["accuracy"])`` is
    ``Trainer(model, loss_fn, optimizer, metrics=…, callbacks=…, checkpoint=…,
    verbose=…).fit(train_data, val_data, epochs, batch_size, shuffle, seed, resume)``; see
    `Trainer.fit` for the arguments and `Checkpoint` for ``checkpoint`` / ``resume``.
    """
    trainer = Trainer(model, loss_fn, optimizer, metrics=metrics, callbacks=callbacks,
                      checkpoint=checkpoint, verbose=verbose)
    return trainer.fit(train_data, val_data, epochs=epochs, batch_size=batch_size,
                       shuffle=shuffle, seed=seed, resume=resume)


def _field(state, key: str) -> str:
    """A checkpoint field's value for a message, or 'missing'."""
    if not isinstance(state, dict) or key not in state:
        return "missing"
    return repr(state[key])[:80]
