"""Classification metrics, equal to scikit-learn's, computed from one ``bincount``.

Inputs are NumPy arrays, lists or tidu tensors of labels (ints, bools or strings); a
prediction given as scores — one more axis than the labels, e.g. logits (N, C) — is turned
into labels by ``argmax`` over its last axis (column j = class j).

With C the confusion matrix (rows true class, columns predicted), for each class k:

    TP_k = C[k, k],   FP_k = Σ_i C[i, k] − TP_k,   FN_k = Σ_j C[k, j] − TP_k
    precision_k = TP_k / (TP_k + FP_k),   recall_k = TP_k / (TP_k + FN_k)
    F1_k = 2·TP_k / (2·TP_k + FP_k + FN_k)   (the harmonic mean of precision and recall)

``average``: ``'binary'`` reports class ``pos_label`` only; ``'macro'`` the unweighted mean
over classes; ``'weighted'`` the mean weighted by each class's support (its number of true
samples); ``'micro'`` pools TP, FP, FN over classes first (for single-label multiclass data
micro precision = recall = F1 = accuracy); ``None`` returns the per-class array.  A ratio
with a zero denominator (a class never predicted, or absent) is ``zero_division`` — 0.0 by
default, scikit-learn's value without its warning (1.0 and NaN also accepted; NaN entries are
left out of the averages, as in scikit-learn).
"""
from __future__ import annotations

import numpy as np

from ..errors import DTypeError, ShapeError, shape_str
from ..tensor import Tensor

__all__ = ["accuracy", "precision", "recall", "f1_score", "precision_recall_fscore",
           "confusion_matrix", "top_k_accuracy"]

_AVERAGES = ("binary", "micro", "macro", "weighted", None)


def _array(a, what: str, fn: str) -> np.ndarray:
    if isinstance(a, Tensor):
        a = a._data
    try:
        arr = np.asarray(a)
    except ValueError as exc:  # ragged lists
        raise ShapeError(f"{fn}: {what} is not a rectangular array ({exc})") from None
    if arr.dtype.kind not in "biufUS":
        raise DTypeError(f"{fn}: {what} must hold numbers or strings, got dtype {arr.dtype}")
    return arr


def _labels_1d(a: np.ndarray, what: str, fn: str) -> np.ndarray:
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ShapeError(f"{fn}: {what} must be 1-D labels (n_samples,), got shape "
                         f"{shape_str(a.shape)}")
    if a.dtype.kind == "f":
        if not np.isfinite(a).all():
            raise ValueError(f"{fn}: {what} contains NaN or Inf")
        if not np.array_equal(a, np.round(a)):
            raise DTypeError(f"{fn}: {what} holds continuous values (non-integer floats); "
                             f"classification metrics need class labels")
    return a


def _targets(y_true, y_pred, fn: str):
    """1-D label arrays of equal, non-zero length; scores in y_pred become argmax labels."""
    t = _array(y_true, "y_true", fn)
    p = _array(y_pred, "y_pred", fn)
    if t.ndim == 2 and t.shape[1] == 1:
        t = t[:, 0]
    if p.ndim == t.ndim + 1 and p.dtype.kind in "biuf" and p.shape[-1] > 1:
        p = p.argmax(axis=-1)  # scores / logits / probabilities → predicted class index
    t, p = _labels_1d(t, "y_true", fn), _labels_1d(p, "y_pred", fn)
    if t.shape[0] != p.shape[0]:
        raise ShapeError(f"{fn}: y_true has {t.shape[0]} samples but y_pred has {p.shape[0]}")
    if t.shape[0] == 0:
        raise ValueError(f"{fn}: y_true and y_pred are empty (0 samples)")
    if (t.dtype.kind in "US") != (p.dtype.kind in "US"):
        raise DTypeError(f"{fn}: y_true ({t.dtype}) and y_pred ({p.dtype}) mix string and "
                         f"numeric labels")
    if t.dtype.kind == "f" or p.dtype.kind == "f":  # integral floats: compare as numbers
        t, p = t.astype(np.float64), p.astype(np.float64)
    return t, p


