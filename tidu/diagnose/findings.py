r"""`diagnose`: turn a `GradientMonitor`'s statistics into findings, each with its evidence
and the notes' remedies ranked for the case at hand.

Findings and their tests (defaults; every threshold is an argument of `diagnose`).  Per-
layer values are medians over the recorded steps; the *first* and *last* layers are the
first and last watched modules with parameters (input side and output side)::

    vanishing gradients   median over steps of ‖∇θ_first‖ / ‖∇θ_last‖ < 1e-3
    exploding gradients   any NaN/inf in gradients, weights, activations or the loss;
                          or max_t ‖∇θ‖_t / ‖∇θ‖_0 > 1e3 (the total norm grew a thousand-fold);
                          or ‖∇θ_first‖ / ‖∇θ_last‖ > 1e2 (the backward pass amplifies:
                          the notes' σ′(z)·w > 1 case, 004);
                          or a median update/weight ratio > 1 (a step larger than the weights)
    saturation            a sigmoid/tanh layer with more than 25% saturated outputs
    dead ReLUs            a ReLU layer with more than 50% of its units dead for the whole batch

The vanishing threshold 1e-3 means the first layer learns a thousand times slower than the
last; the exploding ratio is looser (1e2) because a healthy net rarely has its input layer's
gradient even 10× its output layer's.  Initialization scale is judged by
rms(W)·√fan_in — about √2 for He (Kaiming) normal, 1 for LeCun/Xavier-like, 1/√3 for
PyTorch's default Linear init, 0.01·√fan_in for the notes' N(0, 0.01) and √fan_in for
N(0, 1): below 0.2 the init is "too small", above 3 "too large".

Remedies come from the notes — 000 (重新设计网络模型, 使用ReLU, LSTM, 梯度裁剪, 权重正则化),
001/002/004 (预训练加微调, 梯度剪切、正则, 激活函数 ReLU/LeakyReLU, Batchnorm, 残差结构,
Xavier/He 初始化) and 003 (Leaky ReLU against dead neurons, BN against saturation) — and are
ranked by what the statistics show: a vanishing sigmoid net is told to switch to ReLU with He
initialization before batch normalization and residual connections; an exploding net with
oversized weights is told to fix the initialization before clipping; remedies the model
already has (batch norm, residual blocks) are left out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .monitor import GradientMonitor, GradientStats

__all__ = ["diagnose", "Diagnosis", "Finding", "Remedy", "REMEDIES"]


@dataclass(frozen=True)
class Remedy:
    """A remedy: ``key``, its English ``name``, the notes' Chinese ``term``, and ``how`` to
    apply it in tidu.  In a `Finding`, ``why`` says why it ranks where it does."""

    key: str
    name: str
    term: str
    how: str
    why: str = ""

    def __str__(self) -> str:
        why = f" — {self.why}" if self.why else ""
        return f"{self.name} ({self.term}){why}. In tidu: {self.how}"


REMEDIES = {r.key: r for r in (
    Remedy("relu", "Use ReLU-family activations (ReLU, Leaky ReLU, PReLU) in the hidden layers",
           "使用ReLU、Leaky ReLU等激活函数替代sigmoid",
           "nn.ReLU() / nn.LeakyReLU() / nn.PReLU() in place of nn.Sigmoid() / nn.Tanh()"),
    Remedy("he_init", "Xavier / He initialization", "权重初始化：Xavier / He 初始化",
           "nn.init.kaiming_normal_(layer.weight, nonlinearity='relu') for ReLU layers, "
           "nn.init.xavier_normal_(layer.weight) for tanh/sigmoid layers; biases nn.init.zeros_"),
    Remedy("batchnorm", "Batch normalization", "批正则化 / Batchnorm（BN）",
           "nn.BatchNorm1d(features) between each Linear and its activation "
           "(nn.BatchNorm2d after Conv2d)"),
    Remedy("residual", "Residual connections", "残差结构（捷径 shortcut）",
           "wrap blocks as nn.Residual(nn.Sequential(...)): y = x + f(x)"),
    Remedy("pretrain", "Pre-training + fine-tuning", "预训练加微调",
           "train layer by layer or start from a pre-trained model's state_dict "
           "(tidu.load), then fine-tune the whole network"),
    Remedy("lstm", "LSTM / gated recurrent units", "使用长短期记忆网络（LSTM）",
           "nn.LSTM or nn.GRU in place of nn.RNN"),
    Remedy("clipping", "Gradient clipping", "梯度裁剪 / 梯度剪切",
           "tidu.nn.utils.clip_grad_norm_(model.parameters(), 1.0) before optimizer.step(), "
           "or the optimizer's clipnorm=1.0 / clipvalue=0.5 (the notes' Keras settings)"),
    Remedy("weight_reg", "Weight regularization (L2 or L1 penalty)", "权重正则化",
           "callbacks=[tidu.train.Regularizer('l2', lam=1e-4)] in fit, or the optimizer's "
           "weight_decay="),
    Remedy("smaller_lr", "A smaller learning rate", "较小的学习率",
           "divide lr by 10 (tidu.diagnose.lr_find suggests one), or warm up with "
           "tidu.optim.lr_scheduler"),
    Remedy("redesign", "Redesign the network: fewer layers, smaller batches, truncated "
           "backpropagation through time for RNNs", "重新设计网络模型",
           "fewer/narrower nn.Sequential layers; a smaller batch_size in fit"),
    Remedy("leaky_relu", "Leaky ReLU / PReLU / ELU, which never output a constant zero",
           "Leaky ReLU、PReLU（解决神经元“死亡”问题）",
           "nn.LeakyReLU(0.01), nn.PReLU() or nn.ELU() in place of nn.ReLU()"),
    Remedy("standardize", "Standardize the inputs", "输入数据x的标准化",
           "tidu.data.StandardScaler().fit_transform(X) (zero mean, unit variance)"),
)}


def _remedy(key: str, why: str) -> Remedy:
    base = REMEDIES[key]
    return Remedy(base.key, base.name, base.term, base.how, why)


@dataclass
class Finding:
    """One problem: ``kind`` ("vanishing_gradients", "exploding_gradients", "saturation",
    "dead_relu"), a one-line ``summary``, the ``layers`` concerned, ``evidence`` (named
    numbers) and ``remedies`` (`Remedy`, best first for this case)."""

    kind: str
    summary: str
    layers: list
    evidence: dict
    remedies: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return {"vanishing_gradients": "Vanishing gradients (梯度消失)",
                "exploding_gradients": "Exploding gradients (梯度爆炸)",
                "saturation": "Saturated activations (激活函数饱和)",
                "dead_relu": "Dead ReLU units (神经元“死亡”)"}.get(self.kind, self.kind)

    def __str__(self) -> str:
        lines = [f"{self.title}: {self.summary}"]
        if self.layers:
            lines.append(f"  layers: {', '.join(self.layers)}")
        for name, value in self.evidence.items():
            lines.append(f"  {name}: {_fmt(value)}")
        lines.append("  remedies, best first for this case:")
        for i, r in enumerate(self.remedies, 1):
            lines.append(f"    {i}. {r}")
        return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


@dataclass
class Diagnosis:
    """The findings of `diagnose` (``findings``, in the order vanishing, exploding,
    saturation, dead ReLU), the ``stats`` they came from and the ``thresholds`` used.
    ``"vanishing_gradients" in diagnosis`` tests for a kind; ``diagnosis.healthy`` is True
    when there is none; ``print(diagnosis)`` writes the report."""

    findings: list
    stats: GradientStats
    thresholds: dict

    @property
    def healthy(self) -> bool:
        return not self.findings

    @property
    def kinds(self) -> list:
        return [f.kind for f in self.findings]

    def __contains__(self, kind: str) -> bool:
        return kind in self.kinds

    def __getitem__(self, kind: str) -> Finding:
        for f in self.findings:
            if f.kind == kind:
                return f
        raise KeyError(f"Diagnosis: no {kind!r} finding; the findings are {self.kinds}")

    def __iter__(self):
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __str__(self) -> str:
        s = self.stats
        head = (f"Gradient-flow diagnosis: {len(s.steps)} recorded steps, {len(s.layers)} layers "
                f"({s.layers[0].name} … {s.layers[-1].name})" if s.layers else
                "Gradient-flow diagnosis: no layers recorded")
        if not self.findings:
            return head + "\nNo problem found: gradients flow, no saturation, no dead units."
        return head + "\n\n" + "\n\n".join(str(f) for f in self.findings)

    __repr__ = __str__


# --------------------------------------------------------------------------- helpers
def _median(col: np.ndarray) -> float:
    col = col[np.isfinite(col)]
    return float(np.median(col)) if col.size else math.nan


def _medians(arr: np.ndarray) -> np.ndarray:
    return np.array([_median(arr[:, j]) for j in range(arr.shape[1])]) if arr.size else \
        np.full(arr.shape[1] if arr.ndim == 2 else 0, np.nan)


class _Context:
    """What the statistics say about the model, for ranking remedies."""

    def __init__(self, s: GradientStats, dead_layers: list):
        kinds = [info.activation for info in s.layers]
        self.saturating = sorted({k for k in kinds if k in ("sigmoid", "tanh")})
        self.relu = "relu" in kinds
        self.dead_layers = dead_layers
        fan = np.array([info.fan_in if info.fan_in else np.nan for info in s.layers], float)
        rms = s.weight_rms[0] if len(s.weight_rms) else np.full(len(s.layers), np.nan)
        scale = rms * np.sqrt(fan)  # at the first record: the initialization
        self.init_scale = _median(scale)
        self.init_small = self.init_scale < 0.2
        self.init_large = self.init_scale > 3.0
        self.update = _median(s.update_ratio.reshape(-1)) if s.update_ratio.size else math.nan
        self.has_batchnorm, self.has_residual = s.has_batchnorm, s.has_residual
        self.has_recurrent = s.has_recurrent

    def init_words(self) -> str:
        return (f"rms(W)·√fan_in = {self.init_scale:.3g} at the first record (He normal gives "
                f"√2 ≈ 1.41)")


def _ratio_per_step(s: GradientStats) -> np.ndarray:
    g = s.grad_norm
    with np.errstate(divide="ignore", invalid="ignore"):
        return g[:, 0] / g[:, -1]


# --------------------------------------------------------------------------- findings
def _vanishing(s, ctx, ratio, threshold) -> Finding | None:
    if len(s.layers) < 2 or not (ratio < threshold):
        return None
    med = _medians(s.grad_norm)
    remedies = []
    if ctx.has_recurrent:
        remedies.append(_remedy("lstm", "the model has recurrent layers, whose gradient "
                                        "shrinks through time; LSTM's gates keep it"))
    if ctx.dead_layers:
        remedies.append(_remedy("leaky_relu", f"dead ReLU units in {', '.join(ctx.dead_layers)} "
                                              f"pass no gradient at all"))
    if ctx.saturating:
        remedies.append(_remedy("relu", f"the hidden layers use {'/'.join(ctx.saturating)}, "
                                        f"whose derivative (≤ 0.25 for sigmoid) multiplies the "
                                        f"gradient down at every layer"))
        remedies.append(_remedy("he_init", "with ReLU use He initialization; "
                                + ("the weights are far too small now: " if ctx.init_small else "")
                                + ctx.init_words()))
    else:
        remedies.append(_remedy("he_init", ("the weights are far too small: " if ctx.init_small
                                            else "keep each layer's output variance constant: ")
                                + ctx.init_words()))
    if not ctx.has_batchnorm:
        remedies.append(_remedy("batchnorm", "re-centres every layer's input, undoing the "
                                             "shrinking of the signal"))
    if not ctx.has_residual:
        remedies.append(_remedy("residual", f"a shortcut carries the gradient past the "
                                            f"{len(s.layers)} layers undiminished"))
    remedies.append(_remedy("pretrain", "the historical fix (Hinton 2006); rarely needed today"))
    with np.errstate(divide="ignore", invalid="ignore"):
        rises = np.diff(np.log10(np.maximum(med, 1e-300)))  # log-norm gain from layer j to j+1
    steepest = (f"{s.layers[int(np.nanargmax(rises))].name} → "
                f"{s.layers[int(np.nanargmax(rises)) + 1].name}"
                if np.isfinite(rises).any() else "-")
    return Finding(
        kind="vanishing_gradients",
        summary=(f"the first layer's gradient is {ratio:.2e} of the last layer's "
                 f"(threshold {threshold:g}): the early layers barely learn"),
        layers=[info.name for info in s.layers],
        evidence={"first/last gradient-norm ratio (median over steps)": ratio,
                  "median gradient norm per layer": [float(v) for v in med],
                  "activations": ", ".join(sorted({str(i.activation) for i in s.layers[:-1]})),
                  "initialization scale rms(W)·√fan_in": ctx.init_scale,
                  "steepest drop between layers": steepest},
        remedies=remedies)


def _nonfinite_place(s, index: int) -> str:
    """', first in the forward pass at layer …' for the first step with NaN/inf: from the
    monitor's re-run of that step when it has one, else from the watched layers."""
    origin = getattr(s, "nonfinite_origin", None)
    step = int(s.steps[index])
    if origin and origin.get("step") == step and origin.get("where"):
        where, layer, module = origin["where"], origin["layer"], origin.get("module")
        kind = f" ({module})" if module else ""
        if where == "forward":
            return f", first in the forward pass, in the output of layer '{layer}'{kind}"
        if where == "input":
            return ", already in the input batch"
        if where == "loss":
            return f", first in the loss ({layer}): the model's output was finite"
        if where == "backward":
            return (f", first in the backward pass, at the gradient of "
                    f"'{origin['parameter']}' (layer '{layer}'{kind}): the forward pass was "
                    f"finite")
    first_act = getattr(s, "first_nonfinite_act", np.empty(0))
    first_grad = getattr(s, "first_nonfinite_grad", np.empty(0))
    if index < len(first_act) and first_act[index] >= 0:
        return (f", first in the forward pass, in the activation of layer "
                f"'{s.layers[int(first_act[index])].name}'")
    if index < len(first_grad) and first_grad[index] >= 0:
        return (f", first in the backward pass, in the gradient of layer "
                f"'{s.layers[int(first_grad[index])].name}'")
    return ""


