"""`RNN`, `LSTM` and `GRU`: stacked recurrent layers, unidirectional or bidirectional, with
PyTorch's arguments, parameter names, shapes, initialization and return values.

Each layer and direction is one fused graph node (`tidu.nn.functional.rnn_layer`,
`lstm_layer`, `gru_layer`; see there for the recurrences and the BPTT).  Layer k has
parameters ``weight_ih_l{k}`` (G·H, I_k), ``weight_hh_l{k}`` (G·H, H), ``bias_ih_l{k}`` and
``bias_hh_l{k}`` (G·H,), with G = 1 (RNN), 4 (LSTM) or 3 (GRU) and I_0 = input_size,
I_k = D·hidden_size for k ≥ 1 (D = 2 with ``bidirectional=True``, else 1).  With
``bidirectional=True`` every layer has a second set of the same shapes with the suffix
``_reverse`` (``weight_ih_l{k}_reverse``, …), registered right after the forward set as in
PyTorch's state_dict.  All are initialized U(−1/√H, 1/√H), as PyTorch.
(Keras initializes differently: glorot_uniform input kernels, orthogonal recurrent kernels,
zero biases and a forget-gate bias of 1 for its LSTM.)

The reverse direction is the same fused layer run on the time-reversed input
x_T, …, x_1, starting from its own initial state; its outputs are put back in time order
and concatenated after the forward direction's along the feature axis, so output[t] =
[h→ₜ, h←ₜ], and its final state is h←₁ (the state after reading x_1).

Input (T, N, I), or (N, T, I) with ``batch_first=True``, or unbatched (T, I), or a
`PackedSequence` (then the output is one too: `tidu.nn.modules.rnn_packed`); initial states
(D·num_layers, N, H) ((D·num_layers, H) for unbatched input), zeros when not given, ordered
layer 0 forward, layer 0 reverse, layer 1 forward, … as PyTorch.
``forward(input, hx=None)`` returns ``(output, h_n)`` (RNN, GRU) or ``(output, (h_n, c_n))``
(LSTM): output holds the last layer's hₜ for every t, shape (T, N, D·H) ((N, T, D·H) with
batch_first); h_n and c_n are each layer's and direction's final state, (D·num_layers, N, H)
in the order of the initial states.
With ``dropout=p > 0`` the output of every layer but the last (both directions, concatenated)
is passed through inverted dropout (zeroed with probability p, scaled by 1/(1−p)) in training
mode.

`RNNCell`, `LSTMCell` and `GRUCell` are one time step of the same recurrences, for code that
writes the time loop itself: parameters ``weight_ih`` (G·H, I), ``weight_hh`` (G·H, H),
``bias_ih``, ``bias_hh`` (G·H,), U(−1/√H, 1/√H); ``forward(input, hx=None)`` with input
(N, I) or unbatched (I,), each call one fused graph node (`tidu.nn.functional.rnn_cell`,
`lstm_cell`, `gru_cell`).
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...tensor import Tensor, get_default_dtype
from ...ops.shape import concatenate, permute, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module
from .rnn_packed import _reverser, forward_packed

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


class _RNNBase(Module):
    _mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype=None, nonlinearity: str = "tanh"):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size),
                           ("num_layers", num_layers)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ArgumentError(f"{name}: {arg} must be a positive integer, got {value!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) \
                or not 0 <= dropout <= 1:
            raise ArgumentError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"{name}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias = int(num_layers), bool(bias)
        self.batch_first, self.dropout = bool(batch_first), float(dropout)
        self.bidirectional = bool(bidirectional)
        self.nonlinearity = nonlinearity
        dtype = np.dtype(dtype or get_default_dtype())
        gh = _GATES[self._mode] * self.hidden_size
        for k in range(self.num_layers):
            in_k = self.input_size if k == 0 else self._directions * self.hidden_size
            for sfx in ("", "_reverse")[:self._directions]:
                setattr(self, f"weight_ih_l{k}{sfx}",
                        Parameter(np.empty((gh, in_k), dtype=dtype), dtype=dtype))
                setattr(self, f"weight_hh_l{k}{sfx}",
                        Parameter(np.empty((gh, self.hidden_size), dtype=dtype), dtype=dtype))
                if self.bias:
                    setattr(self, f"bias_ih_l{k}{sfx}",
                            Parameter(np.empty(gh, dtype=dtype), dtype=dtype))
                    setattr(self, f"bias_hh_l{k}{sfx}",
                            Parameter(np.empty(gh, dtype=dtype), dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's default)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _layer_params(self, k, sfx=""):
        d = self.__dict__
        return (d[f"weight_ih_l{k}{sfx}"], d[f"weight_hh_l{k}{sfx}"],
                d.get(f"bias_ih_l{k}{sfx}") if self.bias else None,
                d.get(f"bias_hh_l{k}{sfx}") if self.bias else None)

    # ------------------------------------------------------------------ checks
    def _check_input(self, x):
        if not isinstance(x, Tensor):
            raise TypeError(f"{self!r}: expected a tidu.Tensor input, got {type(x).__name__}")
        wdt = self.weight_hh_l0._data.dtype
        if x._data.dtype != wdt:
            raise DTypeError(f"{self!r}: input has dtype {x._data.dtype}, the layer's parameters "
                             f"{wdt}; cast one of them with .to()")
        if x.ndim not in (2, 3):
            raise ShapeError(f"{self!r}: expected a 3-D input {self._layout()} or a 2-D "
                             f"unbatched input (T, I), got shape {shape_str(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise ShapeError(f"{self!r}: expected input with {self.input_size} features in its "
                             f"last dimension, got shape {shape_str(x.shape)}")
        seq_axis = 1 if (x.ndim == 3 and self.batch_first) else 0
        if x.shape[seq_axis] == 0:
            raise ShapeError(f"{self!r}: input has an empty sequence, shape {shape_str(x.shape)}")

    def _layout(self):
        return "(N, T, I) with batch_first=True" if self.batch_first else "(T, N, I)"

    def _check_state(self, s, what, batched, N, x_shape):
        if not isinstance(s, Tensor):
            raise TypeError(f"{self!r}: {what} must be a tidu.Tensor, got {type(s).__name__}")
        wdt = self.weight_hh_l0._data.dtype
        if s._data.dtype != wdt:
            raise DTypeError(f"{self!r}: {what} has dtype {s._data.dtype}, the layer's parameters "
                             f"{wdt}")
        L, H = self.num_layers * self._directions, self.hidden_size
        expected = (L, N, H) if batched else (L, H)
        if s.shape != expected:
            kind = "batched" if batched else "unbatched"
            rows = "num_layers*num_directions" if self.bidirectional else "num_layers"
            raise ShapeError(f"{self!r}: expected {what} of shape {shape_str(expected)} "
                             f"({rows}, {'batch, ' if batched else ''}hidden_size) for "
                             f"{kind} input of shape {shape_str(x_shape)}, got "
                             f"{shape_str(s.shape)}")
        return s if batched else s.reshape(L, 1, H)

    # ------------------------------------------------------------------ forward
    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return forward_packed(self, input, hx)
        x = input
        self._check_input(x)
        batched = x.ndim == 3
        x_shape = x.shape
        if not batched:
            x = x.reshape(x.shape[0], 1, x.shape[1])
        elif self.batch_first:
            x = permute(x, 1, 0, 2)
        x, out = self._layers(x, self._states(hx, batched, x.shape[1], x_shape))
        if not batched:
            x = x.reshape(x.shape[0], x.shape[2])
            out = [s.reshape(self.num_layers * self._directions, self.hidden_size) for s in out]
        elif self.batch_first:
            x = permute(x, 1, 0, 2)
        return (x, (out[0], out[1])) if self._mode == "LSTM" else (x, out[0])

    def _states(self, hx, batched, N, x_shape) -> list:
        """The initial states [h_0] or [h_0, c_0] as (D·num_layers, N, H) tensors (None:
        zeros), checked."""
        if hx is None:
            return [None, None] if self._mode == "LSTM" else [None]
        if self._mode == "LSTM":
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"{self!r}: hx must be a tuple (h_0, c_0), got "
                                f"{type(hx).__name__}")
            return [self._check_state(hx[0], "h_0", batched, N, x_shape),
                    self._check_state(hx[1], "c_0", batched, N, x_shape)]
        if isinstance(hx, (tuple, list)):
            raise TypeError(f"{self!r}: hx must be one tensor h_0, got a {type(hx).__name__}")
        return [self._check_state(hx, "h_0", batched, N, x_shape)]

    def _layers(self, x, states, lengths=None) -> tuple:
        """Every layer and direction over x (T, N, I): (last layer's output (T, N, D·H),
        final states [h_n] or [h_n, c_n], each (D·num_layers, N, H)).  With ``lengths``
        (each sequence's length, decreasing: a packed batch), sequence i ends at step
        lengths[i]: its final state is the one after that step and its reverse direction
        starts there; the outputs past it are not meaningful."""
        finals = [[] for _ in states]
        p = self.dropout
        D = self._directions
        reverse = (lambda z: z[::-1]) if lengths is None else _reverser(lengths)
        for k in range(self.num_layers):
            outs = []
            for d, sfx in enumerate(("", "_reverse")[:D]):
                i = k * D + d
                init = [None if s is None
                        else (s[i] if s.requires_grad else Tensor._wrap(s._data[i]))
                        for s in states]
                # The reverse direction reads x_T … x_1 and gives its outputs back in time order.
                xd = x if d == 0 else reverse(x)
                y, final = self._run_layer(xd, init, self._layer_params(k, sfx), lengths)
                outs.append(y if d == 0 else reverse(y))
                for f, h in zip(finals, final):
                    f.append(h)
            x = outs[0] if D == 1 else concatenate(outs, axis=2)
            if p > 0 and self.training and k < self.num_layers - 1:
                x = F.dropout(x, p, training=True)
        return x, [stack(f, axis=0) for f in finals]

    def _run_layer(self, x, init, params, lengths=None):
        """One layer, one direction: (output (T, N, H), [h_n] or [h_n, c_n]), the final
        states after step T or, with ``lengths``, after each sequence's last step."""
        w_ih, w_hh, b_ih, b_hh = params
        if self._mode == "LSTM":
            y, (h_n, c_n) = F.lstm_layer(x, init[0], init[1], w_ih, w_hh, b_ih, b_hh,
                                         lengths=lengths)
            return y, [h_n, c_n]
        if self._mode == "GRU":
            y, h_n = F.gru_layer(x, init[0], w_ih, w_hh, b_ih, b_hh)
        else:
            y, h_n = F.rnn_layer(x, init[0], w_ih, w_hh, b_ih, b_hh, self.nonlinearity)
        if lengths is not None:  # outputs are causal: the state after step len−1 is there
            h_n = y[lengths - 1, np.arange(len(lengths))]
        return y, [h_n]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self._mode == "RNN" and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity!r}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(_RNNBase):
    """Elman RNN: hₜ = φ(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh), φ = tanh (default) or relu.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, dtype=None)``.  Parameters
    ``weight_ih_l{k}`` (H, I_k), ``weight_hh_l{k}`` (H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}``
    (H,), and the same with ``_reverse`` when bidirectional=True (I_k = 2H for k ≥ 1), all
    U(−1/√H, 1/√H).  ``forward(input, hx=None)`` → (output (T, N, D·H), h_n (D·L, N, H)) as
    PyTorch, D = 2 if bidirectional else 1.
    """

    _mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype, nonlinearity)


