"""RNNCell, LSTMCell and GRUCell (and the fused functional cells) against PyTorch: a time
loop written by hand over the cell (every step's output, the final state, the gradients of
the input, the initial state and every parameter), with and without bias, with and without
hx, unbatched; parameter names, shapes and initialization; finite differences; errors."""
import doctest
import math
import warnings

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.errors import ArgumentError, DTypeError, ShapeError
from tidu.nn import functional as F
from tests.oracle import compare_module, finite_difference_check

CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {})]
CELL_IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]
GATES = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}


def make(name, kw, *args, **kwargs):
    return getattr(nn, name)(*args, **kw, **kwargs), getattr(torch.nn, name)(*args, **kw, **kwargs)


def loop(lib, lstm):
    """A hand-written time loop over a cell: (every step's h stacked, final state)."""
    def call(m, x, *state):
        hx = None if not state else (tuple(state) if lstm else state[0])
        hs = []
        for t in range(x.shape[0]):
            hx = m(x[t], hx)
            hs.append(hx[0] if lstm else hx)
        return lib.stack(hs, 0), hx
    return call


def compare_loop(tm, pm, x, *state):
    lstm = isinstance(tm, nn.LSTMCell)
    calls = {id(tm): loop(tidu, lstm), id(pm): loop(torch, lstm)}
    return compare_module(tm, pm, x, *state, call=lambda m, *a: calls[id(m)](m, *a))


def states(name, r, shape):
    return [r.standard_normal(shape) for _ in range(2 if name == "LSTMCell" else 1)]


