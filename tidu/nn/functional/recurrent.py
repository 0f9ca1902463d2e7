"""Recurrent layers over a whole sequence, each ONE graph node with a hand-written
backpropagation through time (one layer, one direction per call; `tidu.nn.RNN`, `LSTM` and
`GRU` stack them, and run the reverse direction of a bidirectional layer as the same function
on the input reversed in time, x[::-1], flipping its output back).

Shapes: x (T, N, I) (time first), h0 and c0 (N, H); weights as PyTorch's
W_ih (G·H, I), W_hh (G·H, H), b_ih and b_hh (G·H,), with G = 1 (RNN), 4 (LSTM: gates
i, f, g, o) or 3 (GRU: gates r, z, n), in that order along the rows.

=============  ============================================================================
function       recurrence, for t = 1 … T (σ the logistic sigmoid, ⊙ the element-wise product)
=============  ============================================================================
rnn_layer      hₜ = φ(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh),  φ = tanh (default) or relu
lstm_layer     i, f, o = σ(·), g = tanh(·) of the four row blocks of
               W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh;
               cₜ = f ⊙ cₜ₋₁ + i ⊙ g,  hₜ = o ⊙ tanh(cₜ)
gru_layer      r = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr),  z = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz),
               n = tanh(W_in xₜ + b_in + r ⊙ (W_hn hₜ₋₁ + b_hn)),  hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁
               (PyTorch's and cuDNN's form; Keras' GRU default ``reset_after=True`` is the
               same, the original paper and Keras' ``reset_after=False`` apply r before W_hn)
=============  ============================================================================

Each returns ``(output, final state)``: output (T, N, H) holds every hₜ; the final state is
h_T (RNN, GRU) or the pair (h_T, c_T) (LSTM).  h0 (and c0) default to zeros.

The forward pass makes the input projection of all time steps one matrix product
(x reshaped to (T·N, I) times W_ihᵀ), then one product hₜ₋₁ W_hhᵀ per step for all gates
together.  The backward pass loops over time in reverse, collecting the gradients of every
step's gate pre-activations into one (T, N, G·H) array, so dW_ih, dW_hh, the biases and dx
are each one matrix product (or sum) over all steps.  The sigmoid is 1/(1+e^(−a)), computed
with weights whose sigmoid rows are negated (exact), so no extra negation per step; e^(−a)
overflowing to ∞ gives exactly 0.

On NumPy arrays the gate arithmetic of an LSTM or GRU time step (forward and backward) is one
call of a compiled kernel (`tidu.kernels.recurrent`: same layouts, same formulas, 0.6× the
step time); ``TIDU_KERNELS=numpy`` and CuPy arrays run the NumPy calls written out here.
"""
from __future__ import annotations

import numpy as np

from ...backend import like, xp_of
from ...kernels import use_compiled
from ...errors import ArgumentError, DTypeError, ShapeError, shape_str
from ...tensor import Tensor
from ...ops.elementwise import lift

__all__ = ["rnn_layer", "lstm_layer", "gru_layer", "rnn_cell", "lstm_cell", "gru_cell"]


# --------------------------------------------------------------------------- checks
def _prepare(op, x, states, w_ih, w_hh, b_ih, b_hh, gates, cell=False):
    """Validate shapes and dtypes; return x, the state tensors (None where not given),
    and T, N, I, H (a cell's input x is (N, I), one step: T = 1)."""
    for name, w in (("w_ih", w_ih), ("w_hh", w_hh)):
        if not isinstance(w, Tensor):
            raise TypeError(f"{op}: {name} must be a tidu.Tensor, got {type(w).__name__}")
        if w._data.dtype.kind != "f":
            raise DTypeError(f"{op}: {name} must be a float tensor, got dtype {w._data.dtype}")
    if w_hh.ndim != 2 or w_hh.shape[0] != gates * w_hh.shape[1]:
        raise ShapeError(f"{op}: w_hh must have shape ({gates}·H, H), got "
                         f"{shape_str(w_hh.shape)}")
    H = w_hh.shape[1]
    x = lift(x, w_hh, op)
    if x._data.dtype.kind != "f":
        raise DTypeError(f"{op}: input must be a float tensor, got dtype {x._data.dtype}")
    if x.ndim != (2 if cell else 3):
        raise ShapeError(f"{op}: input must have shape {'(N, I)' if cell else '(T, N, I)'}, "
                         f"got {shape_str(x.shape)}")
    T, N, I = (1,) + x.shape if cell else x.shape
    if T == 0:
        raise ShapeError(f"{op}: input has an empty sequence (shape {shape_str(x.shape)})")
    if w_ih.shape != (gates * H, I):
        raise ShapeError(f"{op}: w_ih must have shape {shape_str((gates * H, I))} for input "
                         f"{shape_str(x.shape)} and hidden size {H}, got {shape_str(w_ih.shape)}")
    lift(w_ih, w_hh, op)
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is not None:
            lift(b, w_hh, op)
            if b.shape != (gates * H,):
                raise ShapeError(f"{op}: {name} must have shape {shape_str((gates * H,))}, "
                                 f"got {shape_str(b.shape)}")
    out_states = []
    for name, s in states:
        if s is not None:
            s = lift(s, w_hh, op)
            if s.shape != (N, H):
                raise ShapeError(f"{op}: {name} must have shape {shape_str((N, H))} (batch, "
                                 f"hidden), got {shape_str(s.shape)}")
        out_states.append(s)
    return x, out_states, T, N, I, H