class LSTM(_RNNBase):
    """LSTM (gates i, f, g, o): i, f, o = σ(·), g = tanh(·) of W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh,
    cₜ = f ⊙ cₜ₋₁ + i ⊙ g,  hₜ = o ⊙ tanh(cₜ).

    ``LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, dtype=None)``; no ``proj_size`` (unlike PyTorch).
    Parameters ``weight_ih_l{k}`` (4H, I_k), ``weight_hh_l{k}`` (4H, H), ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (4H,), and the same with ``_reverse`` when bidirectional=True (I_k = 2H
    for k ≥ 1), all U(−1/√H, 1/√H) (no forget-gate bias of 1, unlike Keras).
    ``forward(input, hx=None)``, hx = (h_0, c_0) each (D·L, N, H) → (output (T, N, D·H),
    (h_n, c_n)) as PyTorch, D = 2 if bidirectional else 1.
    """

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype)


class GRU(_RNNBase):
    """GRU (gates r, z, n): r = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr),
    z = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz), n = tanh(W_in xₜ + b_in + r ⊙ (W_hn hₜ₋₁ + b_hn)),
    hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁ (PyTorch's form; Keras' reset_after=True).

    ``GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, dtype=None)``.  Parameters ``weight_ih_l{k}`` (3H, I_k),
    ``weight_hh_l{k}`` (3H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (3H,), and the same with
    ``_reverse`` when bidirectional=True (I_k = 2H for k ≥ 1), all U(−1/√H, 1/√H).
    ``forward(input, hx=None)`` → (output (T, N, D·H), h_n (D·L, N, H)) as PyTorch,
    D = 2 if bidirectional else 1.
    """

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype)