# --------------------------------------------------------------------------- loops vs torch
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("with_hx", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("name,kw", CELLS, ids=CELL_IDS)
def test_six_step_loop_matches_torch(name, kw, with_hx, bias):
    """Weights copied from PyTorch, a 6-step loop written by hand: same outputs, final
    state, and gradients of the input, hx and every parameter."""
    r = np.random.default_rng(1)
    T, N, I, H = 6, 3, 4, 5
    tm, pm = make(name, kw, I, H, bias=bias)
    st = states(name, r, (N, H)) if with_hx else []
    out = compare_loop(tm, pm, r.standard_normal((T, N, I)), *st)
    assert out[0].shape == (T, N, H)
    assert len(tm.state_dict()) == (4 if bias else 2)


@pytest.mark.parametrize("with_hx", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("name,kw", CELLS, ids=CELL_IDS)
def test_unbatched_loop_matches_torch(name, kw, with_hx):
    r = np.random.default_rng(2)
    T, I, H = 6, 3, 4
    tm, pm = make(name, kw, I, H)
    st = states(name, r, (H,)) if with_hx else []
    out = compare_loop(tm, pm, r.standard_normal((T, I)), *st)
    assert out[0].shape == (T, H)
    finals = out[1] if name == "LSTMCell" else (out[1],)
    assert all(s.shape == (H,) for s in finals)


@pytest.mark.parametrize("name,kw", CELLS, ids=CELL_IDS)
def test_one_step_equals_the_sequence_layer(name, kw):
    """A cell with a layer's weights gives the layer's output, step by step."""
    r = np.random.default_rng(3)
    T, N, I, H = 5, 2, 3, 4
    cell = getattr(nn, name)(I, H, **kw).double()
    layer = getattr(nn, name[:-4])(I, H, **kw).double()
    layer.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
    x = tidu.tensor(r.standard_normal((T, N, I)))
    y, _ = layer(x)
    hx = None
    for t in range(T):
        hx = cell(x[t], hx)
        h = hx[0] if name == "LSTMCell" else hx
        np.testing.assert_allclose(h.cpu().numpy(), y[t].cpu().numpy(), rtol=1e-13, atol=1e-14)


def test_relu_cell_is_relu_not_tanh():
    """Large pre-activations: relu passes them through, tanh saturates (so the test can tell
    the two apart)."""
    cell = nn.RNNCell(1, 1, bias=False, nonlinearity="relu").double()
    cell.load_state_dict({"weight_ih": np.array([[10.0]]), "weight_hh": np.array([[0.0]])})
    np.testing.assert_allclose(cell(tidu.tensor([[2.0], [-2.0]], dtype=tidu.float64)).cpu().numpy(), [[20.0], [0.0]])


def test_each_call_is_one_graph_node():
    """RNNCell and GRUCell return the fused node itself; LSTMCell views of one node."""
    r = np.random.default_rng(4)
    x = tidu.tensor(r.standard_normal((2, 3)), requires_grad=True)
    for name in ("RNNCell", "GRUCell"):
        out = getattr(nn, name)(3, 4).double()(x)
        assert x in out._parents
    h, c = nn.LSTMCell(3, 4).double()(x)
    assert h._parents[0] is c._parents[0] and x in h._parents[0]._parents


# --------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name,kw", CELLS, ids=CELL_IDS)
def test_parameter_names_shapes_and_init_match_torch(name, kw, bias):
    I, H = 7, 16
    tm, pm = make(name, kw, I, H, bias=bias)
    t_sd, p_sd = tm.state_dict(), pm.state_dict()
    assert list(t_sd) == list(p_sd)
    for k in p_sd:
        assert t_sd[k].shape == tuple(p_sd[k].shape), k
    assert tm.weight_ih.shape == (GATES[name] * H, I)
    bound = 1 / math.sqrt(H)
    for k, v in t_sd.items():
        v = v.cpu().numpy()
        assert np.all(np.abs(v) <= bound), k
        assert v.std() > 0.4 * bound, k        # spread over the interval, not constant
    if not bias:
        assert tm.bias_ih is None and tm.bias_hh is None
    assert repr(tm) == repr(pm)


def test_dtype_and_device_arguments():
    cell = nn.GRUCell(3, 4, dtype=tidu.float64, device="cpu")
    assert cell.weight_ih.dtype == tidu.float64
    out = cell(tidu.zeros(2, 3, dtype=tidu.float64, device="cpu"))
    assert out.dtype == tidu.float64
    assert nn.LSTMCell(3, 4).weight_hh.dtype == tidu.float32


def test_float32_cell_matches_torch_in_float32():
    r = np.random.default_rng(5)
    tm, pm = make("LSTMCell", {}, 3, 4)
    tm.load_state_dict({k: v.cpu().numpy() for k, v in pm.state_dict().items()})
    x = r.standard_normal((2, 3)).astype(np.float32)
    h, c = tm(tidu.tensor(x))
    ph, pc = pm(torch.from_numpy(x))
    assert h.dtype == tidu.float32
    np.testing.assert_allclose(h.cpu().numpy(), ph.detach().cpu().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.cpu().numpy(), pc.detach().cpu().numpy(), rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- finite differences
def _weights(r, G, I, H):
    return (r.standard_normal((G * H, I)) * 0.5, r.standard_normal((G * H, H)) * 0.5,
            r.standard_normal(G * H) * 0.5, r.standard_normal(G * H) * 0.5)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_finite_differences(nonlinearity):
    r = np.random.default_rng(6)
    N, I, H = 3, 2, 3
    finite_difference_check(lambda x, h, *w: F.rnn_cell(x, h, *w, nonlinearity=nonlinearity),
                            r.standard_normal((N, I)), r.standard_normal((N, H)),
                            *_weights(r, 1, I, H))


def test_lstm_cell_finite_differences():
    r = np.random.default_rng(7)
    N, I, H = 3, 2, 3
    finite_difference_check(lambda x, h, c, *w: F.lstm_cell(x, h, c, *w),
                            r.standard_normal((N, I)), r.standard_normal((N, H)),
                            r.standard_normal((N, H)), *_weights(r, 4, I, H))


def test_gru_cell_finite_differences():
    r = np.random.default_rng(8)
    N, I, H = 3, 2, 3
    finite_difference_check(lambda x, h, *w: F.gru_cell(x, h, *w),
                            r.standard_normal((N, I)), r.standard_normal((N, H)),
                            *_weights(r, 3, I, H))


@pytest.mark.parametrize("fn,G", [(F.rnn_cell, 1), (F.gru_cell, 3)], ids=["rnn", "gru"])
def test_functional_cell_without_state_or_bias_finite_differences(fn, G):
    r = np.random.default_rng(9)
    w_ih, w_hh, _, _ = _weights(r, G, 2, 3)
    finite_difference_check(lambda x, a, b: fn(x, None, a, b), r.standard_normal((2, 2)),
                            w_ih, w_hh)


def test_lstm_functional_without_state_finite_differences():
    r = np.random.default_rng(10)
    w_ih, w_hh, b_ih, _ = _weights(r, 4, 2, 3)
    finite_difference_check(lambda x, a, b, c: F.lstm_cell(x, None, None, a, b, c, None),
                            r.standard_normal((2, 2)), w_ih, w_hh, b_ih)


def test_saturated_gates_stay_finite():
    """Pre-activations of ±1000: σ gives exactly 0 or 1, no overflow warning, no NaN."""
    cell = nn.LSTMCell(1, 2, bias=False).double()
    cell.load_state_dict({"weight_ih": np.full((8, 1), 1000.0), "weight_hh": np.zeros((8, 2))})
    x = tidu.tensor([[1.0], [-1.0]], dtype=tidu.float64, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"):
        warnings.simplefilter("error")
        h, c = cell(x)
        (h.sum() + c.sum()).backward()
    assert np.all(np.isfinite(h.cpu().numpy())) and np.all(np.isfinite(x.grad.cpu().numpy()))


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_shape_errors_name_the_cell_expected_and_received(name):
    cell = getattr(nn, name)(3, 4)
    lstm = name == "LSTMCell"

    def hx(*shape):
        s = tidu.zeros(*shape)
        return (s, tidu.zeros(*shape)) if lstm else s

    with pytest.raises(ShapeError, match=rf"{name}.*3 features.*\(2, 5\)"):
        cell(tidu.zeros(2, 5))
    with pytest.raises(ShapeError, match=rf"{name}.*1-D or 2-D|{name}.*3-D"):
        cell(tidu.zeros(1, 2, 3))
    with pytest.raises(ShapeError, match=r"expected hx.* \(2, 4\).*got \(3, 4\)"):
        cell(tidu.zeros(2, 3), hx(3, 4))
    with pytest.raises(ShapeError, match=r"\(4,\).*unbatched.*got \(1, 4\)"):
        cell(tidu.zeros(3), hx(1, 4))
    with pytest.raises(DTypeError, match="float64"):
        cell(tidu.zeros(2, 3, dtype=tidu.float64))
    with pytest.raises(TypeError, match="tidu.Tensor"):
        cell(np.zeros((2, 3), dtype=np.float32))


def test_lstm_cell_hx_must_be_a_pair_and_bad_constructor_arguments():
    with pytest.raises(TypeError, match=r"LSTMCell.*pair \(h, c\)"):
        nn.LSTMCell(3, 4)(tidu.zeros(2, 3), tidu.zeros(2, 4))
    with pytest.raises(ArgumentError, match="nonlinearity.*'sigmoid'"):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ArgumentError, match="GRUCell: hidden_size.*0"):
        nn.GRUCell(3, 0)
    with pytest.raises(ArgumentError, match="LSTMCell: input_size.*2.5"):
        nn.LSTMCell(2.5, 3)


def test_functional_cell_checks_shapes():
    w_ih, w_hh = tidu.zeros(16, 3), tidu.zeros(16, 4)
    with pytest.raises(ShapeError, match=r"lstm_cell: input must have shape \(N, I\)"):
        F.lstm_cell(tidu.zeros(5, 2, 3), None, None, w_ih, w_hh)
    with pytest.raises(ShapeError, match=r"lstm_cell: h must have shape \(2, 4\)"):
        F.lstm_cell(tidu.zeros(2, 3), tidu.zeros(3, 4), None, w_ih, w_hh)
    with pytest.raises(ShapeError, match=r"gru_cell: w_hh must have shape \(3·H, H\)"):
        F.gru_cell(tidu.zeros(2, 3), None, w_ih, w_hh)
    with pytest.raises(ArgumentError, match="rnn_cell: nonlinearity"):
        F.rnn_cell(tidu.zeros(2, 3), None, tidu.zeros(4, 3), tidu.zeros(4, 4), nonlinearity="x")


def test_docstring_example_runs():
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(nn.RNNCell, "RNNCell", globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0


def test_time_series_model_of_two_lstm_cells_matches_torch():
    """The pytorch/examples time-series pattern: two stacked LSTMCells and a Linear head,
    stepping over ``input.split(1, dim=1)`` from zero states built in forward, then feeding
    its own prediction back for a few future steps."""
    def build(lib):
        class Sequence(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm1, self.lstm2 = lib.nn.LSTMCell(1, 6), lib.nn.LSTMCell(6, 6)
                self.linear = lib.nn.Linear(6, 1)

            def forward(self, input, future=3):
                zeros = [lib.zeros(input.size(0), 6, dtype=lib.double) for _ in range(4)]
                h, c, h2, c2 = zeros
                outputs = []
                for input_t in input.split(1, dim=1):
                    h, c = self.lstm1(input_t, (h, c))
                    h2, c2 = self.lstm2(h, (h2, c2))
                    outputs.append(self.linear(h2))
                for _ in range(future):
                    h, c = self.lstm1(outputs[-1], (h, c))
                    h2, c2 = self.lstm2(h, (h2, c2))
                    outputs.append(self.linear(h2))
                return lib.cat(outputs, 1)
        return Sequence()

    x = np.sin(np.arange(24.0).reshape(3, 8) / 3.0)
    out = compare_module(build(tidu), build(torch), x)
    assert out.shape == (3, 11)