def _bias_sum(b_ih, b_hh):
    if b_ih is None and b_hh is None:
        return None
    if b_ih is None:
        return b_hh._data.copy()
    if b_hh is None:
        return b_ih._data.copy()
    return b_ih._data + b_hh._data


def _weight_grads(parents, dgx, dgh, x2, hs, h0d, w_ih):
    """Gradients of x, w_ih, w_hh, b_ih, b_hh from the gate pre-activation gradients:
    dgx (T, N, G) of the input part, dgh (T, N, G) of the recurrent part (often the same
    array); hs (T, N, H) the outputs, h0d the initial state (None: zeros)."""
    x, w_ih_t, w_hh_t, b_ih, b_hh = parents
    T, N, G = dgx.shape
    dgx2 = dgx.reshape(T * N, G)
    dgh2 = dgh.reshape(T * N, G)
    gx = (dgx2 @ w_ih).reshape(x.shape) if x.requires_grad else None
    gw_ih = dgx2.T @ x2 if w_ih_t.requires_grad else None
    gw_hh = None
    if w_hh_t.requires_grad:
        H = hs.shape[2]
        gw_hh = dgh[1:].reshape(-1, G).T @ hs[:-1].reshape(-1, H)
        if h0d is not None:
            gw_hh += dgh[0].T @ h0d
    gb_ih = dgx2.sum(axis=0) if b_ih is not None and b_ih.requires_grad else None
    gb_hh = None
    if b_hh is not None and b_hh.requires_grad:
        gb_hh = dgh2.sum(axis=0) if (dgh is not dgx or gb_ih is None) else gb_ih.copy()
    return gx, gw_ih, gw_hh, gb_ih, gb_hh


def _parents(x, states, w_ih, w_hh, b_ih, b_hh):
    zero = Tensor._wrap(xp_of(w_hh._data).zeros(0, dtype=w_hh._data.dtype))
    return ((x,) + tuple(s if s is not None else zero for s in states)
            + (w_ih, w_hh, b_ih if b_ih is not None else zero,
               b_hh if b_hh is not None else zero))


