"""The shared oracle: run one computation in tidu and in PyTorch (float64, same inputs,
same weights) and compare the outputs and every input and parameter gradient; and a central
finite-difference check of tidu's own gradients.

Outputs may be a tensor or nested tuples of tensors (as an LSTM's (out, (h, c))).  The
scalar that is differentiated is Σᵢ Σ(outᵢ · Rᵢ) with fixed random Rᵢ, so every element of
every output carries its own weight into the gradients.
"""
from __future__ import annotations

import numpy as np
import torch

import tidu
from tidu.backend import device_of, get_default_device, to_numpy

RTOL = 1e-6
ATOL = 1e-9


def _leaves(out):
    if isinstance(out, (tuple, list)):
        return [leaf for o in out for leaf in _leaves(o)]
    return [out] if out is not None else []


def _weights(leaves, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(np.shape(_np(leaf))) for leaf in leaves]


def _np(t):
    if isinstance(t, tidu.Tensor):
        # every result stays on the device the test runs on (TIDU_TEST_DEVICE)
        assert device_of(t._data) == get_default_device(), (
            f"a result on device {device_of(t._data)}, expected {get_default_device()}")
        return to_numpy(t._data)
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t)


def _float(arr) -> bool:
    return np.asarray(arr).dtype.kind == "f"


def _scalar_tidu(out, weights):
    total = None
    for leaf, w in zip(_leaves(out), weights):
        term = (leaf * tidu.Tensor(w, dtype=leaf.dtype)).sum()
        total = term if total is None else total + term
    return total


def _scalar_torch(out, weights):
    return sum((leaf * torch.from_numpy(w)).sum() for leaf, w in zip(_leaves(out), weights))