# --------------------------------------------------------------------------- single-step cells
class _RNNCellBase(Module):
    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ArgumentError(f"{name}: {arg} must be a positive integer, got {value!r}")
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bool(bias)
        dtype = np.dtype(dtype or get_default_dtype())
        gh = self._gates * self.hidden_size
        self.weight_ih = Parameter(np.empty((gh, self.input_size), dtype=dtype), dtype=dtype)
        self.weight_hh = Parameter(np.empty((gh, self.hidden_size), dtype=dtype), dtype=dtype)
        if self.bias:
            self.bias_ih = Parameter(np.empty(gh, dtype=dtype), dtype=dtype)
            self.bias_hh = Parameter(np.empty(gh, dtype=dtype), dtype=dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()
        if device is not None:
            self.to(device=device)

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's default)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _params(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def _check_input(self, x):
        if not isinstance(x, Tensor):
            raise TypeError(f"{self!r}: expected a tidu.Tensor input, got {type(x).__name__}")
        wdt = self.weight_hh._data.dtype
        if x._data.dtype != wdt:
            raise DTypeError(f"{self!r}: input has dtype {x._data.dtype}, the cell's parameters "
                             f"{wdt}; cast one of them with .to()")
        if x.ndim not in (1, 2):
            raise ShapeError(f"{self!r}: expected input of shape (N, input_size) or unbatched "
                             f"(input_size,), got {x.ndim}-D shape {shape_str(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise ShapeError(f"{self!r}: expected input with {self.input_size} features in its "
                             f"last dimension, got shape {shape_str(x.shape)}")
        return x if x.ndim == 2 else x.reshape(1, self.input_size)

    def _check_state(self, s, what, x_shape):
        """A state for input of shape x_shape, as (N, H); None stays None (zeros)."""
        if s is None:
            return None
        if not isinstance(s, Tensor):
            raise TypeError(f"{self!r}: {what} must be a tidu.Tensor, got {type(s).__name__}")
        wdt = self.weight_hh._data.dtype
        if s._data.dtype != wdt:
            raise DTypeError(f"{self!r}: {what} has dtype {s._data.dtype}, the cell's parameters "
                             f"{wdt}")
        H = self.hidden_size
        expected = (x_shape[0], H) if len(x_shape) == 2 else (H,)
        if s.shape != expected:
            kind = "(batch, hidden_size)" if len(x_shape) == 2 else "(hidden_size,) (unbatched)"
            raise ShapeError(f"{self!r}: expected {what} of shape {shape_str(expected)} {kind} "
                             f"for input of shape {shape_str(x_shape)}, got {shape_str(s.shape)}")
        return s if s.ndim == 2 else s.reshape(1, H)

    def _out(self, h, x_shape):
        return h if len(x_shape) == 2 else h.reshape(self.hidden_size)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"  # unquoted, as PyTorch prints it
        return s


class RNNCell(_RNNCellBase):
    """One Elman RNN step: h' = φ(W_ih x + b_ih + W_hh h + b_hh), φ = tanh (default) or relu.

    ``RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh', device=None,
    dtype=None)``.  Parameters ``weight_ih`` (H, I), ``weight_hh`` (H, H), ``bias_ih``,
    ``bias_hh`` (H,), all U(−1/√H, 1/√H).  ``forward(input, hx=None)``: input (N, I) or
    unbatched (I,), hx of the matching shape (N, H) or (H,) (zeros when None) → h' of that
    shape, as PyTorch.  Unlike PyTorch, an unknown nonlinearity is refused when the cell is
    built and wrong shapes raise tidu's ShapeError (a ValueError) rather than RuntimeError.

    Examples
    --------
    >>> import tidu
    >>> cell = tidu.nn.RNNCell(3, 4)
    >>> h = None
    >>> for x in tidu.randn(6, 2, 3):      # the time loop written by hand
    ...     h = cell(x, h)
    >>> h.shape
    (2, 4)
    """

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ArgumentError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got "
                                f"{nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x = self._check_input(input)
        h = self._check_state(hx, "hx", input.shape)
        return self._out(F.rnn_cell(x, h, *self._params(), self.nonlinearity), input.shape)


class LSTMCell(_RNNCellBase):
    """One LSTM step (gates i, f, g, o): i, f, o = σ(·), g = tanh(·) of
    W_ih x + b_ih + W_hh h + b_hh;  c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c').

    ``LSTMCell(input_size, hidden_size, bias=True, device=None, dtype=None)``.  Parameters
    ``weight_ih`` (4H, I), ``weight_hh`` (4H, H), ``bias_ih``, ``bias_hh`` (4H,), all
    U(−1/√H, 1/√H).  ``forward(input, hx=None)``: input (N, I) or unbatched (I,), hx a pair
    (h, c) of the matching shape (zeros when None) → (h', c'), as PyTorch.
    """

    _gates = 4

    def forward(self, input, hx=None):
        x = self._check_input(input)
        h = c = None
        if hx is not None:
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"{self!r}: hx must be a pair (h, c), got "
                                f"{type(hx).__name__}")
            h = self._check_state(hx[0], "hx[0]", input.shape)
            c = self._check_state(hx[1], "hx[1]", input.shape)
        h1, c1 = F.lstm_cell(x, h, c, *self._params())
        return self._out(h1, input.shape), self._out(c1, input.shape)


class GRUCell(_RNNCellBase):
    """One GRU step (gates r, z, n): r = σ(W_ir x + b_ir + W_hr h + b_hr),
    z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h' = (1 − z) ⊙ n + z ⊙ h (PyTorch's form).

    ``GRUCell(input_size, hidden_size, bias=True, device=None, dtype=None)``.  Parameters
    ``weight_ih`` (3H, I), ``weight_hh`` (3H, H), ``bias_ih``, ``bias_hh`` (3H,), all
    U(−1/√H, 1/√H).  ``forward(input, hx=None)``: input (N, I) or unbatched (I,), hx of the
    matching shape (zeros when None) → h', as PyTorch.
    """

    _gates = 3

    def forward(self, input, hx=None):
        x = self._check_input(input)
        h = self._check_state(hx, "hx", input.shape)
        return self._out(F.gru_cell(x, h, *self._params()), input.shape)