# --------------------------------------------------------------------------- RNN
def rnn_layer(x: Tensor, h0: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None, nonlinearity: str = "tanh"):
    """Elman RNN over a sequence: hₜ = φ(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh), φ = tanh or relu.

    x (T, N, I), h0 (N, H) or None (zeros), w_ih (H, I), w_hh (H, H), b_ih, b_hh (H,) or
    None.  Returns (output (T, N, H), h_T (N, H)).  BPTT: δₜ = (∂L/∂hₜ + δₜ₊₁ W_hh) ⊙ φ'(aₜ).
    """
    op = "rnn_layer"
    if nonlinearity not in ("tanh", "relu"):
        raise ArgumentError(f"{op}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    x, (h0,), T, N, I, H = _prepare(op, x, [("h0", h0)], w_ih, w_hh, b_ih, b_hh, 1)
    W, U = w_ih._data, w_hh._data
    dtype = U.dtype
    x2 = x._data.reshape(T * N, I)
    h0d = None if h0 is None else h0._data
    hs = (x2 @ W.T).reshape(T, N, H)  # pre-activations first, overwritten by hₜ
    bias = _bias_sum(b_ih, b_hh)
    if bias is not None:
        hs += bias
    UT = U.T
    tanh = nonlinearity == "tanh"
    h = h0d
    for t in range(T):
        a = hs[t]
        if h is not None:
            a += h @ UT
        if tanh:
            np.tanh(a, out=a)
        else:
            np.maximum(a, 0, out=a)
        h = a
    parents = _parents(x, [h0], w_ih, w_hh, b_ih, b_hh)

    def backward(g):
        need_h0 = h0 is not None and h0.requires_grad
        if tanh:
            d = hs * hs
            np.subtract(1, d, out=d)
        else:
            d = (hs > 0).astype(dtype)
        dh = None
        for t in range(T - 1, -1, -1):  # d[t] becomes ∂L/∂aₜ
            dt = d[t]
            if dh is None:
                dt *= g[t]
            else:
                dh += g[t]
                dt *= dh
            if t > 0 or need_h0:
                dh = dt @ U
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _weight_grads(
            (x, w_ih, w_hh, b_ih, b_hh), d, d, x2, hs, h0d, W)
        return gx, (dh if need_h0 else None), gw_ih, gw_hh, gb_ih, gb_hh

    out = Tensor._op(hs, parents, backward)
    return out, out[T - 1]


# --------------------------------------------------------------------------- LSTM
def lstm_layer(x: Tensor, h0: Tensor | None, c0: Tensor | None, w_ih: Tensor, w_hh: Tensor,
               b_ih: Tensor | None = None, b_hh: Tensor | None = None, lengths=None):
    """LSTM over a sequence (gates i, f, g, o along the weights' rows, as PyTorch):
    i, f, o = σ(·), g = tanh(·) of W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh;
    cₜ = f ⊙ cₜ₋₁ + i ⊙ g,  hₜ = o ⊙ tanh(cₜ).

    x (T, N, I), h0 and c0 (N, H) or None (zeros), w_ih (4H, I), w_hh (4H, H), b_ih, b_hh
    (4H,) or None.  Returns (output (T, N, H), (h_T, c_T)).  No peepholes and no forget-gate
    bias of 1 (Keras' ``unit_forget_bias=True`` default initializes b_f to 1; PyTorch does not).
    ``lengths`` (N,) ints (a packed batch, `tidu.nn.modules.rnn_packed`): the final states are
    each sequence's after its step lengths[i] instead (the steps past it still run, and their
    outputs are not meaningful).
    """
    op = "lstm_layer"
    x, (h0, c0), T, N, I, H = _prepare(op, x, [("h0", h0), ("c0", c0)], w_ih, w_hh,
                                        b_ih, b_hh, 4)
    W, U = w_ih._data, w_hh._data
    xp = xp_of(U)
    dtype = U.dtype
    x2 = x._data.reshape(T * N, I)
    h0d = None if h0 is None else h0._data
    c0d = None if c0 is None else c0._data
    # Forward in the row order (i, f, o, g), sigmoid rows negated: σ(a) = 1/(1 + e^(−a)).
    perm = like(U, np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H])
    Wf, Uf = W[perm], U[perm]
    Wf[:3 * H] *= -1
    Uf[:3 * H] *= -1
    gates = (x2 @ Wf.T).reshape(T, N, 4 * H)  # pre-activations, overwritten by i, f, o, g
    bias = _bias_sum(b_ih, b_hh)
    if bias is not None:
        bias = bias[perm]
        bias[:3 * H] *= -1
        gates += bias
    UfT = Uf.T
    Y = xp.empty((T + 1, N, H), dtype=dtype)  # h_1 … h_T, then c_T
    hs = Y[:T]
    cs = xp.empty((T, N, H), dtype=dtype)
    tcs = xp.empty((T, N, H), dtype=dtype)
    if use_compiled(gates, U):
        _lstm_forward_compiled(gates, UfT, h0d, c0d, hs, cs, tcs)
    else:
        _lstm_forward_numpy(gates, UfT, h0d, c0d, hs, cs, tcs)
    last = None if lengths is None else np.asarray(lengths, dtype=np.int64) - 1
    batch = np.arange(N)
    Y[T] = cs[T - 1] if last is None else cs[like(U, last), like(U, batch)]
    parents = _parents(x, [h0, c0], w_ih, w_hh, b_ih, b_hh)

    def backward(g):
        need_h0 = h0 is not None and h0.requires_grad
        need_c0 = c0 is not None and c0.requires_grad
        back = _lstm_backward_compiled if use_compiled(gates, U) else _lstm_backward_numpy
        ends = None if last is None else {int(t): like(U, np.flatnonzero(last == t))
                                          for t in np.unique(last)}
        dP, dh, dc = back(g, gates, cs, tcs, c0d, U, need_h0, need_c0, ends)
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _weight_grads(
            (x, w_ih, w_hh, b_ih, b_hh), dP, dP, x2, hs, h0d, W)
        return (gx, dh if need_h0 else None, dc if need_c0 else None,
                gw_ih, gw_hh, gb_ih, gb_hh)

    Yt = Tensor._op(Y, parents, backward)
    h_n = Yt[T - 1] if last is None else Yt[last, batch]
    return Yt[:T], (h_n, Yt[T])


