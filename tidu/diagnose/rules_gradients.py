r"""Findings from a `GradientMonitor`'s statistics: the gradient flow through the layers.

Rules (defaults in `Thresholds`).  Per-layer values are medians over the recorded steps; the
*first* and *last* layers are the first and last watched modules with parameters (input side
and output side)::

    vanishing_gradients   median over steps of ‖∇θ_first‖ / ‖∇θ_last‖ < 1e-3
    exploding_gradients   max_t ‖∇θ‖_t / ‖∇θ‖_0 > 1e3 (the total norm grew a thousand-fold);
                          or ‖∇θ_first‖ / ‖∇θ_last‖ > 1e2 (the backward pass amplifies:
                          the notes' σ′(z)·w > 1 case, 004);
                          or a median update/weight ratio > 1 (a step larger than the weights);
                          or the last layer's activation std > 1e2 × the first's (the forward
                          signal, and so the backward one, is amplified layer after layer)
    nonfinite             any NaN/inf in gradients, weights, activations or the loss: the step,
                          and where it first appeared (the monitor's re-run of that step); a
                          smaller rate and clipping are advised only after step 0 (before the
                          first update the step size cannot be the cause)
    saturation            a sigmoid/tanh layer with more than 25% saturated outputs
    dead_relu             a ReLU layer with more than 50% of its units dead for the whole batch
    stale_gradients       median over steps ≥ 1 of ‖g_accumulated − g_this_step‖ / ‖g_accumulated‖
                          > 0.5: .grad holds gradients of earlier steps (no zero_grad)

The vanishing threshold 1e-3 means the first layer learns a thousand times slower than the
last; the exploding ratio is looser (1e2) because a healthy net rarely has its input layer's
gradient even 10× its output layer's.  Initialization scale is judged by
rms(W)·√fan_in — about √2 for He (Kaiming) normal, 1 for LeCun/Xavier-like, 1/√3 for
PyTorch's default Linear init, 0.01·√fan_in for the notes' N(0, 0.01) and √fan_in for
N(0, 1): below 0.2 the init is "too small", above 3 "too large".

Remedies are ranked by what the statistics show: a vanishing sigmoid net is told to switch to
ReLU with He initialization before batch normalization and residual connections; an
exploding net with oversized weights is told to fix the initialization before clipping;
remedies the model already has (batch norm, residual blocks) are left out.
"""
from __future__ import annotations

import math

import numpy as np

from .findings import Finding, remedy_for
from .monitor import GradientStats

__all__ = ["gradient_findings"]


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
        remedies.append(remedy_for("lstm", "the model has recurrent layers, whose gradient "
                                        "shrinks through time; LSTM's gates keep it"))
    if ctx.dead_layers:
        remedies.append(remedy_for("leaky_relu", f"dead ReLU units in {', '.join(ctx.dead_layers)} "
                                              f"pass no gradient at all"))
    if ctx.saturating:
        remedies.append(remedy_for("relu", f"the hidden layers use {'/'.join(ctx.saturating)}, "
                                        f"whose derivative (≤ 0.25 for sigmoid) multiplies the "
                                        f"gradient down at every layer"))
        remedies.append(remedy_for("he_init", "with ReLU use He initialization; "
                                + ("the weights are far too small now: " if ctx.init_small else "")
                                + ctx.init_words()))
    else:
        remedies.append(remedy_for("he_init", ("the weights are far too small: " if ctx.init_small
                                            else "keep each layer's output variance constant: ")
                                + ctx.init_words()))
    if not ctx.has_batchnorm:
        remedies.append(remedy_for("batchnorm", "re-centres every layer's input, undoing the "
                                             "shrinking of the signal"))
    if not ctx.has_residual:
        remedies.append(remedy_for("residual", f"a shortcut carries the gradient past the "
                                            f"{len(s.layers)} layers undiminished"))
    remedies.append(remedy_for("pretrain", "the historical fix (Hinton 2006); rarely needed today"))
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


