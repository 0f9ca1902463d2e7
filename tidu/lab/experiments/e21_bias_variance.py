"""E21: bias falls and variance rises with model capacity; the noise estimate matches the
injected noise."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu import nn
from tidu.data import make_teacher_student
from tidu.diagnose import bias_variance_decomposition, decompose_predictions
from tidu.nn import functional as F
from tidu.train import fit

from ..base import Outcome, SubClaim, experiment

_SIGMA = 0.1            # injected noise σ (σ² = 0.01)
_N, _D = 60, 2          # training-set size, input features
_LR = 0.01              # Adam, full batch
_TEST = (500, 4)        # test inputs × noisy targets per input


class _StackedMLPs(nn.Module):
    """M independent copies of each of several one-hidden-layer tanh MLPs (d → w → 1), held as
    stacked weights — (M, d, w) per width — and trained as one tidu model.  Copy m of every
    width sees only its own data slice x[m] and owns its own parameters; Adam is elementwise,
    so this is exactly M × len(widths) separate trainings, vectorized.  Each net starts as
    nn.Linear would (uniform ±1/√fan_in).  Output: (M, n, len(widths))."""

    def __init__(self, widths, m: int, d: int, rng: np.random.Generator):
        super().__init__()
        self.widths = [int(w) for w in widths]
        for i, w in enumerate(self.widths):
            a1, a2 = 1 / np.sqrt(d), 1 / np.sqrt(w)
            for name, shape, a in ((f"w1_{i}", (m, d, w), a1), (f"b1_{i}", (m, 1, w), a1),
                                   (f"w2_{i}", (m, w, 1), a2), (f"b2_{i}", (m, 1, 1), a2)):
                setattr(self, name, nn.Parameter(tidu.Tensor(
                    rng.uniform(-a, a, shape).astype(np.float32))))

    def forward(self, x):                      # x: (M, n, d) → (M, n, len(widths))
        outs = []
        for i in range(len(self.widths)):
            hidden = F.tanh(x @ getattr(self, f"w1_{i}") + getattr(self, f"b1_{i}"))
            outs.append(hidden @ getattr(self, f"w2_{i}") + getattr(self, f"b2_{i}"))
        return tidu.cat(outs, -1)


def _train_all(widths, X_sets, y_sets, X_test, steps: int, seed: int) -> np.ndarray:
    """Train one MLP of every width on every training set X_sets[m] — all at once, with
    tidu.train.fit — and predict X_test[m] (or a shared X_test).
    Returns predictions (len(widths), M, n_test, 1)."""
    m = X_sets.shape[0]
    model = _StackedMLPs(widths, m, X_sets.shape[-1], np.random.default_rng(seed))
    targets = np.repeat(y_sets, len(widths), axis=-1).astype(np.float32)
    # full batch: the loss is the mean over all nets' points, i.e. a constant times each net's
    # own MSE — Adam's steps do not depend on that constant
    fit(model, nn.MSELoss(), tidu.optim.Adam(model.parameters(), lr=_LR),
        (X_sets.astype(np.float32), targets), epochs=steps, batch_size=None, shuffle=False,
        verbose=0)
    model.eval()
    if X_test.ndim == 2:
        X_test = np.broadcast_to(X_test, (m,) + X_test.shape)
    with tidu.no_grad():
        out = model(tidu.Tensor(np.ascontiguousarray(X_test, dtype=np.float32)))._data
    return np.moveaxis(out.astype(np.float64), -1, 0)[..., None]


def _spearman(a, b) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def _problem(seed: int):
    """A teacher, and its test set: 500 inputs with 4 independent noisy targets each."""
    _, _, teacher = make_teacher_student(n_samples=_N, n_features=_D, noise_sigma=_SIGMA,
                                         teacher="mlp", n_hidden=32, seed=seed)
    X_grid, _ = teacher.sample(_TEST[0], seed=seed + 1)
    X_test = np.repeat(X_grid, _TEST[1], axis=0)
    f_test = teacher(X_test)
    y_test = f_test + _SIGMA * np.random.default_rng(seed + 2).standard_normal(f_test.shape)
    return teacher, X_test, f_test, y_test


@experiment(
    "E21", title="Bias, variance and noise vs model capacity", notes=("001",),
    claim_zh="泛化误差可以分解为偏差（Biase）、方差（Variance）和噪声（Noise）。……偏差度量了学习算法的期望预测"
             "与真实结果的偏离程度，即刻画了学习算法本身的拟合能力。……方差度量了同样大小的训练集的变动所导致的"
             "学习性能的变化……噪声则表达了在当前任务上任何学习算法所能达到的期望泛化误差的下界……可以增加偏差，"
             "减少方差，也可以减少偏差，增加方差",
    claim_en="Test error = bias² + variance + noise: a bigger model lowers the bias and raises the "
             "variance, and the noise term recovers the noise put into the data.",
    expected="held",
)
def run(full: bool = False) -> Outcome:
    return _run(full, base=0)


def _run(full: bool, base: int) -> Outcome:
    widths = np.array([1, 2, 4, 8, 16, 32, 64] if full else [1, 2, 4, 8, 16, 32])
    n_teachers, rounds, boot_rounds, steps = (6, 40, 40, 2000) if full else (4, 20, 10, 1500)
    sigma2 = _SIGMA ** 2
    problems = [_problem(base + 10 * t) for t in range(n_teachers)]

    # the notes' definition: E_D over different training sets of the same size — fresh sets
    # drawn from each teacher; every (teacher, set, width) net trained at once
    X_sets, y_sets, X_tests = [], [], []
    for t, (teacher, X_test, _, _) in enumerate(problems):
        for r in range(rounds):
            Xr, yr = teacher.sample(_N, seed=base + 10 * t + 1000 + r)
            X_sets.append(Xr)
            y_sets.append(yr)
            X_tests.append(X_test)
    preds = _train_all(widths, np.stack(X_sets), np.stack(y_sets), np.stack(X_tests), steps,
                       seed=base + 3)
    preds = preds.reshape(len(widths), n_teachers, rounds, -1, 1)

    rows = []                                   # one dict of curves per teacher
    for t, (_, X_test, f_test, y_test) in enumerate(problems):
        ds = [decompose_predictions(preds[k, t], y_test, truth=f_test)
              for k in range(len(widths))]
        raw_bias = np.array([d.bias for d in ds])
        var = np.array([d.variance for d in ds])
        total = np.array([d.expected_loss for d in ds])
        # f̄ is the mean of R nets, so mean (f̄ − f)² also holds Var/R; var uses ddof=0
        # (E[var] = (R−1)/R · Var), so var/(R−1) estimates that part: remove it
        bias = raw_bias - var / (rounds - 1)
        noise = decompose_predictions(preds[0, t], y_test, noise="estimate", X_test=X_test).noise
        rows.append({"bias": bias, "var": var, "total": total,
                     "implied": total - raw_bias - var,      # test error left for the noise
                     "noise": noise})
    wide = widths >= np.sqrt(widths[0] * widths[-1])         # the wider half (log scale)
    for row in rows:
        row["bias_falls"] = bool(np.all(row["bias"][wide] < 0.5 * row["bias"][0]))
        row["rho_var"] = _spearman(widths, row["var"])
        row["rho_var_from_2"] = _spearman(widths[1:], row["var"][1:])
        row["var_rises"] = bool(row["rho_var"] >= 0.7 and row["var"][-1] > 2 * row["var"][0])
        row["noise_err"] = abs(row["noise"] / sigma2 - 1)
        row["implied_err"] = float(np.max(np.abs(row["implied"] / sigma2 - 1)))
        row["noise_ok"] = row["noise_err"] <= 0.15 and row["implied_err"] <= 0.15
    n_bias = sum(r["bias_falls"] for r in rows)
    n_var = sum(r["var_rises"] for r in rows)
    n_noise = sum(r["noise_ok"] for r in rows)
    # the claim is about the expected behaviour: decide on the curves averaged over teachers
    mean_bias = np.mean([r["bias"] for r in rows], axis=0)
    mean_var = np.mean([r["var"] for r in rows], axis=0)
    bias_falls = bool(np.all(mean_bias[wide] < 0.5 * mean_bias[0]))
    rho_mean_var = _spearman(widths, mean_var)
    var_rises = bool(rho_mean_var >= 0.7 and mean_var[-1] > 2 * mean_var[0])
    noise_ok = n_noise == n_teachers

    # the library's bootstrap decomposition (resamples of one set), first teacher
    teacher, X_test, f_test, y_test = problems[0]
    X0, y0 = teacher.sample(_N, seed=base + 1000)
    cache = {}

    def fit_predict_for(k):
        def fit_predict(X_tr, y_tr, X_te):
            if "preds" not in cache:              # train every width on the first call
                cache["X"] = X_tr
                cache["preds"] = _train_all(widths, X_tr, y_tr, X_te, steps, seed=base + 4)
            # the same seed gives every call the same resamples
            assert np.array_equal(cache["X"], X_tr)
            return cache["preds"][k]
        return fit_predict

    boot = [bias_variance_decomposition(fit_predict=fit_predict_for(k), batched=True,
                                        data=(X0, y0, X_test, y_test), rounds=boot_rounds,
                                        seed=base, truth=teacher)
            for k in range(len(widths))]
    boot_var = np.array([d.variance for d in boot])
    boot_bias = np.array([d.bias for d in boot]) - boot_var / (boot_rounds - 1)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    for row in rows:                                         # each teacher, faint
        ax1.plot(widths, row["bias"], "-", color="tab:blue", lw=0.6, alpha=0.35)
        ax1.plot(widths, row["var"], "-", color="tab:orange", lw=0.6, alpha=0.35)
    ax1.plot(widths, mean_bias, "o-", color="tab:blue", label="bias²")
    ax1.plot(widths, mean_var, "s-", color="tab:orange", label="variance")
    ax1.plot(widths, np.mean([r["implied"] for r in rows], axis=0), "^-", color="tab:green",
             label="noise = test error − bias² − variance")
    ax1.plot(widths, np.mean([r["total"] for r in rows], axis=0), "k.-",
             label="expected test error")
    ax1.axhline(sigma2, color="grey", ls="--", lw=1, label=f"injected σ² = {sigma2:g}")
    ax1.set_xscale("log", base=2)
    ax1.set(title=f"Mean of {n_teachers} teachers (faint: each), {rounds} fresh sets each",
            xlabel="hidden units (capacity)", ylabel="mean squared error")
    ax1.legend(fontsize=7)
    r0 = rows[0]
    ax2.plot(widths, r0["bias"], "o-", color="tab:blue", label="bias², fresh sets")
    ax2.plot(widths, boot_bias, "o--", color="tab:blue", label="bias², bootstrap")
    ax2.plot(widths, r0["var"], "s-", color="tab:orange", label="variance, fresh sets")
    ax2.plot(widths, boot_var, "s--", color="tab:orange", label="variance, bootstrap")
    ax2.set_xscale("log", base=2)
    ax2.set(title="Teacher 1: fresh sets vs bootstrap of one set", xlabel="hidden units (capacity)",
            ylabel="mean squared error")
    ax2.legend(fontsize=7)
    fig.tight_layout()

    def span(key, i=None, fmt=".4f"):
        vals = [r[key] if i is None else r[key][i] for r in rows]
        return f"{min(vals):{fmt}}…{max(vals):{fmt}}"

    bad = [t for t, r in enumerate(rows) if r["var"][0] > r["var"][1]]
    rho_list = ", ".join(format(r["rho_var"], "+.2f") for r in rows)
    bad_bias = ", ".join(format(rows[t]["bias"][0], ".3f") for t in bad)
    bad_var = ", ".join(format(rows[t]["var"][0], ".4f") for t in bad)
    w_first = int(widths[wide][0])
    bias_ev = (f"averaged over {n_teachers} teachers ({rounds} fresh training sets each): bias² "
               f"{mean_bias[0]:.4f} at {widths[0]} hidden unit → "
               f"{', '.join(format(max(b, 0.0), '.5f') for b in mean_bias[wide])} at "
               f"{', '.join(str(int(w)) for w in widths[wide])} units; per teacher it falls on "
               f"{n_bias}/{n_teachers} (1 unit {span('bias', 0)}, {widths[-1]} units "
               f"{span('bias', -1, '.5f')}). Criterion: on the mean curve every net with ≥ {w_first} "
               f"units has under half the 1-unit net's bias².")
    var_ev = (f"averaged over the teachers: variance {mean_var[0]:.4f} at {widths[0]} unit → "
              f"{mean_var[-1]:.4f} at {widths[-1]} units, rank correlation with width "
              f"{rho_mean_var:+.2f}; per teacher it rises on {n_var}/{n_teachers} (rank correlations "
              f"{rho_list})"
              + (f" — on teacher{'s' if len(bad) > 1 else ''} {', '.join(str(t + 1) for t in bad)} "
                 f"the 1-unit net (bias² {bad_bias}) has variance {bad_var}, more than the 2-unit "
                 f"net's; from 2 units up the rank correlation is {span('rho_var_from_2', fmt='+.2f')}"
                 if bad else "")
              + ". Criterion: on the mean curve rank correlation ≥ +0.7 and widest > 2 × narrowest.")
    floor = float(np.min(np.mean([r["total"] for r in rows], axis=0)))
    noise_ev = (f"the lowest expected test error over the widths is {floor:.4f} = {floor / sigma2:.2f} × σ² "
                f"(no width gets under the noise floor); noise from the repeated test inputs' targets {span('noise')} vs injected σ² = "
                f"{sigma2:g} (≤ {max(r['noise_err'] for r in rows):.0%} off); test error − bias² − "
                f"variance within {max(r['implied_err'] for r in rows):.0%} of σ² at every width "
                f"({n_noise}/{n_teachers} teachers within 15% on both). Bootstrap "
                f"(bias_variance_decomposition, teacher 1): bias² {boot_bias[0]:.4f} → "
                f"{boot_bias[-1]:.4f} vs fresh sets {r0['bias'][0]:.4f} → {max(r0['bias'][-1], 0):.4f} "
                f"— resamples of one set share its noise, which a wide net fits and the bootstrap "
                f"counts as bias. Criterion: both estimates within 15% of σ² on every teacher.")
    subclaims = [
        SubClaim("a bigger model has a smaller bias²", bias_falls, bias_ev),
        SubClaim("a bigger model has a larger variance", var_rises, var_ev),
        SubClaim("the decomposition adds up: the noise term, the error no model removes, recovers "
                 "the injected σ² (a check of the estimators more than a finding)",
                 noise_ok, noise_ev),
    ]
    takeaway = (f"From {widths[0]} to {widths[-1]} hidden units (mean of {n_teachers} teachers): bias² "
                f"{mean_bias[0]:.4f} → {max(mean_bias[-1], 0.0):.5f}, variance {mean_var[0]:.4f} → "
                f"{mean_var[-1]:.4f}; the noise estimate {span('noise', fmt='.4f')} matches the "
                f"injected σ² = {sigma2:g}.")
    verdict = (f"bias² falls: {'held' if bias_falls else 'not held'}; variance rises: "
               f"{'held' if var_rises else 'not held'} (rank correlation {rho_mean_var:+.2f}); noise "
               f"recovered: {'held' if noise_ok else 'not held'} ({n_noise}/{n_teachers} teachers) — "
               f"decided on the curves averaged over {n_teachers} teachers, each teacher's shown "
               f"per seed.")
    return Outcome(
        subclaims=subclaims, verdict=verdict, takeaway=takeaway,
        seeds=tuple(base + 10 * t for t in range(n_teachers)),
        per_seed={f"bias², {widths[0]} unit": [float(r["bias"][0]) for r in rows],
                  f"bias², {widths[-1]} units": [float(r["bias"][-1]) for r in rows],
                  f"variance, {widths[0]} unit": [float(r["var"][0]) for r in rows],
                  f"variance, {widths[-1]} units": [float(r["var"][-1]) for r in rows],
                  "variance: rank corr. with width": [float(r["rho_var"]) for r in rows],
                  "noise estimate (σ² = 0.01)": [float(r["noise"]) for r in rows]},
        what_would_change=("Wider nets trained to interpolation can show falling variance (double "
                           "descent); a noise estimate needs repeated inputs or a known σ."),
        setup=(f"{n_teachers} teachers tidu.data.make_teacher_student(teacher='mlp', n_hidden=32, "
               f"n_features={_D}, noise_sigma={_SIGMA}, seed={base}, {base + 10}, …); students "
               f"are tanh MLPs {_D}→w→1, w = {', '.join(map(str, widths))}, trained with "
               f"tidu.train.fit (full batch, Adam lr={_LR}, {steps} steps, no regularization) on "
               f"{rounds} fresh training sets of {_N} points per teacher (all nets stacked in one "
               f"tidu model, trained at once); test set {_TEST[0]} inputs × {_TEST[1]} noisy "
               f"targets. bias², variance: tidu.diagnose.decompose_predictions against the true f, "
               f"bias² less variance/(R−1) (the part of mean (f̄ − f)² due to averaging only R "
               f"nets); noise: noise='estimate' (pooled variance of the repeated inputs' "
               f"targets). For comparison tidu.diagnose.bias_variance_decomposition "
               f"({boot_rounds} bootstrap resamples of one set, same correction). Held if, on the "
               f"curves averaged over the teachers, the bias² of each net in the wider half of "
               f"the widths is under half the narrowest net's and the variance rises with width "
               f"(rank correlation ≥ +0.7, widest > 2 × narrowest), and on every teacher both "
               f"noise estimates are within 15% of σ². Seeds below = the teachers' seeds."),
        numbers={"mean_bias2_narrowest": float(mean_bias[0]),
                 "mean_bias2_widest": float(mean_bias[-1]),
                 "mean_variance_narrowest": float(mean_var[0]),
                 "mean_variance_widest": float(mean_var[-1]),
                 "rank_corr_mean_variance": rho_mean_var,
                 "teachers": n_teachers, "teachers_bias_falls": n_bias,
                 "teachers_variance_rises": n_var, "teachers_noise_ok": n_noise,
                 "max_noise_rel_error": float(max(r["noise_err"] for r in rows)),
                 "max_implied_noise_rel_error": float(max(r["implied_err"] for r in rows)),
                 "min_rank_corr_variance_from_2_units": float(min(r["rho_var_from_2"]
                                                                  for r in rows)),
                 "bootstrap_bias2_widest": float(boot_bias[-1]),
                 "fresh_bias2_widest": float(r0["bias"][-1])},
        figures=[fig])
