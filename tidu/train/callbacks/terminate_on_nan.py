"""`TerminateOnNaN`: stop at the first non-finite loss or gradient, before the step, and say
where the values first turned non-finite.

The normal step pays one finiteness test per gradient (as before) and one forward pre-hook
on the model that keeps a reference to the batch and the RNG state.  Only when something is
non-finite is the batch's forward run again, with a hook on every module (`locate_nonfinite`,
shared with `GradientMonitor`), to find the first module whose output is non-finite from
finite inputs, and to read the order in which backward reaches the parameters.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from ...random import get_rng_state, set_rng_state
from ...tensor import Tensor, _topological_order, enable_grad
from .base import Callback

__all__ = ["TerminateOnNaN", "locate_nonfinite", "loss_name"]


def _finite(g: np.ndarray) -> bool:
    # one reduction first (cheap); a non-finite sum may be overflow, so confirm elementwise
    return math.isfinite(g.sum()) or bool(np.isfinite(g).all())


def _tensors(value):
    """The tensors in a (nested) output or argument tuple."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _tensors(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors(v)


def _all_finite(value) -> bool:
    """Whether every float tensor in ``value`` is free of NaN/±inf."""
    with np.errstate(over="ignore", invalid="ignore"):
        return all(t._data.dtype.kind != "f" or _finite(t._data) for t in _tensors(value))


def loss_name(loss_fn) -> str:
    """A loss function's name for a report: ``"MSELoss"``, ``"mse_loss"``, ``"my_loss"``."""
    if loss_fn is None:
        return "the loss"
    fn = getattr(loss_fn, "func", loss_fn)  # functools.partial
    if hasattr(fn, "_modules") or not hasattr(fn, "__name__"):
        return type(fn).__name__
    return fn.__name__


def _backward_order(model, out) -> list:
    """The model's parameter names in the order backward produces their gradients: a
    parameter's gradient comes from the backward functions of the ops that use it, so it
    ranks by the first of those ops that backward runs (`Tensor.backward` walks the nodes in
    this topological order) — the layer closest to the output first; ties keep model order,
    and parameters the graph does not reach come last."""
    position = {}
    step = 0
    for root in _tensors(out):
        if root.requires_grad:
            for node in _topological_order(root):
                step += 1
                for parent in node._parents:
                    if parent._backward is None and id(parent) not in position:
                        position[id(parent)] = step
    named = list(model.named_parameters())
    end = step + 1
    ranked = sorted(range(len(named)), key=lambda i: (position.get(id(named[i][1]), end), i))
    return [named[i][0] for i in ranked]


def _snapshot_buffers(model) -> list:
    return [(m, name, b._data.copy()) for m in model.modules()
            for name, b in m._buffers.items() if b is not None]


def _restore_buffers(saved) -> None:
    """Put back buffers a training-mode forward changed (BatchNorm's running statistics)."""
    for m, name, old in saved:
        cur = m._buffers.get(name)
        if cur is not None and cur.shape == old.shape and cur._data.dtype == old.dtype:
            cur._data[...] = old
        else:  # replaced, not updated in place: re-assign under the same key (same order)
            m._buffers[name] = Tensor._wrap(old)
            object.__setattr__(m, name, m._buffers[name])