def _first_nonfinite_layers(s) -> dict:
    """Evidence: the first watched layer, and its step, with a non-finite activation
    (forward order) and with a non-finite gradient (backward order)."""
    evidence = {}
    for label, arr in (("first non-finite activation (forward order)",
                        getattr(s, "first_nonfinite_act", np.empty(0))),
                       ("first non-finite gradient (backward order: closest to the loss first)",
                        getattr(s, "first_nonfinite_grad", np.empty(0)))):
        hits = np.flatnonzero(np.asarray(arr) >= 0)
        if hits.size:
            i = int(hits[0])
            evidence[label] = f"layer '{s.layers[int(arr[i])].name}' at step {int(s.steps[i])}"
    return evidence


def _exploding(s, ctx, ratio, ratio_threshold, growth_threshold, update_threshold):
    reasons, evidence = [], {}
    bad = {name: int(np.nansum(getattr(s, f"nonfinite_{name}")))
           for name in ("grad", "weight", "act")}
    bad["loss"] = int(np.sum(s.nonfinite_loss))
    if any(bad.values()):
        per_step = (np.nansum(s.nonfinite_grad, axis=1) + np.nansum(s.nonfinite_weight, axis=1)
                    + np.nansum(s.nonfinite_act, axis=1) + s.nonfinite_loss)
        first_index = int(np.argmax(per_step > 0))
        first = int(s.steps[first_index])
        reasons.append(f"NaN/inf values appeared at step {first}"
                       f"{_nonfinite_place(s, first_index)}")
        evidence["non-finite gradient / weight / activation elements, non-finite losses"] = (
            f"{bad['grad']} / {bad['weight']} / {bad['act']}, {bad['loss']}")
        evidence.update(_first_nonfinite_layers(s))
    total = np.sqrt(np.nansum(np.where(np.isfinite(s.grad_norm), s.grad_norm, np.nan) ** 2, axis=1))
    total = np.where(np.all(np.isnan(s.grad_norm), axis=1), np.nan, total)
    growth = math.nan
    if len(total) > 1 and np.isfinite(total[0]) and total[0] > 0:
        later = total[1:][np.isfinite(total[1:])]
        if later.size:
            growth = float(np.max(later) / total[0])
            if growth > growth_threshold:
                reasons.append(f"the total gradient norm grew {growth:.3g}-fold")
    later_max = (float(np.nanmax(total[1:])) if len(total) > 1 and np.isfinite(total[1:]).any()
                 else math.nan)
    evidence["total gradient norm: first record, largest later"] = [
        float(total[0]) if len(total) else math.nan, later_max]
    if len(s.layers) > 1 and ratio > ratio_threshold:
        reasons.append(f"the first layer's gradient is {ratio:.3g}× the last layer's: the "
                       f"backward pass amplifies it")
    evidence["first/last gradient-norm ratio (median over steps)"] = ratio
    if ctx.update > update_threshold:
        reasons.append(f"the median update/weight ratio is {ctx.update:.3g}: steps larger "
                       f"than the weights")
    evidence["median update/weight ratio (healthy ≈ 1e-3)"] = ctx.update
    if not reasons:
        return None
    evidence["initialization scale rms(W)·√fan_in"] = ctx.init_scale
    remedies = []
    if ctx.init_large:
        remedies.append(_remedy("he_init", "the weights are too large: " + ctx.init_words()))
    remedies.append(_remedy("clipping", "bounds every step whatever the gradient's size"))
    if ctx.has_recurrent:
        remedies.append(_remedy("lstm", "recurrent layers multiply the gradient through time"))
    remedies.append(_remedy("smaller_lr", f"the median update/weight ratio is {ctx.update:.3g}"
                            if math.isfinite(ctx.update) else "large steps feed the growth"))
    remedies.append(_remedy("weight_reg", "penalizes the large weights that amplify the signal"))
    if not ctx.has_batchnorm:
        remedies.append(_remedy("batchnorm", "normalizes each layer's output, removing the "
                                             "weights' scale from the forward and backward pass"))
    if ctx.saturating:
        remedies.append(_remedy("relu", f"{'/'.join(ctx.saturating)} layers with large weights "
                                        f"(σ′(z)·w > 1) amplify the gradient"))
    if not ctx.init_large:
        remedies.append(_remedy("he_init", ctx.init_words()))
    remedies.append(_remedy("redesign", "a shallower network multiplies fewer factors"))
    return Finding(kind="exploding_gradients", summary="; ".join(reasons),
                   layers=[info.name for info in s.layers], evidence=evidence, remedies=remedies)


