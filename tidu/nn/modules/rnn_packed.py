"""`RNN`, `LSTM` and `GRU` over a `PackedSequence` (``torch.nn.utils.rnn``).

The packed batch is unpacked into the padded (T, N, I) batch of its sorted sequences (the
longest first) and run through the same fused layers as a padded input.  That is exact for
the valid steps because a recurrence is causal: the output at step t < Lᵢ of sequence i
depends on its steps 1…t only, whatever follows in the padding.  What differs from a padded
run is where each sequence ends:

* the final state of sequence i is the one after its step Lᵢ (read from the outputs; the
  LSTM's cell state is kept by the layer, ``lstm_layer(lengths=…)``);
* the reverse direction reads each sequence backwards from its own step Lᵢ: the input is
  reversed within each sequence's length (the padding stays after it), run forwards, and
  the outputs reversed back the same way;
* the output keeps the valid steps only, packed as the input was.

Initial states are given in the batch's original order, as the final states come back
(PyTorch permutes them by ``sorted_indices`` / ``unsorted_indices`` the same way).
Gradients flow through the gathers to the packed data and the initial states.
"""
from __future__ import annotations

import numpy as np

from ...errors import DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from ..utils.rnn import PackedSequence, _steps, packed_lengths, sorted_padded

__all__ = ["forward_packed"]


def _reverser(lengths: np.ndarray):
    """The function that reverses a (T, N, …) tensor within each sequence's length
    (sequence i: steps 0…Lᵢ−1 in reverse order, its padding left in place); it is its own
    inverse."""
    T, N = int(lengths.max()), lengths.size
    t = np.arange(T)[:, None]
    steps = np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
    batch = np.broadcast_to(np.arange(N), (T, N))
    return lambda z: z[steps[:z.shape[0]], batch[:z.shape[0]]]


def _check_packed(rnn, data) -> None:
    if not isinstance(data, Tensor):
        raise TypeError(f"{rnn!r}: the PackedSequence's data must be a tidu.Tensor, got "
                        f"{type(data).__name__}")
    if data.ndim != 2 or data.shape[1] != rnn.input_size:
        raise ShapeError(f"{rnn!r}: expected packed data of shape (sum of lengths, "
                         f"{rnn.input_size}), got {shape_str(data.shape)}")
    wdt = rnn.weight_hh_l0._data.dtype
    if data._data.dtype != wdt:
        raise DTypeError(f"{rnn!r}: packed data has dtype {data._data.dtype}, the layer's "
                         f"parameters {wdt}; cast one of them with .to()")


def _permute(states, index):
    """Each (L, N, H) state with its batch rows taken in ``index`` order (None: as is)."""
    if index is None:
        return states
    return [s if s is None else s.index_select(1, index) for s in states]


def forward_packed(rnn, packed: PackedSequence, hx=None):
    """``rnn(packed, hx)``: (output `PackedSequence`, h_n) or (output, (h_n, c_n))."""
    data = packed.data
    _check_packed(rnn, data)
    lengths = packed_lengths(packed.batch_sizes)
    T, N = int(lengths[0]), lengths.size
    x = sorted_padded(data, lengths, T)
    states = _permute(rnn._states(hx, True, N, (T, N, rnn.input_size)), packed.sorted_indices)
    y, finals = rnn._layers(x, states, lengths)
    finals = _permute(finals, packed.unsorted_indices)
    t, b = _steps(lengths)
    out = packed._replace(data=y[t, b])
    return (out, (finals[0], finals[1])) if rnn._mode == "LSTM" else (out, finals[0])
