"""Errors tidu raises: one type per kind of mistake, each message naming the layer or op,
what was expected and what was received."""


class TiduError(Exception):
    """Base class of tidu's own errors."""


class ShapeError(TiduError, ValueError):
    """An input's shape does not fit the layer, op or loss it is given to."""


class DTypeError(TiduError, TypeError):
    """An input has the wrong dtype (e.g. float targets where class indices are needed)."""


class IndexRangeError(TiduError, IndexError):
    """An index or class label lies outside the valid range (embedding rows, class labels)."""


class GraphError(TiduError, RuntimeError):
    """Misuse of the autograd graph (backward twice through a freed graph, …)."""


class StateDictError(TiduError, KeyError):
    """A state_dict does not match the model: missing, unexpected or mis-shaped keys."""

    def __str__(self):  # KeyError quotes its message; show it plainly instead
        return str(self.args[0]) if self.args else ""


class SerializationError(TiduError, ValueError):
    """A file cannot be saved or loaded: a value with no pickle-free form, a pickled or
    malformed file."""


def shape_str(shape):
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


class DeviceError(TiduError, RuntimeError):
    """A device that is not available here, or operands on different devices (cpu vs cuda)."""


class DimError(TiduError, IndexError, ValueError):
    """A dim/axis argument outside a tensor's range (PyTorch raises IndexError, NumPy's
    AxisError is both an IndexError and a ValueError: this is too)."""


class ArgumentError(TiduError, ValueError):
    """A constructor or function argument of the wrong type or outside its valid range
    (``Linear(-1, 5)``, ``Conv2d(3, 0, 3)``, ``nn.Sequential(nn.ReLU)``)."""


class HyperParameterError(ArgumentError):
    """A hyper-parameter (learning rate, momentum, penalty, …) that is negative, NaN, infinite
    or otherwise outside its valid range."""


class AnomalyError(TiduError, RuntimeError):
    """Anomaly mode (`tidu.autograd.detect_anomaly`) found a NaN/inf: ``op`` names the op
    (its forward function, e.g. ``"log"``), ``phase`` is ``"forward"`` or ``"backward"``,
    ``inputs`` the op's input shapes and dtypes, ``site`` where the op was created."""

    def __init__(self, message, op=None, phase=None, inputs=None, site=None):
        super().__init__(message)
        self.op, self.phase, self.inputs, self.site = op, phase, inputs, site
