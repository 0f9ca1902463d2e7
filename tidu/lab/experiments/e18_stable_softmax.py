"""E18: softmax without max-subtraction overflows; the stable form does not."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu.nn import functional as F

from ..base import Outcome, experiment


def _naive_softmax(logits: tidu.Tensor) -> tidu.Tensor:
    e = tidu.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


@experiment(
    "E18", title="Stable softmax (max-subtraction)", notes=("004",),
    claim_zh="为防止在计算e的X次方这种指数运算时可能出现的指数爆炸问题,所以需要在使用到了指数运算的分子和分母中"
             "都要执行每个类别的预测评分值均减去同一某个类别的最大预测评分值。",
    claim_en="Softmax computed as e^x / Σe^x overflows for large scores; subtracting the largest score "
             "first gives the same probabilities without overflow.",
)
def run(full: bool = False) -> Outcome:
    rng = np.random.default_rng(0)
    scales = np.logspace(0, 4, 41 if full else 17)            # largest |score| from 1 to 10⁴
    base = rng.standard_normal((256, 10)).astype(np.float32)
    base /= np.abs(base).max(axis=1, keepdims=True)            # each row's largest |score| is 1
    naive_bad, stable_bad, max_err = [], [], 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for s in scales:
            logits = tidu.Tensor(base * s)
            naive = _naive_softmax(logits).data
            stable = F.softmax(logits, dim=-1).data
            naive_bad.append(float((~np.isfinite(naive).all(axis=1)).mean()))
            stable_bad.append(float((~np.isfinite(stable).all(axis=1)).mean()))
            ok = np.isfinite(naive).all(axis=1)
            if ok.any():                                       # where both are finite they agree
                max_err = max(max_err, float(np.abs(naive[ok] - stable[ok]).max()))
    overflow_at = next((float(s) for s, b in zip(scales, naive_bad) if b > 0), None)
    held = overflow_at is not None and max(stable_bad) == 0.0 and max_err < 1e-5
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.semilogx(scales, naive_bad, "o-", label="naive e^x / Σe^x")
    ax.semilogx(scales, stable_bad, "s--", label="stable e^(x−max) / Σe^(x−max)")
    ax.set(title="Softmax overflow in float32", xlabel="largest |score| in a row",
           ylabel="fraction of rows with NaN/Inf")
    ax.legend()
    verdict = (f"naive softmax first overflows at scores of {overflow_at:.3g} "
               f"({naive_bad[-1]:.0%} of rows non-finite at 1e4); stable softmax: "
               f"{max(stable_bad):.0%} non-finite everywhere; where both are finite they differ by "
               f"≤ {max_err:.1e}") if overflow_at else "naive softmax never overflowed"
    return Outcome(held=held, verdict=verdict,
                   setup="256 rows of 10 float32 scores scaled so the largest |score| runs from 1 to "
                         "1e4; naive vs tidu.nn.functional.softmax",
                   numbers={"overflow_at": overflow_at, "stable_nonfinite": max(stable_bad),
                            "max_abs_difference": max_err},
                   figures=[fig])
