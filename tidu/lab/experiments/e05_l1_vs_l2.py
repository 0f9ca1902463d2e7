"""E5: L1 regularization yields sparse weights (exact zeros), L2 small dense ones."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import make_teacher_student
from tidu.train import ProximalL1, Regularizer, Trainer

from ..base import Outcome, SubClaim, experiment

_D, _N, _SIGMA, _SPARSE = 40, 100, 0.5, 0.75      # features, samples, noise, teacher's zero share
_LAMS = (0.01, 0.03, 0.1, 0.3, 1.0)                # λ grid, the same for L1 and L2
_STEPS, _LR = 500, 0.1                            # converged: slowest mode contracts ×0.97 a step


def _train(X, y, Xv, yv, callbacks, seed: int):
    """Linear student, full-batch plain SGD; returns (weights, validation MSE)."""
    tidu.manual_seed(seed)
    model = nn.Linear(_D, 1)
    trainer = Trainer(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=_LR),
                      callbacks=callbacks, verbose=0)
    trainer.fit((X, y), epochs=_STEPS, batch_size=None)
    return model.weight._data.ravel().astype(np.float64), trainer.evaluate((Xv, yv))["loss"]


def _one_teacher(seed: int) -> dict:
    X, y, teacher = make_teacher_student(n_samples=_N, n_features=_D, noise_sigma=_SIGMA,
                                         sparse=_SPARSE, seed=seed)
    Xv, yv = teacher.sample(1000, seed=seed + 1000)
    none_w, none_val = _train(X, y, Xv, yv, [], seed)
    l1 = [_train(X, y, Xv, yv, [ProximalL1(lam)], seed) for lam in _LAMS]
    l2 = [_train(X, y, Xv, yv, [Regularizer("l2", lam)], seed) for lam in _LAMS]
    i1 = int(np.argmin([v for _, v in l1]))        # each penalty at its own best λ (validation)
    i2 = int(np.argmin([v for _, v in l2]))
    sub_w, _ = _train(X, y, Xv, yv, [Regularizer("l1", _LAMS[i1])], seed)  # plain subgradient
    return {"support": teacher.support, "teacher": teacher.weights.ravel(),
            "none": none_w, "none_val": none_val,
            "l1": l1[i1][0], "l1_val": l1[i1][1], "l1_lam": _LAMS[i1],
            "l2": l2[i2][0], "l2_val": l2[i2][1], "l2_lam": _LAMS[i2],
            "l1_sub": sub_w,
            "l1_zero_by_lam": [float(np.mean(w == 0)) for w, _ in l1],
            "l2_zero_by_lam": [float(np.mean(w == 0)) for w, _ in l2]}


@experiment(
    "E5", title="L1 gives sparse weights, L2 small dense ones", notes=("001", "003"),
    claim_zh="L1会趋向于产生少量的特征，而其他的特征都是0，而L2会选择更多的特征，这些特征都会接近于0。"
             "（001：如果用的是$L1$正则化，最终会是稀疏的，也就是说向量中有很多0）",
    claim_en="An L1 penalty drives many weights exactly to zero (a sparse model); an L2 penalty "
             "keeps every weight but shrinks them all towards zero (small and dense).",
)
def run(full: bool = False) -> Outcome:
    seeds = tuple(range(5)) if full else (0, 1, 2)
    runs = [_one_teacher(s) for s in seeds]
    r0 = runs[0]
    n_rel = [int(r["support"].sum()) for r in runs]

    def zeros(w, mask=None):
        return float(np.mean((w if mask is None else w[mask]) == 0))

    l1_zero = [zeros(r["l1"]) for r in runs]
    l1_zero_irr = [zeros(r["l1"], ~r["support"]) for r in runs]
    l1_zero_rel = [zeros(r["l1"], r["support"]) for r in runs]
    l2_zero = [zeros(r["l2"]) for r in runs]
    l2_zero_any_lam = [max(r["l2_zero_by_lam"]) for r in runs]
    none_zero = [zeros(r["none"]) for r in runs]
    sub_zero = [zeros(r["l1_sub"]) for r in runs]
    l2_min_abs = [float(np.abs(r["l2"]).min()) for r in runs]
    norm_ratio = [float(np.linalg.norm(r["l2"]) / np.linalg.norm(r["none"])) for r in runs]
    irr = {k: float(np.mean([np.abs(r[k][~r["support"]]).mean() for r in runs]))
           for k in ("none", "l2", "l1", "l1_sub")}
    l1_path = np.mean([r["l1_zero_by_lam"] for r in runs], axis=0)
    l2_path = np.mean([r["l2_zero_by_lam"] for r in runs], axis=0)
    lam1 = [float(r["l1_lam"]) for r in runs]
    lam2 = [float(r["l2_lam"]) for r in runs]

    def pcts(vals):
        return ", ".join(f"{v:.0%}" for v in vals)

    sparse = all(z >= 0.2 for z in l1_zero)
    dense = all(z == 0.0 for z in l2_zero_any_lam) and all(q < 1.0 for q in norm_ratio)
    subclaims = [
        SubClaim("L1 gives a sparse model: many weights exactly 0", held=sparse,
                 evidence=f"at its validation-chosen λ ({', '.join(f'{v:g}' for v in lam1)}) the "
                          f"proximal L1 fit sets {pcts(l1_zero)} of the {_D} weights exactly to 0 "
                          f"(seeds {list(seeds)}): {np.mean(l1_zero_irr):.0%} of the teacher's "
                          f"irrelevant features, {np.mean(l1_zero_rel):.0%} of the relevant ones "
                          f"(means). Criterion: ≥ 20% exact zeros in every seed"),
        SubClaim("L2 keeps every weight but shrinks them towards 0 (small, dense)", held=dense,
                 evidence=f"at its validation-chosen λ ({', '.join(f'{v:g}' for v in lam2)}) L2 sets "
                          f"{pcts(l2_zero)} of the weights to 0 (at any λ of the grid at most "
                          f"{max(l2_zero_any_lam):.0%}; smallest |w| {min(l2_min_abs):.1e}) and "
                          f"shrinks ‖w‖₂ to {', '.join(f'{q:.2f}' for q in norm_ratio)}× the "
                          f"unpenalized fit; mean |w| on irrelevant features {irr['l2']:.3f} vs "
                          f"{irr['none']:.3f} unpenalized. Criterion: no exact zero at any λ and a "
                          f"smaller ‖w‖₂ than no penalty, in every seed"),
    ]

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    bins = np.arange(-7.25, 0.5, 0.5)               # log10|w|; exact zeros drawn at -7
    for key, label, color in (("none", "no penalty", "0.5"),
                              ("l2", f"L2 (λ={r0['l2_lam']:g})", "tab:blue"),
                              ("l1", f"L1 proximal (λ={r0['l1_lam']:g})", "tab:red"),
                              ("l1_sub", "L1 subgradient", "tab:orange")):
        w = np.abs(r0[key])
        pos = np.where(w == 0, -7.0, np.clip(np.log10(np.maximum(w, 1e-300)), -6.0, None))
        ax1.hist(pos, bins=bins,
                 histtype="step", linewidth=1.8, color=color, label=label)
    ax1.set_xticks([-7, -6, -4, -2, 0], ["=0", "≤1e-6", "1e-4", "0.01", "1"])
    ax1.set(title=f"Weight histograms ({_D} weights, teacher has {int(r0['support'].sum())} nonzero)",
            xlabel="|w| (log scale; exact zeros at the left)", ylabel="number of weights")
    ax1.legend(fontsize=8, loc="upper center")
    order = np.argsort(-np.abs(r0["teacher"]))
    idx = np.arange(_D)
    ax2.plot(idx, np.abs(r0["teacher"][order]), "k_", markersize=9, label="teacher |w|")
    ax2.plot(idx, np.abs(r0["l2"][order]), "o", color="tab:blue", markersize=4, label="L2")
    ax2.plot(idx, np.abs(r0["l1"][order]), "s", color="tab:red", markersize=4, mfc="none",
             label="L1 proximal")
    ax2.plot(idx, np.abs(r0["l1_sub"][order]), "x", color="tab:orange", markersize=4,
             label="L1 subgradient")
    ax2.set(title="Learned |w| per feature (sorted by teacher |w|)",
            xlabel="feature (teacher's largest first)", ylabel="|w|")
    ax2.legend(fontsize=8)
    fig.tight_layout()

    takeaway = (f"L1 (proximal, λ chosen on validation) sets {np.mean(l1_zero):.0%} of {_D} weights "
                f"exactly to 0 (seeds: {pcts(l1_zero)}); L2 sets none to 0 and shrinks ‖w‖₂ to "
                f"{np.mean(norm_ratio):.2f}× the unpenalized fit ({len(seeds)} teachers)")
    verdict = (f"L1: {subclaims[0].evidence}. L2: {subclaims[1].evidence}. Besides: plain L1 subgradient "
               f"steps give {pcts(sub_zero)} exact zeros (weights hover around 0, mean |w| on "
               f"irrelevant features {irr['l1_sub']:.3f}), no penalty {pcts(none_zero)}; along "
               f"λ = {', '.join(f'{v:g}' for v in _LAMS)} L1 zeroes "
               f"{', '.join(f'{v:.0%}' for v in l1_path)} of the weights, L2 "
               f"{', '.join(f'{v:.0%}' for v in l2_path)} (means over seeds)")
    return Outcome(
        takeaway=takeaway, subclaims=subclaims, verdict=verdict, seeds=seeds,
        per_seed={"L1 exact-zero share": l1_zero, "L2 exact-zero share": l2_zero,
                  "L2 ‖w‖₂ / unpenalized ‖w‖₂": norm_ratio, "L1 λ": lam1, "L2 λ": lam2},
        setup=(f"Sparse linear teacher (make_teacher_student: {_D} N(0,1) features, "
               f"{_SPARSE:.0%} of them with weight 0, noise σ={_SIGMA}), {_N} training samples, "
               f"1000 validation samples; linear student trained by full-batch SGD (lr {_LR}, "
               f"{_STEPS} steps, converged) on MSE with no penalty, L2 (Regularizer('l2'), λ·½‖w‖²) "
               f"or L1 as a proximal step (ProximalL1, soft-thresholding: the Lasso), each with its "
               f"own λ picked from the same grid {list(_LAMS)} by validation MSE; teacher seeds "
               f"{list(seeds)} ({', '.join(map(str, n_rel))} relevant features)."),
        numbers={"l1_zero_fraction": float(np.mean(l1_zero)),
                 "l1_zero_fraction_irrelevant": float(np.mean(l1_zero_irr)),
                 "l1_zero_fraction_relevant": float(np.mean(l1_zero_rel)),
                 "l2_zero_fraction": float(np.mean(l2_zero)),
                 "no_penalty_zero_fraction": float(np.mean(none_zero)),
                 "l1_subgradient_zero_fraction": float(np.mean(sub_zero)),
                 "l2_min_abs_weight": min(l2_min_abs), "l2_norm_ratio": float(np.mean(norm_ratio)),
                 "lambdas": list(_LAMS),
                 "l1_zero_fraction_by_lambda": [float(v) for v in l1_path],
                 "l2_zero_fraction_by_lambda": [float(v) for v in l2_path],
                 "val_mse_seed0": {"none": float(r0["none_val"]), "l1": float(r0["l1_val"]),
                                   "l2": float(r0["l2_val"])},
                 "mean_abs_irrelevant": irr},
        figures=[fig])