def _nonfinite(s) -> Finding | None:
    bad = {name: int(np.nansum(getattr(s, f"nonfinite_{name}")))
           for name in ("grad", "weight", "act")}
    bad["loss"] = int(np.sum(s.nonfinite_loss))
    if not any(bad.values()):
        return None
    per_step = (np.nansum(s.nonfinite_grad, axis=1) + np.nansum(s.nonfinite_weight, axis=1)
                + np.nansum(s.nonfinite_act, axis=1) + s.nonfinite_loss)
    first_index = int(np.argmax(per_step > 0))
    first = int(s.steps[first_index])
    evidence = {"first step with NaN/inf": first,
                "non-finite gradient / weight / activation elements, non-finite losses": (
                    f"{bad['grad']} / {bad['weight']} / {bad['act']}, {bad['loss']}")}
    evidence.update(_first_nonfinite_layers(s))
    origin = getattr(s, "nonfinite_origin", None) or {}
    layers = [origin["layer"]] if origin.get("step") == first and origin.get("layer") else []
    remedies = []
    weights_first = bool(np.nansum(s.nonfinite_weight[first_index]))
    if origin.get("where") == "input":
        remedies.append(remedy_for("fix_data", "the input batch itself holds NaN/inf"))
    elif origin.get("where") in ("forward", "loss") and not weights_first:
        remedies.append(remedy_for("stable_ops", "a finite input turned non-finite inside "
                                   + ("the loss" if origin["where"] == "loss" else
                                      f"layer '{origin['layer']}'")))
    if first > 0:  # at step 0 no update has been made: the step size cannot be the cause
        remedies += [remedy_for("smaller_lr", "a step too large is the usual way weights "
                                              "overflow"),
                     remedy_for("clipping", "bounds every step whatever the gradient's size")]
    if origin.get("where") not in ("input", "forward", "loss"):
        remedies.append(remedy_for("stable_ops", "log/exp/division of extreme values overflow"))
    return Finding(kind="nonfinite",
                   summary=f"NaN/inf values appeared at step {first}"
                           f"{_nonfinite_place(s, first_index)}",
                   layers=layers, evidence=evidence, remedies=remedies, step=first,
                   severity=float(1 + len(s.steps) - first_index))


def _exploding(s, ctx, ratio, ratio_threshold, growth_threshold, update_threshold,
               act_threshold):
    reasons, evidence = [], {}
    finite = np.where(np.isfinite(s.grad_norm), s.grad_norm, np.nan)
    total = np.sqrt(np.nansum(finite ** 2, axis=1))
    total = np.where(np.all(np.isnan(finite), axis=1), np.nan, total)
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
    act = _medians(s.act_std)
    act_growth = (float(act[-1] / act[0]) if len(act) > 1 and act[0] > 0 else math.nan)
    if act_growth > act_threshold:
        reasons.append(f"the activations grow {act_growth:.3g}-fold from the first layer to the "
                       f"last: the weights amplify the signal, and its gradient with it")
    evidence["activation std, last layer / first layer (median)"] = act_growth
    if not reasons:
        return None
    evidence["initialization scale rms(W)·√fan_in"] = ctx.init_scale
    remedies = []
    if ctx.init_large:
        remedies.append(remedy_for("he_init", "the weights are too large: " + ctx.init_words()))
    remedies.append(remedy_for("clipping", "bounds every step whatever the gradient's size"))
    if ctx.has_recurrent:
        remedies.append(remedy_for("lstm", "recurrent layers multiply the gradient through time"))
    remedies.append(remedy_for("smaller_lr", f"the median update/weight ratio is {ctx.update:.3g}"
                            if math.isfinite(ctx.update) else "large steps feed the growth"))
    remedies.append(remedy_for("weight_reg", "penalizes the large weights that amplify the signal"))
    if not ctx.has_batchnorm:
        remedies.append(remedy_for("batchnorm", "normalizes each layer's output, removing the "
                                             "weights' scale from the forward and backward pass"))
    if ctx.saturating:
        remedies.append(remedy_for("relu", f"{'/'.join(ctx.saturating)} layers with large weights "
                                        f"(σ′(z)·w > 1) amplify the gradient"))
    if not ctx.init_large:
        remedies.append(remedy_for("he_init", ctx.init_words()))
    remedies.append(remedy_for("redesign", "a shallower network multiplies fewer factors"))
    severity = max(growth / growth_threshold if math.isfinite(growth) else 1.0,
                   ratio / ratio_threshold if math.isfinite(ratio) else 1.0, 1.0)
    return Finding(kind="exploding_gradients", summary="; ".join(reasons),
                   layers=[info.name for info in s.layers], evidence=evidence, remedies=remedies,
                   severity=float(severity))


