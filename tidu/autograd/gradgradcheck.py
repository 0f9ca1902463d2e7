"""``gradgradcheck``: second derivatives checked against finite differences of the first."""
from __future__ import annotations

import numpy as np

from .. import random as _random
from ..autograd_function import gradcheck
from ..backend import like
from ..tensor import Tensor, enable_grad, grad


def _leaves(out) -> list:
    if isinstance(out, Tensor):
        return [out]
    return [o for o in out if isinstance(o, Tensor)]


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False, masked=None) -> bool:
    """Check second derivatives, as torch.autograd.gradcheck's sibling: the function

        (x, v) ↦ Σ_out (∂ out/∂ x)ᵀ·v     (backward with ``create_graph=True``)

    is passed to `gradcheck`, so its gradients — the double backward — are compared with
    central finite differences (same ``eps``, ``atol``, ``rtol``).  ``grad_outputs`` (v,
    default None: standard normal draws from tidu's generator, one per float output,
    requiring grad) are checked too.  Returns True, or raises `GradcheckError` (False when
    ``raise_exception=False``).  The other keywords are accepted for PyTorch's signature."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if grad_outputs is None:
        outs = _leaves(func(*inputs))
        grad_outputs = []
        for o in outs:
            if o.dtype.kind != "f" or not o.requires_grad:
                continue
            host = _random.generator().standard_normal(tuple(o.shape)).astype(o.dtype)
            v = Tensor._wrap(like(o._data, np.asarray(host)))
            v.requires_grad = True
            grad_outputs.append(v)
    else:
        grad_outputs = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs)
    n_inputs = len(inputs)

    def first_derivatives(*args):
        xs, vs = list(args[:n_inputs]), args[n_inputs:]
        for i in wrt:  # gradcheck's perturbed copies for finite differences need not track
            if not xs[i].requires_grad:
                xs[i] = Tensor._wrap(xs[i]._data)
                xs[i].requires_grad = True
        with enable_grad():
            outs = [o for o in _leaves(func(*xs)) if o.dtype.kind == "f" and o.requires_grad]
            grads = grad(outs, [xs[i] for i in wrt], list(vs), create_graph=True,
                         allow_unused=True)
        return tuple(g for g in grads if g is not None)

    if not wrt:
        raise ValueError("gradgradcheck expects at least one input tensor to require "
                         "gradient, but none of them have requires_grad=True")
    return gradcheck(first_derivatives, inputs + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, fast_mode=fast_mode)
