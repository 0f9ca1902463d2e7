"""RNN, LSTM and GRU (modules and the fused functional layers) against PyTorch: outputs,
final states and gradients of the input, the initial states and every parameter; finite
differences; errors; dtypes."""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.oracle import assert_close, compare_fn, compare_module, finite_difference_check

MODES = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
MODE_IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


def make(name, kw, *args, **kwargs):
    return getattr(nn, name)(*args, **kw, **kwargs), getattr(torch.nn, name)(*args, **kw, **kwargs)


def compare_with_states(tm, pm, x, h0, c0=None, **kw):
    if c0 is None:
        return compare_module(tm, pm, x, h0, call=lambda m, x, h: m(x, h), **kw)
    return compare_module(tm, pm, x, h0, c0, call=lambda m, x, h, c: m(x, (h, c)), **kw)


# --------------------------------------------------------------------------- modules vs torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_two_layers_50_steps_match_torch(name, kw, batch_first):
    """The issue's check: 2 layers, weights copied from PyTorch, a 50-step sequence: same
    output, final states and gradients (input, h0/c0, every parameter)."""
    r = np.random.default_rng(1)
    T, N, I, H, L = 50, 3, 4, 5, 2
    tm, pm = make(name, kw, I, H, num_layers=L, batch_first=batch_first)
    x = r.standard_normal((N, T, I) if batch_first else (T, N, I))
    h0 = r.standard_normal((L, N, H))
    c0 = r.standard_normal((L, N, H)) if name == "LSTM" else None
    out = compare_with_states(tm, pm, x, h0, c0)
    out_shape = (N, T, H) if batch_first else (T, N, H)
    assert out[0].shape == out_shape
    h_n = out[1][0] if name == "LSTM" else out[1]
    assert h_n.shape == (L, N, H)
    # h_n of the last layer is the last step of the output.
    last = out[0]._data[:, -1] if batch_first else out[0]._data[-1]
    np.testing.assert_array_equal(h_n._data[-1], last)


@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_zero_initial_state_and_no_bias_match_torch(name, kw):
    r = np.random.default_rng(2)
    for bias in (True, False):
        tm, pm = make(name, kw, 3, 4, num_layers=3, bias=bias)
        out = compare_module(tm, pm, r.standard_normal((6, 2, 3)))
        assert len(tm.state_dict()) == (12 if bias else 6)
        assert out[0].shape == (6, 2, 4)


@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_unbatched_input_matches_torch(name, kw):
    r = np.random.default_rng(3)
    T, I, H, L = 7, 3, 4, 2
    tm, pm = make(name, kw, I, H, num_layers=L)
    x = r.standard_normal((T, I))
    h0 = r.standard_normal((L, H))
    c0 = r.standard_normal((L, H)) if name == "LSTM" else None
    out = compare_with_states(tm, pm, x, h0, c0)
    assert out[0].shape == (T, H)
    h_n = out[1][0] if name == "LSTM" else out[1]
    assert h_n.shape == (L, H)
    tm2, pm2 = make(name, kw, I, H, num_layers=L, batch_first=True)  # ignored when unbatched
    compare_module(tm2, pm2, x)


@st.composite
def rnn_cases(draw):
    name, kw = draw(st.sampled_from(MODES))
    return dict(name=name, kw=kw, T=draw(st.integers(1, 6)), N=draw(st.integers(1, 3)),
                I=draw(st.integers(1, 4)), H=draw(st.integers(1, 4)), L=draw(st.integers(1, 3)),
                batch_first=draw(st.booleans()), bias=draw(st.booleans()),
                states=draw(st.booleans()), seed=draw(st.integers(0, 2**16)))


@settings(max_examples=25, deadline=None)
@given(case=rnn_cases())
def test_small_sizes_match_torch(case):
    c = case
    r = np.random.default_rng(c["seed"])
    tm, pm = make(c["name"], c["kw"], c["I"], c["H"], num_layers=c["L"],
                  batch_first=c["batch_first"], bias=c["bias"])
    shape = (c["N"], c["T"], c["I"]) if c["batch_first"] else (c["T"], c["N"], c["I"])
    x = r.standard_normal(shape)
    if not c["states"]:
        compare_module(tm, pm, x)
        return
    h0 = r.standard_normal((c["L"], c["N"], c["H"]))
    c0 = r.standard_normal((c["L"], c["N"], c["H"])) if c["name"] == "LSTM" else None
    compare_with_states(tm, pm, x, h0, c0)


