"""Parameters as one flat vector and back, as ``torch.nn.utils.parameters_to_vector`` /
``vector_to_parameters`` (second-order methods, evolution strategies, weight averaging)."""
from __future__ import annotations

import numpy as np

from ...backend import device_of
from ...errors import ShapeError
from ...ops.shape import concatenate
from ...tensor import Tensor


def _parameters(parameters, owner: str) -> list:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    device = None
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner}: expected tidu tensors (e.g. model.parameters()), got "
                            f"{type(p).__name__} at position {i}")
        here = device_of(p._data)
        if device is not None and here != device:
            raise TypeError(f"{owner}: found parameters on two devices ({device} and {here}); "
                            f"all must be on one, as in PyTorch")
        device = here
    return params


def parameters_to_vector(parameters) -> Tensor:
    """The parameters flattened (row-major) and concatenated, in the order given, into one 1-D
    tensor of numel = Σ p.numel().  Built with tidu's ``cat`` of ``reshape(-1)``, so it is part
    of the graph: a loss on the vector sends gradients back to the parameters (as PyTorch's).
    The result is a new array (NumPy cannot view several arrays as one), as PyTorch's ``cat``
    is a copy too."""
    params = _parameters(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return concatenate([p.reshape(-1) for p in params])


def vector_to_parameters(vec, parameters) -> None:
    """Write consecutive slices of the 1-D tensor ``vec`` into the parameters, in the order
    given, each reshaped to its parameter's shape — the inverse of `parameters_to_vector`.
    Outside autograd (as PyTorch's ``param.data = …``), and each parameter stays the same
    object, so models and optimizers holding it see the new values.

    Where tidu differs: PyTorch makes each parameter a *view* into ``vec`` (later writes to
    ``vec`` show in the parameters, and a parameter takes ``vec``'s dtype); tidu copies the
    values into each parameter's own array, cast to the parameter's dtype, so the optimizer's
    state and the parameter's dtype are kept.  tidu refuses a ``vec`` whose length is not
    Σ p.numel() (PyTorch ignores extra trailing values)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a tidu Tensor for vec, got "
                        f"{type(vec).__name__}")
    params = _parameters(parameters, "vector_to_parameters")
    if vec.ndim != 1:
        raise ShapeError(f"vector_to_parameters: vec must be 1-D, got shape {tuple(vec.shape)}")
    sizes = [p._data.size for p in params]
    if vec.shape[0] != sum(sizes):
        raise ShapeError(f"vector_to_parameters: vec has {vec.shape[0]} values, the parameters "
                         f"{sum(sizes)} ({' + '.join(map(str, sizes)) or '0'})")
    flat = vec._data
    bounds = np.cumsum([0, *sizes])
    for p, start, stop in zip(params, bounds[:-1], bounds[1:]):
        p._data[...] = flat[start:stop].reshape(p._data.shape)
