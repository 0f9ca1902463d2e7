"""E25: the Hessian of x²+y²+z²+2x+4y−6z: stationary at (−1,−2,3), positive definite, minimum −14."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import tidu
from tidu.diagnose import classify_stationary_point, gradient, hessian

from ..base import Outcome, SubClaim, experiment

_NOTES_POINT = np.array([-1.0, -2.0, 3.0])
_NOTES_MIN = -14.0


def _linear(v: tidu.Tensor, coef) -> tidu.Tensor:
    return (v * tidu.Tensor(np.asarray(coef, dtype=np.float64), dtype="float64")).sum()


def f_notes(v: tidu.Tensor) -> tidu.Tensor:
    """The notes' function x² + y² + z² + 2x + 4y − 6z."""
    return (v * v).sum() + _linear(v, [2.0, 4.0, -6.0])


def f_negated(v: tidu.Tensor) -> tidu.Tensor:
    """−f: the same stationary point, now a maximum (a control for the classifier)."""
    return -f_notes(v)


def f_saddle(v: tidu.Tensor) -> tidu.Tensor:
    """x² − y² + z² + 2x − 4y − 6z: the same stationary point, now a saddle (a control)."""
    return (v * v * tidu.Tensor(np.array([1.0, -1.0, 1.0]), dtype="float64")).sum() + \
        _linear(v, [2.0, -4.0, -6.0])


def _newton_solve(f, start: np.ndarray) -> np.ndarray:
    """Set ∇f = 0: for a quadratic one Newton step x − H⁻¹∇f(x) lands on the stationary point."""
    return start - np.linalg.solve(hessian(f, start), gradient(f, start))


