r"""The planted-bug benchmark of the diagnosis: seeded training runs, each with one bug planted
the way it happens in practice (or none), on which `checkup` is scored.

Every `Case` names the problem it plants (``planted``, one of `KINDS`, or None for a healthy
run), its half (``"A"`` or ``"B"``, fixed up front, alternating per kind: thresholds may be
tuned on half A only and are reported on both) and a ``build()`` that returns the keyword
arguments of `checkup` (model, loss_fn, optimizer, train_data, val_data, epochs,
batch_size, seed, and optionally monitor_every / sharpness).  The cases were written from the
bug first and then measured; none was reshaped to make a rule pass.

``run_benchmark(half=None, verify=True, seeds=3)`` runs `checkup` on each case and scores:

    hit rate        faulty runs whose top finding is the planted kind  (target ≥ 90%)
    false alarms    healthy runs with any finding                      (target ≤ 1 in 12)
    remedy helps    faulty runs whose top verified remedy lowers the final validation loss
                    (target ≥ 75%): `Diagnosis.verify` reruns the first three remedies of
                    the top finding that tidu can apply over ``seeds`` seeds and ranks them
                    by what they did; the best is then confirmed on ``seeds`` fresh seeds
                    (picking the best of three on the same seeds would flatter it), and
                    counts when it improves there (mean Δ < 0 and Δ < 0 on most seeds).
                    The first advised remedy's effect (on the first seeds) is reported too.

``python -m tidu.diagnose.benchmark [--half A|B] [--no-verify] [--seeds N] [--cost]`` prints
the per-case table and the totals as Markdown (what ``benchmarks/diagnosis/RESULTS.md``
holds); ``--cost`` adds the monitor's overhead per training step (`monitor_cost`).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

from .. import nn
from .. import random as _random
from ..data import datasets
from ..optim import SGD, Adam
from .findings import KINDS

__all__ = ["Case", "CASES", "CaseResult", "BenchmarkResult", "run_benchmark", "monitor_cost"]


# --------------------------------------------------------------------------- data
def _split(X, y, n_train: int, n_val: int, seed: int = 0) -> tuple:
    idx = np.random.default_rng(seed).permutation(len(X))
    tr, va = idx[:n_train], idx[n_train:n_train + n_val]
    return (X[tr], y[tr]), (X[va], y[va])


@lru_cache(maxsize=None)
def _digits(images: bool = False, scale: float = 1 / 16) -> tuple:
    X, y = datasets.load_digits(as_images=images)
    return _split((X * scale).astype(np.float32), y, 600, 400)


@lru_cache(maxsize=None)
def _cancer(standardize: bool = True) -> tuple:
    X, y = datasets.load_breast_cancer()
    (Xt, yt), (Xv, yv) = _split(X, y, 380, 189)
    if standardize:  # statistics of the training split only
        mu, sd = Xt.mean(0), Xt.std(0)
        Xt, Xv = (Xt - mu) / sd, (Xv - mu) / sd
    return (Xt.astype(np.float32), yt), (Xv.astype(np.float32), yv)


@lru_cache(maxsize=None)
def _spirals() -> tuple:
    X, y = datasets.make_spirals(600, n_classes=3, noise=0.2, seed=0)
    return _split(X, y, 400, 200)


@lru_cache(maxsize=None)
def _moons() -> tuple:
    X, y = datasets.make_moons(600, noise=0.2, seed=0)
    return _split(X, y, 400, 200)


@lru_cache(maxsize=None)
def _teacher(n_train: int = 400, n_features: int = 10) -> tuple:
    X, y, _ = datasets.make_teacher_student(n_train + 400, n_features, noise_sigma=0.1,
                                            seed=0, teacher="mlp")
    return _split(X, y, n_train, 400)


@lru_cache(maxsize=None)
def _sequences(length: int = 8) -> tuple:
    X, y = datasets.make_memory_sequences(900, length=length, lag=2, n_symbols=4, seed=0,
                                          one_hot=True)
    return _split(X, y, 600, 300)


# --------------------------------------------------------------------------- models
class LastStep(nn.Module):
    """A recurrent layer (batch-first) followed by a linear head on its last hidden state."""

    def __init__(self, rnn, hidden: int, out: int):
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(hidden, out)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


class LogFeatures(nn.Module):
    """Log-compressed inputs, ``log(x)``: the planted bug is the missing ``+ 1`` (log1p) —
    every zero pixel becomes −inf."""

    def forward(self, x):
        return x.log()


class BatchStandardize(nn.Module):
    """Standardize each feature over the batch, ``(x − mean) / std``: the planted bug is the
    missing ε — constant features (the always-blank border pixels of the digits) give 0/0."""

    def forward(self, x):
        mean = x.mean(0, keepdim=True)
        return (x - mean) / ((x - mean) ** 2).mean(0, keepdim=True).sqrt()


class SGDNoZero(SGD):
    """A user's SGD whose ``zero_grad`` was overridden to do nothing (the planted missing
    ``zero_grad``)."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass


