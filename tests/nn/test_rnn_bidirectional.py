"""Bidirectional RNN, LSTM and GRU against PyTorch: parameter names, shapes and state_dict
order, outputs (T, N, 2H), final states (2·num_layers, N, H) in PyTorch's order, and the
gradients of the input, the initial states and every parameter; errors for wrong states."""
import math

import numpy as np
import pytest
import torch

import tidu
from tidu import nn
from tidu.nn import functional as F
from tests.nn.test_rnn import MODE_IDS, MODES, compare_with_states, make
from tests.oracle import assert_close, compare_module, finite_difference_check


def bi(name, kw, *args, **kwargs):
    return make(name, kw, *args, bidirectional=True, **kwargs)


def final_h(name, out):
    return out[1][0] if name == "LSTM" else out[1]


# --------------------------------------------------------------------------- modules vs torch
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "h0"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time_first", "batch_first"])
@pytest.mark.parametrize("L", [1, 2])
@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_bidirectional_matches_torch(name, kw, L, batch_first, with_state):
    """Weights copied from PyTorch: same output, h_n (c_n) and gradients of the input, h0
    (c0) and every parameter, forward and reverse."""
    r = np.random.default_rng(11)
    T, N, I, H = 7, 3, 4, 5
    tm, pm = bi(name, kw, I, H, num_layers=L, batch_first=batch_first)
    x = r.standard_normal((N, T, I) if batch_first else (T, N, I))
    if with_state:
        h0 = r.standard_normal((2 * L, N, H))
        c0 = r.standard_normal((2 * L, N, H)) if name == "LSTM" else None
        out = compare_with_states(tm, pm, x, h0, c0)
    else:
        out = compare_module(tm, pm, x)
    assert out[0].shape == ((N, T, 2 * H) if batch_first else (T, N, 2 * H))
    finals = list(out[1]) if name == "LSTM" else [out[1]]
    for s in finals:
        assert s.shape == (2 * L, N, H)
    # PyTorch's order: the last layer's forward state is the last step's first half, its
    # reverse state the first step's second half.
    y = out[0]._data.swapaxes(0, 1) if batch_first else out[0]._data
    h_n = final_h(name, out)._data
    np.testing.assert_array_equal(h_n[-2], y[-1, :, :H])
    np.testing.assert_array_equal(h_n[-1], y[0, :, H:])


@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_three_layers_no_bias_one_step_and_long_sequence_match_torch(name, kw):
    r = np.random.default_rng(12)
    tm, pm = bi(name, kw, 3, 4, num_layers=3, bias=False)
    compare_module(tm, pm, r.standard_normal((1, 2, 3)))
    assert len(tm.state_dict()) == 12
    tm, pm = bi(name, kw, 2, 3)
    compare_module(tm, pm, r.standard_normal((40, 2, 2)))


@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_unbatched_input_matches_torch(name, kw):
    r = np.random.default_rng(13)
    T, I, H, L = 6, 3, 4, 2
    tm, pm = bi(name, kw, I, H, num_layers=L)
    x = r.standard_normal((T, I))
    h0 = r.standard_normal((2 * L, H))
    c0 = r.standard_normal((2 * L, H)) if name == "LSTM" else None
    out = compare_with_states(tm, pm, x, h0, c0)
    assert out[0].shape == (T, 2 * H)
    assert final_h(name, out).shape == (2 * L, H)
    tm2, pm2 = bi(name, kw, I, H, num_layers=L, batch_first=True)  # ignored when unbatched
    assert compare_module(tm2, pm2, x)[0].shape == (T, 2 * H)


@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_dropout_between_layers_as_torch(name, kw):
    x = np.random.default_rng(14).standard_normal((5, 2, 3))
    tm, pm = bi(name, kw, 3, 4, num_layers=3, dropout=0.5)
    compare_module(tm, pm, x, train=False)
    # p = 1 zeroes the input of every layer but the first: deterministic in both libraries.
    tm, pm = bi(name, kw, 3, 4, num_layers=2, dropout=1.0)
    compare_module(tm, pm, x, train=True)


