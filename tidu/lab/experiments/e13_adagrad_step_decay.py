"""E13: AdaGrad's effective step η/(√r+ε) keeps shrinking towards zero late in training."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn, optim
from tidu.data import load_digits
from tidu.nn import functional as F

from ..base import Outcome, experiment

LR = 0.01          # the notes' global learning rate δ = 0.01, for both optimizers
BATCH = 16
SEED = 0


def _smooth(a: np.ndarray, k: int = 50) -> np.ndarray:
    k = max(1, min(k, len(a)))
    return np.convolve(a, np.ones(k) / k, mode="valid")


def _train(kind: str, X: np.ndarray, y: np.ndarray, steps: int) -> dict:
    """Mini-batch training of a small MLP; per step: the median per-coordinate effective step
    η/(√acc + ε) (acc = AdaGrad's sum r of squared gradients, RMSProp's running mean v), the
    update norm ‖Δθ‖, the gradient norm ‖g‖ and the batch loss."""
    tidu.manual_seed(SEED)
    model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
    params = list(model.parameters())
    if kind == "AdaGrad":
        opt, acc_key, eps = optim.Adagrad(params, lr=LR), "sum", 1e-10
    else:
        opt, acc_key, eps = optim.RMSprop(params, lr=LR), "square_avg", 1e-8
    rng = np.random.default_rng(SEED + 1)
    eff, upd, grad, loss_hist = (np.empty(steps) for _ in range(4))
    for t in range(steps):
        idx = rng.integers(0, len(X), BATCH)
        loss = F.cross_entropy(model(tidu.tensor(X[idx])), tidu.tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        before = [p.data.copy() for p in params]
        g = np.concatenate([p.grad.data.ravel() for p in params])
        opt.step()
        delta = np.concatenate([(p.data - b).ravel() for p, b in zip(params, before)])
        acc = np.concatenate([opt.state[id(p)][acc_key].ravel() for p in params])
        acc = acc[acc > 0]                     # coordinates that never saw a gradient (blank pixels)
        eff[t] = np.median(LR / (np.sqrt(acc) + eps))
        upd[t], grad[t], loss_hist[t] = np.linalg.norm(delta), np.linalg.norm(g), float(loss.data)
    return {"eff": eff, "upd": upd, "grad": grad, "loss": loss_hist}


@experiment(
    "E13", title="AdaGrad's step shrinks towards zero", notes=("001",),
    claim_zh="随着迭代次数增多，梯度累计平方和也越来越大，即r也相对较大，则约束项变小，这样能够缩小梯度，参数更新量变小。"
             "……中后期，分母上梯度累加的平方和会越来越大，使得参数更新量趋近于0，使得训练提前结束，无法学习",
    claim_en="AdaGrad divides by the root of the running sum of all squared gradients, so its "
             "effective step keeps shrinking and the updates tend to zero late in training.",
)
def run(full: bool = False) -> Outcome:
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    steps = 10000 if full else 2000
    runs = {k: _train(k, X, y, steps) for k in ("AdaGrad", "RMSProp")}
    t = np.arange(1, steps + 1)
    a, r = runs["AdaGrad"], runs["RMSProp"]

    eff10, eff_end = float(a["eff"][9]), float(a["eff"][-1])
    shrink = eff10 / eff_end
    half = steps // 2
    slope = float(np.polyfit(np.log(t[half:]), np.log(a["eff"][half:]), 1)[0])
    early, late = slice(0, 20), slice(steps - steps // 10, steps)

    def step_per_grad(run_, window):  # ‖Δθ‖ / ‖g‖: how far one unit of gradient moves θ
        return float(np.median(run_["upd"][window] / run_["grad"][window]))

    ada_ratio = step_per_grad(a, late) / step_per_grad(a, early)
    rms_ratio = step_per_grad(r, late) / step_per_grad(r, early)
    grad_ratio = float(np.median(a["grad"][late]) / np.median(a["grad"][early]))
    loss_late = {k: float(np.mean(v["loss"][late])) for k, v in runs.items()}

    held = shrink >= 10 and slope <= -0.3 and ada_ratio <= 0.2 and rms_ratio >= 0.5

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.loglog(t, a["eff"], "C0", label="AdaGrad  η/(√r+ε)")
    ax1.loglog(t, r["eff"], "C1", label="RMSProp  η/(√v+ε)")
    ax1.loglog(t[9:], eff10 * np.sqrt(10 / t[9:]), "k:", label="∝ 1/√t")
    ax1.set(title="Effective step (median over weights)", xlabel="step t",
            ylabel="per-coordinate step size")
    ax1.legend(fontsize=8)
    ts = t[len(t) - len(_smooth(a["upd"])):]
    ax2.semilogy(ts, _smooth(a["grad"]), "C0:", label="AdaGrad ‖g‖")
    ax2.semilogy(ts, _smooth(a["upd"]), "C0", label="AdaGrad ‖Δθ‖")
    ax2.semilogy(ts, _smooth(r["upd"]), "C1--", label="RMSProp ‖Δθ‖")
    ax2.set(title="Gradient vs update size (50-step mean)", xlabel="step t", ylabel="L2 norm")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    verdict = (f"AdaGrad's median effective step fell {shrink:.1f}× from step 10 to step {steps} "
               f"({eff10:.3g} → {eff_end:.3g}), still falling as t^{slope:.2f} in the second half; "
               f"its update per unit gradient ‖Δθ‖/‖g‖ fell to {ada_ratio:.2f}× its start while "
               f"the gradient norm only fell to {grad_ratio:.2f}×; RMSProp at the same η: "
               f"{rms_ratio:.2f}× (no shrinking). Late batch loss: AdaGrad {loss_late['AdaGrad']:.3f}, "
               f"RMSProp {loss_late['RMSProp']:.3f}")
    setup = (f"digits (1,797 × 64, /16), MLP 64-32-10 (tanh), cross-entropy, batch {BATCH}, "
             f"{steps} steps; tidu.optim.Adagrad(lr={LR}) (the notes' δ) vs RMSprop(lr={LR}); "
             f"effective step = median over weights of η/(√acc+ε). Held if AdaGrad's shrinks "
             f"≥ 10× from step 10 to the end and still falls (log-log slope ≤ −0.3), and its "
             f"‖Δθ‖/‖g‖ (median, last 10% vs first 20 steps) shrinks ≥ 5× while RMSProp's "
             f"stays within 2×")
    return Outcome(held=held, verdict=verdict, setup=setup,
                   numbers={"adagrad_eff_step10": eff10, "adagrad_eff_end": eff_end,
                            "shrink_factor": shrink, "loglog_slope_second_half": slope,
                            "adagrad_step_per_grad_ratio": ada_ratio,
                            "rmsprop_step_per_grad_ratio": rms_ratio,
                            "adagrad_grad_norm_ratio": grad_ratio, "late_loss": loss_late},
                   figures=[fig])