class AdamNoZero(Adam):
    """Adam with a ``zero_grad`` that does nothing."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass


def _act(name: str):
    return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[name]()


def _mlp(sizes, act: str = "relu", init_std: float | None = None, bias: float | None = None):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = nn.Linear(a, b)
        if init_std is not None:
            nn.init.normal_(lin.weight, 0.0, init_std)
        if bias is not None and i < len(sizes) - 2:
            nn.init.constant_(lin.bias, bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(_act(act))
    return nn.Sequential(*layers)


def _cnn(act: str = "relu", channels=(8, 16), init_std: float | None = None,
         bias: float | None = None, head=None):
    c1, c2 = channels
    convs = [nn.Conv2d(1, c1, 3, padding=1), nn.Conv2d(c1, c2, 3, padding=1)]
    for conv in convs:
        if init_std is not None:
            nn.init.normal_(conv.weight, 0.0, init_std)
        if bias is not None:
            nn.init.constant_(conv.bias, bias)
    layers = [convs[0], _act(act), nn.MaxPool2d(2), convs[1], _act(act), nn.MaxPool2d(2),
              nn.Flatten(), nn.Linear(c2 * 4, 10)]
    if head is not None:
        layers = [head] + layers
    return nn.Sequential(*layers)


def _deep_cnn(act: str, depth: int = 6, width: int = 8):
    layers, c = [], 1
    for _ in range(depth):
        layers += [nn.Conv2d(c, width, 3, padding=1), _act(act)]
        c = width
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(width * 64, 10))


def _rnn(kind: str = "rnn", hidden: int = 16, n_in: int = 4, out: int = 4):
    cls = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[kind]
    return LastStep(cls(n_in, hidden, batch_first=True), hidden, out)


def _run(model, train, val, *, opt="adam", lr=1e-2, epochs=10, batch_size=32, seed=0,
         loss=None, optimizer_class=None, **extra) -> dict:
    """checkup's keyword arguments for ``model`` trained on ``train``/``val``."""
    if optimizer_class is None:
        optimizer_class = {"adam": Adam, "sgd": SGD}[opt]
    if loss is None:
        loss = nn.CrossEntropyLoss() if np.asarray(train[1]).dtype.kind in "iu" else nn.MSELoss()
    extra.setdefault("sharpness", False)  # see the module docstring: cost
    return dict(model=model, loss_fn=loss, optimizer=optimizer_class(model.parameters(), lr=lr),
                train_data=train, val_data=val, epochs=epochs, batch_size=batch_size,
                seed=seed, **extra)


# --------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Case:
    """One benchmark run: ``name``, the ``planted`` kind (None: healthy), its ``half``
    ("A"/"B"), the ``family`` (mlp/cnn/rnn), the ``data`` it trains on, a ``bug`` sentence
    and ``build() -> dict`` of `checkup` keyword arguments (seeded: it calls
    ``tidu.manual_seed`` before building the model)."""

    name: str
    planted: str | None
    half: str
    family: str
    data: str
    bug: str
    make: Callable[[], dict] = field(repr=False)
    seed: int = 0

    def build(self) -> dict:
        _random.manual_seed(self.seed)
        return self.make()