def test_dropout_in_training_is_random_and_never_on_the_last_layer():
    x = tidu.Tensor(np.random.default_rng(15).standard_normal((6, 4, 3)))
    m = nn.GRU(3, 8, num_layers=2, dropout=0.5, bidirectional=True)
    tidu.manual_seed(3)
    a = m(x)[0]._data.copy()
    b = m(x)[0]._data.copy()
    tidu.manual_seed(3)
    np.testing.assert_array_equal(a, m(x)[0]._data)
    assert not np.allclose(a, b)
    assert np.count_nonzero(a == 0) == 0


def T64(a):
    return tidu.Tensor(a, dtype=np.float64)


def test_reverse_direction_is_the_layer_on_the_reversed_sequence():
    """Documented semantics: output[:, :, H:] is the reverse parameters' fused layer run on
    x[::-1], flipped back; h_n[1] its final state."""
    r = np.random.default_rng(16)
    m = nn.LSTM(3, 4, bidirectional=True, dtype=np.float64)
    x = T64(r.standard_normal((5, 2, 3)))
    out, (h_n, c_n) = m(x)
    w = [m.weight_ih_l0_reverse, m.weight_hh_l0_reverse, m.bias_ih_l0_reverse,
         m.bias_hh_l0_reverse]
    y, (h, c) = F.lstm_layer(T64(x._data[::-1].copy()), None, None, *w)
    np.testing.assert_array_equal(out._data[:, :, 4:], y._data[::-1])
    np.testing.assert_array_equal(h_n._data[1], h._data)
    np.testing.assert_array_equal(c_n._data[1], c._data)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_finite_differences(name):
    tidu.manual_seed(1)
    m = getattr(nn, name)(2, 3, num_layers=2, bidirectional=True, dtype=np.float64)
    L = 4
    if name == "LSTM":
        fn = lambda x, h, c: m(x, (h, c))  # noqa: E731
        states = [np.random.default_rng(1).standard_normal((L, 1, 3)) for _ in range(2)]
    else:
        fn = lambda x, h: m(x, h)  # noqa: E731
        states = [np.random.default_rng(1).standard_normal((L, 1, 3))]
    finite_difference_check(fn, np.random.default_rng(2).standard_normal((4, 1, 2)), *states)


# --------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("name,kw", MODES, ids=MODE_IDS)
def test_parameter_names_shapes_order_and_repr_as_torch(name, kw):
    for args in [dict(num_layers=3),
                 dict(num_layers=2, bias=False, batch_first=True, dropout=0.25)]:
        tm, pm = bi(name, kw, 5, 7, **args)
        t_sd, p_sd = tm.state_dict(), pm.state_dict()
        assert list(t_sd) == list(p_sd)
        assert [v.shape for v in t_sd.values()] == [tuple(v.shape) for v in p_sd.values()]
        assert [n for n, _ in tm.named_parameters()] == [n for n, _ in pm.named_parameters()]
        assert "weight_ih_l1_reverse" in t_sd and t_sd["weight_ih_l1"].shape[1] == 14
        assert tm.bidirectional is True
        # torch's repr leaves nonlinearity out
        assert repr(tm).replace(", nonlinearity='relu'", "") == repr(pm)
        assert repr(tm).endswith("bidirectional=True)")


