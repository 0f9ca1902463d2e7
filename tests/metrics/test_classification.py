"""tidu.metrics against scikit-learn on random label vectors (hypothesis), incl. labels that
never occur in the predictions, string labels, tensors, ties in top-k scores."""
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import tidu
from tidu.errors import DTypeError, ShapeError
from tidu.metrics import (accuracy, confusion_matrix, f1_score, precision,
                          precision_recall_fscore, recall, top_k_accuracy)


@st.composite
def label_pairs(draw, max_classes=6):
    """y_true, y_pred over ≤ max_classes labels; y_pred often misses some classes."""
    n = draw(st.integers(1, 40))
    k = draw(st.integers(1, max_classes))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    k_pred = draw(st.integers(1, k))  # predictions confined to the first k_pred classes
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, k_pred, n))
    y_pred = np.minimum(y_pred, k_pred - 1)
    return y_true, y_pred


SK = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
OURS = {"precision": precision, "recall": recall, "f1": f1_score}


@given(label_pairs())
def test_accuracy_and_confusion_matrix_equal_sklearn(pair):
    y_true, y_pred = pair
    assert accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    assert accuracy(y_true, y_pred, normalize=False) == skm.accuracy_score(y_true, y_pred,
                                                                           normalize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns on a 1×1 matrix
        expected = skm.confusion_matrix(y_true, y_pred)
    cm = confusion_matrix(y_true, y_pred)
    assert cm.dtype == np.int64
    np.testing.assert_array_equal(cm, expected)


@given(label_pairs())
def test_confusion_matrix_with_labels_in_any_order_equal_sklearn(pair):
    y_true, y_pred = pair
    labels = [7, int(y_true[0]), 2] if y_true[0] != 2 else [7, 2, 0]  # absent, unsorted
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, labels=labels),
                                  skm.confusion_matrix(y_true, y_pred, labels=labels))


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", None])
@given(pair=label_pairs())
def test_precision_recall_f1_averages_equal_sklearn(pair, average):
    y_true, y_pred = pair
    for name in SK:
        got = OURS[name](y_true, y_pred, average=average)
        expected = SK[name](y_true, y_pred, average=average, zero_division=0.0)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=name)
    # explicit labels, one of them absent from both vectors
    labels = [0, 1, 9]
    got = precision_recall_fscore(y_true, y_pred, average=average, labels=labels)
    expected = skm.precision_recall_fscore_support(y_true, y_pred, average=average,
                                                   labels=labels, zero_division=0.0)[:3]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=0)


@given(label_pairs(max_classes=2), st.sampled_from([0, 1]))
def test_binary_average_equal_sklearn(pair, pos_label):
    y_true, y_pred = pair  # labels in {0, 1}; often only one of them occurs
    for name in SK:
        got = OURS[name](y_true, y_pred, pos_label=pos_label)
        expected = SK[name](y_true, y_pred, pos_label=pos_label, zero_division=0.0)
        assert got == pytest.approx(expected, rel=1e-12, abs=0), name


def test_zero_division_values_and_nan_left_out_of_the_mean():
    y_true, y_pred = [0, 0, 1, 2], [0, 0, 0, 0]  # classes 1, 2 never predicted
    for zd in (0.0, 1.0, np.nan):
        for average in ("macro", "weighted", None):
            got = precision(y_true, y_pred, average=average, zero_division=zd)
            expected = skm.precision_score(y_true, y_pred, average=average, zero_division=zd)
            np.testing.assert_allclose(got, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default 0.0 is silent
        assert recall([1, 1], [0, 0], pos_label=0) == 0.0
    with pytest.raises(ValueError, match="zero_division"):
        precision(y_true, y_pred, average="macro", zero_division=0.5)


def test_micro_equals_accuracy_for_single_label_multiclass():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    acc = accuracy(y_true, y_pred)
    for fn in (precision, recall, f1_score):
        assert fn(y_true, y_pred, average="micro") == pytest.approx(acc, rel=1e-15)


def test_string_labels_lists_and_tensors():
    y_true = ["cat", "dog", "dog", "bird", "cat"]
    y_pred = ["cat", "cat", "dog", "dog", "cat"]
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred),
                                  skm.confusion_matrix(y_true, y_pred))
    assert f1_score(y_true, y_pred, average="macro") == pytest.approx(
        skm.f1_score(y_true, y_pred, average="macro"))
    assert precision(["a", "b", "b"], ["a", "a", "b"], pos_label="b") == 1.0
    t, p = tidu.Tensor(np.array([0, 1, 2, 2])), tidu.Tensor(np.array([0, 2, 2, 2]))
    assert accuracy(t, p) == 0.75
    np.testing.assert_array_equal(confusion_matrix(t, p), skm.confusion_matrix(t._data, p._data))