def _cases() -> list:
    d, di, c, sp, mo, te, sq = (_digits, lambda **k: _digits(True, **k), _cancer, _spirals,
                                _moons, _teacher, _sequences)
    C = []

    def add(name, planted, family, data, bug, make):
        C.append((name, planted, family, data, bug, make))

    # --- vanishing gradients
    add("deep-sigmoid-mlp", "vanishing_gradients", "mlp", "moons",
        "10 sigmoid hidden layers, SGD",
        lambda: _run(_mlp([2] + [32] * 10 + [2], "sigmoid"), *mo(), opt="sgd", lr=0.1))
    add("small-init-tanh-mlp", "vanishing_gradients", "mlp", "digits",
        "6 tanh layers initialized N(0, 0.01)",
        lambda: _run(_mlp([64] + [64] * 6 + [10], "tanh", init_std=0.01), *d(), opt="sgd",
                     lr=0.1))
    add("deep-sigmoid-cnn", "vanishing_gradients", "cnn", "digits 8×8",
        "6 sigmoid conv layers",
        lambda: _run(_deep_cnn("sigmoid"), *di(), opt="sgd", lr=0.1, epochs=4))
    # --- exploding gradients
    add("normal-init-deep-mlp", "exploding_gradients", "mlp", "digits",
        "6 ReLU layers initialized N(0, 1)",
        lambda: _run(_mlp([64] + [64] * 6 + [10], "relu", init_std=1.0), *d(), opt="sgd",
                     lr=1e-3))
    add("normal-init-cnn", "exploding_gradients", "cnn", "digits 8×8",
        "ReLU conv net initialized N(0, 1)",
        lambda: _run(_cnn("relu", init_std=1.0), *di(), opt="sgd", lr=1e-3, epochs=4))
    add("big-recurrent-rnn", "exploding_gradients", "rnn", "memory sequences",
        "tanh RNN with recurrent weights N(0, 1) over 30 steps",
        lambda: _run(_big_recurrent(), *sq(30), opt="sgd", lr=1e-2, epochs=5))
    # --- saturation
    add("large-weight-sigmoid", "saturation", "mlp", "breast cancer",
        "sigmoid MLP with weights N(0, 3)",
        lambda: _run(_mlp([30, 32, 32, 2], "sigmoid", init_std=3.0), *c(), opt="sgd", lr=0.05))
    add("large-weight-tanh-cnn", "saturation", "cnn", "digits 8×8",
        "tanh conv net with weights N(0, 2)",
        lambda: _run(_cnn("tanh", init_std=2.0), *di(), opt="sgd", lr=0.01, epochs=4))
    add("large-input-tanh-rnn", "saturation", "rnn", "memory sequences",
        "tanh RNN with input weights N(0, 5)",
        lambda: _run(_big_input_rnn(), *sq(), opt="sgd", lr=0.05, epochs=6))
    # --- dead ReLU
    add("bias-minus3-mlp", "dead_relu", "mlp", "spirals",
        "ReLU MLP with hidden biases initialized to −3",
        lambda: _run(_mlp([2, 64, 64, 3], "relu", bias=-3.0), *sp(), lr=1e-2, epochs=20))
    add("bias-minus3-cnn", "dead_relu", "cnn", "digits 8×8",
        "ReLU conv net with biases initialized to −3",
        lambda: _run(_cnn("relu", bias=-3.0), *di(), lr=1e-2, epochs=4))
    add("bias-minus3-regression", "dead_relu", "mlp", "teacher-student",
        "ReLU regression MLP with hidden biases −3",
        lambda: _run(_mlp([10, 64, 64, 1], "relu", bias=-3.0), *te(), lr=1e-2, epochs=15))
    # --- learning rate too high
    add("lr-x30-mlp", "lr_too_high", "mlp", "digits",
        "SGD lr 3.0 (30× the usual 0.1)",
        lambda: _run(_mlp([64, 64, 64, 10]), *d(), opt="sgd", lr=3.0))
    add("adam-lr-0.3-cnn", "lr_too_high", "cnn", "digits 8×8",
        "Adam lr 0.3 (300× the default 1e-3)",
        lambda: _run(_cnn(), *di(), lr=0.3, epochs=4))
    add("lr-x30-gru", "lr_too_high", "rnn", "memory sequences",
        "GRU with Adam lr 0.3",
        lambda: _run(_rnn("gru"), *sq(), lr=0.3, epochs=8))
    # --- learning rate too low
    add("lr-1e-5-mlp", "lr_too_low", "mlp", "moons",
        "SGD lr 1e-5",
        lambda: _run(_mlp([2, 64, 64, 2]), *mo(), opt="sgd", lr=1e-5, epochs=15))
    add("lr-1e-5-cnn", "lr_too_low", "cnn", "digits 8×8",
        "SGD lr 1e-5",
        lambda: _run(_cnn(), *di(), opt="sgd", lr=1e-5, epochs=4))
    add("lr-1e-5-lstm", "lr_too_low", "rnn", "memory sequences",
        "LSTM with SGD lr 1e-5",
        lambda: _run(_rnn("lstm"), *sq(), opt="sgd", lr=1e-5, epochs=8))
    # --- overfitting
    add("small-data-big-mlp", "overfitting", "mlp", "digits (60 samples)",
        "60 training samples, 2×256 MLP, 150 epochs",
        lambda: _run(_mlp([64, 256, 256, 10]), *_small(d(), 60), lr=1e-3, epochs=150,
                     batch_size=16, sharpness=False))
    add("small-data-regression", "overfitting", "mlp", "teacher-student (30 samples)",
        "30 samples of 10 features, 2×256 MLP, 300 epochs",
        lambda: _run(_mlp([10, 256, 256, 1]), *te(30), lr=1e-3, epochs=300, batch_size=30,
                     sharpness=False))
    add("small-data-cnn", "overfitting", "cnn", "digits 8×8 (60 samples)",
        "60 training images, 32/64-channel CNN, 100 epochs",
        lambda: _run(_cnn(channels=(32, 64)), *_small(di(), 60), lr=1e-3, epochs=100,
                     batch_size=20, sharpness=False))
    # --- underfitting
    add("linear-on-spirals", "underfitting", "mlp", "spirals",
        "a linear model on 3 spiral arms",
        lambda: _run(nn.Linear(2, 3), *sp(), lr=1e-2, epochs=20))
    add("one-unit-bottleneck", "underfitting", "mlp", "digits",
        "a 1-unit hidden layer for 10 classes",
        lambda: _run(_mlp([64, 1, 10]), *d(), lr=1e-2, epochs=10))
    add("one-unit-rnn", "underfitting", "rnn", "memory sequences",
        "a GRU with 1 hidden unit for 4 symbols",
        lambda: _run(_rnn("gru", hidden=1), *sq(), lr=1e-2, epochs=8))
    # --- unscaled inputs
    add("raw-breast-cancer", "unscaled_inputs", "mlp", "breast cancer (raw)",
        "the raw features (areas ~1000, smoothness ~0.1)",
        lambda: _run(_mlp([30, 32, 2]), *c(False), opt="sgd", lr=1e-3))
    add("pixels-0-255-cnn", "unscaled_inputs", "cnn", "digits 8×8 ×16",
        "pixels scaled to 0…255 instead of 0…1",
        lambda: _run(_cnn(), *di(scale=16.0), opt="sgd", lr=1e-2, epochs=4))
    add("kelvin-rnn", "unscaled_inputs", "rnn", "memory sequences +300",
        "inputs in raw units offset by 300 (a Kelvin reading)",
        lambda: _run(_rnn("gru"), *_offset(sq(), 300.0), lr=1e-2, epochs=6))
    add("feature-x1000-moons", "unscaled_inputs", "mlp", "moons",
        "one feature in millimetres, the other in metres (×1000)",
        lambda: _run(_mlp([2, 32, 32, 2]), *_times(mo(), [1000.0, 1.0]), opt="sgd", lr=1e-2,
                     epochs=15))
    # --- non-finite values
    add("log-of-zero-pixels", "nonfinite", "cnn", "digits 8×8",
        "log(x) compression of pixels that can be 0",
        lambda: _run(_cnn(head=LogFeatures()), *di(), lr=1e-2, epochs=2))
    add("nan-row-cancer", "nonfinite", "mlp", "breast cancer",
        "one training row with a missing value (NaN)",
        lambda: _run(_mlp([30, 32, 2]), *_nan_row(c()), lr=1e-2, epochs=5))
    add("batch-std-no-eps", "nonfinite", "mlp", "digits",
        "in-model standardization without ε on constant pixels",
        lambda: _run(nn.Sequential(BatchStandardize(), _mlp([64, 64, 10])), *d(), lr=1e-2,
                     epochs=2))
    # --- stale gradients
    add("no-zero-grad-mlp", "stale_gradients", "mlp", "moons",
        "SGD subclass whose zero_grad does nothing",
        lambda: _run(_mlp([2, 32, 32, 2]), *mo(), lr=1e-2, optimizer_class=SGDNoZero,
                     epochs=10))
    add("no-zero-grad-cnn", "stale_gradients", "cnn", "digits 8×8",
        "Adam subclass whose zero_grad does nothing",
        lambda: _run(_cnn(), *di(), lr=1e-3, optimizer_class=AdamNoZero, epochs=4))
    add("no-zero-grad-rnn", "stale_gradients", "rnn", "memory sequences",
        "SGD subclass whose zero_grad does nothing (GRU)",
        lambda: _run(_rnn("gru"), *sq(), lr=1e-2, optimizer_class=SGDNoZero, epochs=6))
    # --- healthy runs: the same models, standard settings
    add("healthy-mlp-moons", None, "mlp", "moons", "",
        lambda: _run(_mlp([2, 32, 32, 2]), *mo(), lr=1e-2, epochs=15))
    add("healthy-mlp-spirals", None, "mlp", "spirals", "",
        lambda: _run(_mlp([2, 64, 64, 3]), *sp(), lr=1e-2, epochs=30))
    add("healthy-mlp-digits", None, "mlp", "digits", "",
        lambda: _run(_mlp([64, 64, 64, 10]), *d(), lr=1e-3, epochs=15))
    add("healthy-sgd-mlp-digits", None, "mlp", "digits", "",
        lambda: _run(_mlp([64, 64, 64, 10]), *d(), opt="sgd", lr=0.1, epochs=15))
    add("healthy-mlp-cancer", None, "mlp", "breast cancer", "",
        lambda: _run(_mlp([30, 32, 2]), *c(), lr=1e-3, epochs=15))
    add("healthy-sigmoid-cancer", None, "mlp", "breast cancer", "",
        lambda: _run(_mlp([30, 32, 32, 2], "sigmoid"), *c(), lr=1e-2, epochs=15))
    add("healthy-regression", None, "mlp", "teacher-student", "",
        lambda: _run(_mlp([10, 64, 64, 1]), *te(), lr=1e-2, epochs=15))
    add("healthy-cnn", None, "cnn", "digits 8×8", "",
        lambda: _run(_cnn(), *di(), lr=1e-2, epochs=4))
    add("healthy-tanh-cnn", None, "cnn", "digits 8×8", "",
        lambda: _run(_cnn("tanh"), *di(), lr=1e-2, epochs=4))
    add("healthy-gru", None, "rnn", "memory sequences", "",
        lambda: _run(_rnn("gru"), *sq(), lr=1e-2, epochs=8))
    add("healthy-lstm", None, "rnn", "memory sequences", "",
        lambda: _run(_rnn("lstm"), *sq(), lr=1e-2, epochs=8))
    add("healthy-rnn", None, "rnn", "memory sequences", "",
        lambda: _run(_rnn("rnn"), *sq(), lr=1e-2, epochs=8))
    # halves, fixed up front: alternate within each kind, starting A for even kinds
    out, seen = [], {}
    order = list(KINDS) + [None]
    for name, planted, family, data, bug, make in C:
        i = seen.get(planted, 0)
        seen[planted] = i + 1
        start = order.index(planted) % 2
        half = "AB"[(i + start) % 2]
        out.append(Case(name, planted, half, family, data, bug, make))
    return out