def assert_close(actual, expected, what, rtol=RTOL, atol=ATOL):
    actual, expected = _np(actual), _np(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} vs torch {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def compare_fn(tidu_fn, torch_fn, *inputs, rtol=RTOL, atol=ATOL, seed=0, grad=True):
    """Call ``tidu_fn`` and ``torch_fn`` on the same float64 inputs (NumPy arrays; float ones
    require grad, integer ones do not) and compare outputs and input gradients."""
    inputs = [np.asarray(x) for x in inputs]
    t_in = [tidu.Tensor(x.copy(), requires_grad=grad and _float(x), dtype=x.dtype) for x in inputs]
    p_in = [torch.tensor(x.copy(), requires_grad=grad and _float(x)) for x in inputs]
    out_t, out_p = tidu_fn(*t_in), torch_fn(*p_in)
    _compare_outputs(out_t, out_p, rtol, atol)
    if not grad:
        return out_t
    weights = _weights(_leaves(out_p), seed)
    _scalar_tidu(out_t, weights).backward()
    _scalar_torch(out_p, weights).backward()
    for i, (a, b) in enumerate(zip(t_in, p_in)):
        if b.requires_grad:
            assert a.grad is not None, f"input {i}: tidu gave no gradient"
            assert_close(a.grad, b.grad, f"gradient of input {i}", rtol, atol)
    return out_t


def _compare_outputs(out_t, out_p, rtol, atol):
    lt, lp = _leaves(out_t), _leaves(out_p)
    assert len(lt) == len(lp), f"tidu returned {len(lt)} outputs, torch {len(lp)}"
    for i, (a, b) in enumerate(zip(lt, lp)):
        assert_close(a, b, f"output {i}", rtol, atol)


def copy_torch_weights(tidu_module, torch_module):
    """Load a torch module's state_dict (as float64 NumPy arrays) into a tidu module."""
    tidu_module.double()
    torch_module.double()
    tidu_module.load_state_dict({k: v.detach().numpy() for k, v in torch_module.state_dict().items()})


def compare_module(tidu_module, torch_module, *inputs, rtol=RTOL, atol=ATOL, seed=0,
                   train=True, copy_weights=True, call=None):
    """Same weights, same inputs: compare outputs, input gradients and every parameter's
    gradient (matched by state_dict key), and the buffers after the call (running stats).

    ``call(module, *inputs)`` overrides how the module is called (default module(*inputs)).
    """
    if copy_weights:
        copy_torch_weights(tidu_module, torch_module)
    tidu_module.zero_grad()
    torch_module.zero_grad(set_to_none=True)
    tidu_module.train(train)
    torch_module.train(train)
    call = call or (lambda m, *xs: m(*xs))
    out_t = compare_fn(lambda *xs: call(tidu_module, *xs), lambda *xs: call(torch_module, *xs),
                       *inputs, rtol=rtol, atol=atol, seed=seed)
    torch_params = dict(torch_module.named_parameters())
    tidu_params = dict(tidu_module.named_parameters())
    assert set(tidu_params) == set(torch_params), (sorted(tidu_params), sorted(torch_params))
    for name, p in torch_params.items():
        if p.grad is None:
            assert tidu_params[name].grad is None, f"{name}: tidu has a gradient, torch none"
            continue
        assert tidu_params[name].grad is not None, f"{name}: tidu gave no gradient"
        assert_close(tidu_params[name].grad, p.grad, f"gradient of parameter {name}", rtol, atol)
    torch_buffers = dict(torch_module.named_buffers())
    for name, b in tidu_module.named_buffers():
        assert_close(b, torch_buffers[name], f"buffer {name}", rtol, atol)
    return out_t


def finite_difference_check(fn, *inputs, eps=1e-6, rtol=1e-5, atol=1e-7, seed=0):
    """Central differences of L = Σ fn(*inputs)·R against tidu's analytic gradient, for every
    float64 input.  Each element is perturbed (inputs here are small)."""
    inputs = [np.asarray(x, dtype=np.float64) if _float(x) else np.asarray(x) for x in inputs]
    tensors = [tidu.Tensor(x.copy(), requires_grad=_float(x), dtype=x.dtype) for x in inputs]
    out = fn(*tensors)
    weights = _weights(_leaves(out), seed)
    _scalar_tidu(out, weights).backward()

    def value(arrays):
        with tidu.no_grad():
            o = fn(*[tidu.Tensor(a, dtype=a.dtype) for a in arrays])
        return sum(float((_np(leaf) * w).sum()) for leaf, w in zip(_leaves(o), weights))

    for i, x in enumerate(inputs):
        if not _float(x):
            continue
        numeric = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            plus, minus = [a.copy() for a in inputs], [a.copy() for a in inputs]
            plus[i][j] += eps
            minus[i][j] -= eps
            numeric[j] = (value(plus) - value(minus)) / (2 * eps)
        analytic = _np(tensors[i].grad) if tensors[i].grad is not None else np.zeros_like(x)
        np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol,
                                   err_msg=f"finite differences, input {i}")


def compare_double_backward(fn, *inputs, rtol=RTOL, atol=ATOL, seed=0):
    """``fn(lib, *tensors)`` in tidu and in PyTorch on the same float64 inputs: the output,
    the first gradients of Σ out·R taken with ``create_graph=True``, and the gradients of
    Σ first·R' (the second-order terms, Hessian-vector products) all compared.  A first
    gradient that does not depend on the inputs counts as a zero second-order term."""
    results = []
    for lib in (tidu, torch):
        ts = [lib.tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in inputs]
        out = fn(lib, *ts)
        (r,) = _weights([_np(out)], seed)
        firsts = lib.autograd.grad((out * lib.tensor(r)).sum(), ts, create_graph=True,
                                   allow_unused=True)
        firsts = [g if g is not None else lib.zeros_like(t) for g, t in zip(firsts, ts)]
        terms = [(g * lib.tensor(r2)).sum() for g, r2 in zip(firsts, _weights(firsts, seed + 1))
                 if g.requires_grad]
        seconds = (lib.autograd.grad(sum(terms), ts, allow_unused=True) if terms
                   else [None] * len(ts))
        seconds = [s if s is not None else lib.zeros_like(t) for s, t in zip(seconds, ts)]
        results.append((out, firsts, seconds))
    (out_t, first_t, second_t), (out_p, first_p, second_p) = results
    assert_close(out_t, out_p, "output", rtol, atol)
    for i in range(len(inputs)):
        assert_close(first_t[i], first_p[i], f"first gradient of input {i}", rtol, atol)
        assert_close(second_t[i], second_p[i], f"second-order gradient of input {i}", rtol, atol)
