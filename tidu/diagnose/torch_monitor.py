"""How `GradientMonitor` reads a PyTorch model (a ``torch.nn.Module`` trained in the
user's own loop).  The monitor imports this module — and with it torch — only when it is
given such a model; its use is the same as for a tidu model::

    with GradientMonitor(torch_model) as mon:
        for x, y in batches:
            loss = loss_fn(torch_model(x), y)
            opt.zero_grad(); loss.backward()
            mon.record(loss)
            opt.step()
            mon.record_update()
    print(diagnose(mon))

The layers are found as for tidu (modules with trainable parameters of their own, in module
order; the activation is the output of the ``torch.nn`` ``Sigmoid``, ``Tanh``, ``ReLU``,
``LeakyReLU``, ``PReLU``, ``RReLU`` or ``ELU`` that follows a layer in its parent
container).  Activations are captured by ``register_forward_hook`` (only forward passes
run under ``torch.is_grad_enabled()``), the gradients that reach each parameter by
``Tensor.register_hook`` (which torch calls before ``.grad`` accumulates them, for the
``stale`` statistic); weights, gradients and activations are read as float64 NumPy arrays
(``.detach()`` to the CPU: a copy unless the tensor is already a float64 CPU tensor).

Differences from a tidu model: the forward is not run again to find where values first
turned non-finite (``nonfinite_origin`` names the first watched layer with a non-finite
activation or gradient instead), and ``has_residual`` is always False (torch has no
residual module to recognise).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .monitor import recurrent_activation

__all__ = ["TorchBackend"]

_ACTIVATION_KIND = ((torch.nn.Sigmoid, "sigmoid"), (torch.nn.Tanh, "tanh"),
                    (torch.nn.ReLU, "relu"), (torch.nn.LeakyReLU, "leaky_relu"),
                    (torch.nn.PReLU, "leaky_relu"), (torch.nn.RReLU, "leaky_relu"),
                    (torch.nn.ELU, "elu"))


def _to_numpy(t: torch.Tensor) -> np.ndarray:
    """``t`` as a float64 NumPy array (sharing memory with a float64 CPU tensor)."""
    return t.detach().to(device="cpu", dtype=torch.float64).numpy()


class TorchBackend:
    """The monitor's view of a ``torch.nn.Module``: the same methods as tidu's backend
    (`tidu.diagnose.monitor._TiduBackend`)."""

    name = "torch"
    reruns_forward = False  # tidu's locate_nonfinite runs tidu modules only

    @staticmethod
    def activation_kind(module) -> str | None:
        for cls, kind in _ACTIVATION_KIND:
            if isinstance(module, cls):
                return kind
        return recurrent_activation(module)

    is_grad_enabled = staticmethod(torch.is_grad_enabled)

    @staticmethod
    def is_tensor(value) -> bool:
        return isinstance(value, torch.Tensor)

    @staticmethod
    def array(t) -> np.ndarray:
        return _to_numpy(t)

    @staticmethod
    def grad(p) -> np.ndarray | None:
        return None if p.grad is None else _to_numpy(p.grad)

    @staticmethod
    def scalar(value) -> float:
        if isinstance(value, torch.Tensor):
            return float(value.detach().reshape(-1)[0]) if value.numel() else math.nan
        return float(value)

    @staticmethod
    def structure(modules: list) -> dict:
        return {"has_batchnorm": any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                                     for m in modules),
                "has_residual": False,
                "has_recurrent": any(isinstance(m, torch.nn.RNNBase) for m in modules)}

    @staticmethod
    def watch(module, on_output):
        """Call ``on_output(output)`` after each call of ``module`` (a forward hook);
        returns the function that removes the hook."""
        handle = module.register_forward_hook(lambda mod, args, out: on_output(out))
        return handle.remove

    @staticmethod
    def grad_hook(p, on_grad):
        """Call ``on_grad(array)`` with each gradient reaching ``p`` (torch runs a leaf's
        hooks before ``p.grad`` accumulates); returns the removable handle."""
        def hook(g):
            on_grad(_to_numpy(g))
        return p.register_hook(hook)