def _small(split: tuple, n: int) -> tuple:
    (Xt, yt), val = split
    return (Xt[:n], yt[:n]), val


def _offset(split: tuple, offset: float) -> tuple:
    return tuple((X + np.float32(offset), y) for X, y in split)


def _times(split: tuple, scale) -> tuple:
    s = np.asarray(scale, np.float32)
    return tuple((X * s, y) for X, y in split)


def _nan_row(split: tuple) -> tuple:
    (Xt, yt), val = split
    Xt = Xt.copy()
    Xt[7, 3] = np.nan
    return (Xt, yt), val


def _big_recurrent():
    model = _rnn("rnn")
    nn.init.normal_(model.rnn.weight_hh_l0, 0.0, 1.0)
    return model


def _big_input_rnn():
    model = _rnn("rnn")
    nn.init.normal_(model.rnn.weight_ih_l0, 0.0, 5.0)
    return model


CASES = _cases()


# --------------------------------------------------------------------------- running
@dataclass
class CaseResult:
    """One row: the case's ``name``, ``half``, ``family``, ``planted`` kind, the ``top``
    finding's kind (None: no finding), all ``findings`` (kinds, in order), ``hit`` (top ==
    planted for a faulty case; no finding for a healthy one), the top verified ``remedy``
    key, its mean ``delta_loss`` on the fresh confirmation seeds (final validation loss
    with the remedy − without) and ``improved`` there (`VerifiedRemedy.improved`); the
    first advised remedy (``first_remedy``, ``first_delta``, ``first_improved``, on the
    first seeds) and the ``seconds`` the checkup took."""

    name: str
    half: str
    family: str
    planted: str | None
    top: str | None
    findings: list
    hit: bool
    remedy: str | None = None
    delta_loss: float = math.nan
    improved: bool | None = None
    seconds: float = 0.0
    first_remedy: str | None = None
    first_delta: float = math.nan
    first_improved: bool | None = None


