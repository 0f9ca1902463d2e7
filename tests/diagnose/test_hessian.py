"""hessian / classify_stationary_point: the notes' example (004), a saddle, a maximum, a
degenerate point, and a non-quadratic function against PyTorch's autograd Hessian."""
import numpy as np
import pytest
import torch

from tidu import Tensor
from tidu.diagnose import classify_stationary_point, gradient, hessian

LINEAR = np.array([2.0, 4.0, -6.0])


def notes_f(v):
    """x² + y² + z² + 2x + 4y − 6z"""
    return (v * v).sum() + (v * Tensor(LINEAR, dtype=np.float64)).sum()


def test_notes_example_is_a_minimum_of_value_minus_14():
    H = hessian(notes_f, [-1.0, -2.0, 3.0])
    np.testing.assert_allclose(H, np.diag([2.0, 2.0, 2.0]), atol=1e-8)
    point = classify_stationary_point(notes_f, np.array([-1, -2, 3]))
    assert point.kind == "minimum" and point.curvature == "positive definite"
    assert point.value == -14.0
    assert point.is_stationary and point.gradient_norm == 0.0
    np.testing.assert_allclose(point.eigenvalues, [2.0, 2.0, 2.0], atol=1e-8)
    text = str(point)
    assert "minimum" in text and "-14" in text


def test_saddle_maximum_and_degenerate():
    saddle = classify_stationary_point(lambda v: v[0] ** 2 - v[1] ** 2, [0.0, 0.0])
    assert saddle.kind == "saddle" and saddle.curvature == "indefinite"
    np.testing.assert_allclose(saddle.eigenvalues, [-2.0, 2.0], atol=1e-8)
    peak = classify_stationary_point(lambda v: 5.0 - (v * v).sum() - v[0] * v[1], [0.0, 0.0])
    assert peak.kind == "maximum" and peak.value == 5.0
    np.testing.assert_allclose(peak.eigenvalues, [-3.0, -1.0], atol=1e-8)
    flat = classify_stationary_point(lambda v: (v ** 4).sum(), [0.0, 0.0])  # H = 0
    assert flat.kind == "degenerate" and flat.curvature == "semidefinite"
    valley = classify_stationary_point(lambda v: v[0] ** 2, [0.0, 3.0])  # a line of minima
    assert valley.kind == "degenerate"


def test_a_point_with_nonzero_gradient_is_not_stationary():
    point = classify_stationary_point(notes_f, [0.0, 0.0, 0.0])
    assert point.kind == "not stationary" and not point.is_stationary
    assert point.curvature == "positive definite"
    np.testing.assert_allclose(point.gradient, LINEAR)
    assert point.gradient_norm == pytest.approx(np.sqrt(56.0))
    assert "not a stationary point" in str(point)
    np.testing.assert_allclose(gradient(notes_f, [-1.0, -2.0, 3.0]), 0.0)


def test_non_quadratic_function_matches_torch_hessian():
    def f(v):  # written once, run on a tidu Tensor and on a torch tensor
        return v[0].exp() * v[1] ** 2 + v[0] * v[1] ** 3 + (v * v).sum() * v[2]

    x = np.array([0.3, -0.7, 1.2])
    expected = torch.autograd.functional.hessian(f, torch.tensor(x, dtype=torch.float64)).numpy()
    H = hessian(f, Tensor(x, dtype=np.float64))
    np.testing.assert_allclose(H, expected, rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(H, H.T)
    point = classify_stationary_point(f, x)
    assert point.asymmetry < 1e-7


def test_bad_input():
    with pytest.raises(ValueError, match="1-D vector"):
        hessian(notes_f, np.zeros((3, 1)))
    with pytest.raises(TypeError, match="f must return a scalar tidu Tensor"):
        hessian(lambda v: v * 2, [1.0, 2.0])
    with pytest.raises(TypeError, match="f must return a scalar tidu Tensor"):
        classify_stationary_point(lambda v: 1.0, [1.0])
    with pytest.raises(ValueError, match="tol must be a positive number"):
        classify_stationary_point(notes_f, [0.0, 0.0, 0.0], tol=-1)
    with pytest.raises(ValueError, match="h must be a positive number"):
        hessian(notes_f, [0.0, 0.0, 0.0], h=0)
