"""Element functions for the compiled kernels: e^x, e^x − 1, the logistic sigmoid and tanh,
written with plain arithmetic so that LLVM vectorises the loops that call them (Numba's
``math.exp`` is a scalar libm call: the wheels ship no vector maths library).

e^x = 2^k · p(r) with k = round(x / ln 2) and r = x − k·ln 2 (ln 2 split in a high and a
low part, Cody & Waite), |r| ≤ ln2/2, p the Taylor polynomial of e^r (degree 7 in float32,
13 in float64: truncation below 10⁻⁸ and 10⁻¹⁷ of the result), 2^k built from its exponent
bits.  x is clamped to the finite range first; NaN is passed through unchanged.
e^x − 1 = 2^k·q(r) + (2^k − 1) with q(r) = p(r) − 1 summed without the 1, so it keeps
full relative precision near 0, which tanh(x) = (e^(2x) − 1)/(e^(2x) − 1 + 2) needs.
"""
from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

# Fast-math flags without 'nnan'/'ninf', so that a NaN or Inf reaching a kernel stays visible
# (tidu's anomaly detection relies on it), and without 'reassoc', which would let LLVM merge
# the two-part reduction x − k·ln2_hi − k·ln2_lo; products and sums may still be fused.
FASTMATH = {"contract", "arcp", "afn"}

_F32 = dict(lo=np.float32(-87.0), hi=np.float32(88.0), log2e=np.float32(1.4426950408889634),
            ln2hi=np.float32(0.693359375), ln2lo=np.float32(-2.12194440e-4),
            bias=np.int32(127), shift=np.int32(23), ints=np.int32, floats=np.float32, degree=7)
_F64 = dict(lo=np.float64(-708.0), hi=np.float64(709.0), log2e=np.float64(1.4426950408889634),
            ln2hi=np.float64(6.93147180369123816490e-01),
            ln2lo=np.float64(1.90821492927058770002e-10),
            bias=np.int64(1023), shift=np.int64(52), ints=np.int64, floats=np.float64, degree=13)


def _taylor(c, degree):
    """1/j! for j = degree … 2, in the constant's float type (Horner order)."""
    out, fact = [], 1.0
    for j in range(1, degree + 1):
        fact *= j
        if j >= 2:
            out.append(c["floats"](1.0 / fact))
    return tuple(reversed(out))


def _make(c):
    lo, hi, log2e, ln2hi, ln2lo = c["lo"], c["hi"], c["log2e"], c["ln2hi"], c["ln2lo"]
    bias, shift, ints, floats = c["bias"], c["shift"], c["ints"], c["floats"]
    coefs = _taylor(c, c["degree"])
    one, half = floats(1.0), floats(0.5)

    @njit(fastmath=FASTMATH, error_model="numpy")
    def reduce(x):
        y = min(max(x, lo), hi)
        k = np.floor(y * log2e + half)
        r = y - k * ln2hi - k * ln2lo
        q = coefs[0]  # q(r) = Σ_{j≥2} r^(j−2)/j!, so e^r − 1 = r + r²·q
        for cj in coefs[1:]:
            q = q * r + cj
        two_k = ints((ints(k) + bias) << shift)
        return r * q * r + r, two_k.view(floats)

    @njit(fastmath=FASTMATH, error_model="numpy")
    def exp(x):
        em1, s = reduce(x)
        out = s * em1 + s
        return out if x == x else x

    @njit(fastmath=FASTMATH, error_model="numpy")
    def expm1(x):
        em1, s = reduce(x)
        out = s * em1 + (s - one)
        return out if x == x else x

    @njit(fastmath=FASTMATH, error_model="numpy")
    def sigmoid_neg(a):
        return one / (one + exp(a))

    @njit(fastmath=FASTMATH, error_model="numpy")
    def tanh(a):
        e = expm1(a + a)
        return e / (e + floats(2.0))

    return exp, expm1, sigmoid_neg, tanh


_F32_FUNCS = _make(_F32)
_F64_FUNCS = _make(_F64)


def _dispatch(index):
    """An overload choosing the float32 or float64 version of function ``index``."""
    def typer(x):
        if x == types.float32:
            f = _F32_FUNCS[index]
            return lambda x: f(x)
        if x == types.float64:
            f = _F64_FUNCS[index]
            return lambda x: f(x)
    return typer


def fexp(x):
    """e^x (see the module docstring); callable only inside compiled code."""
    raise NotImplementedError("fexp runs only inside Numba-compiled code")


def fexpm1(x):
    """e^x − 1 (see the module docstring); callable only inside compiled code."""
    raise NotImplementedError("fexpm1 runs only inside Numba-compiled code")


def sigmoid_neg(a):
    """σ(−a) = 1/(1 + e^a): the recurrent layers store their sigmoid rows negated."""
    raise NotImplementedError("sigmoid_neg runs only inside Numba-compiled code")


def tanh(a):
    """tanh(a) = (e^(2a) − 1)/(e^(2a) − 1 + 2); ±1 exactly once e^(2a) saturates."""
    raise NotImplementedError("tanh runs only inside Numba-compiled code")


for _index, _func in enumerate((fexp, fexpm1, sigmoid_neg, tanh)):
    overload(_func)(_dispatch(_index))
