"""E26: a gradient check flags a deliberately wrong backward and passes the right one."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.diagnose import gradcheck
from tidu.nn import functional as F

from ..base import Outcome, SubClaim, experiment


# A hand-written activation, tanh, with its own backward.  `Tensor._op(data, parents, backward)`
# is how tidu's ops are built; backward maps the upstream gradient g to one gradient per parent.
def _tanh_right(x: tidu.Tensor) -> tidu.Tensor:
    out = np.tanh(x._data)
    return tidu.Tensor._op(out, (x,), lambda g: (g * (1 - out ** 2),))


def _tanh_input_not_output(x: tidu.Tensor) -> tidu.Tensor:
    out = np.tanh(x._data)
    # bug: 1 − x² instead of 1 − tanh(x)²
    return tidu.Tensor._op(out, (x,), lambda g: (g * (1 - x._data ** 2),))


def _tanh_no_chain_rule(x: tidu.Tensor) -> tidu.Tensor:
    out = np.tanh(x._data)
    # bug: the local derivative alone, the upstream gradient g forgotten
    return tidu.Tensor._op(out, (x,), lambda g: (np.ones_like(g) * (1 - out ** 2),))


def _tanh_off_by_2pct(x: tidu.Tensor) -> tidu.Tensor:
    out = np.tanh(x._data)
    # subtle bug: a wrong constant, 2 % off
    return tidu.Tensor._op(out, (x,), lambda g: (1.02 * g * (1 - out ** 2),))


VARIANTS = {
    "right: g·(1 − tanh²x)": _tanh_right,
    "wrong: g·(1 − x²)": _tanh_input_not_output,
    "wrong: (1 − tanh²x), g dropped": _tanh_no_chain_rule,
    "wrong: 1.02·g·(1 − tanh²x)": _tanh_off_by_2pct,
}


class HandTanh(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def _model(fn, n_in: int, n_hidden: int, n_out: int) -> nn.Module:
    tidu.manual_seed(0)  # the same weights for every variant
    return nn.Sequential(nn.Linear(n_in, n_hidden), HandTanh(fn), nn.Linear(n_hidden, n_hidden),
                         HandTanh(fn), nn.Linear(n_hidden, n_out))


@experiment(
    "E26", title="Gradient check of a hand-written backward", notes=("001",),
    claim_zh="为了确认代码中反向传播计算的梯度是否正确，可以采用梯度检验（gradient check）的方法。通过计算数值梯度，"
             "得到梯度的近似值，然后和反向传播得到的梯度进行比较，若两者相差很小的话则证明反向传播的代码是正确无误的。",
    claim_en="Comparing backprop's gradients with numerical (finite-difference) gradients tells a "
             "correct backward from a wrong one.",
)
def run(full: bool = False) -> Outcome:
    n_in, n_hidden, n_out, n = (8, 16, 4, 64) if full else (5, 8, 3, 24)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, n_in))
    y = rng.integers(0, n_out, size=n)
    reports = {}
    for name, fn in VARIANTS.items():
        model = _model(fn, n_in, n_hidden, n_out)
        reports[name] = gradcheck(model, F.cross_entropy, x, y)   # float64, eps 1e-6, threshold 1e-5

    right = reports["right: g·(1 − tanh²x)"]
    wrong = {k: v for k, v in reports.items() if k.startswith("wrong")}

    last = [p for p, _ in _model(_tanh_right, n_in, n_hidden, n_out).named_parameters()][-2:]
    last_layer = float(max(rep[p].max_rel_error for rep in reports.values() for p in last))
    param_names = [name for name, _ in _model(_tanh_right, n_in, n_hidden, n_out).named_parameters()]
    fig, ax = plt.subplots(figsize=(10, 3.5))
    width = 0.8 / len(reports)
    for k, (name, rep) in enumerate(reports.items()):
        errs = [max(rep[p].max_rel_error, 1e-16) for p in param_names]
        ax.bar(np.arange(len(param_names)) + (k - (len(reports) - 1) / 2) * width, errs, width,
               label=f"{name} → {'passed' if rep.passed else 'FAILED'}")
    ax.axhline(right.threshold, color="red", linestyle="--", label=f"threshold {right.threshold:g}")
    ax.set_yscale("log")
    ax.set_xticks(np.arange(len(param_names)), param_names, fontsize=8)
    ax.set(title="Gradient check: largest relative error |a − n| / (|a| + |n|) per parameter",
           xlabel="parameter (Linear → tanh → Linear → tanh → Linear)",
           ylabel="max relative error")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()

    def worst(rep):
        return f"{float(rep.max_rel_error):.1e}" + (f" in {rep.failed[0].name}" if rep.failed else "")

    subclaims = [
        SubClaim("the right backward agrees with the numerical gradient (the check passes)",
                 held=bool(right.passed),
                 evidence=f"largest relative error {float(right.max_rel_error):.1e} over all "
                          f"parameters. Criterion: ≤ {right.threshold:g}"),
        SubClaim("every deliberately wrong backward is flagged, a 2 % error included",
                 held=all(not r.passed for r in wrong.values()),
                 evidence="; ".join(f"{k[7:]}: {worst(v)} → {'FAILED' if not v.passed else 'passed'}"
                                    for k, v in wrong.items())
                          + f". Criterion: each above {right.threshold:g}"),
    ]
    errs = ", ".join(f"{float(v.max_rel_error):.2g}" for v in wrong.values())
    takeaway = (f"Gradient check: the right tanh backward matches finite differences to "
                f"{float(right.max_rel_error):.1e}; the {len(wrong)} wrong ones show relative errors "
                f"{errs} against a {right.threshold:g} threshold and are "
                + ("all flagged" if subclaims[1].held else "not all flagged"))
    verdict = (f"right backward: largest relative error {float(right.max_rel_error):.1e} ≤ "
               f"{right.threshold:g} → {'passed' if right.passed else 'FAILED'}; "
               + "; ".join(f"{k[7:]}: {worst(v)} → {'FAILED' if not v.passed else 'passed'}"
                           for k, v in wrong.items())
               + f"; the last layer, whose gradient does not pass through the hand-written backward, "
                 f"passes in every variant (≤ {last_layer:.1e})")
    return Outcome(takeaway=takeaway, subclaims=subclaims, verdict=verdict,
                   setup=f"MLP {n_in}-{n_hidden}-{n_hidden}-{n_out} whose two activations are a "
                         "hand-written tanh (built with tidu.Tensor._op and its own backward), "
                         f"cross-entropy on {n} random Gaussian inputs with random labels; "
                         "tidu.diagnose.gradcheck compares every parameter's analytic gradient with "
                         "float64 central differences (eps 1e-6, threshold 1e-5 on the relative "
                         "error). Four backwards: the right one, 1 − x² instead of 1 − tanh²x, the "
                         "upstream gradient dropped, and a constant 2 % off",
                   numbers={k: {"passed": bool(v.passed), "max_rel_error": float(v.max_rel_error)}
                            for k, v in reports.items()},
                   figures=[fig])