def _saturation(s, ctx, threshold) -> Finding | None:
    sat = _medians(s.saturated)
    hit = [j for j, v in enumerate(sat) if v > threshold]
    if not hit:
        return None
    kinds = sorted({s.layers[j].activation for j in hit})
    remedies = []
    if ctx.init_large:
        remedies.append(remedy_for("he_init", "the weights are too large, pushing pre-activations "
                                           "into the flat tails; Xavier (nn.init.xavier_normal_) "
                                           "suits tanh/sigmoid: " + ctx.init_words()))
    if not ctx.has_batchnorm:
        remedies.append(remedy_for("batchnorm", "pulls each layer's pre-activations back to the "
                                             "non-saturated centre (notes 003)"))
    if 0 in hit:
        remedies.append(remedy_for("standardize", "the first layer already saturates: large "
                                               "inputs drive it into the tails"))
    remedies.append(remedy_for("relu", "ReLU does not saturate for positive inputs"))
    if not ctx.init_large:
        remedies.append(remedy_for("he_init", "Xavier initialization keeps tanh/sigmoid inputs "
                                           "in range: " + ctx.init_words()))
    if math.isfinite(ctx.update) and ctx.update > 1e-2:
        remedies.append(remedy_for("smaller_lr", f"large steps (update/weight {ctx.update:.3g}) "
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
        remedies.append(remedy_for("smaller_lr", f"steps of {ctx.update:.3g}× the weights knock "
                                              f"units into the region where ReLU is 0"))
    remedies.append(remedy_for("leaky_relu", "a small negative slope keeps a gradient flowing, so "
                                          "dead units can recover"))
    if not big_steps:
        remedies.append(remedy_for("smaller_lr", "a large update is the usual way units die"))
    remedies.append(remedy_for("he_init", "start every unit in its active range, with zero "
                                       "biases (a large negative bias kills a unit at once): "
                            + ctx.init_words()))
    if not ctx.has_batchnorm:
        remedies.append(remedy_for("batchnorm", "re-centres pre-activations so that about half of "
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


def _stale(s, threshold) -> Finding | None:
    stale = getattr(s, "stale", None)
    if stale is None or stale.size == 0 or len(s.steps) < 2:
        return None
    per_step = np.nanmedian(np.where(np.isfinite(stale), stale, np.nan), axis=1)
    later = per_step[1:][np.isfinite(per_step[1:])]  # step 0 has nothing to accumulate
    if not later.size or not np.median(later) > threshold:
        return None
    first = int(s.steps[1 + int(np.argmax(per_step[1:] > threshold))])
    return Finding(
        kind="stale_gradients",
        summary=(f"the gradients in .grad are not this step's: a median "
                 f"{float(np.median(later)):.0%} of their norm is left over from earlier steps "
                 f"(a missing optimizer.zero_grad()), so every step adds up all past gradients"),
        layers=[info.name for info in s.layers],
        evidence={"median ‖g_accumulated − g_this_step‖ / ‖g_accumulated‖ (after step 0)":
                  float(np.median(later)),
                  "first recorded step with stale gradients": first},
        remedies=[remedy_for("zero_grad", "PyTorch and tidu add each backward into .grad; "
                                          "only zero_grad clears it"),
                  remedy_for("clipping", "only hides the growth of the summed gradients")],
        step=first, severity=float(np.median(later) / threshold))


def gradient_findings(stats: GradientStats, t) -> list:
    """The gradient-flow findings of ``stats`` under thresholds ``t`` (a `Thresholds`)."""
    dead_hit, dead_frac = _dead_layers(stats, t.dead)
    ctx = _Context(stats, [stats.layers[j].name for j in dead_hit])
    ratio = _median(_ratio_per_step(stats)) if len(stats.layers) > 1 else math.nan
    found = (_nonfinite(stats), _stale(stats, t.stale),
             _vanishing(stats, ctx, ratio, t.vanishing_ratio),
             _exploding(stats, ctx, ratio, t.exploding_ratio, t.growth, t.update_ratio,
                        t.act_growth),
             _saturation(stats, ctx, t.saturation),
             _dead(stats, ctx, dead_hit, dead_frac, t.dead))
    return [f for f in found if f is not None]