@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_eval_mode_ignores_dropout_and_dropout_one_matches_torch(name, kw):
    r = np.random.default_rng(4)
    x = r.standard_normal((5, 2, 3))
    tm, pm = make(name, kw, 3, 4, num_layers=3, dropout=0.5)
    compare_module(tm, pm, x, train=False)
    # p = 1 zeroes every layer's input but the first's: deterministic in both libraries.
    tm, pm = make(name, kw, 3, 4, num_layers=2, dropout=1.0)
    compare_module(tm, pm, x, train=True)


def test_dropout_in_training_is_random_and_seeded():
    x = tidu.Tensor(np.random.default_rng(5).standard_normal((6, 4, 3)))
    m = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    tidu.manual_seed(7)
    a = m(x)[0]._data.copy()
    b = m(x)[0]._data.copy()
    tidu.manual_seed(7)
    a2 = m(x)[0]._data
    np.testing.assert_array_equal(a, a2)
    assert not np.allclose(a, b)
    m.eval()
    e1, e2 = m(x)[0]._data.copy(), m(x)[0]._data
    np.testing.assert_array_equal(e1, e2)
    assert not np.allclose(a, e1)
    # The last layer's output is never dropped: no exact zeros appear in it.
    m.train()
    assert np.count_nonzero(m(x)[0]._data == 0) == 0


# --------------------------------------------------------------------------- functional
def _torch_layer(name, kw, I, H, bias=True):
    m = getattr(torch.nn, name)(I, H, bias=bias, **kw).double()
    return m


@pytest.mark.parametrize("with_state", [True, False])
@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_functional_layer_matches_torch(name, kw, with_state):
    """The fused functional layers with weights as inputs (gradients of every argument)."""
    r = np.random.default_rng(6)
    T, N, I, H = 9, 3, 2, 4
    G = {"RNN": 1, "LSTM": 4, "GRU": 3}[name]
    pm = _torch_layer(name, kw, I, H)
    keys = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    ws = [r.standard_normal((G * H, I)), r.standard_normal((G * H, H)),
          r.standard_normal(G * H), r.standard_normal(G * H)]
    ws = [0.5 * w for w in ws]
    x = r.standard_normal((T, N, I))
    states = [r.standard_normal((N, H)) for _ in range(2 if name == "LSTM" else 1)]

    def tidu_fn(x, *rest):
        st_, w = (rest[:len(states)], rest[len(states):]) if with_state else \
            ([None] * len(states), rest)
        if name == "LSTM":
            return F.lstm_layer(x, st_[0], st_[1], *w)
        if name == "GRU":
            return F.gru_layer(x, st_[0], *w)
        return F.rnn_layer(x, st_[0], *w, nonlinearity=kw.get("nonlinearity", "tanh"))

    def torch_fn(x, *rest):
        st_, w = (rest[:len(states)], rest[len(states):]) if with_state else (None, rest)
        params = dict(zip(keys, w))
        hx = None
        if st_ is not None:
            hx = tuple(s[None] for s in st_) if name == "LSTM" else st_[0][None]
        out, hn = torch.func.functional_call(pm, params, (x, hx))
        if name == "LSTM":
            return out, (hn[0][0], hn[1][0])
        return out, hn[0]

    inputs = [x] + (states if with_state else []) + ws
    compare_fn(tidu_fn, torch_fn, *inputs)


def test_functional_gradients_only_for_parents_that_require_them():
    r = np.random.default_rng(7)
    T, N, I, H = 4, 2, 3, 2
    x = tidu.Tensor(r.standard_normal((T, N, I)), requires_grad=True, dtype=np.float64)
    h0 = tidu.Tensor(r.standard_normal((N, H)), dtype=np.float64)
    c0 = tidu.Tensor(r.standard_normal((N, H)), requires_grad=True, dtype=np.float64)
    w_ih = tidu.Tensor(r.standard_normal((4 * H, I)), dtype=np.float64)
    w_hh = tidu.Tensor(r.standard_normal((4 * H, H)), requires_grad=True, dtype=np.float64)
    b = tidu.Tensor(r.standard_normal(4 * H), dtype=np.float64)
    out, (h, c) = F.lstm_layer(x, h0, c0, w_ih, w_hh, b, None)
    (out.sum() + c.sum()).backward()
    assert x.grad is not None and c0.grad is not None and w_hh.grad is not None
    assert h0.grad is None and w_ih.grad is None and b.grad is None
    # Same gradients as torch with the same constants.
    xp = torch.tensor(x._data, requires_grad=True)
    c0p = torch.tensor(c0._data, requires_grad=True)
    w_hhp = torch.tensor(w_hh._data, requires_grad=True)
    pm = torch.nn.LSTM(I, H).double()
    params = {"weight_ih_l0": torch.tensor(w_ih._data), "weight_hh_l0": w_hhp,
              "bias_ih_l0": torch.tensor(b._data), "bias_hh_l0": torch.zeros(4 * H, dtype=torch.float64)}
    o, (hp, cp) = torch.func.functional_call(pm, params, (xp, (torch.tensor(h0._data)[None], c0p[None])))
    (o.sum() + cp.sum()).backward()
    assert_close(x.grad, xp.grad, "x")
    assert_close(c0.grad, c0p.grad, "c0")
    assert_close(w_hh.grad, w_hhp.grad, "w_hh")


