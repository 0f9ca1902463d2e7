"""L-BFGS: a quasi-Newton method driven by a closure, as ``torch.optim.LBFGS`` (fixed step or a
strong-Wolfe line search with cubic interpolation)."""
from __future__ import annotations

import copy
import math
from collections import defaultdict

import numpy as np

from ..backend import like, to_numpy, xp_of
from ..errors import ArgumentError, HyperParameterError, StateDictError
from ..tensor import Tensor, enable_grad
from .optimizer import NON_NEGATIVE, Optimizer

LINE_SEARCHES = (None, "strong_wolfe")
COUNT = dict(low=1, integer=True)  # max_iter, max_eval, history_size: ints ≥ 1


class LBFGS(Optimizer):
    r"""Limited-memory BFGS (Nocedal & Wright, Alg. 7.4), PyTorch's variant: every
    ``step(closure)`` runs up to ``max_iter`` iterations on the loss that ``closure`` recomputes
    (it must zero the gradients, compute the loss, call ``backward()`` and return the loss).

    Defaults as PyTorch: lr=1, max_iter=20, max_eval=None (→ max_iter·5//4), tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None (or ``"strong_wolfe"``).
    All parameters are seen as one flat vector θ with gradient g; one param group only.

    Each iteration k (counted across steps; the direction memory lives in ``state``)::

        d ← −g                                      (the very first iteration)
        d ← −H·g                                    (later: the two-loop recursion below)
        θ ← θ + t·d

    with t = lr, except t = min(1, 1/‖g‖₁)·lr on the very first iteration.  With
    ``line_search_fn="strong_wolfe"`` t starts there and is moved by a line search (N&W Alg.
    3.5 / 3.6, cubic interpolation, c₁ = 1e-4, c₂ = 0.9, at most max_eval − evaluations-so-far
    evaluations) to a point with

        f(θ + t·d) ≤ f(θ) + c₁·t·gᵀd        and        |g(θ + t·d)ᵀd| ≤ c₂·|gᵀd|.

    Memory: after a move s = t·d, y = g_new − g_old, the pair (s, y) is kept (at most
    ``history_size`` of them, oldest dropped) when yᵀs > 1e-10, and γ = yᵀs / yᵀy.  Two-loop
    recursion for H·g with pairs i = 1…m, ρᵢ = 1/(yᵢᵀsᵢ)::

        q ← −g
        for i = m … 1:   αᵢ ← ρᵢ·sᵢᵀq ;   q ← q − αᵢ·yᵢ
        r ← γ·q
        for i = 1 … m:   βᵢ ← ρᵢ·yᵢᵀr ;   r ← r + (αᵢ − βᵢ)·sᵢ
        d ← r

    A ``step`` stops (PyTorch's rules, in this order, after each iteration) after max_iter
    iterations, or max_eval closure calls, or when max|g| ≤ tolerance_grad, or max|t·d| ≤
    tolerance_change, or |f − f_prev| < tolerance_change; it returns at once (one call) when
    max|g| ≤ tolerance_grad at the start, and stops before moving when gᵀd > −tolerance_change.
    Without a line search the closure is not called again after the last iteration's move.
    ``step`` returns the loss of its first closure call.

    State (``state_dict()["state"][0]``, PyTorch's keys): ``func_evals``, ``n_iter``, ``d``,
    ``t``, ``old_dirs`` (the y's), ``old_stps`` (the s's), ``ro``, ``H_diag`` (γ),
    ``prev_flat_grad``, ``prev_loss``, ``al``; ``optimizer.state[params[0]]`` as in PyTorch
    (here its arrays stay NumPy arrays, not Tensors).

    Where tidu differs: the line search's scalars are Python floats (float64) also for float32
    parameters (PyTorch keeps some in the parameters' dtype); a bad hyper-parameter (history_size
    < 1, an unknown line_search_fn, max_iter < 1) raises at construction, where PyTorch fails
    only in ``step`` or not at all; ``step()`` without a closure raises a TypeError that says so.
    ``history_size`` changed between steps takes effect (PyTorch then fails with an IndexError,
    or keeps a history that grows without bound).  As in PyTorch, the line search's bracket
    tolerance is fixed at 1e-9 (not tolerance_change).
    No ``clipnorm`` / ``clipvalue``.

    Examples:
        >>> import tidu
        >>> w = tidu.tensor([1.5, -0.5], dtype=tidu.float64, requires_grad=True)
        >>> opt = tidu.optim.LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - tidu.tensor([3.0, 2.0], dtype=tidu.float64)) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> loss = opt.step(closure)
        >>> [round(v, 6) for v in w.tolist()]
        [3.0, 2.0]
    """

    hyper_ranges = {"lr": NON_NEGATIVE, "max_iter": COUNT, "max_eval": COUNT,
                    "tolerance_grad": NON_NEGATIVE, "tolerance_change": NON_NEGATIVE,
                    "history_size": COUNT}
    _option_keys = ("line_search_fn",)

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None):
        if max_eval is None and isinstance(max_iter, int) and not isinstance(max_iter, bool):
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, group: dict) -> None:
        if self.param_groups:
            raise ArgumentError("LBFGS doesn't support per-parameter options (parameter groups): "
                                "it takes one group, got a second")
        super().add_param_group(group)

    def _check_options(self, group):
        if group["line_search_fn"] not in LINE_SEARCHES:
            raise HyperParameterError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', "
                                      f"got line_search_fn={group['line_search_fn']!r}")

    # ------------------------------------------------------------------ flat views
    def _flat_grad(self):
        params = self._params
        xp = xp_of(params[0]._data)
        return xp.concatenate([p.grad._data.reshape(-1) if p.grad is not None
                               else xp.zeros(p._data.size, dtype=p._data.dtype) for p in params])

    def _move(self, t: float, d) -> None:
        """θ ← θ + t·d, each parameter in place from its slice of the flat ``d``."""
        start = 0
        for p in self._params:
            n = p._data.size
            p._data += t * d[start:start + n].reshape(p._data.shape)
            start += n

    def _evaluate(self, closure) -> float:
        with enable_grad():
            loss = closure()
        return _as_float(loss)

    # ------------------------------------------------------------------ the step
    def step(self, closure=None):
        """Up to ``max_iter`` L-BFGS iterations; returns the closure's first loss."""
        if closure is None:
            raise TypeError("LBFGS.step needs a closure: a function that zeroes the gradients, "
                            "recomputes the loss, calls loss.backward() and returns the loss")
        self._recheck_groups()
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            first_loss = closure()
        loss = _as_float(first_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        xp = xp_of(g)
        if _amax(g) <= tol_grad:
            return first_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_g = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        it = 0
        while it < max_iter:
            it += 1
            state["n_iter"] += 1
            first_ever = state["n_iter"] == 1
            # ---- direction
            if first_ever:
                d = -g
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                y = g - prev_g
                s = d * t
                ys = float(xp.dot(y, s))
                if ys > 1e-10:
                    while len(old_dirs) >= history_size:  # drop the oldest pair(s)
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(xp.dot(y, y))
                alpha = state.setdefault("al", [None] * history_size)
                if len(alpha) < len(old_dirs):  # history_size raised by hand between steps
                    alpha.extend([None] * (len(old_dirs) - len(alpha)))
                q = -g
                for i in reversed(range(len(old_dirs))):
                    alpha[i] = float(xp.dot(old_stps[i], q)) * ro[i]
                    q -= alpha[i] * old_dirs[i]
                d = q * h_diag
                for i in range(len(old_dirs)):
                    beta = float(xp.dot(old_dirs[i], d)) * ro[i]
                    d += (alpha[i] - beta) * old_stps[i]
            prev_g = g.copy()
            prev_loss = loss
            # ---- step length
            t = min(1.0, 1.0 / float(xp.abs(g).sum())) * lr if first_ever else lr
            gtd = float(xp.dot(g, d))
            if gtd > -tol_change:
                break
            if group["line_search_fn"] == "strong_wolfe":
                start = [p._data.copy() for p in self._params]

                def along(step_t):
                    self._move(step_t, d)
                    f_new = self._evaluate(closure)
                    g_new = self._flat_grad()
                    for p, x in zip(self._params, start):
                        p._data[...] = x
                    return f_new, g_new

                loss, g, t, ls_evals = _strong_wolfe(along, t, d, loss, g, gtd,
                                                     max_ls=max_eval - evals)
                self._move(t, d)
                converged = _amax(g) <= tol_grad
            else:
                self._move(t, d)
                ls_evals = 0
                converged = False
                if it != max_iter:  # the last move is not evaluated (PyTorch's rule)
                    loss = self._evaluate(closure)
                    g = self._flat_grad()
                    converged = _amax(g) <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            # ---- stopping rules
            if it == max_iter or evals >= max_eval or converged:
                break
            if _amax(d * t) <= tol_change or abs(loss - prev_loss) < tol_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_g, prev_loss=prev_loss)
        return first_loss

    # ------------------------------------------------------------------ state_dict
    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()`` of this optimizer (tidu's, or PyTorch's LBFGS with tensors
        or NumPy arrays).  The flat vectors (``d``, ``prev_flat_grad``, the history) must hold
        as many elements as all the parameters together."""
        saved = state_dict["state"]
        if len(saved) > 1 or any(int(k) != 0 for k in saved):
            raise StateDictError(f"LBFGS.load_state_dict: LBFGS keeps its state under parameter "
                                 f"0 only, got state for parameters {sorted(saved)}")
        p0 = self._params[0]._data
        numel = sum(p._data.size for p in self._params)
        state = {key: _load_value(key, value, p0, numel)
                 for key, value in next(iter(saved.values()), {}).items()}
        super().load_state_dict({"state": {}, "param_groups": state_dict["param_groups"]})
        self.state = defaultdict(dict)
        if state:
            self.state[self._params[0]] = state


def _as_float(loss) -> float:
    """The closure's loss as a Python float (a one-element Tensor, array or number)."""
    if isinstance(loss, Tensor):
        loss = loss._data
    if hasattr(loss, "detach"):  # a torch tensor
        loss = loss.detach()
    try:
        return float(loss.item() if hasattr(loss, "item") else loss)
    except (TypeError, ValueError):
        raise ArgumentError(f"LBFGS.step: the closure must return the loss (a one-element "
                            f"tensor or a number), got {type(loss).__name__}") from None


