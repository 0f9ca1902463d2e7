"""RNN, LSTM and GRU over a PackedSequence against torch (float64): the packed output, the
final states (each sequence's own last step; the reverse direction from there), and the
gradients of the padded input, the initial states and every parameter."""
import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import tidu
from tidu import nn
from tidu.nn.utils import rnn
from tests.oracle import compare_module

LENGTHS = [3, 6, 1, 4]  # unsorted: the batch is sorted and the states permuted
MODES = {"RNN": (nn.RNN, torch.nn.RNN), "LSTM": (nn.LSTM, torch.nn.LSTM),
         "GRU": (nn.GRU, torch.nn.GRU)}


def _packed_call(batch_first, lengths, with_state):
    def call(module, x, *state):
        lib, mod = (torch, trnn) if isinstance(module, torch.nn.Module) else (tidu, rnn)
        packed = mod.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                          enforce_sorted=False)
        hx = None
        if with_state:
            hx = (state[0], state[1]) if isinstance(module, (nn.LSTM, torch.nn.LSTM)) \
                else state[0]
        out, hidden = module(packed, hx)
        padded, lens = mod.pad_packed_sequence(out, batch_first=batch_first)
        assert lens.tolist() == lengths
        return out.data, padded, hidden
    return call


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_input_matches_torch(mode, bidirectional):
    ours_cls, torch_cls = MODES[mode]
    torch.manual_seed(0)
    kw = dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=bidirectional,
              batch_first=True)
    ref = torch_cls(**kw)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6, 3))
    states = 2 * (2 if bidirectional else 1)
    hx = [rng.standard_normal((states, 4, 5)) for _ in range(2 if mode == "LSTM" else 1)]
    compare_module(ours_cls(**kw), ref, x, *hx, rtol=1e-9, atol=1e-11,
                   call=_packed_call(True, LENGTHS, with_state=True))


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_packed_input_without_initial_state_time_major_sorted(mode):
    ours_cls, torch_cls = MODES[mode]
    torch.manual_seed(1)
    ref = torch_cls(input_size=2, hidden_size=4, bidirectional=True)
    x = np.random.default_rng(2).standard_normal((5, 3, 2))
    compare_module(ours_cls(input_size=2, hidden_size=4, bidirectional=True), ref, x,
                   rtol=1e-9, atol=1e-11, call=_packed_call(False, [5, 3, 2], with_state=False))


def test_packed_input_of_wrong_width_names_the_layer():
    packed = rnn.pack_sequence([tidu.zeros(3, 2), tidu.zeros(1, 2)])
    with pytest.raises(tidu.errors.ShapeError, match=r"LSTM\(3, 4\).*packed data"):
        nn.LSTM(3, 4)(packed)