def _saturation(s, ctx, threshold) -> Finding | None:
    sat = _medians(s.saturated)
    hit = [j for j, v in enumerate(sat) if v > threshold]
    if not hit:
        return None
    kinds = sorted({s.layers[j].activation for j in hit})
    remedies = []
    if ctx.init_large:
        remedies.append(_remedy("he_init", "the weights are too large, pushing pre-activations "
                                           "into the flat tails; Xavier (nn.init.xavier_normal_) "
                                           "suits tanh/sigmoid: " + ctx.init_words()))
    if not ctx.has_batchnorm:
        remedies.append(_remedy("batchnorm", "pulls each layer's pre-activations back to the "
                                             "non-saturated centre (notes 003)"))
    if 0 in hit:
        remedies.append(_remedy("standardize", "the first layer already saturates: large "
                                               "inputs drive it into the tails"))
    remedies.append(_remedy("relu", "ReLU does not saturate for positive inputs"))
    if not ctx.init_large:
        remedies.append(_remedy("he_init", "Xavier initialization keeps tanh/sigmoid inputs "
                                           "in range: " + ctx.init_words()))
    if math.isfinite(ctx.update) and ctx.update > 1e-2:
        remedies.append(_remedy("smaller_lr", f"large steps (update/weight {ctx.update:.3g}) "
                                              f"push weights into saturation"))
    return Finding(
        kind="saturation",
        summary=(f"{len(hit)} {'/'.join(kinds)} layer(s) have more than {threshold:.0%} of "
                 f"their outputs saturated, where almost no gradient passes"),
        layers=[s.layers[j].name for j in hit],
        evidence={"saturated fraction per layer (median)": {s.layers[j].name: float(sat[j])
                                                            for j in hit},
                  "saturated means": "sigmoid < 0.01 or > 0.99; |tanh| > 0.99",
                  "initialization scale rms(W)·√fan_in": ctx.init_scale},
        remedies=remedies)