def _lstm_forward_numpy(gates, UfT, h0d, c0d, hs, cs, tcs):
    """The LSTM's forward time loop in NumPy calls (see `tidu.kernels.recurrent`)."""
    H = hs.shape[2]
    h, c = h0d, c0d
    with np.errstate(over="ignore"):
        for t in range(hs.shape[0]):
            a = gates[t]
            if h is not None:
                a += h @ UfT
            s = a[:, :3 * H]
            np.exp(s, out=s)
            s += 1
            np.reciprocal(s, out=s)
            gg = a[:, 3 * H:]
            np.tanh(gg, out=gg)
            ct = cs[t]
            if c is None:
                np.multiply(a[:, :H], gg, out=ct)
            else:
                np.multiply(a[:, H:2 * H], c, out=ct)
                ct += a[:, :H] * gg
            np.tanh(ct, out=tcs[t])
            np.multiply(a[:, 2 * H:3 * H], tcs[t], out=hs[t])
            h, c = hs[t], ct


def _lstm_forward_compiled(gates, UfT, h0d, c0d, hs, cs, tcs):
    """The LSTM's forward time loop, one fused kernel call per step."""
    from ...kernels.recurrent import lstm_forward_step
    T, N, H = hs.shape
    c = np.zeros((N, H), dtype=hs.dtype) if c0d is None else np.ascontiguousarray(c0d)
    hp = np.zeros((N, 4 * H), dtype=hs.dtype)
    for t in range(T):
        if t or h0d is not None:
            np.matmul(hs[t - 1] if t else h0d, UfT, out=hp)
        lstm_forward_step(gates[t], hp, c, cs[t], tcs[t], hs[t])
        c = cs[t]


def _lstm_backward_numpy(g, gates, cs, tcs, c0d, U, need_h0, need_c0, ends=None):
    """The LSTM's BPTT in NumPy calls: (∂L/∂P (T, N, 4H), ∂L/∂h₀, ∂L/∂c₀).  g[T] is the
    gradient of the final cell state: of c_T, or with ``ends`` ({step t: the rows whose
    last step is t}) of each row's c at its own last step."""
    xp = xp_of(U)
    T, N, H = cs.shape
    dtype = U.dtype
    gi, gf, go, gg = (gates[..., k * H:(k + 1) * H] for k in range(4))
    # M (T, N, 4, H) in PyTorch's order i, f, g, o holds what ∂L/∂cₜ (for i, f, g) or
    # ∂L/∂hₜ (for o) is multiplied by to give the pre-activation gradients; then it is
    # overwritten in place by those gradients.
    M = xp.empty((T, N, 4, H), dtype=dtype)
    m = M[:, :, 0]
    np.subtract(1, gi, out=m); m *= gi; m *= gg                     # g·i(1−i)
    m = M[:, :, 1]
    np.subtract(1, gf, out=m); m *= gf                              # c₋₁·f(1−f)
    m[1:] *= cs[:-1]
    if c0d is None:
        m[0] = 0
    else:
        m[0] *= c0d
    m = M[:, :, 2]
    np.multiply(gg, gg, out=m); np.subtract(1, m, out=m); m *= gi    # i(1−g²)
    m = M[:, :, 3]
    np.subtract(1, go, out=m); m *= go; m *= tcs                    # tanh(c)·o(1−o)
    K = tcs * tcs                                                   # o(1−tanh²c)
    np.subtract(1, K, out=K)
    K *= go
    gh = g[:T]
    dh = None
    dc = g[T] if ends is None else _final_cell_grad(g[T], ends, T - 1)
    for t in range(T - 1, -1, -1):
        if dh is None:
            dht = gh[t]
        else:
            dh += gh[t]
            dht = dh
        dct = dht * K[t]
        dct += dc
        if ends is not None and t < T - 1 and t in ends:
            dct[ends[t]] += g[T][ends[t]]
        Mt = M[t]
        Mt[:, :3] *= dct[:, None, :]
        Mt[:, 3] *= dht
        if t > 0 or need_c0:
            dc = dct * gf[t]
        if t > 0 or need_h0:
            dh = Mt.reshape(N, 4 * H) @ U
    return M.reshape(T, N, 4 * H), dh, dc