@dataclass
class BenchmarkResult:
    """The rows (``cases``, `CaseResult`) and ``totals``: per half and overall
    (``"A"``, ``"B"``, ``"all"``) the counts and rates of hits, false alarms and improving
    remedies (``improve_rate`` is over all faulty runs: one without a finding, or whose
    remedy could not be verified, counts as not improved)."""

    cases: list
    totals: dict

    def to_markdown(self) -> str:
        head = ("| case | half | model | planted | top finding | all findings | first advised "
                "remedy: Δ val loss | top verified remedy | Δ val loss, fresh seeds | "
                "improved | s |\n|---|---|---|---|---|---|---|---|---|---|---|")
        rows = []
        for r in self.cases:
            mark = "✓" if r.hit else "✗"
            first = (f"{r.first_remedy}: {_delta(r.first_delta)} ({_yes(r.first_improved)})"
                     if r.first_remedy else "")
            rows.append(f"| {r.name} | {r.half} | {r.family} | {r.planted or 'healthy'} | "
                        f"{mark} {r.top or '—'} | {', '.join(r.findings) or '—'} | {first} | "
                        f"{r.remedy or ''} | {_delta(r.delta_loss)} | {_yes(r.improved)} | "
                        f"{r.seconds:.1f} |")
        tot = ["| half | faulty: top = planted | healthy with any finding | top verified remedy "
               "improves val loss (fresh seeds) | first advised remedy improves |",
               "|---|---|---|---|---|"]
        for key, t in self.totals.items():
            tot.append(f"| {key} | {t['hits']}/{t['faulty']} ({_pct(t['hit_rate'])}) | "
                       f"{t['false_alarms']}/{t['healthy']} | "
                       f"{t['improved']}/{t['faulty']} ({_pct(t['improve_rate'])}) | "
                       f"{t['first_improved']}/{t['faulty']} |")
        return head + "\n" + "\n".join(rows) + "\n\n" + "\n".join(tot) + "\n"