def _amax(v) -> float:
    return float(xp_of(v).abs(v).max())


def _load_value(key, value, p0, numel):
    if isinstance(value, list):
        return [_load_value(key, v, p0, numel) for v in value]
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, Tensor):
        value = to_numpy(value._data)
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        value = value.item()
    if isinstance(value, np.ndarray) or xp_of(value) is not np:
        value = np.array(to_numpy(value), dtype=p0.dtype)
        if value.shape != (numel,):
            raise StateDictError(f"LBFGS.load_state_dict: state {key!r} has shape {value.shape}, "
                                 f"expected ({numel},): the parameters' elements, flattened")
        return like(p0, value)
    if key in ("func_evals", "n_iter") and isinstance(value, float) and value.is_integer():
        return int(value)
    return copy.deepcopy(value)


# ---------------------------------------------------------------------- line search
def _cubic_min(a, b, bounds=None) -> float:
    """The minimiser of the cubic through two points (t, f, f′) given as (t, f, _, gtd),
    clipped to ``bounds`` (default: between the two); their midpoint when the cubic has no
    real minimiser (N&W eq. 3.59)."""
    (x1, f1, _, g1), (x2, f2, _, g2) = a, b
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    with np.errstate(all="ignore"):  # coincident points give nan, as in PyTorch
        x1, f1, g1, x2, f2, g2 = map(np.float64, (x1, f1, g1, x2, f2, g2))
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        disc = d1 * d1 - g1 * g2
        if not disc >= 0:
            return (lo + hi) / 2.0
        d2 = np.sqrt(disc)
        if x1 <= x2:
            t = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            t = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return float(min(max(t, lo), hi))