def test_scores_as_predictions_are_argmaxed():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.5, 3.0], [0.1, 0.9, 0.0]])
    y = np.array([0, 1, 1])
    assert accuracy(y, logits) == pytest.approx(2 / 3)
    assert accuracy(tidu.Tensor(y), tidu.Tensor(logits)) == pytest.approx(2 / 3)
    np.testing.assert_array_equal(confusion_matrix(y, logits),
                                  skm.confusion_matrix(y, logits.argmax(1), labels=[0, 1, 2]))


@given(st.integers(1, 40), st.integers(3, 6), st.integers(1, 6), st.integers(0, 2**31 - 1),
       st.booleans())
def test_top_k_accuracy_equal_sklearn_with_ties(n_extra, n_classes, k, seed, coarse):
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.arange(n_classes), rng.integers(0, n_classes, n_extra)])
    # coarse integer scores force ties; sklearn and tidu must break them alike
    scores = (rng.integers(0, 3, (len(y), n_classes)).astype(float) if coarse
              else rng.standard_normal((len(y), n_classes)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns for k ≥ n_classes
        expected = skm.top_k_accuracy_score(y, scores, k=k, labels=np.arange(n_classes))
        expected_count = skm.top_k_accuracy_score(y, scores, k=k, normalize=False)
    assert top_k_accuracy(y, scores, k=k) == expected
    assert top_k_accuracy(y, scores, k=k, normalize=False) == expected_count


def test_top_k_named_labels_binary_scores_and_errors():
    scores = np.array([[0.1, 0.5, 0.4], [0.6, 0.3, 0.1], [0.2, 0.3, 0.5]])
    y = np.array(["b", "c", "c"])
    assert top_k_accuracy(y, scores, k=1, labels=["a", "b", "c"]) == pytest.approx(
        skm.top_k_accuracy_score(y, scores, k=1, labels=["a", "b", "c"]))
    assert top_k_accuracy(y, scores, k=2, labels=["a", "b", "c"]) == pytest.approx(
        skm.top_k_accuracy_score(y, scores, k=2, labels=["a", "b", "c"]))
    yb, sb = np.array([0, 1, 1, 0]), np.array([0.2, 0.7, 0.4, 0.6])
    assert top_k_accuracy(yb, sb, k=1) == skm.top_k_accuracy_score(yb, sb, k=1)
    assert top_k_accuracy(yb, sb * 4 - 2, k=1) == skm.top_k_accuracy_score(yb, sb * 4 - 2, k=1)
    assert top_k_accuracy(tidu.Tensor(np.array([2, 0])),
                          tidu.Tensor(np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 0.0]])), k=1) == 0.5
    with pytest.raises(ValueError, match="k must be"):
        top_k_accuracy(yb, sb, k=0)
    with pytest.raises(ValueError, match="not one of the 3 classes"):
        top_k_accuracy([0, 3], scores[:2], k=1)
    with pytest.raises(ShapeError, match="2 samples but scores has 3"):
        top_k_accuracy([0, 1], scores, k=1)
    with pytest.raises(ValueError, match="NaN"):
        top_k_accuracy([0, 1], np.array([[np.nan, 1.0], [0.0, 1.0]]), k=1)


def test_bad_input_is_refused_clearly():
    with pytest.raises(ShapeError, match="y_true has 3 samples but y_pred has 2"):
        accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        accuracy([], [])
    with pytest.raises(DTypeError, match="continuous"):
        f1_score([0.5, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="average='binary' but the labels are multiclass"):
        f1_score([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        precision([0, 1], [1, 1], pos_label=2)
    with pytest.raises(ValueError, match="average must be one of"):
        recall([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="at least one label"):
        confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="duplicates"):
        confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1])
    with pytest.raises(DTypeError, match="mix string and numeric"):
        accuracy(["a", "b"], [0, 1])