@experiment(
    "E25", title="Hessian test of a stationary point", notes=("004",),
    claim_zh="1.根据x/y/z三个变量对应的一阶导数为0时,分别得到x=-1,y=-2,z=3时三个变量的方向上此时的梯度均为0,"
             "只是不知道在这个点上的三元函数结果值是局部最小值还是局部最大值还是鞍点。"
             "2.求x/y/z三个变量对应的二阶导数,得出分别均为正整数2,分别组成海森矩阵,斜对角上的值填充为2。"
             "3.根据函数的海森矩阵在梯度为0的位置上的特征值全为正时,该函数得到局部最小值。"
             "那么现在便可以根据x=-1,y=-2,z=3输入到x^2+y^2+z^2+2x+4y-6z可得知局部最小值为-14。",
    claim_en="f = x²+y²+z²+2x+4y−6z has zero gradient at (−1, −2, 3); its Hessian there is 2·I "
             "(all eigenvalues positive), so the point is a local minimum, f = −14.",
)
def run(full: bool = False) -> Outcome:
    rng = np.random.default_rng(0)
    starts = rng.uniform(-10, 10, size=(20 if full else 5, 3))
    found = np.array([_newton_solve(f_notes, s) for s in starts])
    point = found[0]
    spread = float(np.abs(found - _NOTES_POINT).max())
    res = classify_stationary_point(f_notes, point)
    controls = {name: classify_stationary_point(fn, _NOTES_POINT)
                for name, fn in (("−f", f_negated), ("x²−y²+z²+2x−4y−6z", f_saddle))}

    eig = res.eigenvalues
    ctrl_f, ctrl_s = controls["−f"], controls["x²−y²+z²+2x−4y−6z"]
    eig_text = ", ".join(f"{float(e):.6g}" for e in eig)
    hess_err = float(np.abs(res.hessian - 2 * np.eye(3)).max())
    subclaims = [
        SubClaim("the gradient is zero at (x, y, z) = (−1, −2, 3)",
                 held=spread < 1e-6 and res.is_stationary,
                 evidence=f"solving ∇f = 0 from {len(starts)} random starts lands on "
                          f"({point[0]:.6g}, {point[1]:.6g}, {point[2]:.6g}), max deviation from "
                          f"(−1, −2, 3) {spread:.1e}; ‖∇f‖ there {float(res.gradient_norm):.1e}. "
                          f"Criterion: deviation < 1e-6 and ‖∇f‖ below the classifier's tolerance"),
        SubClaim("the Hessian there is 2·I, all eigenvalues positive, so the point is a local minimum",
                 held=(res.kind == "minimum" and np.allclose(eig, 2.0, atol=1e-4) and hess_err < 1e-4
                       and ctrl_f.kind == "maximum" and ctrl_s.kind == "saddle"),
                 evidence=f"Hessian eigenvalues {eig_text} (largest entry deviation from 2·I "
                          f"{hess_err:.1e}) → {res.curvature}, {res.kind}; the same test calls −f a "
                          f"{ctrl_f.kind} and x²−y²+z²+2x−4y−6z a {ctrl_s.kind} at that point. "
                          f"Criterion: eigenvalues 2 ± 1e-4, kind 'minimum', controls classified "
                          f"right"),
        SubClaim("the minimum value is f(−1, −2, 3) = −14",
                 held=abs(res.value - _NOTES_MIN) < 1e-9,
                 evidence=f"f = {float(res.value):.10g}. Criterion: |f + 14| < 1e-9"),
    ]
    takeaway = (f"∇f = 0 at ({point[0]:.4g}, {point[1]:.4g}, {point[2]:.4g}); the Hessian there has "
                f"eigenvalues {', '.join(f'{float(e):.4g}' for e in eig)} (2·I, positive definite) "
                f"→ a minimum with f = {float(res.value):.6g}, as the notes compute")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    xs, ys = np.meshgrid(np.linspace(-11, 11, 111), np.linspace(-11, 11, 111))
    zz = xs ** 2 + ys ** 2 + 3.0 ** 2 + 2 * xs + 4 * ys - 6 * 3.0
    cs = ax1.contour(xs, ys, zz, levels=[-13, -10, -5, 0, 10, 25, 50, 100, 150, 200], cmap="viridis")
    ax1.clabel(cs, fontsize=7, fmt="%.0f")
    ax1.plot(starts[:, 0], starts[:, 1], "x", color="gray", label="Newton starts (x, y)")
    ax1.plot(point[0], point[1], "r*", markersize=14, label="∇f = 0 at ({:.4g}, {:.4g}, {:.4g})".format(*point))
    ax1.set(title="f(x, y, z=3): contours", xlabel="x", ylabel="y")
    ax1.legend(fontsize=7, loc="upper right")
    names = ["f (notes)", "−f", "x²−y²+z²…"]
    eigs = [eig, controls["−f"].eigenvalues, controls["x²−y²+z²+2x−4y−6z"].eigenvalues]
    kinds = [res.kind, controls["−f"].kind, controls["x²−y²+z²+2x−4y−6z"].kind]
    width = 0.25
    for k in range(3):
        ax2.bar(np.arange(3) + (k - 1) * width, [e[k] for e in eigs], width, label=f"λ{k + 1}")
    ax2.axhline(0, color="black", linewidth=0.8)
    ax2.set_xticks(np.arange(3), [f"{n}\n→ {kd}" for n, kd in zip(names, kinds)], fontsize=8)
    ax2.set(title="Hessian eigenvalues at (−1, −2, 3)", xlabel="function", ylabel="eigenvalue")
    ax2.legend(fontsize=7)
    fig.tight_layout()

    verdict = (f"∇f = 0 solved from {len(starts)} random starts lands on "
               f"({point[0]:.6g}, {point[1]:.6g}, {point[2]:.6g}) (max deviation {spread:.1e}); "
               f"‖∇f‖ there {float(res.gradient_norm):.1e}; Hessian eigenvalues {eig_text} → "
               f"{res.curvature}, {res.kind}; f = {float(res.value):.10g} (notes: −14). Controls at "
               f"the same point: −f → {ctrl_f.kind}, x²−y²+z²+2x−4y−6z → {ctrl_s.kind}")
    return Outcome(takeaway=takeaway, subclaims=subclaims, verdict=verdict,
                   setup="f(x,y,z) = x²+y²+z²+2x+4y−6z written with tidu tensors (float64); the "
                         "stationary point found by solving ∇f = 0 (one Newton step x − H⁻¹∇f from "
                         f"{len(starts)} uniform random starts in [−10, 10]³, gradients by autograd); "
                         "tidu.diagnose.classify_stationary_point reads the Hessian's eigenvalues "
                         "(central differences of autograd gradients, tol 1e-6). Controls: −f "
                         "(a maximum) and x²−y²+z²+2x−4y−6z (a saddle) at the same point",
                   numbers={"point": [float(v) for v in point], "max_deviation": spread,
                            "gradient_norm": float(res.gradient_norm),
                            "eigenvalues": [float(e) for e in eig], "value": float(res.value), "kind": res.kind,
                            "control_kinds": {k: v.kind for k, v in controls.items()}},
                   figures=[fig])
