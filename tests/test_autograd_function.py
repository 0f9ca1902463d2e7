"""tidu.autograd.Function and gradcheck against torch.autograd's (float64): the same class
bodies written once and built on both libraries."""
import numpy as np
import pytest
import torch

import tidu
from tidu.autograd import Function, GradcheckError, gradcheck
from tests.oracle import compare_fn


def functions(lib):
    """The same custom Functions, subclassing ``lib.autograd.Function``."""

    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y

    class LeakyClamp(lib.autograd.Function):
        """clamp(x, lo, hi) with gradient `slope` outside [lo, hi]; also returns a mask."""

        @staticmethod
        def forward(ctx, x, lo, hi, slope=0.1):
            ctx.lo, ctx.hi, ctx.slope = lo, hi, slope
            ctx.save_for_backward(x)
            mask = (x >= lo) & (x <= hi)
            ctx.mark_non_differentiable(mask)
            return x.clamp(lo, hi), mask

        @staticmethod
        def backward(ctx, grad, grad_mask):
            x, = ctx.saved_tensors
            inside = (x >= ctx.lo) & (x <= ctx.hi)
            return lib.where(inside, grad, ctx.slope * grad), None, None, None

    class SinCos(lib.autograd.Function):
        """Two outputs from a weighted input: (sin(w·x), cos(w·x))."""

        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return (w * x).sin(), (w * x).cos()

        @staticmethod
        def backward(ctx, gs, gc):
            x, w = ctx.saved_tensors
            d = gs * (w * x).cos() - gc * (w * x).sin()
            gx = d * w if ctx.needs_input_grad[0] else None
            gw = (d * x).sum(0) if ctx.needs_input_grad[1] else None  # w: (n,), x: (m, n)
            return gx, gw

    class Scale(lib.autograd.Function):
        """x * c with c a tensor that usually does not require grad."""

        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(c)
            ctx.flags = ctx.needs_input_grad
            return x * c

        @staticmethod
        def backward(ctx, grad):
            c, = ctx.saved_tensors
            return grad * c, None

    return Exp, LeakyClamp, SinCos, Scale


T = functions(tidu)
P = functions(torch)
rng = np.random.default_rng(0)


def test_exp_saves_its_output():
    compare_fn(T[0].apply, P[0].apply, rng.standard_normal((3, 4)))


def test_clamp_with_ctx_attributes_non_tensor_args_and_a_non_differentiable_output():
    x = np.array([-2.0, -0.5, 0.2, 0.7, 3.0])
    compare_fn(lambda t: T[1].apply(t, -1.0, 1.0, 0.25)[0],
               lambda t: P[1].apply(t, -1.0, 1.0, 0.25)[0], x)
    out, mask = T[1].apply(tidu.Tensor(x, requires_grad=True), -1.0, 1.0)
    assert out.requires_grad and not mask.requires_grad
    np.testing.assert_array_equal(mask.numpy(), [False, True, True, True, False])


def test_two_outputs_share_one_backward_and_match_torch():
    x, w = rng.standard_normal((3, 2)), rng.standard_normal(2)
    compare_fn(T[2].apply, P[2].apply, x, w)
    calls = []

    class Counted(T[2]):
        @staticmethod
        def backward(ctx, gs, gc):
            calls.append(1)
            return T[2].backward(ctx, gs, gc)

    xt, wt = tidu.Tensor(x, requires_grad=True), tidu.Tensor(w, requires_grad=True)
    s, c = Counted.apply(xt, wt)
    (s.sum() + 2 * c.sum()).backward()
    assert len(calls) == 1


def test_one_output_used_gets_zeros_for_the_other_as_torch():
    x, w = rng.standard_normal((3, 2)), rng.standard_normal(2)
    compare_fn(lambda a, b: T[2].apply(a, b)[1], lambda a, b: P[2].apply(a, b)[1], x, w)
    seen = []

    class Peek(T[2]):
        @staticmethod
        def backward(ctx, gs, gc):
            seen.append((gs, gc))
            return T[2].backward(ctx, gs, gc)

    Peek.apply(tidu.Tensor(x, requires_grad=True), tidu.Tensor(w))[1].sum().backward()
    assert np.all(seen[0][0].numpy() == 0) and np.all(seen[0][1].numpy() == 1)