def _delta(x: float) -> str:
    return "" if math.isnan(x) else f"{x:+.3g}"


def _yes(flag) -> str:
    return "" if flag is None else ("yes" if flag else "no")


def _pct(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.0%}"


def _totals(rows: list) -> dict:
    def block(rs):
        faulty = [r for r in rs if r.planted is not None]
        healthy = [r for r in rs if r.planted is None]
        verified = [r for r in faulty if r.improved is not None]
        hits = sum(r.hit for r in faulty)
        improved = sum(bool(r.improved) for r in verified)
        return {"faulty": len(faulty), "hits": hits,
                "hit_rate": hits / len(faulty) if faulty else math.nan,
                "healthy": len(healthy), "false_alarms": sum(not r.hit for r in healthy),
                "verified": len(verified), "improved": improved,
                "first_improved": sum(bool(r.first_improved) for r in faulty),
                "improve_rate": improved / len(faulty) if verified and faulty else math.nan}
    out = {h: block([r for r in rows if r.half == h]) for h in ("A", "B")
           if any(r.half == h for r in rows)}
    out["all"] = block(rows)
    return out


def _verify(diagnosis, seeds: int, row: CaseResult) -> None:
    """Fill ``row``'s remedy columns: the first advised remedy's effect and the best verified
    remedy confirmed on fresh seeds (see the module docstring)."""
    from .verify import _candidates, verify_remedies
    try:
        advised = _candidates(diagnosis, None, 1)
        if not advised:  # no remedy of the top finding that tidu can apply itself
            return
        ranked = diagnosis.verify(seeds=seeds, top=3)
        if not ranked:
            return
        first = next(v for v in ranked if v.key == advised[0])
        row.first_remedy, row.first_delta = first.key, first.delta_loss
        row.first_improved = first.improved
        confirm = verify_remedies(diagnosis, seeds=seeds, remedies=[ranked[0].key],
                                  first_seed=diagnosis.recipe.seed + seeds)[0]
    except Exception as exc:  # a remedy tidu cannot apply to this model: reported, not fatal
        row.remedy, row.improved = f"error: {type(exc).__name__}", False
        return
    row.remedy, row.delta_loss, row.improved = confirm.key, confirm.delta_loss, confirm.improved