def _dead_layers(s, threshold) -> tuple:
    dead = _medians(s.dead)
    hit = [j for j, v in enumerate(dead) if v > threshold]
    return hit, dead


def _dead(s, ctx, hit, dead, threshold) -> Finding | None:
    if not hit:
        return None
    remedies = []
    big_steps = math.isfinite(ctx.update) and ctx.update > 1e-2
    if big_steps:
        remedies.append(_remedy("smaller_lr", f"steps of {ctx.update:.3g}× the weights knock "
                                              f"units into the region where ReLU is 0"))
    remedies.append(_remedy("leaky_relu", "a small negative slope keeps a gradient flowing, so "
                                          "dead units can recover"))
    if not big_steps:
        remedies.append(_remedy("smaller_lr", "a large update is the usual way units die"))
    remedies.append(_remedy("he_init", "start every unit in its active range, with zero "
                                       "biases (a large negative bias kills a unit at once): "
                            + ctx.init_words()))
    if not ctx.has_batchnorm:
        remedies.append(_remedy("batchnorm", "re-centres pre-activations so that about half of "
                                             "them are positive"))
    return Finding(
        kind="dead_relu",
        summary=(f"{len(hit)} ReLU layer(s) have more than {threshold:.0%} of their units "
                 f"outputting 0 for every sample: those units neither learn nor pass gradient"),
        layers=[s.layers[j].name for j in hit],
        evidence={"dead-unit fraction per layer (median)": {s.layers[j].name: float(dead[j])
                                                            for j in hit},
                  "median update/weight ratio (healthy ≈ 1e-3)": ctx.update},
        remedies=remedies)