def _lstm_backward_compiled(g, gates, cs, tcs, c0d, U, need_h0, need_c0, ends=None):
    """The LSTM's BPTT, one fused kernel call and one matrix product per step (``ends``: as
    in `_lstm_backward_numpy`)."""
    from ...kernels.recurrent import lstm_backward_step
    T, N, H = cs.shape
    g = np.ascontiguousarray(g)
    zeros = np.zeros((N, H), dtype=U.dtype)
    c0 = zeros if c0d is None else np.ascontiguousarray(c0d)
    dP = np.empty((T, N, 4 * H), dtype=U.dtype)
    dh = zeros
    dc = g[T].copy() if ends is None else _final_cell_grad(g[T], ends, T - 1)
    for t in range(T - 1, -1, -1):
        if ends is not None and t < T - 1 and t in ends:
            dc[ends[t]] += g[T][ends[t]]
        lstm_backward_step(gates[t], cs[t - 1] if t else c0, tcs[t], dh, g[t], dc, dP[t])
        if t > 0 or need_h0:
            dh = dP[t] @ U
    return dP, dh, dc


def _final_cell_grad(g_c, ends: dict, t: int):
    """∂L/∂c_t of the rows whose last step is t (the others' final cell state comes later
    in the backward pass: zero here)."""
    dc = xp_of(g_c).zeros_like(g_c)
    if t in ends:
        dc[ends[t]] = g_c[ends[t]]
    return dc


# --------------------------------------------------------------------------- GRU
def gru_layer(x: Tensor, h0: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None):
    """GRU over a sequence (gates r, z, n along the weights' rows, as PyTorch):
    r = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr),  z = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz),
    n = tanh(W_in xₜ + b_in + r ⊙ (W_hn hₜ₋₁ + b_hn)),  hₜ = (1 − z) ⊙ n + z ⊙ hₜ₋₁.

    x (T, N, I), h0 (N, H) or None (zeros), w_ih (3H, I), w_hh (3H, H), b_ih, b_hh (3H,) or
    None.  Returns (output (T, N, H), h_T (N, H)).
    """
    op = "gru_layer"
    x, (h0,), T, N, I, H = _prepare(op, x, [("h0", h0)], w_ih, w_hh, b_ih, b_hh, 3)
    W, U = w_ih._data, w_hh._data
    xp = xp_of(U)
    dtype = U.dtype
    H2 = 2 * H
    x2 = x._data.reshape(T * N, I)
    h0d = None if h0 is None else h0._data
    Wf, Uf = W.copy(), U.copy()
    Wf[:H2] *= -1
    Uf[:H2] *= -1
    gates = (x2 @ Wf.T).reshape(T, N, 3 * H)  # pre-activations, overwritten by r, z, n
    bx = None
    if b_ih is not None or b_hh is not None:
        bx = b_ih._data.copy() if b_ih is not None else xp.zeros(3 * H, dtype=dtype)
        if b_hh is not None:
            bx[:H2] += b_hh._data[:H2]
        bx[:H2] *= -1
        gates += bx
    bhn = None if b_hh is None else b_hh._data[H2:]
    UfT = Uf.T
    hs = xp.empty((T, N, H), dtype=dtype)
    hns = xp.empty((T, N, H), dtype=dtype)  # W_hn hₜ₋₁ + b_hn
    if use_compiled(gates, U):
        _gru_forward_compiled(gates, UfT, h0d, bhn, hs, hns)
    else:
        _gru_forward_numpy(gates, UfT, h0d, bhn, hs, hns)
    parents = _parents(x, [h0], w_ih, w_hh, b_ih, b_hh)

    def backward(g):
        need_h0 = h0 is not None and h0.requires_grad
        back = _gru_backward_compiled if use_compiled(gates, U) else _gru_backward_numpy
        dGx, dGh, dh = back(g, gates, hs, hns, h0d, U, need_h0)
        gx, gw_ih, gw_hh, gb_ih, gb_hh = _weight_grads(
            (x, w_ih, w_hh, b_ih, b_hh), dGx, dGh, x2, hs, h0d, W)
        return gx, (dh if need_h0 else None), gw_ih, gw_hh, gb_ih, gb_hh

    out = Tensor._op(hs, parents, backward)
    return out, out[T - 1]


def _gru_forward_numpy(gates, UfT, h0d, bhn, hs, hns):
    """The GRU's forward time loop in NumPy calls (see `tidu.kernels.recurrent`)."""
    H = hs.shape[2]
    H2 = 2 * H
    h = h0d
    with np.errstate(over="ignore"):
        for t in range(hs.shape[0]):
            a = gates[t]
            hn = hns[t]
            if h is not None:
                hp = h @ UfT
                a[:, :H2] += hp[:, :H2]
                if bhn is None:
                    hn[...] = hp[:, H2:]
                else:
                    np.add(hp[:, H2:], bhn, out=hn)
            elif bhn is None:
                hn[...] = 0
            else:
                hn[...] = bhn
            s = a[:, :H2]
            np.exp(s, out=s)
            s += 1
            np.reciprocal(s, out=s)
            n = a[:, H2:]
            n += a[:, :H] * hn
            np.tanh(n, out=n)
            ht = hs[t]
            if h is None:
                np.multiply(a[:, H:H2], n, out=ht)
                np.subtract(n, ht, out=ht)
            else:
                np.subtract(h, n, out=ht)
                ht *= a[:, H:H2]
                ht += n
            h = ht


