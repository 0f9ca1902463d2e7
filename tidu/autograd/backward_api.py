"""``tidu.autograd.backward``: one backward pass from several roots at once."""
from __future__ import annotations

from ..errors import GraphError
from ..tensor import Tensor


def _as_list(values) -> list:
    if values is None:
        return []
    return [values] if isinstance(values, Tensor) else list(values)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """Accumulate Σᵢ (∂ tensorsᵢ/∂ leaf)ᵀ·grad_tensorsᵢ into every leaf's ``.grad`` (only
    into ``inputs``' when given), as torch.autograd.backward; one pass over the shared graph.

    ``grad_tensors`` (default None) pairs one gradient with each tensor; None entries are
    allowed for one-element tensors (taken as 1).  ``retain_graph`` defaults to
    ``create_graph`` (default False), as `Tensor.backward`.  RuntimeError (tidu's
    GraphError) when a tensor does not require grad or a non-scalar one has no gradient."""
    roots = _as_list(tensors)
    grads = _as_list(grad_tensors) or [None] * len(roots)
    if len(grads) != len(roots):
        raise GraphError(f"grad_tensors should have the same length as tensors "
                         f"({len(grads)} != {len(roots)})")
    if inputs is not None and not _as_list(inputs):
        raise GraphError("backward: 'inputs' argument to backward() cannot be empty.")
    total = None
    for i, (t, g) in enumerate(zip(roots, grads)):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise GraphError(f"element {i} of tensors does not require grad and does not have "
                             f"a grad_fn")
        if g is None:
            if t.numel() != 1:
                raise GraphError("grad can be implicitly created only for scalar outputs")
            term = t.sum()
        else:
            g = g if isinstance(g, Tensor) else Tensor(g, dtype=t.dtype, device=t.device)
            if tuple(g.shape) != tuple(t.shape):
                raise GraphError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                 f"{tuple(g.shape)} and output[{i}] has a shape of "
                                 f"{tuple(t.shape)}.")
            term = (t * g).sum()
        total = term if total is None else total + term
    if total is None:
        return
    total.backward(retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)