def test_no_graph_under_no_grad():
    m = nn.GRU(3, 4, num_layers=2)
    x = tidu.Tensor(np.ones((5, 2, 3)), requires_grad=True)
    with tidu.no_grad():
        out, h = m(x)
    assert not out.requires_grad and not h.requires_grad


# --------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_functional_finite_differences(name, kw):
    """Tiny layer (T=3, N=2, I=2, H=3): x, h0 (and c0) and every weight and bias."""
    r = np.random.default_rng(8)
    T, N, I, H = 3, 2, 2, 3
    G = {"RNN": 1, "LSTM": 4, "GRU": 3}[name]
    x = r.standard_normal((T, N, I))
    h0 = r.standard_normal((N, H))
    ws = [0.7 * r.standard_normal(s) for s in ((G * H, I), (G * H, H), (G * H,), (G * H,))]
    if name == "RNN" and kw:  # keep relu pre-activations away from the kink at 0
        ws[2] = ws[2] + 0.3
    if name == "LSTM":
        c0 = r.standard_normal((N, H))
        finite_difference_check(lambda x, h, c, *w: F.lstm_layer(x, h, c, *w), x, h0, c0, *ws)
    elif name == "GRU":
        finite_difference_check(lambda x, h, *w: F.gru_layer(x, h, *w), x, h0, *ws)
    else:
        finite_difference_check(lambda x, h, *w: F.rnn_layer(x, h, *w, **kw), x, h0, *ws)


@pytest.mark.parametrize("name,kw", [m for m in MODES if m != ("RNN", {"nonlinearity": "relu"})],
                         ids=["rnn_tanh", "lstm", "gru"])
def test_module_finite_differences(name, kw):
    """A 2-layer module: x and the initial states, then every parameter (a function of the
    parameters that puts the checked tensors in their place)."""
    r = np.random.default_rng(9)
    T, N, I, H, L = 3, 2, 2, 3, 2
    m = getattr(nn, name)(I, H, num_layers=L, dtype=np.float64, **kw)
    x = r.standard_normal((T, N, I))
    states = [r.standard_normal((L, N, H)) for _ in range(2 if name == "LSTM" else 1)]
    if name == "LSTM":
        finite_difference_check(lambda x, h, c: m(x, (h, c)), x, *states)
    else:
        finite_difference_check(lambda x, h: m(x, h), x, *states)
    names = [n for n, _ in m.named_parameters()]

    def with_params(x, *ps):
        # The layer reads its parameters as attributes: put the checked tensors there.
        for n, v in zip(names, ps):
            m.__dict__[n] = v
        return m(x)

    finite_difference_check(with_params, x, *[p._data.copy() for p in m.parameters()])


# --------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_parameter_names_shapes_and_repr_as_torch(name, kw):
    for args in [dict(num_layers=3), dict(num_layers=2, bias=False, batch_first=True, dropout=0.25)]:
        tm, pm = make(name, kw, 5, 7, **args)
        t_sd, p_sd = tm.state_dict(), pm.state_dict()
        assert list(t_sd) == list(p_sd)
        assert [v.shape for v in t_sd.values()] == [tuple(v.shape) for v in p_sd.values()]
        assert [n for n, _ in tm.named_parameters()] == [n for n, _ in pm.named_parameters()]
        if not kw:
            assert repr(tm) == repr(pm)
        else:
            assert "nonlinearity='relu'" in repr(tm)  # torch's repr leaves it out
            assert repr(tm).replace(", nonlinearity='relu'", "") == repr(pm)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_default_init_is_uniform_one_over_sqrt_hidden(name):
    tidu.manual_seed(0)
    H = 100
    m = getattr(nn, name)(30, H, num_layers=2)
    bound = 1 / math.sqrt(H)
    for n, p in m.named_parameters():
        v = p._data
        assert v.dtype == np.float32
        assert np.abs(v).max() <= bound, n
        assert np.abs(v).max() > 0.95 * bound, n
        if v.size >= 3000:
            assert abs(v.std() - bound / math.sqrt(3)) < 0.05 * bound, n
            assert abs(v.mean()) < 0.05 * bound, n