def _gru_forward_compiled(gates, UfT, h0d, bhn, hs, hns):
    """The GRU's forward time loop, one fused kernel call per step."""
    from ...kernels.recurrent import gru_forward_step
    T, N, H = hs.shape
    b_hn = np.zeros(H, dtype=hs.dtype) if bhn is None else np.ascontiguousarray(bhn)
    h = np.zeros((N, H), dtype=hs.dtype) if h0d is None else np.ascontiguousarray(h0d)
    hp = np.zeros((N, 3 * H), dtype=hs.dtype)
    for t in range(T):
        if t or h0d is not None:
            np.matmul(h, UfT, out=hp)
        gru_forward_step(gates[t], hp, b_hn, h, hns[t], hs[t])
        h = hs[t]


def _gru_backward_numpy(g, gates, hs, hns, h0d, U, need_h0):
    """The GRU's BPTT in NumPy calls: the input and the recurrent parts of ∂L/∂P
    (T, N, 3H) each, and ∂L/∂h₀."""
    xp = xp_of(U)
    T, N, H = hs.shape
    H2 = 2 * H
    dtype = U.dtype
    gr, gz, gn = (gates[..., k * H:(k + 1) * H] for k in range(3))
    # M (T, N, 3, H): [hn·r(1−r), (h₋₁−n)·z(1−z), r], overwritten in place by the
    # gradients of the recurrent pre-activations (W_hr h + b_hr, W_hz h + b_hz, W_hn h + b_hn).
    M = xp.empty((T, N, 3, H), dtype=dtype)
    m = M[:, :, 0]
    np.subtract(1, gr, out=m); m *= gr; m *= hns
    m = M[:, :, 1]
    np.subtract(hs[:-1], gn[1:], out=m[1:])
    if h0d is None:
        np.negative(gn[0], out=m[0])
    else:
        np.subtract(h0d, gn[0], out=m[0])
    zz = 1 - gz
    zz *= gz
    m *= zz
    M[:, :, 2] = gr
    A = gn * gn                          # (1 − z)(1 − n²)
    np.subtract(1, A, out=A)
    np.subtract(1, gz, out=zz)
    A *= zz
    dGx = xp.empty((T, N, 3 * H), dtype=dtype)
    dn = dGx[..., H2:]                   # ∂L/∂(W_in x + b_in + r ⊙ hn)
    dh = None
    for t in range(T - 1, -1, -1):
        if dh is None:
            dht = g[t]
        else:
            dh += g[t]
            dht = dh
        dnt = dn[t]
        np.multiply(dht, A[t], out=dnt)
        Mt = M[t]
        Mt[:, ::2] *= dnt[:, None, :]
        Mt[:, 1] *= dht
        if t > 0 or need_h0:
            dh_new = Mt.reshape(N, 3 * H) @ U
            dh_new += dht * gz[t]
            dh = dh_new
    dGh = M.reshape(T, N, 3 * H)
    dGx[..., :H2] = dGh[..., :H2]
    return dGx, dGh, dh


def _gru_backward_compiled(g, gates, hs, hns, h0d, U, need_h0):
    """The GRU's BPTT, one fused kernel call and one matrix product per step."""
    from ...kernels.recurrent import gru_backward_step
    T, N, H = hs.shape
    g = np.ascontiguousarray(g)
    zeros = np.zeros((N, H), dtype=U.dtype)
    h0 = zeros if h0d is None else np.ascontiguousarray(h0d)
    dGx = np.empty((T, N, 3 * H), dtype=U.dtype)
    dGh = np.empty((T, N, 3 * H), dtype=U.dtype)
    mm, carry = zeros, zeros.copy()
    for t in range(T - 1, -1, -1):
        gru_backward_step(gates[t], hns[t], hs[t - 1] if t else h0, mm, carry, g[t],
                          dGx[t], dGh[t])
        if t > 0 or need_h0:
            mm = dGh[t] @ U
    return dGx, dGh, (mm + carry if need_h0 else None)