def diagnose(source, vanishing_ratio: float = 1e-3, exploding_ratio: float = 1e2,
             growth: float = 1e3, update_ratio: float = 1.0, saturation: float = 0.25,
             dead: float = 0.5) -> Diagnosis:
    """Findings from a `GradientMonitor` (or its `GradientStats`): vanishing gradients,
    exploding gradients, saturation, dead ReLUs — each with evidence and remedies ranked for
    this case.  The thresholds (see the module docstring): ``vanishing_ratio`` — first/last
    layer gradient-norm ratio below which gradients vanish; ``exploding_ratio`` — that ratio
    above which the backward pass amplifies; ``growth`` — growth of the total gradient norm
    over the run; ``update_ratio`` — median ‖Δθ‖/‖θ‖ above which steps are too large;
    ``saturation`` and ``dead`` — fractions of saturated outputs / dead units in a layer.
    Returns a `Diagnosis`; ``print`` it for the report."""
    if isinstance(source, GradientMonitor):
        stats = source.stats
    elif isinstance(source, GradientStats):
        stats = source
    else:
        raise TypeError(f"diagnose: expected a GradientMonitor or GradientStats, got "
                        f"{type(source).__name__}")
    for name, value in (("vanishing_ratio", vanishing_ratio), ("exploding_ratio", exploding_ratio),
                        ("growth", growth), ("update_ratio", update_ratio)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"diagnose: {name} must be a positive number, got {name}={value!r}")
    for name, value in (("saturation", saturation), ("dead", dead)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise ValueError(f"diagnose: {name} must be a fraction in [0, 1), got {name}={value!r}")
    thresholds = dict(vanishing_ratio=vanishing_ratio, exploding_ratio=exploding_ratio,
                      growth=growth, update_ratio=update_ratio, saturation=saturation, dead=dead)
    if len(stats.steps) == 0:
        raise ValueError("diagnose: the monitor has recorded no step yet; train with it first")
    dead_hit, dead_frac = _dead_layers(stats, dead)
    ctx = _Context(stats, [stats.layers[j].name for j in dead_hit])
    ratios = _ratio_per_step(stats)
    ratio = _median(ratios) if len(stats.layers) > 1 else math.nan
    findings = [f for f in (
        _vanishing(stats, ctx, ratio, vanishing_ratio),
        _exploding(stats, ctx, ratio, exploding_ratio, growth, update_ratio),
        _saturation(stats, ctx, saturation),
        _dead(stats, ctx, dead_hit, dead_frac, dead)) if f is not None]
    return Diagnosis(findings=findings, stats=stats, thresholds=thresholds)
