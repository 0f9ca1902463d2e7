"""Fused per-time-step kernels of the LSTM and GRU layers (`tidu.nn.functional.recurrent`).

Each call does all the gate arithmetic of one time step for the whole batch in one pass
(row slices per sample, so that LLVM vectorises the loop over the hidden units); the
recurrent matrix product hₜ₋₁ W_hhᵀ (forward) and
δₜ W_hh (backward) stay BLAS calls between the kernel calls.  The layouts are the NumPy
path's: the forward gates array holds the sigmoid pre-activations negated (σ(a) =
1/(1 + e^(−a)) with the weights' sigmoid rows negated), and is overwritten by the gate
activations, which the backward kernel reads.

LSTM (rows i, f, o, g in the forward array; i, f, g, o in the gradient, PyTorch's order):
    forward   i, f, o = σ, g = tanh;  cₜ = f cₜ₋₁ + i g;  hₜ = o tanh(cₜ)
    backward  δh = ∂L/∂hₜ (from above and from step t+1),
              δc = δh · o (1 − tanh²cₜ) + δc₊₁ f₊₁,
              ∂a_i = δc g i(1−i),  ∂a_f = δc cₜ₋₁ f(1−f),  ∂a_g = δc i (1−g²),
              ∂a_o = δh tanh(cₜ) o(1−o)
GRU (rows r, z, n):
    forward   r, z = σ, ĥ = W_hn hₜ₋₁ + b_hn, n = tanh(a_n + r ĥ), hₜ = n + z (hₜ₋₁ − n)
    backward  δh as above,  δn = δh (1 − z)(1 − n²),  ∂a_r = δn ĥ r(1−r),
              ∂a_z = δh (hₜ₋₁ − n) z(1−z),  ∂ĥ = δn r;  δh to step t−1 gets δh z besides
              the product with W_hh

The kernels run on one thread.  Between two kernel calls of a time step the BLAS product
runs on its own thread pool; a second pool (Numba's, parallel over the batch) woken every
step on a 2-core machine spins against it: an LSTM epoch took 27× longer with Numba's
default OpenMP layer and was no faster than one thread with a passive wait policy
(tidu bench lstm and one LSTM layer's forward/backward, 2026-12-07: 574 ms a batch with the
OpenMP layer's defaults, 25–36 ms with a passive wait or the workqueue layer, against 21–29
ms on one thread).
"""
from __future__ import annotations

from numba import njit

from ._math import FASTMATH, sigmoid_neg, tanh

__all__ = ["lstm_forward_step", "lstm_backward_step", "gru_forward_step", "gru_backward_step"]

_JIT = dict(parallel=False, fastmath=FASTMATH, error_model="numpy", cache=True, nogil=True)


@njit(**_JIT)
def lstm_forward_step(a, hp, c_prev, c, tanh_c, h):
    """a (N, 4H) input pre-activations plus ``hp`` (N, 4H) hₜ₋₁ W_hhᵀ (i, f, o rows
    negated; g) → activations in place in ``a``; writes cₜ, tanh(cₜ) and hₜ (N, H) from
    cₜ₋₁ ``c_prev``."""
    N, H = c.shape
    for n in range(N):
        ai, af, ao, ag = a[n, :H], a[n, H:2 * H], a[n, 2 * H:3 * H], a[n, 3 * H:]
        pi, pf, po, pg = hp[n, :H], hp[n, H:2 * H], hp[n, 2 * H:3 * H], hp[n, 3 * H:]
        cp, cn, tn, hn = c_prev[n], c[n], tanh_c[n], h[n]
        for j in range(H):
            i, f = sigmoid_neg(ai[j] + pi[j]), sigmoid_neg(af[j] + pf[j])
            o, g = sigmoid_neg(ao[j] + po[j]), tanh(ag[j] + pg[j])
            ai[j], af[j], ao[j], ag[j] = i, f, o, g
            ct = f * cp[j] + i * g
            tc = tanh(ct)
            cn[j], tn[j], hn[j] = ct, tc, o * tc


