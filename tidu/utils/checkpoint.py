"""Activation checkpointing, as ``torch.utils.checkpoint``: `checkpoint` and
`checkpoint_sequential`.

PyTorch frees a checkpointed region's activations after the forward pass and recomputes them
during backward, trading compute for memory.  **tidu does not save that memory**: it runs the
region once, keeping its activations as any other forward pass does.  Values and gradients are
those of the plain call (PyTorch's recomputation replays the RNG state, so it gives them too),
and PyTorch's argument rules are kept: ``use_reentrant`` left as None warns and means True,
and in the reentrant variant keyword arguments are refused and the output carries no gradient
when no input tensor requires one (PyTorch warns "Gradients will be None" and so does tidu).
The reentrant variant's refusal of ``torch.autograd.grad`` is not reproduced.
"""
from __future__ import annotations

import contextlib
import warnings

from ..tensor import Tensor, no_grad

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn"]


def noop_context_fn():
    """The default ``context_fn``: no context for the forward pass nor the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _reentrant(use_reentrant, owner: str) -> bool:
    if use_reentrant is None:
        warnings.warn(f"{owner}: the use_reentrant parameter should be passed explicitly "
                      f"(as PyTorch asks). use_reentrant=False is recommended; None means True, "
                      f"the current default.", stacklevel=3)
        return True
    return bool(use_reentrant)


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True,
               **kwargs):
    """``function(*args, **kwargs)``, as ``torch.utils.checkpoint.checkpoint`` computes it
    (same value, same gradients; tidu keeps the activations instead of recomputing them).

    ``use_reentrant`` (default None: warns, then True, as PyTorch); ``preserve_rng_state``
    (default True) is accepted among ``kwargs``.  Reentrant: other keyword arguments, or
    ``context_fn`` / ``debug``, raise ValueError; with no input tensor requiring a gradient
    the function runs without recording a graph (PyTorch's "Gradients will be None")."""
    reentrant = _reentrant(use_reentrant, "torch.utils.checkpoint")
    kwargs.pop("preserve_rng_state", True)
    if not reentrant:
        with context_fn()[0]:
            return function(*args, **kwargs)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if context_fn is not noop_context_fn or debug is not False:
        raise ValueError("Passing `context_fn` or `debug` is only supported when "
                         "use_reentrant=False.")
    if not any(a.requires_grad for a in args if isinstance(a, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)
        with no_grad():
            return function(*args)
    return function(*args)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Run ``functions`` (an ``nn.Sequential`` or a list of callables) in order on ``input``,
    as ``torch.utils.checkpoint.checkpoint_sequential``: PyTorch checkpoints ``segments``
    chunks of it; tidu computes the same value and gradients without the memory saving.
    ``use_reentrant`` as in `checkpoint`; keyword arguments other than ``preserve_rng_state``
    raise ValueError."""
    reentrant = _reentrant(use_reentrant, "torch.utils.checkpoint.checkpoint_sequential")
    kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children") and callable(functions.children):
        functions = list(functions.children())
    functions = list(functions)
    size = len(functions) // segments
    cut = size * (segments - 1)  # the chunks PyTorch checkpoints, then the plain last one

    def run(chunk):
        def forward(x):
            for f in chunk:
                x = f(x)
            return x
        return forward

    for start in range(0, cut, size):
        input = checkpoint(run(functions[start:start + size]), input, use_reentrant=reentrant)
    return run(functions[cut:])(input)
