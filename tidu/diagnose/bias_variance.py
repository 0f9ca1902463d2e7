r"""Bias and variance: the notes' recipe (偏差、方差、噪声) and the bootstrap decomposition.

**The recipe** (`bias_variance_recipe`) reads three numbers — the training error, the
validation error and a baseline error (human-level or Bayes error, 基本误差) — as the notes
do::

    avoidable bias (偏差)  = train_error − baseline_error
    variance gap   (方差)  = val_error − train_error

A gap above ``tolerance`` (default 0.02) is *high*.  High bias (欠拟合, underfitting): a bigger network,
longer training, a better optimizer or architecture — more data does not help.  High
variance (过拟合, overfitting): more data, regularization, a smaller model.  The notes fix
the bias first (至少能够拟合训练集), then look at the variance.

**The decomposition** (`bias_variance_decomposition`) measures the notes' terms by
bootstrap: ``rounds`` models are trained on bootstrap resamples Dᵣ of the training set and
predict the test set.  With f̂ᵣ(x) the r-th prediction, f̄(x) = meanᵣ f̂ᵣ(x) (the notes'
期望预测), y the observed test target and f(x) the true function::

    mse:  expected loss = mean_x meanᵣ (f̂ᵣ(x) − y)²
          bias²         = mean_x (f̄(x) − f(x))²          notes: bias²(x) = (f̄(x) − y)²
          variance      = mean_x meanᵣ (f̂ᵣ(x) − f̄(x))²   notes: var(x) = E_D[(f(x;D) − f̄(x))²]
          noise         = σ² = E[(y − f(x))²]            notes: ξ² = E_D[(y_D − y)²]

— the notes write y for the true label (our f(x)) and y_D for the label in the data set —
and E[(y − f̂)²] = bias² + variance + σ² in expectation.  For the 0-1 loss the definitions
are mlxtend's ``bias_variance_decomp`` (main prediction = the mode of the rounds'
predictions, ties to the smallest label)::

    0-1:  expected loss = mean_x meanᵣ [f̂ᵣ(x) ≠ y]
          bias          = mean_x [main(x) ≠ y]
          variance      = mean_x meanᵣ [f̂ᵣ(x) ≠ main(x)]

(no additive identity holds for the 0-1 loss; mlxtend reports these three numbers).

Differences from mlxtend: for ``"mse"`` mlxtend measures the bias against the observed
targets, so its bias holds the noise; here the bias is measured against the true function
when it is known (``truth``), the noise term is separate (known or estimated), and
``as_mlxtend()`` still gives mlxtend's three numbers.  The bootstrap resamples are
mlxtend's for the same int seed.  Default ``rounds=50`` (mlxtend: 200).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from .. import random as _random
from ..errors import ShapeError
from ..tensor import Tensor, no_grad

__all__ = ["BiasVarianceVerdict", "bias_variance_recipe", "BiasVarianceDecomposition",
           "bias_variance_decomposition", "decompose_predictions"]


# =========================================================================== the recipe
_BIAS_ADVICE = (
    ("train a bigger network: more hidden layers or more hidden units",
     "更大的网络（更多隐藏层或隐藏单元）"),
    ("train longer", "花费更多时间来训练网络"),
    ("try a better optimization algorithm (e.g. Adam, a tuned learning rate)",
     "尝试更先进的优化算法"),
    ("try a new network architecture", "选择一个新的网络"),
    ("more training data will not fix high bias", "准备更多训练数据其实也没什么用处"),
)
_VARIANCE_ADVICE = (
    ("get more training data (or augment it)", "采用更多数据（数据增强）"),
    ("add regularization: L2 weight decay, dropout, early stopping", "正则化（L2、Dropout、早停）"),
    ("try a smaller model or a different architecture", "更小的模型或新的网络结构"),
)
_DIAGNOSES = {
    (False, False): ("low bias and low variance: the model fits and generalizes",
                     "偏差和方差都低"),
    (True, False): ("high bias (underfitting)", "高偏差（欠拟合）"),
    (False, True): ("high variance (overfitting)", "高方差（过拟合）"),
    (True, True): ("high bias and high variance", "高偏差和高方差"),
}


@dataclass(frozen=True)
class BiasVarianceVerdict:
    """What `bias_variance_recipe` concludes.  ``avoidable_bias`` = train − baseline,
    ``variance_gap`` = val − train; ``advice`` is a tuple of (English, 中文) pairs, the
    bias remedies first (the notes fix the bias before the variance)."""

    train_error: float
    val_error: float
    baseline_error: float
    avoidable_bias: float
    variance_gap: float
    high_bias: bool
    high_variance: bool
    diagnosis: str
    diagnosis_zh: str
    advice: tuple

    def __str__(self) -> str:
        lines = [f"{self.diagnosis} — {self.diagnosis_zh}",
                 f"  avoidable bias (偏差) = train {self.train_error:.4g} − baseline "
                 f"{self.baseline_error:.4g} = {self.avoidable_bias:.4g}",
                 f"  variance gap (方差)   = val {self.val_error:.4g} − train "
                 f"{self.train_error:.4g} = {self.variance_gap:.4g}"]
        lines += [f"  - {en} ({zh})" for en, zh in self.advice]
        return "\n".join(lines)


def _real(owner: str, name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not np.isfinite(value):
        raise ValueError(f"{owner}: {name} must be a finite number, got {name}={value!r}")
    return float(value)


def bias_variance_recipe(train_error, val_error, baseline_error=0.0, tolerance=0.02
                         ) -> BiasVarianceVerdict:
    """The notes' recipe: diagnose high bias and/or high variance from three errors.

    Errors are in one unit (fractions of misclassified samples, or a loss).  High bias when
    ``train_error − baseline_error > tolerance``; high variance when ``val_error −
    train_error > tolerance``.  ``tolerance`` (default 0.02: two percentage points for
    error rates — set it in your loss's units otherwise) is one number for both gaps or a
    pair ``(bias_tolerance, variance_tolerance)``.  ``baseline_error`` is the human-level or
    Bayes error (default 0: a task people solve perfectly).  Returns a
    `BiasVarianceVerdict` with the gaps, the diagnosis and the notes' advice.

    Example (Andrew Ng's): train 1 %, val 11 % → high variance; train 15 %, val 16 % →
    high bias; train 15 %, val 30 % → both; train 0.5 %, val 1 % → neither.
    """
    owner = "bias_variance_recipe"
    train = _real(owner, "train_error", train_error)
    val = _real(owner, "val_error", val_error)
    base = _real(owner, "baseline_error", baseline_error)
    for name, v in (("train_error", train), ("val_error", val), ("baseline_error", base)):
        if v < 0:
            raise ValueError(f"{owner}: {name} must be ≥ 0, got {name}={v!r}")
    if isinstance(tolerance, (tuple, list)):
        if len(tolerance) != 2:
            raise ValueError(f"{owner}: tolerance must be a number or a pair (bias, variance), "
                             f"got {tolerance!r}")
        bias_tol, var_tol = (_real(owner, "tolerance", t) for t in tolerance)
    else:
        bias_tol = var_tol = _real(owner, "tolerance", tolerance)
    if bias_tol < 0 or var_tol < 0:
        raise ValueError(f"{owner}: tolerance must be ≥ 0, got tolerance={tolerance!r}")
    avoidable, gap = train - base, val - train
    high_bias, high_var = avoidable > bias_tol, gap > var_tol
    diagnosis, diagnosis_zh = _DIAGNOSES[(high_bias, high_var)]
    advice = (_BIAS_ADVICE if high_bias else ()) + (_VARIANCE_ADVICE if high_var else ())
    return BiasVarianceVerdict(train, val, base, avoidable, gap, bool(high_bias),
                               bool(high_var), diagnosis, diagnosis_zh, advice)


# =========================================================================== decomposition
_LOSSES = {"mse": "mse", "0-1": "0-1", "0-1_loss": "0-1"}


@dataclass
class BiasVarianceDecomposition:
    """The result of `bias_variance_decomposition` / `decompose_predictions`.

    ``bias`` is the mean squared bias for ``"mse"`` and mean(main ≠ y) for ``"0-1"``;
    ``noise`` the noise variance σ² used (0 when none was modelled); ``residual`` =
    expected_loss − (bias + variance + noise): exactly 0 when the bias is measured against
    the observed targets; with a true function, the finite-sample cross term
    2·mean((f̄ − f)(f − y)) plus mean((y − f)²) − noise (so just the cross term when the
    noise is estimated from the truth; → 0 as the test set grows); NaN for the 0-1 loss
    (no additive identity).  ``predictions`` has
    shape (rounds, *y_test.shape); ``main_prediction`` is f̄ (mse) or the mode (0-1).
    """

    loss: str
    expected_loss: float
    bias: float
    variance: float
    noise: float
    residual: float
    rounds: int
    main_prediction: np.ndarray = field(repr=False)
    predictions: np.ndarray = field(repr=False)
    target_bias: float = field(repr=False, default=np.nan)

    def as_mlxtend(self) -> tuple:
        """mlxtend's ``(avg_expected_loss, avg_bias, avg_var)``: for ``"mse"`` its bias is
        measured against the observed test targets, mean((f̄ − y)²), so it holds the noise."""
        return self.expected_loss, self.target_bias, self.variance

    def __str__(self) -> str:
        name = "bias²" if self.loss == "mse" else "bias"
        return (f"{self.loss} over {self.rounds} bootstrap rounds: expected loss "
                f"{self.expected_loss:.4g} = {name} {self.bias:.4g} + variance "
                f"{self.variance:.4g} + noise {self.noise:.4g}"
                + ("" if np.isnan(self.residual) else f" (+ residual {self.residual:.2g})"))


def _loss_name(loss, owner: str) -> str:
    if not isinstance(loss, str) or loss not in _LOSSES:
        raise ValueError(f"{owner}: loss must be 'mse' or '0-1' "
                         f"(mlxtend's '0-1_loss' also accepted), got loss={loss!r}")
    return _LOSSES[loss]


def _as_labels(out: np.ndarray) -> np.ndarray:
    """Predictions → class labels: (…, C) scores by argmax, one float column by threshold
    (0.5 for values in [0, 1], else 0), integer-valued floats as they are."""
    out = np.asarray(out)
    if out.dtype.kind in "iub":
        return out.astype(np.int64)
    if out.ndim >= 2 and out.shape[-1] > 1:
        return np.argmax(out, axis=-1)
    if out.ndim >= 2 and out.shape[-1] == 1:
        out = out[..., 0]
    if np.all(out == np.round(out)):
        return out.astype(np.int64)
    threshold = 0.5 if out.min() >= 0 and out.max() <= 1 else 0.0
    return (out > threshold).astype(np.int64)


def _mode(predictions: np.ndarray) -> np.ndarray:
    """Per-column mode of (rounds, m) integer labels, ties to the smallest label
    (as mlxtend's ``argmax(bincount)``)."""
    classes, codes = np.unique(predictions, return_inverse=True)
    codes = codes.reshape(predictions.shape)
    m = predictions.shape[1]
    counts = np.bincount((codes * m + np.arange(m)).ravel(),
                         minlength=classes.size * m).reshape(classes.size, m)
    return classes[np.argmax(counts, axis=0)]


def _pooled_duplicate_variance(X: np.ndarray, y: np.ndarray) -> float:
    """σ̂² from repeated x: Σ_groups Σ (y − ȳ_group)² / (N − G) over the groups of identical
    rows of X with at least two members (unbiased for homoscedastic noise)."""
    rows = np.ascontiguousarray(X.reshape(X.shape[0], -1))
    _, group, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    group = group.ravel()
    keep = counts[group] >= 2
    if not keep.any():
        raise ValueError("bias_variance_decomposition: noise='estimate' without truth needs "
                         "repeated x in X_test (the same input with several noisy targets); "
                         "pass truth=f (the true function) or a known noise variance instead")
    y2 = y.reshape(y.shape[0], -1)[keep]
    g = group[keep]
    n_groups = np.unique(g).size
    sums = np.zeros((counts.size, y2.shape[1]))
    np.add.at(sums, g, y2)
    means = sums / counts[:, None]
    ss = np.sum((y2 - means[g]) ** 2)
    return float(ss / ((y2.shape[0] - n_groups) * y2.shape[1]))


def decompose_predictions(predictions, y_test, loss="mse", truth=None, noise=None,
                          X_test=None) -> BiasVarianceDecomposition:
    """Bias, variance (and noise) of fixed predictions: ``predictions`` has shape
    (rounds, *y_test.shape) — round r's prediction of every test point.

    ``loss="mse"``: ``truth`` is the true function's values f(X_test) (an array shaped like
    ``y_test``) or None.  With ``truth`` the bias² is measured against f; without it against
    the observed targets y (as mlxtend), which then holds the noise unless ``noise`` is
    given.  ``noise``: None (no noise term), a number (the known noise variance σ², e.g.
    ``teacher.noise_sigma ** 2``) or ``"estimate"``:

    * with ``truth``: σ̂² = mean (y − f(x))², the held-out residual of the true function
      (unbiased; relative standard error √(2/n) for n Gaussian test targets);
    * without: the pooled within-group variance of the targets of repeated inputs in
      ``X_test`` (needed then), Σ_g Σ (y − ȳ_g)² / (N − G).

    Without ``truth`` and with a noise term, bias² = mean (f̄ − y)² − σ² (an unbiased
    estimate, which may come out slightly negative).  As in mlxtend, f̄ is the mean of R
    rounds, so the bias² estimate also holds variance / R (large for a model whose
    predictions have heavy tails — a high-degree polynomial on few points); raise
    ``rounds`` when the variance is large.  ``loss="0-1"``: mlxtend's definitions
    (see the module); ``truth`` and ``noise`` must be None.
    """
    owner = "decompose_predictions"
    loss = _loss_name(loss, owner)
    y = np.asarray(y_test)
    preds = np.asarray(predictions)
    if preds.ndim < 1 or preds.shape[0] < 1:
        raise ShapeError(f"{owner}: predictions must have shape (rounds, …), got {preds.shape}")
    rounds = preds.shape[0]
    if preds.shape[1:] != y.shape:
        if preds[0].size == y.size:
            preds = preds.reshape((rounds,) + y.shape)
        elif loss == "0-1" and preds.ndim == y.ndim + 2:
            pass  # class scores: reduced to labels below
        else:
            raise ShapeError(f"{owner}: predictions must have shape (rounds, "
                             f"{', '.join(map(str, y.shape))}) like y_test, got {preds.shape}")
    if loss == "0-1":
        if truth is not None or noise is not None:
            raise ValueError(f"{owner}: the 0-1 decomposition (mlxtend's) has no truth or noise "
                             f"term; got truth={'given' if truth is not None else None}, "
                             f"noise={noise!r}")
        labels = _as_labels(preds).reshape(rounds, -1)
        target = _as_labels(y).reshape(-1)
        if labels.shape[1] != target.size:
            raise ShapeError(f"{owner}: {labels.shape[1]} predicted labels per round for "
                             f"{target.size} test targets")
        main = _mode(labels)
        expected = float(np.mean(labels != target))
        bias = float(np.mean(main != target))
        variance = float(np.mean(labels != main))
        return BiasVarianceDecomposition("0-1", expected, bias, variance, 0.0, np.nan, rounds,
                                         main.reshape(y.shape), labels.reshape((rounds,) + y.shape),
                                         bias)
    preds = preds.astype(np.float64, copy=False)
    yf = y.astype(np.float64)
    main = preds.mean(axis=0)
    expected = float(np.mean((preds - yf) ** 2))
    variance = float(np.mean((preds - main) ** 2))
    target_bias = float(np.mean((main - yf) ** 2))
    f = None
    if truth is not None:
        f = np.asarray(truth, dtype=np.float64)
        if f.shape != y.shape:
            if f.size != y.size:
                raise ShapeError(f"{owner}: truth has shape {f.shape}, y_test {y.shape}")
            f = f.reshape(y.shape)
    if noise is None:
        sigma2 = 0.0
    elif isinstance(noise, str):
        if noise != "estimate":
            raise ValueError(f"{owner}: noise must be None, 'estimate' or a variance ≥ 0, got "
                             f"noise={noise!r}")
        if f is not None:
            sigma2 = float(np.mean((yf - f) ** 2))
        elif X_test is None:
            raise ValueError(f"{owner}: noise='estimate' without truth needs X_test (repeated "
                             f"inputs) to estimate the noise from")
        else:
            sigma2 = _pooled_duplicate_variance(np.asarray(X_test), yf)
    else:
        sigma2 = _real(owner, "noise", noise)
        if sigma2 < 0:
            raise ValueError(f"{owner}: noise is a variance σ², must be ≥ 0, got noise={noise!r}")
    bias = float(np.mean((main - f) ** 2)) if f is not None else target_bias - sigma2
    residual = expected - (bias + variance + sigma2)
    return BiasVarianceDecomposition("mse", expected, bias, variance, sigma2, residual, rounds,
                                     main, preds, target_bias)


def _check_rounds(rounds) -> int:
    if isinstance(rounds, (bool, np.bool_)) or not isinstance(rounds, (int, np.integer)) \
            or rounds < 2:
        raise ValueError(f"bias_variance_decomposition: rounds must be an int ≥ 2, got "
                         f"rounds={rounds!r}")
    return int(rounds)


def _bootstrap_rng(seed) -> np.random.RandomState:
    if seed is None:
        seed = int(_random.generator().integers(0, 2**32))
    elif isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= seed < 2**32:
        raise ValueError(f"bias_variance_decomposition: seed must be an int in [0, 2³²) or "
                         f"None, got seed={seed!r}")
    return np.random.RandomState(int(seed))


def _unpack_data(data):
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise TypeError(f"bias_variance_decomposition: data must be (X_train, y_train, X_test, "
                        f"y_test), got {type(data).__name__}"
                        + (f" of {len(data)} items" if isinstance(data, (tuple, list)) else ""))
    X_train, y_train, X_test, y_test = (np.asarray(a) for a in data)
    for name, X, yy in (("train", X_train, y_train), ("test", X_test, y_test)):
        if X.ndim < 1 or yy.ndim < 1 or X.shape[0] != yy.shape[0] or X.shape[0] == 0:
            raise ShapeError(f"bias_variance_decomposition: X_{name} and y_{name} must hold the "
                             f"same (nonzero) number of samples, got {X.shape} and {yy.shape}")
    return X_train, y_train, X_test, y_test


def _build_fit_predict(build, fit_kwargs, loss):
    from ..train import fit

    kwargs = {"verbose": 0, **(fit_kwargs or {})}
    extra = list(kwargs.pop("callbacks", ()) or ())

    def fit_predict(X_train, y_train, X_test):
        built = build()
        if not isinstance(built, (tuple, list)) or len(built) not in (3, 4):
            raise TypeError("bias_variance_decomposition: build() must return (model, loss_fn, "
                            f"optimizer) or (model, loss_fn, optimizer, callbacks), got "
                            f"{type(built).__name__}")
        model, loss_fn, optimizer = built[:3]
        own = built[3] if len(built) == 4 else ()
        own = list(own) if isinstance(own, (tuple, list)) else [own]
        fit(model, loss_fn, optimizer, (X_train, y_train), callbacks=extra + own, **kwargs)
        model.eval()
        with no_grad():
            out = model(Tensor(X_test))._data
        return _as_labels(out) if loss == "0-1" else np.asarray(out, dtype=np.float64)

    return fit_predict


def bias_variance_decomposition(build=None, data=None, rounds: int = 50, loss="mse", noise=None,
                                seed=None, fit_kwargs=None, *, fit_predict=None,
                                batched: bool = False, truth=None) -> BiasVarianceDecomposition:
    """Bias, variance (and noise) of a learning algorithm by bootstrap (see the module).

    ``data`` = ``(X_train, y_train, X_test, y_test)``.  The algorithm is either

    * ``build()`` → a fresh ``(model, loss_fn, optimizer[, callbacks])`` each call (the
      build contract of `tidu.model_selection.cross_validate`), trained with
      `tidu.train.fit` (``fit_kwargs``: ``epochs``, ``batch_size``, ``callbacks``, … — fit's
      defaults, silent) and evaluated on X_test in eval mode (0-1: outputs → labels by
      argmax, or by threshold for one column); or
    * ``fit_predict=fn``: ``fn(X_train, y_train, X_test)`` → predictions (any model,
      e.g. closed-form least squares).  With ``batched=True`` it is called once with all
      rounds stacked — X_train (rounds, n, …), y_train (rounds, n, …) — and returns
      (rounds, n_test, …): vectorized across rounds.

    Round r trains on a bootstrap resample of the training set (n draws with replacement),
    drawn as mlxtend does — ``np.random.RandomState(seed).choice(n, n, replace=True)`` per
    round — so an int ``seed`` gives mlxtend's resamples (None: seeded from tidu's global
    generator).  With ``build`` and an int ``seed``, round r's model is built and trained
    after ``tidu.manual_seed(seed + r)`` (as `cross_validate`'s folds), so its initial
    weights and shuffling are reproducible.

    ``loss``: ``"mse"`` (regression) or ``"0-1"`` (classification, mlxtend's definitions);
    ``truth``: the true function f (a callable applied to X_test, such as the ``Teacher``
    of `tidu.data.make_teacher_student`, or the array f(X_test)); ``noise``: None, the
    known σ² or ``"estimate"`` — see `decompose_predictions`.  Default ``rounds=50``
    (mlxtend: 200).
    """
    owner = "bias_variance_decomposition"
    if (build is None) == (fit_predict is None):
        raise TypeError(f"{owner}: give exactly one of build (→ (model, loss_fn, optimizer)) "
                        f"and fit_predict (X_train, y_train, X_test → predictions)")
    if build is not None and not callable(build):
        raise TypeError(f"{owner}: build must be callable, got {type(build).__name__}")
    if fit_predict is not None and not callable(fit_predict):
        raise TypeError(f"{owner}: fit_predict must be callable, got "
                        f"{type(fit_predict).__name__}")
    if build is not None and batched:
        raise ValueError(f"{owner}: batched=True applies to fit_predict, not to build")
    loss = _loss_name(loss, owner)
    rounds = _check_rounds(rounds)
    X_train, y_train, X_test, y_test = _unpack_data(data)
    rng = _bootstrap_rng(seed)
    n = X_train.shape[0]
    indices = np.stack([rng.choice(n, size=n, replace=True) for _ in range(rounds)])
    if build is not None:
        fit_predict = _build_fit_predict(build, fit_kwargs, loss)
    elif fit_kwargs:
        raise ValueError(f"{owner}: fit_kwargs apply to build; fit_predict takes none")

    if batched:
        preds = np.asarray(fit_predict(X_train[indices], y_train[indices], X_test))
        if preds.shape[:1] != (rounds,):
            raise ShapeError(f"{owner}: a batched fit_predict must return (rounds={rounds}, "
                             f"n_test, …) predictions, got shape {preds.shape}")
    else:
        out = []
        for r in range(rounds):
            if build is not None and seed is not None:
                _random.manual_seed(int(seed) + r)
            idx = indices[r]
            out.append(np.asarray(fit_predict(X_train[idx], y_train[idx], X_test)))
        shapes = {p.shape for p in out}
        if len(shapes) != 1:
            raise ShapeError(f"{owner}: fit_predict returned predictions of different shapes "
                             f"{sorted(shapes)}")
        preds = np.stack(out)
    if loss == "0-1" and preds.ndim > y_test.ndim + 1:
        preds = _as_labels(preds)
    f = None
    if truth is not None:
        f = truth(X_test) if callable(truth) else truth
    return decompose_predictions(preds, y_test, loss=loss, truth=f, noise=noise, X_test=X_test)