# --------------------------------------------------------------------------- single steps
# One time step each, for scripts that write the time loop themselves (`tidu.nn.RNNCell`,
# `LSTMCell`, `GRUCell`): the same recurrences as the layers above with T = 1, each ONE graph
# node with a hand-written backward.  x (N, I), states (N, H) or None (zeros).  Gradients:
# with P the gate pre-activations (N, G·H), dx = dP W_ih, dW_ih = dPᵀ x, dW_hh = dPᵀ h
# (zeros without h), db = Σ_batch dP (the GRU splits dP into its input and recurrent parts).
def _sigmoid_(a):
    """σ(a) = 1/(1 + e^(−a)) in place; e^(−a) overflowing to ∞ gives exactly 0."""
    with np.errstate(over="ignore"):
        np.negative(a, out=a)
        np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)
    return a


def _cell_grads(parents, dPx, dPh, xd, hd, W, U, H):
    """dx, dh (without the GRU's direct z ⊙ g term), dW_ih, dW_hh, db_ih, db_hh of one step."""
    x, h, w_ih, w_hh, b_ih, b_hh = parents
    gx = dPx @ W if x.requires_grad else None
    gh = dPh @ U if h.requires_grad else None
    gw_ih = dPx.T @ xd if w_ih.requires_grad else None
    gw_hh = None
    if w_hh.requires_grad:
        gw_hh = dPh.T @ hd if hd is not None else xp_of(U).zeros_like(U)
    gb_ih = dPx.sum(axis=0) if b_ih.requires_grad else None
    gb_hh = dPh.sum(axis=0) if b_hh.requires_grad else None
    return gx, gh, gw_ih, gw_hh, gb_ih, gb_hh


def _preact(xd, hd, W, U, bias):
    P = xd @ W.T
    if hd is not None:
        P += hd @ U.T
    if bias is not None:
        P += bias
    return P