def locate_nonfinite(model, args, rng_state=None) -> dict:
    """Run ``model(*args)`` again and find where its values first turn non-finite.

    Every module gets a forward hook for the run; the first module, in the order modules
    finish, whose output has a NaN/±inf while its inputs are finite is where the forward
    pass broke (a container is named only when the NaN arises in its own ``forward``, between
    its children).  The run is made as the original one: with gradients enabled (its graph
    gives the backward order), the RNG put back to ``rng_state`` (the same dropout masks);
    afterwards the RNG state and the buffers (BatchNorm statistics) are restored.

    Returns ``{"where": "input" | "forward" | None, "layer": module path, "module": type
    name, "note": extra words or "", "backward_order": parameter names, "output_finite":
    bool}``; ``where`` is None when the forward pass is finite throughout.
    """
    paths = {}
    for name, mod in model.named_modules():
        paths.setdefault(id(mod), name)
    found = []

    def check(mod, inputs, output):
        if not found and not _all_finite(output) and _all_finite(inputs):
            found.append(mod)

    result = {"where": None, "layer": None, "module": None, "note": "",
              "backward_order": [n for n, _ in model.named_parameters()], "output_finite": True}
    if not _all_finite(args):
        result.update(where="input", layer="input", module=None,
                      note="the batch given to the model already holds NaN/inf")
        return result
    handles = [m.register_forward_hook(check) for m in model.modules()]
    buffers = _snapshot_buffers(model)
    current_rng = get_rng_state()
    try:
        if rng_state is not None:
            set_rng_state(rng_state)
        with enable_grad(), np.errstate(all="ignore"):
            out = model(*args)
    finally:
        for handle in handles:
            handle.remove()
        set_rng_state(current_rng)
        _restore_buffers(buffers)
    result["output_finite"] = _all_finite(out)
    result["backward_order"] = _backward_order(model, out)
    if found:
        mod = found[0]
        path = paths.get(id(mod), "")
        bad = [f"{path + '.' if path else ''}{n}" for n, p in mod._parameters.items()
               if p is not None and not _all_finite(p)]
        note = (f"its parameter{'s' if len(bad) > 1 else ''} {', '.join(bad)} "
                f"{'are' if len(bad) > 1 else 'is'} non-finite" if bad else
                "from finite inputs")
        result.update(where="forward", layer=path or type(mod).__name__,
                      module=type(mod).__name__, note=note)
    return result