def test_state_dict_round_trip_through_torch():
    tm = nn.GRU(3, 4, num_layers=2, bidirectional=True, dtype=np.float64)
    pm = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True).double()
    pm.load_state_dict({k: torch.from_numpy(v.cpu().numpy())
                        for k, v in tm.state_dict().items()})
    x = np.random.default_rng(17).standard_normal((5, 2, 3))
    out_t = tm(T64(x))
    out_p = pm(torch.from_numpy(x))
    assert_close(out_t[0], out_p[0], "output")
    assert_close(out_t[1], out_p[1], "h_n")


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_default_init_is_uniform_one_over_sqrt_hidden_in_both_directions(name):
    tidu.manual_seed(0)
    H = 100
    m = getattr(nn, name)(30, H, num_layers=2, bidirectional=True)
    bound = 1 / math.sqrt(H)
    names = [n for n, _ in m.named_parameters()]
    assert sum(n.endswith("_reverse") for n in names) == len(names) // 2
    for n, p in m.named_parameters():
        v = p._data
        assert v.dtype == np.float32
        assert np.abs(v).max() <= bound, n
        assert np.abs(v).max() > 0.95 * bound, n
        if v.size >= 3000:
            assert abs(v.std() - bound / math.sqrt(3)) < 0.05 * bound, n
    # The two directions are drawn independently.
    assert not np.allclose(m.weight_hh_l0._data, m.weight_hh_l0_reverse._data)


def test_float32_is_kept_and_close_to_torch():
    r = np.random.default_rng(18)
    tm, pm = bi("LSTM", {}, 3, 4, num_layers=2)
    tm.load_state_dict({k: v.detach().numpy() for k, v in pm.state_dict().items()})
    x = r.standard_normal((5, 2, 3)).astype(np.float32)
    out, (h, c) = tm(tidu.Tensor(x))
    assert out.dtype == h.dtype == c.dtype == np.float32
    p_out, (p_h, p_c) = pm(torch.from_numpy(x))
    assert_close(out, p_out, "output", rtol=1e-5, atol=1e-6)
    assert_close(c, p_c, "c_n", rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------- errors
def test_wrong_state_shapes_name_num_layers_times_directions():
    x = np.zeros((5, 2, 3))
    g, pg = nn.GRU(3, 4, num_layers=2, bidirectional=True, dtype=np.float64), \
        torch.nn.GRU(3, 4, num_layers=2, bidirectional=True).double()
    bad = np.zeros((2, 2, 4))  # the unidirectional shape
    with pytest.raises(RuntimeError):
        pg(torch.from_numpy(x), torch.from_numpy(bad))
    with pytest.raises(tidu.ShapeError, match=r"GRU\(3, 4, num_layers=2, bidirectional=True\): "
                       r"expected h_0 of shape \(4, 2, 4\) \(num_layers\*num_directions, batch, "
                       r"hidden_size\) for batched input of shape \(5, 2, 3\), got \(2, 2, 4\)"):
        g(T64(x), T64(bad))
    with pytest.raises(tidu.ShapeError, match=r"expected h_0 of shape \(4, 4\) \(num_layers\*"
                       r"num_directions, hidden_size\) for unbatched input of shape \(5, 3\), "
                       r"got \(2, 4\)"):
        g(T64(x[:, 0]), T64(np.zeros((2, 4))))
    lstm = nn.LSTM(3, 4, bidirectional=True, dtype=np.float64)
    with pytest.raises(RuntimeError):
        torch.nn.LSTM(3, 4, bidirectional=True).double()(
            torch.from_numpy(x), (torch.zeros(2, 2, 4, dtype=torch.float64),
                                  torch.zeros(1, 2, 4, dtype=torch.float64)))
    with pytest.raises(tidu.ShapeError, match=r"LSTM\(3, 4, bidirectional=True\): expected c_0 "
                       r"of shape \(2, 2, 4\) \(num_layers\*num_directions, batch, hidden_size\)"):
        lstm(T64(x), (T64(np.zeros((2, 2, 4))), T64(np.zeros((1, 2, 4)))))


def test_second_layer_input_is_twice_hidden():
    m = nn.RNN(3, 4, num_layers=2, bidirectional=True)
    assert m.weight_ih_l0.shape == m.weight_ih_l0_reverse.shape == (4, 3)
    assert m.weight_ih_l1.shape == m.weight_ih_l1_reverse.shape == (4, 8)
    with pytest.raises(tidu.ShapeError, match="expected input with 3 features"):
        m(tidu.Tensor(np.zeros((5, 2, 8), np.float32)))