def test_set_materialize_grads_false_passes_none():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append((ga, gb))
            return ga * 2

    x = tidu.Tensor(np.ones(3), requires_grad=True)
    Two.apply(x)[0].sum().backward()
    assert seen[0][1] is None
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_input_that_does_not_require_grad_and_needs_input_grad():
    x, c = rng.standard_normal(4), rng.standard_normal(4)
    xt = tidu.Tensor(x, requires_grad=True, dtype=tidu.float64)
    ct = tidu.Tensor(c, dtype=tidu.float64)
    xp, cp = torch.tensor(x, requires_grad=True), torch.tensor(c)
    yt, yp = T[3].apply(xt, ct), P[3].apply(xp, cp)
    yt.sum().backward()
    yp.sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), xp.grad.numpy(), rtol=1e-15)
    assert ct.grad is None and cp.grad is None
    assert yt.grad_fn is not None
    seen = {}

    class Flags(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            seen["flags"] = ctx.needs_input_grad
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    Flags.apply(xt, ct, 3.0)
    assert seen["flags"] == (True, False, False)
    with tidu.no_grad():
        out = Flags.apply(xt, ct, 3.0)
    assert seen["flags"] == (False, False, False) and not out.requires_grad


def test_new_style_setup_context():
    class Cube(Function):
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g

    compare_fn(Cube.apply, lambda x: x ** 3, rng.standard_normal(5))


def test_gradient_summed_to_a_broadcast_input_as_torch():
    class Bias(Function):
        @staticmethod
        def forward(ctx, x, b):
            return x + b

        @staticmethod
        def backward(ctx, g):
            return g, g  # g has x's shape (3, 2); torch sums it to b's (2,)

    compare_fn(Bias.apply, lambda x, b: x + b, rng.standard_normal((3, 2)), rng.standard_normal(2))


def test_wrong_shaped_gradient_raises_naming_the_function_and_input():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g[:2]

    y = Bad.apply(tidu.Tensor(np.ones(3), requires_grad=True))
    with pytest.raises(RuntimeError, match=r"Bad\.backward.*input 0.*\(2,\).*\(3,\)"):
        y.sum().backward()


def test_wrong_number_of_gradients_raises():
    class Few(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    y = Few.apply(tidu.Tensor(np.ones(3), requires_grad=True), 2.0)
    with pytest.raises(RuntimeError, match="position 1.*not a Tensor"):
        y.sum().backward()


# ------------------------------------------------------------------ gradcheck
def _inputs(*shapes, requires_grad=True):
    return tuple(tidu.Tensor(rng.standard_normal(s), requires_grad=requires_grad,
                             dtype=tidu.float64) for s in shapes)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_passes_correct_functions(fast_mode):
    assert gradcheck(T[0].apply, _inputs((2, 3)), fast_mode=fast_mode)
    assert gradcheck(T[2].apply, _inputs((3, 2), 2), fast_mode=fast_mode)
    assert gradcheck(tidu.nn.functional.softplus, _inputs(6), fast_mode=fast_mode)
    assert gradcheck(tidu.cdist, _inputs((3, 2), (4, 2)), fast_mode=fast_mode)
    # non-tensor arguments and a bool output; the true gradient of clamp is 0 outside
    x = tidu.Tensor(np.array([-2.0, -0.3, 0.4, 3.0]), requires_grad=True, dtype=tidu.float64)
    assert gradcheck(lambda t: T[1].apply(t, -1.0, 1.0, 0.0), (x,), fast_mode=fast_mode)
    assert not gradcheck(lambda t: T[1].apply(t, -1.0, 1.0, 0.1), (x,), fast_mode=fast_mode,
                         raise_exception=False)
    # an input leaves its .grad untouched
    a, = _inputs(3)
    gradcheck(T[0].apply, (a,))
    assert a.grad is None


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_catches_a_wrong_backward(fast_mode):
    class WrongExp(T[0]):
        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y * 1.01

    with pytest.raises(GradcheckError, match="output 0 with respect to input 0.*largest"):
        gradcheck(WrongExp.apply, _inputs(4), fast_mode=fast_mode)
    assert gradcheck(WrongExp.apply, _inputs(4), fast_mode=fast_mode,
                     raise_exception=False) is False
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_wrong_second_input_of_two_outputs_is_named():
    class WrongW(T[2]):
        @staticmethod
        def backward(ctx, gs, gc):
            gx, gw = T[2].backward(ctx, gs, gc)
            return gx, gw * 0

    with pytest.raises(GradcheckError, match="with respect to input 1"):
        gradcheck(WrongW.apply, _inputs((3, 2), 2))


def test_gradcheck_agrees_with_torch_and_its_argument_rules():
    x = rng.standard_normal(5)
    assert torch.autograd.gradcheck(P[0].apply, (torch.tensor(x, requires_grad=True),))
    assert gradcheck(T[0].apply, (tidu.Tensor(x, requires_grad=True, dtype=tidu.float64),))
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(T[0].apply, _inputs(3, requires_grad=False))
    with pytest.warns(UserWarning, match="double precision"):
        gradcheck(T[0].apply, (tidu.Tensor(np.ones(2), requires_grad=True, dtype=tidu.float32),),
                  atol=1e-2, rtol=1e-2, eps=1e-3)
