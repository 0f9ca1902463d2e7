"""tidu.utils.checkpoint against torch.utils.checkpoint: the same outputs and gradients (input
and parameter) as PyTorch's checkpointed call and as the plain call, PyTorch's warnings and
errors for use_reentrant and keyword arguments, and checkpoint_sequential over segments."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint

import tidu
import tidu.utils.checkpoint as tcp
from tests.oracle import assert_close, copy_torch_weights


def blocks():
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3),
                              torch.nn.Sigmoid(), torch.nn.Linear(3, 2))
    ours = tidu.nn.Sequential(tidu.nn.Linear(4, 5), tidu.nn.Tanh(), tidu.nn.Linear(5, 3),
                              tidu.nn.Sigmoid(), tidu.nn.Linear(3, 2))
    copy_torch_weights(ours, ref)
    return ours, ref


def grads(model):
    return [p.grad.cpu().numpy() for p in model.parameters()]


X = np.random.default_rng(0).standard_normal((6, 4))


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_matches_torch_and_the_plain_call(reentrant):
    ours, ref = blocks()
    x, xr = tidu.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out = tcp.checkpoint(lambda t, s: ours(t) * s, x, 2.0, use_reentrant=reentrant)
    outr = torch.utils.checkpoint.checkpoint(lambda t, s: ref(t) * s, xr, 2.0, use_reentrant=reentrant)
    (out ** 2).sum().backward()
    (outr ** 2).sum().backward()
    assert_close(out, outr, "output")
    assert_close(x.grad, xr.grad, "input gradient")
    for a, b in zip(grads(ours), [p.grad.numpy() for p in ref.parameters()]):
        assert_close(a, b, "parameter gradient")

    plain_model, _ = blocks()
    xp = tidu.tensor(X, requires_grad=True)
    (((plain_model(xp) * 2.0)) ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), xp.grad.cpu().numpy(), rtol=0, atol=0)


def test_non_reentrant_passes_keyword_arguments():
    x = tidu.tensor(X, requires_grad=True)
    out = tcp.checkpoint(lambda t, scale=1.0: t * scale, x, use_reentrant=False, scale=3.0,
                         preserve_rng_state=False)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.full(X.shape, 3.0))


def test_use_reentrant_none_warns_and_refuses_kwargs():
    x = tidu.tensor(X, requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        tcp.checkpoint(lambda t: t, x)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        tcp.checkpoint(lambda t, scale: t, x, use_reentrant=True, scale=2.0)
    with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
        tcp.checkpoint(lambda t: t, x, use_reentrant=True, debug=True)


def test_reentrant_without_grad_inputs_gives_no_graph_as_torch():
    ours, ref = blocks()
    with pytest.warns(UserWarning, match="Gradients will be None"):
        out = tcp.checkpoint(ours, tidu.tensor(X), use_reentrant=True)
    with pytest.warns(UserWarning, match="Gradients will be None"):
        outr = torch.utils.checkpoint.checkpoint(ref, torch.tensor(X), use_reentrant=True)
    assert out.requires_grad is outr.requires_grad is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tcp.checkpoint(ours, tidu.tensor(X), use_reentrant=False).requires_grad


@pytest.mark.parametrize("segments", [1, 2, 3, 5])
def test_checkpoint_sequential_matches_torch(segments):
    ours, ref = blocks()
    x, xr = tidu.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out = tcp.checkpoint_sequential(ours, segments, x, use_reentrant=False)
    outr = torch.utils.checkpoint.checkpoint_sequential(ref, segments, xr, use_reentrant=False)
    out.sum().backward()
    outr.sum().backward()
    assert_close(out, outr, "output")
    assert_close(x.grad, xr.grad, "input gradient")
    for a, b in zip(grads(ours), [p.grad.numpy() for p in ref.parameters()]):
        assert_close(a, b, "parameter gradient")


def test_checkpoint_sequential_takes_a_list_and_checks_kwargs():
    ours, _ = blocks()
    x = tidu.tensor(X)
    expected = ours(x).cpu().numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Gradients will be None": no input needs one
        got = tcp.checkpoint_sequential(list(ours.children()), 2, x, use_reentrant=True)
    np.testing.assert_allclose(got.cpu().numpy(), expected, rtol=0, atol=0)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        tcp.checkpoint_sequential(ours, 2, x, use_reentrant=False, foo=1)
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant"):
        tcp.checkpoint_sequential(ours, 1, tidu.tensor(X, requires_grad=True))


def test_pytorch_spelling():
    torch_ = tidu
    assert torch_.utils.checkpoint.checkpoint is tcp.checkpoint
    lin = torch_.nn.Linear(4, 2)
    x = torch_.tensor(X, dtype=torch_.float32, requires_grad=True)
    torch_.utils.checkpoint.checkpoint(lin, x, use_reentrant=False).sum().backward()
    assert lin.weight.grad is not None and x.grad is not None