@njit(**_JIT)
def lstm_backward_step(acts, c_prev, tanh_c, dh, g_h, dc, dP):
    """One step back: ``acts`` (N, 4H) the gate activations (i, f, o, g), ``c_prev`` cₜ₋₁,
    ``tanh_c`` tanh(cₜ), ``dh`` the gradient from step t+1 (δₜ₊₁ W_hh; zeros at t = T),
    ``g_h`` ∂L/∂hₜ from the layer's output; ``dc`` (N, H) δc₊₁ f₊₁ in, δc f out.
    Writes the pre-activation gradients ``dP`` (N, 4H) in PyTorch's order i, f, g, o."""
    N, H = dc.shape
    for n in range(N):
        ai, af, ao, ag = acts[n, :H], acts[n, H:2 * H], acts[n, 2 * H:3 * H], acts[n, 3 * H:]
        di, df, dg, do = dP[n, :H], dP[n, H:2 * H], dP[n, 2 * H:3 * H], dP[n, 3 * H:]
        cp, tn, dhn, ghn, dcn = c_prev[n], tanh_c[n], dh[n], g_h[n], dc[n]
        for j in range(H):
            i, f, o, g, tc = ai[j], af[j], ao[j], ag[j], tn[j]
            d_h = dhn[j] + ghn[j]
            d_c = d_h * o * (1 - tc * tc) + dcn[j]
            di[j] = d_c * g * i * (1 - i)
            df[j] = d_c * cp[j] * f * (1 - f)
            dg[j] = d_c * i * (1 - g * g)
            do[j] = d_h * tc * o * (1 - o)
            dcn[j] = d_c * f


@njit(**_JIT)
def gru_forward_step(a, hp, b_hn, h_prev, hn, h):
    """a (N, 3H) input pre-activations (r, z negated; n), ``hp`` (N, 3H) hₜ₋₁ W_hhᵀ with
    the r, z rows negated, ``b_hn`` (H,) → activations r, z, n in ``a``; writes
    ĥ = W_hn hₜ₋₁ + b_hn to ``hn`` and hₜ to ``h``."""
    N, H = h.shape
    for n in range(N):
        ar, az, an = a[n, :H], a[n, H:2 * H], a[n, 2 * H:]
        pr, pz, pn = hp[n, :H], hp[n, H:2 * H], hp[n, 2 * H:]
        hpn, hnn, hh = h_prev[n], hn[n], h[n]
        for j in range(H):
            r = sigmoid_neg(ar[j] + pr[j])
            z = sigmoid_neg(az[j] + pz[j])
            nh = pn[j] + b_hn[j]
            nn = tanh(an[j] + r * nh)
            ar[j], az[j], an[j] = r, z, nn
            hnn[j] = nh
            hh[j] = (hpn[j] - nn) * z + nn


@njit(**_JIT)
def gru_backward_step(acts, hn, h_prev, mm, carry, g_h, dGx, dGh):
    """One step back: ``acts`` (N, 3H) r, z, n; ``hn`` ĥ; ``h_prev`` hₜ₋₁; the gradient
    from step t+1 is ``mm`` (δ W_hh) + ``carry`` (δh z), ``carry`` is overwritten by this
    step's δh z; ``g_h`` ∂L/∂hₜ.  Writes the input-part pre-activation gradients ``dGx``
    (∂a_r, ∂a_z, δn) and the recurrent part ``dGh`` (∂a_r, ∂a_z, δn r), each (N, 3H)."""
    N, H = carry.shape
    for n in range(N):
        ar, az, an = acts[n, :H], acts[n, H:2 * H], acts[n, 2 * H:]
        xr, xz, xn = dGx[n, :H], dGx[n, H:2 * H], dGx[n, 2 * H:]
        yr, yz, yn = dGh[n, :H], dGh[n, H:2 * H], dGh[n, 2 * H:]
        hnn, hpn, mmn, cn, ghn = hn[n], h_prev[n], mm[n], carry[n], g_h[n]
        for j in range(H):
            r, z, nn = ar[j], az[j], an[j]
            d_h = mmn[j] + cn[j] + ghn[j]
            d_n = d_h * (1 - z) * (1 - nn * nn)
            d_r = d_n * hnn[j] * r * (1 - r)
            d_z = d_h * (hpn[j] - nn) * z * (1 - z)
            xr[j], xz[j], xn[j] = d_r, d_z, d_n
            yr[j], yz[j], yn[j] = d_r, d_z, d_n * r
            cn[j] = d_h * z