def rnn_cell(x: Tensor, h: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None, nonlinearity: str = "tanh") -> Tensor:
    """One Elman RNN step: h' = φ(W_ih x + b_ih + W_hh h + b_hh), φ = tanh (default) or relu.

    x (N, I), h (N, H) or None (zeros), w_ih (H, I), w_hh (H, H), b_ih, b_hh (H,) or None.
    Returns h' (N, H).  Backward: dP = ∂L/∂h' ⊙ φ'(P), φ' = 1 − h'² (tanh) or [h' > 0] (relu).
    (PyTorch's ``torch.rnn_tanh_cell`` / ``rnn_relu_cell``; tidu takes None for a zero h.)
    """
    op = "rnn_cell"
    if nonlinearity not in ("tanh", "relu"):
        raise ArgumentError(f"{op}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    x, (h,), _, N, I, H = _prepare(op, x, [("h", h)], w_ih, w_hh, b_ih, b_hh, 1, cell=True)
    W, U = w_ih._data, w_hh._data
    xd, hd = x._data, None if h is None else h._data
    out = _preact(xd, hd, W, U, _bias_sum(b_ih, b_hh))
    tanh = nonlinearity == "tanh"
    if tanh:
        np.tanh(out, out=out)
    else:
        np.maximum(out, 0, out=out)
    parents = _parents(x, [h], w_ih, w_hh, b_ih, b_hh)

    def backward(g):
        if tanh:
            dP = out * out
            np.subtract(1, dP, out=dP)
            dP *= g
        else:
            dP = g * (out > 0)
        return _cell_grads(parents, dP, dP, xd, hd, W, U, H)

    return Tensor._op(out, parents, backward)


def lstm_cell(x: Tensor, h: Tensor | None, c: Tensor | None, w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None):
    """One LSTM step (gates i, f, g, o along the weights' rows, as PyTorch):
    i, f, o = σ(·), g = tanh(·) of W_ih x + b_ih + W_hh h + b_hh;
    c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c').

    x (N, I), h and c (N, H) or None (zeros), w_ih (4H, I), w_hh (4H, H), b_ih, b_hh (4H,) or
    None.  Returns (h', c'), both (N, H), views of one graph node holding [h', c'].
    Backward: δc = ∂L/∂c' + ∂L/∂h' ⊙ o ⊙ (1 − tanh² c'); dP = [δc ⊙ g ⊙ i(1−i),
    δc ⊙ c ⊙ f(1−f), δc ⊙ i ⊙ (1−g²), ∂L/∂h' ⊙ tanh c' ⊙ o(1−o)]; ∂L/∂c = δc ⊙ f.
    """
    op = "lstm_cell"
    x, (h, c), _, N, I, H = _prepare(op, x, [("h", h), ("c", c)], w_ih, w_hh, b_ih, b_hh, 4,
                                     cell=True)
    W, U = w_ih._data, w_hh._data
    xp = xp_of(U)
    xd, hd, cd = x._data, None if h is None else h._data, None if c is None else c._data
    P = _preact(xd, hd, W, U, _bias_sum(b_ih, b_hh))  # overwritten by i, f, g, o
    gi, gf, gg, go = (P[:, k * H:(k + 1) * H] for k in range(4))
    _sigmoid_(P[:, :2 * H])
    np.tanh(gg, out=gg)
    _sigmoid_(go)
    Y = xp.empty((2, N, H), dtype=U.dtype)  # [h', c']
    hn, cn = Y[0], Y[1]
    np.multiply(gi, gg, out=cn)
    if cd is not None:
        cn += gf * cd
    tc = np.tanh(cn)
    np.multiply(go, tc, out=hn)
    parents = _parents(x, [h, c], w_ih, w_hh, b_ih, b_hh)

    def backward(G):
        gh, gc = G[0], G[1]
        dc = tc * tc
        np.subtract(1, dc, out=dc)
        dc *= go
        dc *= gh
        dc += gc
        dP = xp.empty((N, 4 * H), dtype=U.dtype)
        di, df, dg, do = (dP[:, k * H:(k + 1) * H] for k in range(4))
        np.subtract(1, gi, out=di); di *= gi; di *= gg; di *= dc
        if cd is None:
            df[...] = 0
        else:
            np.subtract(1, gf, out=df); df *= gf; df *= cd; df *= dc
        np.multiply(gg, gg, out=dg); np.subtract(1, dg, out=dg); dg *= gi; dg *= dc
        np.subtract(1, go, out=do); do *= go; do *= tc; do *= gh
        gx, gh0, gw_ih, gw_hh, gb_ih, gb_hh = _cell_grads(
            parents[:2] + parents[3:], dP, dP, xd, hd, W, U, H)
        gc0 = dc * gf if c is not None and c.requires_grad else None
        return gx, gh0, gc0, gw_ih, gw_hh, gb_ih, gb_hh

    Yt = Tensor._op(Y, parents, backward)
    return Yt[0], Yt[1]


def gru_cell(x: Tensor, h: Tensor | None, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """One GRU step (gates r, z, n along the weights' rows, as PyTorch):
    r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h.

    x (N, I), h (N, H) or None (zeros), w_ih (3H, I), w_hh (3H, H), b_ih, b_hh (3H,) or None.
    Returns h' (N, H).  Backward, with a = ∂L/∂n_pre = ∂L/∂h' ⊙ (1 − z)(1 − n²) and
    hn = W_hn h + b_hn: dP_x = [a ⊙ hn ⊙ r(1−r), ∂L/∂h' ⊙ (h − n) ⊙ z(1−z), a],
    dP_h = the same with a ⊙ r in the n block; ∂L/∂h = dP_h W_hh + ∂L/∂h' ⊙ z.
    """
    op = "gru_cell"
    x, (h,), _, N, I, H = _prepare(op, x, [("h", h)], w_ih, w_hh, b_ih, b_hh, 3, cell=True)
    W, U = w_ih._data, w_hh._data
    xp = xp_of(U)
    H2 = 2 * H
    xd, hd = x._data, None if h is None else h._data
    Px = _preact(xd, None, W, U, None if b_ih is None else b_ih._data)
    Ph = hd @ U.T if hd is not None else xp.zeros((N, 3 * H), dtype=U.dtype)  # W_hh h + b_hh
    if b_hh is not None:
        Ph += b_hh._data
    rz = Px[:, :H2]
    rz += Ph[:, :H2]
    _sigmoid_(rz)
    r, z = rz[:, :H], rz[:, H:]
    hn = Ph[:, H2:]
    n = Px[:, H2:]
    n += r * hn
    np.tanh(n, out=n)
    out = n - z * n if hd is None else n + z * (hd - n)
    parents = _parents(x, [h], w_ih, w_hh, b_ih, b_hh)

    def backward(g):
        dPx = xp.empty((N, 3 * H), dtype=U.dtype)
        dr, dz, dn = dPx[:, :H], dPx[:, H:H2], dPx[:, H2:]
        np.multiply(n, n, out=dn); np.subtract(1, dn, out=dn)
        dn *= 1 - z
        dn *= g
        np.subtract(1, r, out=dr); dr *= r; dr *= hn; dr *= dn
        np.subtract(1, z, out=dz); dz *= z; dz *= g
        if hd is None:
            dz *= -n
        else:
            dz *= hd - n
        dPh = dPx.copy()
        dPh[:, H2:] *= r
        grads = _cell_grads(parents, dPx, dPh, xd, hd, W, U, H)
        gh = grads[1]
        if gh is not None:
            gh += g * z
        return grads

    return Tensor._op(out, parents, backward)