def _encode(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Index of each value in sorted ``classes``; len(classes) where a value is not in it."""
    k = len(classes)
    if k == 0:
        return np.zeros(len(values), dtype=np.intp)
    idx = np.minimum(np.searchsorted(classes, values), k - 1)
    return np.where(classes[idx] == values, idx, k)


def _counts(t, p, classes):
    """Confusion matrix over sorted ``classes`` (samples outside them dropped)."""
    k = len(classes)
    ti, pi = _encode(t, classes), _encode(p, classes)
    keep = (ti < k) & (pi < k)
    if not keep.all():
        ti, pi = ti[keep], pi[keep]
    return np.bincount(ti * k + pi, minlength=k * k).reshape(k, k)


def accuracy(y_true, y_pred, normalize: bool = True) -> float:
    """Fraction of samples whose predicted label equals the true one (``normalize=False``:
    their count), as ``sklearn.metrics.accuracy_score``.  ``y_pred`` may be scores (N, C)."""
    t, p = _targets(y_true, y_pred, "accuracy")
    hits = np.count_nonzero(t == p)
    return float(hits / t.shape[0]) if normalize else float(hits)


def confusion_matrix(y_true, y_pred, labels=None) -> np.ndarray:
    """C[i, j] = number of samples of true class ``labels[i]`` predicted as ``labels[j]``
    (int64), as ``sklearn.metrics.confusion_matrix``.  ``labels`` defaults to the sorted
    union of the labels in y_true and y_pred; samples whose true or predicted label is not
    in ``labels`` are not counted."""
    fn = "confusion_matrix"
    t, p = _targets(y_true, y_pred, fn)
    if labels is None:
        return _counts(t, p, np.unique(np.concatenate([t, p])))
    labels = _array(labels, "labels", fn).ravel()
    if labels.size == 0:
        raise ValueError(f"{fn}: 'labels' should contain at least one label")
    if not np.isin(t, labels).any():
        raise ValueError(f"{fn}: at least one label in 'labels' must occur in y_true")
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    if (sorted_labels[1:] == sorted_labels[:-1]).any():
        raise ValueError(f"{fn}: 'labels' contains duplicates: {labels.tolist()}")
    cm = _counts(t, p, sorted_labels)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return cm[np.ix_(inverse, inverse)]  # rows/columns in the caller's label order


def _zero_division_value(zero_division) -> float:
    if zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and (zero_division in (0, 1) or
                                                    np.isnan(zero_division)):
        return float(zero_division)
    raise ValueError(f"zero_division must be 0.0, 1.0 or np.nan, got {zero_division!r}")


def _divide(num, den, zero_division: float):
    num, den = np.asarray(num, np.float64), np.asarray(den, np.float64)
    out = np.divide(num, den, out=np.full(num.shape, zero_division), where=den != 0)
    return out


def _average(values, weights):
    mask = np.isnan(values)
    if mask.all():
        return float("nan")
    values, weights = values[~mask], (None if weights is None else weights[~mask])
    if weights is None or weights.sum() == 0:
        return float(values.mean())
    return float(np.average(values, weights=weights))


def precision_recall_fscore(y_true, y_pred, average="binary", labels=None, pos_label=1,
                            zero_division=0.0):
    """``(precision, recall, f1)`` in one pass over one confusion matrix; see the module
    docstring for the definitions and `average`.  Floats, or per-class arrays (in the
    order of ``labels``, default the sorted union of labels) when ``average=None``."""
    fn = "precision_recall_fscore"
    if average not in _AVERAGES:
        raise ValueError(f"{fn}: average must be one of {_AVERAGES}, got {average!r}")
    zero = _zero_division_value(zero_division)
    t, p = _targets(y_true, y_pred, fn)
    present = np.unique(np.concatenate([t, p]))
    if average == "binary":
        if len(present) > 2:
            raise ValueError(f"{fn}: average='binary' but the labels are multiclass "
                             f"({present.tolist()}); choose average='macro', 'micro', "
                             f"'weighted' or None")
        if pos_label not in present.tolist() and len(present) >= 2:
            raise ValueError(f"{fn}: pos_label={pos_label!r} is not a valid label; it should "
                             f"be one of {present.tolist()}")
        labels = np.asarray([pos_label])
    elif labels is not None:
        labels = _array(labels, "labels", fn).ravel()
    else:
        labels = present
    classes = np.union1d(present, labels)
    cm = _counts(t, p, classes)
    tp_all = np.diagonal(cm)
    pred_all, true_all = cm.sum(axis=0), cm.sum(axis=1)
    select = _encode(labels, classes)
    tp, pred_sum, true_sum = tp_all[select], pred_all[select], true_all[select]
    if average == "micro":
        tp, pred_sum, true_sum = tp.sum(keepdims=True), pred_sum.sum(keepdims=True), \
            true_sum.sum(keepdims=True)
    prec = _divide(tp, pred_sum, zero)
    rec = _divide(tp, true_sum, zero)
    f1 = _divide(2 * tp, pred_sum + true_sum, zero)
    if average is None:
        return prec, rec, f1
    weights = true_sum if average == "weighted" else None
    return _average(prec, weights), _average(rec, weights), _average(f1, weights)


def precision(y_true, y_pred, average="binary", labels=None, pos_label=1, zero_division=0.0):
    """TP / (TP + FP): of the samples predicted as a class, the fraction that are (as
    ``sklearn.metrics.precision_score``; defaults average='binary', pos_label=1)."""
    return precision_recall_fscore(y_true, y_pred, average, labels, pos_label, zero_division)[0]


def recall(y_true, y_pred, average="binary", labels=None, pos_label=1, zero_division=0.0):
    """TP / (TP + FN): of the samples of a class, the fraction found (as
    ``sklearn.metrics.recall_score``)."""
    return precision_recall_fscore(y_true, y_pred, average, labels, pos_label, zero_division)[1]


def f1_score(y_true, y_pred, average="binary", labels=None, pos_label=1, zero_division=0.0):
    """2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall (as
    ``sklearn.metrics.f1_score``)."""
    return precision_recall_fscore(y_true, y_pred, average, labels, pos_label, zero_division)[2]


def top_k_accuracy(y_true, scores, k: int = 2, labels=None, normalize: bool = True) -> float:
    """Fraction of samples whose true class is among the ``k`` highest-scored classes.

    ``scores`` is (N, C): column j scores class j, or class ``labels[j]`` when ``labels``
    is given.  A true class at rank r (0 = highest) is a hit when r < k, with
    r = #{j : s_j > s_true} + #{j > true : s_j = s_true} — ties go to the later column, as
    scikit-learn's ``top_k_accuracy_score`` (which breaks them the same way).  1-D scores
    are a binary problem (the score of class 1 / ``labels[1]``): k = 1 thresholds them at 0.5
    if they lie in [0, 1], else at 0; k ≥ 2 is always a hit.  Computed without sorting,
    O(N·C).  Equal to scikit-learn's whenever y_true holds every class (scikit-learn refuses
    the other cases unless ``labels`` is given).
    """
    fn = "top_k_accuracy"
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{fn}: k must be an int ≥ 1, got {k!r}")
    t = _labels_1d(_array(y_true, "y_true", fn), "y_true", fn)
    s = _array(scores, "scores", fn)
    if s.dtype.kind not in "biuf" or s.ndim not in (1, 2):
        raise ShapeError(f"{fn}: scores must be numeric, (N, C) or (N,) for a binary problem, "
                         f"got shape {shape_str(s.shape)} of dtype {s.dtype}")
    if s.shape[0] != t.shape[0]:
        raise ShapeError(f"{fn}: y_true has {t.shape[0]} samples but scores has {s.shape[0]}")
    if t.shape[0] == 0:
        raise ValueError(f"{fn}: y_true and scores are empty (0 samples)")
    if s.dtype.kind == "f" and not np.isfinite(s).all():
        raise ValueError(f"{fn}: scores contain NaN or Inf")
    n_classes = 2 if s.ndim == 1 else s.shape[1]
    if labels is None:
        classes = np.arange(n_classes)
    else:
        classes = _array(labels, "labels", fn).ravel()
        if len(classes) != n_classes:
            raise ShapeError(f"{fn}: {len(classes)} labels given but scores has {n_classes} "
                             f"classes")
    order = np.argsort(classes, kind="stable")
    idx = _encode(t, classes[order])
    if (idx == n_classes).any():
        bad = t[idx == n_classes][0]
        raise ValueError(f"{fn}: y_true contains label {bad!r}, which is not one of the "
                         f"{n_classes} classes {classes.tolist()}")
    true_col = order[idx]
    if s.ndim == 1:
        if k >= 2:
            hits = np.ones(t.shape[0], dtype=bool)
        else:
            threshold = 0.5 if s.min() >= 0 and s.max() <= 1 else 0.0
            hits = (s > threshold).astype(np.intp) == true_col
    else:
        true_score = s[np.arange(s.shape[0]), true_col][:, None]
        later = np.arange(n_classes)[None, :] > true_col[:, None]
        rank = (s > true_score).sum(axis=1) + ((s == true_score) & later).sum(axis=1)
        hits = rank < k
    count = np.count_nonzero(hits)
    return float(count / t.shape[0]) if normalize else float(count)
