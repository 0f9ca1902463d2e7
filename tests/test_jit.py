"""tidu.jit and tidu.jit.compile: script / trace / compile hand back the eager object (same
outputs, same parameters), PyTorch's compile argument checks, and TorchScript save / load
refuse with a message pointing to state_dict + tidu.save."""
import numpy as np
import pytest

import tidu
import tidu.jit as jit


def model():
    return tidu.nn.Sequential(tidu.nn.Linear(3, 4), tidu.nn.ReLU(), tidu.nn.Linear(4, 1))


def test_script_trace_and_compile_return_the_object():
    m = model()
    x = tidu.randn(5, 3)
    assert jit.script(m) is m
    assert jit.trace(m, (x,)) is m and jit.trace(m, x, check_trace=False) is m
    assert jit.trace_module(m, {"forward": x}) is m
    assert jit.freeze(m) is m and jit.optimize_for_inference(m) is m
    assert jit.compile(m) is m and jit.compile(m, mode="max-autotune", fullgraph=True) is m

    def f(t):
        return t * 2
    assert jit.script(f) is f and jit.compile(f) is f
    assert list(jit.compile(m).state_dict()) == list(m.state_dict())  # no _orig_mod. prefix


def test_compile_as_a_decorator():
    @jit.compile
    def f(t):
        return t + 1

    @jit.compile(mode="reduce-overhead")
    def g(t):
        return t - 1
    x = tidu.ones(2)
    np.testing.assert_array_equal(f(x).cpu().numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(g(x).cpu().numpy(), [0.0, 0.0])
    assert g.__name__ == "g"


def test_compile_checks_as_torch():
    m = model()
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast, should be one of: default"):
        jit.compile(m, mode="fast")
    with pytest.raises(RuntimeError, match="Either mode or options can be specified"):
        jit.compile(m, mode="default", options={})
    with pytest.raises(AssertionError, match="A callable function is expected"):
        jit.compile(3)


@pytest.mark.parametrize("call", [lambda m, f: jit.save(jit.script(m), f), lambda m, f: jit.load(f)])
def test_save_and_load_point_to_state_dict(call, tmp_path):
    with pytest.raises(NotImplementedError, match=r"tidu.save\(model.state_dict\(\), f\)"):
        call(model(), tmp_path / "m.pt")


def test_decorators_and_queries():
    def f():
        return 1
    assert jit.ignore(f) is f and jit.ignore(drop=True)(f) is f
    assert jit.unused(f) is f and jit.export(f) is f
    assert jit.is_scripting() is False and jit.is_tracing() is False
    assert jit.annotate(list, [1]) == [1]


def test_scripted_model_trains_as_the_eager_one():
    tidu.manual_seed(0)
    m = jit.script(model())
    opt = tidu.optim.SGD(m.parameters(), lr=0.1)
    x, y = tidu.randn(8, 3), tidu.randn(8, 1)
    before = tidu.nn.functional.mse_loss(m(x), y).item()
    for _ in range(20):
        opt.zero_grad()
        tidu.nn.functional.mse_loss(m(x), y).backward()
        opt.step()
    assert tidu.nn.functional.mse_loss(m(x), y).item() < before