def _strong_wolfe(along, t, d, f0, g0, gtd0, c1=1e-4, c2=0.9, tol=1e-9, max_ls=25):
    """Find t satisfying the strong Wolfe conditions along ``d`` (N&W Alg. 3.5: widen a
    bracket; Alg. 3.6: zoom into it by cubic interpolation).  ``along(t)`` returns (f, g) at
    θ + t·d and leaves θ unchanged.  Points are tuples (t, f, g, gᵀd).  Returns
    (f, g, t, number of evaluations) of the best point found."""
    xp = xp_of(d)
    d_norm = float(xp.abs(d).max())
    armijo_fails = lambda p: p[1] > f0 + c1 * p[0] * gtd0  # noqa: E731 (sufficient decrease)
    curved = lambda p: abs(p[3]) <= -c2 * gtd0            # noqa: E731 (strong curvature)

    def point(step_t):
        f, g = along(step_t)
        return (step_t, f, g, float(xp.dot(g, d)))

    origin = (0.0, f0, g0, gtd0)
    prev, cur = origin, point(t)
    evals, n = 1, 0
    bracket, done = None, False
    # ---- bracketing: grow t until an interval must hold an acceptable point
    while n < max_ls:
        if armijo_fails(cur) or (n > 1 and cur[1] >= prev[1]):
            bracket = [prev, cur]
            break
        if curved(cur):
            bracket, done = [cur], True
            break
        if cur[3] >= 0:
            bracket = [prev, cur]
            break
        t_next = _cubic_min(prev, cur, bounds=(cur[0] + 0.01 * (cur[0] - prev[0]), cur[0] * 10))
        prev, cur = cur, point(t_next)
        evals += 1
        n += 1
    if bracket is None:  # out of evaluations: the better of θ and the last point
        bracket = [origin, cur]
    lo, hi = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    # ---- zoom: shrink the bracket, keeping its lowest point at `lo`
    stalled = False
    while not done and n < max_ls:
        if abs(bracket[1][0] - bracket[0][0]) * d_norm < tol:
            break
        t = _cubic_min(bracket[0], bracket[1])
        left, right = min(bracket[0][0], bracket[1][0]), max(bracket[0][0], bracket[1][0])
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:  # too close to an end of the bracket
            if stalled or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        cur = point(t)
        evals += 1
        n += 1
        if armijo_fails(cur) or cur[1] >= bracket[lo][1]:
            bracket[hi] = cur
            lo, hi = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if curved(cur):
                done = True
            elif cur[3] * (bracket[hi][0] - bracket[lo][0]) >= 0:
                bracket[hi] = bracket[lo]
            bracket[lo] = cur
    best = bracket[lo]
    return best[1], best[2], best[0], evals