def _layer_of(parameter: str) -> str:
    return parameter.rsplit(".", 1)[0] if "." in parameter else ""


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss (or a regularizer's penalty) is NaN/±Inf
    or whose gradient has a NaN/±Inf element, and name where the values first turned
    non-finite.

    Checked after ``backward`` and before ``optimizer.step()``, and that step is not taken:
    the model keeps the last finite weights (Keras checks after the step, when the weights
    may already be NaN).  Then the batch's forward is run again (same dropout masks,
    BatchNorm statistics restored) with a check on every module's output.

    The report — ``self.report``, also ``trainer.stop_reason`` and ``history.stop_reason``,
    printed to stderr unless ``verbose=False`` — gives the global ``step``, ``epoch`` and
    ``batch`` (all from 0), the ``loss``, and where the problem first appeared:

    - ``where="forward"``: ``layer`` is the path of the first module, in execution order,
      whose output is non-finite although its input was finite (``module`` its type), e.g.
      a ``Linear`` whose output overflowed to inf;
    - ``where="input"``: the batch itself holds NaN/inf;
    - ``where="loss"`` (or ``"penalty"``): the model's output is finite but the loss
      (``layer`` names the loss function) or a regularizer's penalty is not, e.g. an
      overflow to inf;
    - ``where="backward"``: the forward pass is finite and a gradient is not; ``layer`` is
      the layer of ``parameter``.

    ``parameters`` lists the parameters whose gradient is non-finite in *backward order* —
    the order backward produced their gradients, the layer closest to the loss first — and
    ``parameter`` is the first of them (None when every gradient is finite).
    """

    def __init__(self, verbose: bool = True):
        self.verbose = verbose
        self.report = None
        self._handle = None
        self._inputs = None

    def on_train_begin(self, logs=None):
        self.report = None
        self._names = [(name, p) for name, p in self.model.named_parameters()]
        if self._handle is not None:
            self._handle.remove()
        # a reference to the batch and the RNG state, taken once per step: enough to run
        # the same forward again when something turns out non-finite
        self._handle = self.model.register_forward_pre_hook(self._keep_inputs)

    def _keep_inputs(self, module, args):
        if self._inputs is None:
            self._inputs = (args, get_rng_state())

    def on_batch_begin(self, batch, logs=None):
        self._inputs = None

    def on_train_end(self, logs=None):
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
        self._inputs = None

    def on_after_backward(self, batch, logs=None):
        logs = logs or {}
        bad_values = {k: v for k, v in logs.items()
                      if k != "size" and isinstance(v, float) and not math.isfinite(v)}
        with np.errstate(over="ignore", invalid="ignore"):
            bad_grads = [name for name, p in self._names
                         if p.grad is not None and not _finite(p.grad._data)]
        if not bad_values and not bad_grads:
            return
        self._stop(batch, logs, bad_values, bad_grads)

    def _origin(self, bad_values: dict, bad_grads: list) -> dict:
        """Where the values first turned non-finite (see the class docstring)."""
        origin = {"where": None, "layer": None, "module": None, "note": ""}
        located = None
        if self._inputs is not None:
            args, rng = self._inputs
            try:
                located = locate_nonfinite(self.model, args, rng)
            except Exception as exc:  # a diagnosis must not hide the original problem
                origin["note"] = f"the forward could not be run again ({exc!r})"
        if located is not None:
            rank = {name: i for i, name in enumerate(located["backward_order"])}
            bad_grads.sort(key=lambda n: rank.get(n, len(rank)))
            origin.update({k: located[k] for k in ("where", "layer", "module", "note")})
        if origin["where"] is not None:
            return origin
        if located is not None and located["output_finite"]:
            if "loss" in bad_values:
                origin.update(where="loss", layer=loss_name(self.trainer.loss_fn), module=None,
                              note="the model's output is finite")
                return origin
            penalties = [k for k in bad_values if k != "loss"]
            if penalties:
                origin.update(where="penalty", layer=penalties[0], module=None,
                              note="the model's output and the loss are finite")
                return origin
        if bad_grads and located is not None:
            layer = _layer_of(bad_grads[0])
            module = dict(self.model.named_modules()).get(layer)
            origin.update(where="backward", layer=layer or type(self.model).__name__,
                          module=type(module).__name__ if module is not None else None,
                          note="the forward pass and the loss are finite")
        return origin

    def _stop(self, batch, logs: dict, bad_values: dict, bad_grads: list) -> None:
        trainer = self.trainer
        origin = self._origin(bad_values, bad_grads)
        self.report = {"step": trainer.global_step, "epoch": trainer.epoch, "batch": batch,
                       "loss": logs.get("loss"), "where": origin["where"],
                       "layer": origin["layer"], "module": origin["module"],
                       "parameter": bad_grads[0] if bad_grads else None,
                       "parameters": bad_grads}
        message = (f"TerminateOnNaN: {_what(bad_values, bad_grads)} at global step "
                   f"{trainer.global_step} (epoch {trainer.epoch}, batch {batch}); "
                   f"{_where_words(origin, bad_grads)}; training stopped before this step")
        trainer.stop_training = True
        trainer.stop_reason = message
        if self.verbose:
            print(message, file=sys.stderr)


def _what(bad_values: dict, bad_grads: list) -> str:
    what = []
    if bad_values:
        what.append("non-finite " + ", ".join(f"{k}={v}" for k, v in bad_values.items()))
    if bad_grads:
        others = f" (of {len(bad_grads)}: {', '.join(bad_grads)})" if len(bad_grads) > 1 else ""
        what.append(f"non-finite gradient, first in backward order in parameter "
                    f"'{bad_grads[0]}'{others}")
    return "; ".join(what)


def _where_words(origin: dict, bad_grads: list) -> str:
    """One clause saying where the values first turned non-finite."""
    where, layer, module = origin["where"], origin["layer"], origin["module"]
    note = f" ({origin['note']})" if origin["note"] else ""
    if where == "forward":
        return (f"values first turned non-finite in the forward pass, in the output of layer "
                f"'{layer}' ({module}){note}")
    if where == "input":
        return f"the input batch holds NaN/inf{note}"
    if where == "loss":
        return f"values first turned non-finite in the loss ({layer}){note}"
    if where == "penalty":
        return f"values first turned non-finite in the penalty '{layer}'{note}"
    if where == "backward":
        return (f"values first turned non-finite in the backward pass, at the gradient of "
                f"'{bad_grads[0]}' (layer '{layer}', {module}: the parameter closest to the "
                f"loss whose gradient is non-finite){note}; run the step under "
                f"tidu.autograd.detect_anomaly() to name the op")
    return f"where they first turned non-finite is unknown{note}"