# --------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_float32_is_kept(name, kw):
    m = getattr(nn, name)(3, 4, num_layers=2, **kw)
    x = tidu.Tensor(np.random.default_rng(10).standard_normal((5, 2, 3)).astype(np.float32),
                    requires_grad=True)
    h0 = tidu.Tensor(np.zeros((2, 2, 4), np.float32), requires_grad=True)
    hx = (h0, tidu.Tensor(np.zeros((2, 2, 4), np.float32), requires_grad=True)) \
        if name == "LSTM" else h0
    out, hn = m(x, hx)
    finals = hn if name == "LSTM" else (hn,)
    assert out.dtype == np.float32 and all(f.dtype == np.float32 for f in finals)
    (out.sum() + sum(f.sum() for f in finals)).backward()
    assert x.grad.dtype == np.float32 and h0.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in m.parameters())
    # float32 results agree with the float64 computation to float32 accuracy
    m64 = getattr(nn, name)(3, 4, num_layers=2, dtype=np.float64, **kw)
    m64.load_state_dict(m.state_dict())
    out64, _ = m64(x.to(np.float64))
    np.testing.assert_allclose(out._data, out64._data, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_saturated_gates_stay_finite_without_warnings(name):
    """Pre-activations of ±1e6: e^(−a) overflows to ∞ inside the sigmoid, which must give
    exactly 0 without a warning, and everything stays finite."""
    m = getattr(nn, name)(3, 4, num_layers=2)
    for p in m.parameters():
        p._data *= 100
    x = tidu.Tensor(np.random.default_rng(11).standard_normal((5, 2, 3)).astype(np.float32) * 1e4,
                    requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, _ = m(x)
        out.sum().backward()
    assert np.isfinite(out._data).all() and np.isfinite(x.grad._data).all()
    assert all(np.isfinite(p.grad._data).all() for p in m.parameters())


def test_float64_module_keeps_float64():
    m = nn.LSTM(2, 3, dtype=np.float64)
    out, (h, c) = m(tidu.Tensor(np.ones((4, 1, 2)), dtype=np.float64))
    assert out.dtype == h.dtype == c.dtype == np.float64


# --------------------------------------------------------------------------- errors
def test_constructor_errors():
    with pytest.raises(ValueError, match=r"GRU: dropout must be a number in \[0, 1\], got 1.5"):
        nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="RNN: nonlinearity must be 'tanh' or 'relu', got 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="RNN: hidden_size must be a positive integer, got 0"):
        nn.RNN(3, 0)
    with pytest.raises(ValueError, match="LSTM: num_layers must be a positive integer, got 0"):
        nn.LSTM(3, 4, num_layers=0)


def test_input_errors_name_the_layer():
    m = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(tidu.ShapeError, match=r"LSTM\(3, 4, num_layers=2\): expected a 3-D input "
                       r"\(T, N, I\) or a 2-D unbatched input \(T, I\), got shape \(2, 5, 2, 3\)"):
        m(tidu.Tensor(np.zeros((2, 5, 2, 3))))
    with pytest.raises(tidu.ShapeError, match=r"LSTM\(3, 4, num_layers=2\): expected input with 3 "
                       r"features in its last dimension, got shape \(5, 2, 6\)"):
        m(tidu.Tensor(np.zeros((5, 2, 6))))
    with pytest.raises(tidu.ShapeError, match="empty sequence"):
        m(tidu.Tensor(np.zeros((0, 2, 3))))
    with pytest.raises(tidu.DTypeError, match=r"LSTM\(3, 4, num_layers=2\): input has dtype float64"):
        m(tidu.Tensor(np.zeros((5, 2, 3)), dtype=np.float64))
    with pytest.raises(tidu.DTypeError, match="input has dtype int64"):
        m(tidu.Tensor(np.zeros((5, 2, 3), dtype=np.int64)))
    mb = nn.GRU(3, 4, batch_first=True)
    with pytest.raises(tidu.ShapeError, match=r"\(N, T, I\) with batch_first=True"):
        mb(tidu.Tensor(np.zeros((3,))))


def test_state_errors_name_the_layer_and_shapes():
    x = tidu.Tensor(np.zeros((5, 2, 3)))
    g = nn.GRU(3, 4, num_layers=2)
    with pytest.raises(tidu.ShapeError, match=r"GRU\(3, 4, num_layers=2\): expected h_0 of shape "
                       r"\(2, 2, 4\) \(num_layers, batch, hidden_size\) for batched input of shape "
                       r"\(5, 2, 3\), got \(1, 2, 4\)"):
        g(x, tidu.Tensor(np.zeros((1, 2, 4))))
    with pytest.raises(tidu.ShapeError, match=r"expected h_0 of shape \(2, 4\) \(num_layers, "
                       r"hidden_size\) for unbatched input of shape \(5, 3\), got \(2, 1, 4\)"):
        g(tidu.Tensor(np.zeros((5, 3))), tidu.Tensor(np.zeros((2, 1, 4))))
    with pytest.raises(TypeError, match=r"GRU\(3, 4, num_layers=2\): hx must be one tensor"):
        g(x, (tidu.Tensor(np.zeros((2, 2, 4))),))
    lstm = nn.LSTM(3, 4)
    with pytest.raises(TypeError, match=r"LSTM\(3, 4\): hx must be a tuple \(h_0, c_0\)"):
        lstm(x, tidu.Tensor(np.zeros((1, 2, 4))))
    with pytest.raises(tidu.ShapeError, match=r"LSTM\(3, 4\): expected c_0 of shape \(1, 2, 4\)"):
        lstm(x, (tidu.Tensor(np.zeros((1, 2, 4))), tidu.Tensor(np.zeros((1, 3, 4)))))
    with pytest.raises(tidu.DTypeError, match=r"LSTM\(3, 4\): h_0 has dtype float64"):
        lstm(x, (tidu.Tensor(np.zeros((1, 2, 4)), dtype=np.float64),
                 tidu.Tensor(np.zeros((1, 2, 4)))))


def test_functional_errors():
    w_ih = tidu.Tensor(np.zeros((12, 3)))
    lw_ih, lw_hh = tidu.Tensor(np.zeros((16, 3))), tidu.Tensor(np.zeros((16, 4)))
    x = tidu.Tensor(np.zeros((5, 2, 3)))
    with pytest.raises(tidu.ShapeError, match=r"gru_layer: w_hh must have shape \(3·H, H\), "
                       r"got \(12, 3\)"):
        F.gru_layer(x, None, w_ih, tidu.Tensor(np.zeros((12, 3))))
    with pytest.raises(tidu.ShapeError, match=r"lstm_layer: input must have shape \(T, N, I\), "
                       r"got \(2, 3\)"):
        F.lstm_layer(tidu.Tensor(np.zeros((2, 3))), None, None, lw_ih, lw_hh)
    with pytest.raises(tidu.ShapeError, match=r"lstm_layer: w_ih must have shape \(16, 3\)"):
        F.lstm_layer(x, None, None, tidu.Tensor(np.zeros((12, 3))), tidu.Tensor(np.zeros((16, 4))))
    with pytest.raises(tidu.ShapeError, match=r"lstm_layer: c0 must have shape \(2, 4\) \(batch, "
                       r"hidden\), got \(3, 4\)"):
        F.lstm_layer(x, None, tidu.Tensor(np.zeros((3, 4))), lw_ih, lw_hh)
    with pytest.raises(tidu.ShapeError, match=r"rnn_layer: b_hh must have shape \(4,\), got \(5,\)"):
        F.rnn_layer(x, None, tidu.Tensor(np.zeros((4, 3))), tidu.Tensor(np.zeros((4, 4))),
                    None, tidu.Tensor(np.zeros(5)))
    with pytest.raises(tidu.DTypeError, match="rnn_layer: operands have different float dtypes"):
        F.rnn_layer(tidu.Tensor(np.zeros((5, 2, 3)), dtype=np.float64), None,
                    tidu.Tensor(np.zeros((4, 3))), tidu.Tensor(np.zeros((4, 4))))
    with pytest.raises(ValueError, match="rnn_layer: nonlinearity must be 'tanh' or 'relu'"):
        F.rnn_layer(x, None, tidu.Tensor(np.zeros((4, 3))), tidu.Tensor(np.zeros((4, 4))),
                    nonlinearity="sigmoid")