def run_case(case: Case, verify: bool = False, seeds: int = 3, thresholds=None,
             sharpness: bool | None = None) -> CaseResult:
    """Run `checkup` on ``case`` (and `Diagnosis.verify` of its top remedy when ``verify``
    and the case is faulty); the row.  ``sharpness``: track λ_max (None: as the case says —
    off in every case, for cost)."""
    from .checkup import checkup
    kwargs = case.build()
    if sharpness is not None:
        kwargs["sharpness"] = bool(sharpness)
    start = time.perf_counter()
    diagnosis = checkup(**kwargs, thresholds=thresholds)
    seconds = time.perf_counter() - start
    kinds = list(diagnosis.kinds)
    top = kinds[0] if kinds else None
    hit = (top == case.planted) if case.planted is not None else not kinds
    row = CaseResult(case.name, case.half, case.family, case.planted, top, kinds, hit,
                     seconds=seconds)
    if verify and case.planted is not None and top is not None:
        _verify(diagnosis, seeds, row)
    return row


def run_benchmark(half=None, verify: bool = True, seeds: int = 3, echo=print,
                  cases=None, thresholds=None, sharpness: bool | None = None) -> BenchmarkResult:
    """Run the benchmark: every case of ``half`` ("A", "B" or None: both) — or the given
    ``cases`` — through `run_case`; ``echo`` gets one line per case as it finishes (None:
    silent); ``thresholds`` (a `Thresholds`) and ``sharpness`` go to every checkup.  Returns
    the `BenchmarkResult`."""
    if half not in (None, "A", "B"):
        raise ValueError(f"run_benchmark: half must be 'A', 'B' or None, got {half!r}")
    chosen = [c for c in (CASES if cases is None else cases) if half is None or c.half == half]
    rows = []
    for case in chosen:
        row = run_case(case, verify=verify, seeds=seeds, thresholds=thresholds,
                       sharpness=sharpness)
        rows.append(row)
        if echo is not None:
            extra = (f"  remedy {row.remedy}: Δ {row.delta_loss:+.3g}" if row.remedy else "")
            echo(f"{'ok  ' if row.hit else 'MISS'} {case.name:<26} {case.half} "
                 f"planted={case.planted or 'healthy'} top={row.top} all={row.findings}"
                 f"{extra} ({row.seconds:.1f}s)")
    return BenchmarkResult(rows, _totals(rows))


# --------------------------------------------------------------------------- cost
def monitor_cost(case: Case, repeats: int = 7, epochs: int = 3) -> dict:
    """Median seconds per training step of ``case``'s model with no monitor, with
    ``GradientMonitor(every_n_steps=1)`` and with ``every_n_steps=10``, over ``repeats``
    interleaved rounds of ``epochs`` epochs of its training data each (attaching the
    monitor counted in); and the overheads in %."""
    from ..train.trainer import Trainer
    from .monitor import GradientMonitor
    import copy
    kw = case.build()
    X, y = kw["train_data"]
    bs = kw["batch_size"]
    n, data = len(X), (X, y)
    settings = {"none": None, "every step": 1, "every 10th": 10}
    times = {k: [] for k in settings}
    for _ in range(repeats):
        for key, every in settings.items():
            model = copy.deepcopy(kw["model"])
            lr = kw["optimizer"].param_groups[0]["lr"]
            opt = type(kw["optimizer"])(model.parameters(), lr=lr)
            callbacks = [] if every is None else [GradientMonitor(every_n_steps=every)]
            trainer = Trainer(model, kw["loss_fn"], opt, callbacks=callbacks, verbose=0)
            t0 = time.perf_counter()
            trainer.fit(data, epochs=epochs, batch_size=bs, seed=0)
            times[key].append((time.perf_counter() - t0) / (epochs * math.ceil(n / bs)))
    med = {k: float(np.median(v)) for k, v in times.items()}
    return {"case": case.name, "step_s": med,
            "overhead_every_step": med["every step"] / med["none"] - 1,
            "overhead_every_10th": med["every 10th"] / med["none"] - 1}


def _main(argv=None) -> None:
    import argparse
    import platform
    import os
    parser = argparse.ArgumentParser(prog="python -m tidu.diagnose.benchmark")
    parser.add_argument("--half", choices=("A", "B"))
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cost", action="store_true")
    args = parser.parse_args(argv)
    import sys
    result = run_benchmark(args.half, verify=not args.no_verify, seeds=args.seeds,
                           echo=lambda s: print(s, file=sys.stderr, flush=True))
    print(f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} "
          f"({os.cpu_count()} cores), Python {platform.python_version()}.\n")
    print(result.to_markdown())
    if args.cost:
        print("| case | step, no monitor (ms) | every step (ms) | every 10th (ms) | "
              "overhead every step | overhead every 10th |\n|---|---|---|---|---|---|")
        for name in ("healthy-mlp-digits", "healthy-cnn", "healthy-gru"):
            case = next(c for c in CASES if c.name == name)
            r = monitor_cost(case)
            s = r["step_s"]
            print(f"| {name} | {1e3 * s['none']:.2f} | {1e3 * s['every step']:.2f} | "
                  f"{1e3 * s['every 10th']:.2f} | {r['overhead_every_step']:+.0%} | "
                  f"{r['overhead_every_10th']:+.0%} |")


if __name__ == "__main__":
    _main()
