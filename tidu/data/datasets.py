"""Datasets that need no download: scikit-learn's bundled tables and synthetic generators.

Every function returns ``(X, y)`` NumPy arrays — features ``X`` in tidu's default float
dtype (float32 unless changed), class labels ``y`` as int64 (regression targets as floats)
— ready for ``DataLoader((X, y), ...)``.  Generators take ``seed`` (an int, an
``np.random.Generator`` or ``None`` for tidu's global generator) and state their generative
formula, so that the noise in the data is known exactly.
"""
from __future__ import annotations

import numpy as np

from .. import random as _random
from ..errors import ShapeError, shape_str
from ..tensor import get_default_dtype

__all__ = ["load_digits", "load_iris", "load_breast_cancer", "load_wine", "make_spirals",
           "make_moons", "make_circles", "make_xor", "make_blobs", "make_sine", "make_teacher_student", "Teacher",
           "make_memory_sequences"]


def _rng(seed) -> np.random.Generator:
    if seed is None:
        return _random.generator()
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def _features(X) -> np.ndarray:
    return np.ascontiguousarray(X, dtype=get_default_dtype())


def _labels(y) -> np.ndarray:
    return np.ascontiguousarray(y, dtype=np.int64)


def _check_count(n, name: str, owner: str, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{owner}: {name} must be an int ≥ {minimum}, got {n!r}")
    return int(n)


def _shuffled(X, y, rng, shuffle: bool):
    if not shuffle:
        return X, y
    order = rng.permutation(len(X))
    return X[order], y[order]


# --------------------------------------------------------------------------- bundled
def _sklearn(name: str):
    from sklearn import datasets
    return getattr(datasets, name)(return_X_y=True)


def load_digits(as_images: bool = False):
    """scikit-learn's 1,797 handwritten digits, 8×8 pixels with values 0..16, 10 classes.

    X is (1797, 64), or (1797, 1, 8, 8) with ``as_images=True`` (for `Conv2d`); divide by 16
    (or use a scaler fitted on the training split) to bring the pixels to [0, 1].
    """
    X, y = _sklearn("load_digits")
    X = _features(X)
    return (X.reshape(-1, 1, 8, 8) if as_images else X), _labels(y)


def load_iris():
    """Fisher's iris: 150 flowers × 4 measurements (cm), 3 species (50 each)."""
    X, y = _sklearn("load_iris")
    return _features(X), _labels(y)


def load_breast_cancer():
    """Wisconsin diagnostic breast cancer: 569 samples × 30 features, 2 classes
    (0 malignant, 1 benign).  Features span several orders of magnitude: scale them."""
    X, y = _sklearn("load_breast_cancer")
    return _features(X), _labels(y)


def load_wine():
    """Wine recognition: 178 wines × 13 chemical measurements, 3 cultivars."""
    X, y = _sklearn("load_wine")
    return _features(X), _labels(y)


# --------------------------------------------------------------------------- 2-D toys
def _per_class_counts(n: int, k: int) -> np.ndarray:
    return n // k + (np.arange(k) < n % k)


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed=None,
                 shuffle: bool = True):
    r"""Interleaved spiral arms, one per class (the CS231n spiral), 2 features.

    Class k gets mₖ ≈ n/K points (n split as evenly as possible); its i-th point
    (i = 0..mₖ−1) has radius rᵢ = i/(mₖ−1) and angle θᵢ = 4(k + rᵢ) + noise·εᵢ, εᵢ ~ N(0, 1):

        x = (rᵢ sin θᵢ, rᵢ cos θᵢ),   y = k

    Not linearly separable: a linear model reaches about 1/K + a little, an MLP ~100%.
    """
    n = _check_count(n_samples, "n_samples", "make_spirals")
    k = _check_count(n_classes, "n_classes", "make_spirals")
    if n < k:
        raise ValueError(f"make_spirals: n_samples={n} < n_classes={k}")
    rng = _rng(seed)
    counts = _per_class_counts(n, k)
    y = np.repeat(np.arange(k), counts)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(n) - starts[y]
    r = position / np.maximum(counts[y] - 1, 1)
    theta = 4.0 * (y + r) + noise * rng.standard_normal(n)
    X = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    X, y = _shuffled(X, y, rng, shuffle)
    return _features(X), _labels(y)


def make_moons(n_samples: int = 100, noise: float | None = None, seed=None,
               shuffle: bool = True):
    r"""Two interleaving half circles (scikit-learn's make_moons, same formula).

    n_out = ⌊n/2⌋ points on the upper moon, tᵢ = linspace(0, π, n_out): (cos t, sin t), y = 0;
    n_in = n − n_out on the lower moon, t = linspace(0, π, n_in): (1 − cos t, ½ − sin t), y = 1;
    then x += noise·ε, ε ~ N(0, I).  Noise-free and unshuffled it equals scikit-learn's
    exactly; with noise the draws differ (tidu uses a ``Generator``, sklearn ``RandomState``).
    """
    n = _check_count(n_samples, "n_samples", "make_moons", minimum=2)
    rng = _rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], axis=1)])
    y = np.repeat([0, 1], [n_out, n_in])
    X, y = _shuffled(X, y, rng, shuffle)
    if noise is not None:
        X = X + noise * rng.standard_normal(X.shape)
    return _features(X), _labels(y)


def make_circles(n_samples: int = 100, noise: float | None = None, factor: float = 0.8,
                 seed=None, shuffle: bool = True):
    r"""A small circle inside a large one (scikit-learn's make_circles, same formula).

    n_out = ⌊n/2⌋ points tᵢ = 2πi/n_out on the unit circle (cos t, sin t), y = 0; the other
    n_in = n − n_out on the circle of radius ``factor`` (0 < factor < 1), y = 1; then
    x += noise·ε, ε ~ N(0, I).  Separable only by a non-linear boundary (‖x‖ = const).
    """
    n = _check_count(n_samples, "n_samples", "make_circles", minimum=2)
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor}")
    rng = _rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        np.stack([np.cos(t_in) * factor, np.sin(t_in) * factor], axis=1)])
    y = np.repeat([0, 1], [n_out, n_in])
    X, y = _shuffled(X, y, rng, shuffle)
    if noise is not None:
        X = X + noise * rng.standard_normal(X.shape)
    return _features(X), _labels(y)


def make_xor(n_samples: int = 200, noise: float = 0.25, seed=None):
    r"""The XOR problem: four Gaussian blobs at the corners (±1, ±1).

    Each sample picks a corner c uniformly from {−1, 1}², then x = c + noise·ε, ε ~ N(0, I);
    its label is the XOR of the corner's signs, y = [c₁ ≠ c₂] (1 on the (1, −1) and (−1, 1)
    corners).  No line separates the classes: a single linear layer stays near 50%, one
    hidden layer solves it.  With noise ≳ 0.5 blobs overlap and the Bayes error is > 0.
    """
    n = _check_count(n_samples, "n_samples", "make_xor")
    rng = _rng(seed)
    corners = rng.integers(0, 2, size=(n, 2)) * 2 - 1
    X = corners + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return _features(X), _labels(y)


def make_blobs(n_samples: int = 200, n_classes: int = 3, noise: float = 0.3, radius: float = 1.0,
               seed=None, shuffle: bool = True):
    r"""Gaussian blobs, one per class, their centres evenly spaced on a circle.

    Class k (mₖ ≈ n/K points) is centred at cₖ = radius·(cos 2πk/K, sin 2πk/K); its points
    are x = cₖ + noise·ε, ε ~ N(0, I).  Linearly separable while the blobs barely overlap
    (noise ≪ radius·sin(π/K)); scikit-learn's ``make_blobs`` places its centres at random.
    """
    n = _check_count(n_samples, "n_samples", "make_blobs")
    k = _check_count(n_classes, "n_classes", "make_blobs")
    if n < k:
        raise ValueError(f"make_blobs: n_samples={n} < n_classes={k}")
    rng = _rng(seed)
    y = np.repeat(np.arange(k), _per_class_counts(n, k))
    angle = 2 * np.pi * y / k
    X = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    X = X + noise * rng.standard_normal((n, 2))
    X, y = _shuffled(X, y, rng, shuffle)
    return _features(X), _labels(y)


# --------------------------------------------------------------------------- regression
class Teacher:
    r"""The known function f behind `make_teacher_student` data.

    ``kind="linear"``: f(x) = x·W + b.  ``kind="mlp"``: f(x) = tanh(x·W₁ + b₁)·W₂ + b₂.
    ``teacher(X)`` evaluates f (float64, no noise); ``teacher.sample(n, seed)`` draws a fresh
    dataset from the same teacher — x ~ N(0, I), y = f(x) + σε — which is what the
    bias–variance decomposition needs (many training sets, one truth).  ``support`` marks
    the input features f depends on (all of them unless the teacher is sparse).
    """

    def __init__(self, weights, bias, hidden_weights=None, hidden_bias=None,
                 noise_sigma: float = 0.0):
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.hidden_weights = None if hidden_weights is None else np.asarray(hidden_weights,
                                                                             dtype=np.float64)
        self.hidden_bias = None if hidden_bias is None else np.asarray(hidden_bias,
                                                                       dtype=np.float64)
        self.noise_sigma = float(noise_sigma)

    @property
    def kind(self) -> str:
        return "linear" if self.hidden_weights is None else "mlp"

    @property
    def first_layer(self) -> np.ndarray:
        return self.weights if self.hidden_weights is None else self.hidden_weights

    @property
    def n_features(self) -> int:
        return self.first_layer.shape[0]

    @property
    def n_outputs(self) -> int:
        return self.weights.shape[1]

    @property
    def support(self) -> np.ndarray:
        """Boolean mask of the input features with a nonzero weight."""
        return np.any(self.first_layer != 0, axis=1)

    def __call__(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ShapeError(f"Teacher: expected X of shape (n, {self.n_features}), got "
                             f"{shape_str(X.shape)}")
        if self.hidden_weights is not None:
            X = np.tanh(X @ self.hidden_weights + self.hidden_bias)
        return X @ self.weights + self.bias

    def sample(self, n_samples: int, seed=None, noise_sigma: float | None = None):
        """``(X, y)``: x ~ N(0, I), y = f(x) + σ·ε, ε ~ N(0, 1) (σ = ``noise_sigma`` or the
        teacher's); X, y in the default float dtype, y of shape (n, n_outputs)."""
        n = _check_count(n_samples, "n_samples", "Teacher.sample")
        sigma = self.noise_sigma if noise_sigma is None else float(noise_sigma)
        rng = _rng(seed)
        X = _features(rng.standard_normal((n, self.n_features)))
        clean = self(X)  # f at the float-cast inputs, so teacher(X) is exactly E[y | X]
        y = clean + sigma * rng.standard_normal(clean.shape)
        return X, _features(y)

    def __repr__(self) -> str:
        return (f"Teacher(kind={self.kind!r}, n_features={self.n_features}, "
                f"n_outputs={self.n_outputs}, support={int(self.support.sum())}, "
                f"noise_sigma={self.noise_sigma})")


def make_sine(n_samples: int = 200, noise_sigma: float = 0.1, seed=None):
    r"""1-D regression with known noise: x ~ U(−1, 1), y = sin(πx) + σε, ε ~ N(0, 1).

    The noise σ = ``noise_sigma`` is the floor no model can beat: the best possible mean
    squared error on fresh data is σ² (the notes' 噪声 term of bias–variance–noise).
    Returns X of shape (n, 1) and y of shape (n, 1), both float32.
    """
    n = _check_count(n_samples, "n_samples", "make_sine")
    if isinstance(noise_sigma, bool) or not isinstance(noise_sigma, (int, float)) \
            or not noise_sigma >= 0:
        raise ValueError(f"make_sine: noise_sigma must be a number >= 0, got {noise_sigma!r}")
    rng = _rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 1))
    y = np.sin(np.pi * x) + noise_sigma * rng.standard_normal((n, 1))
    return _features(x), y.astype(np.float32)


def make_teacher_student(n_samples: int = 1000, n_features: int = 20, noise_sigma: float = 0.1,
                         seed=None, sparse: float | None = None, teacher: str = "linear",
                         n_hidden: int = 32, n_outputs: int = 1):
    r"""Teacher–student regression with known noise: returns ``(X, y, teacher)``.

        x ~ N(0, I_d),   y = f_teacher(x) + σ·ε,   ε ~ N(0, 1)

    so the irreducible error (the notes' 噪声 term of bias² + variance + noise) is exactly
    σ² = ``noise_sigma²`` per output.  ``teacher="linear"``: f(x) = x·W + b, each column of W
    a uniformly random unit vector over the s informative features, so Var f(x) = ‖W_k‖² = 1
    exactly and σ is the noise-to-signal ratio of standard deviations; b ~ N(0, 0.1²).
    ``teacher="mlp"``: f(x) = tanh(x·W₁ + b₁)·W₂ + b₂ with ``n_hidden`` units,
    W₁ ~ N(0, 1/s), W₂ ~ N(0, 1/n_hidden), b₁, b₂ ~ N(0, 0.1²).

    ``sparse`` (a fraction in [0, 1)) sets that share of the input features — the same for
    every output — to exactly zero weight (at least one feature stays informative):
    a sparse teacher, on which L1 / proximal L1 should recover the zeros.  y has shape
    (n, n_outputs); ``teacher.sample(n, seed)`` draws more data from the same f.
    """
    n = _check_count(n_samples, "n_samples", "make_teacher_student")
    d = _check_count(n_features, "n_features", "make_teacher_student")
    n_outputs = _check_count(n_outputs, "n_outputs", "make_teacher_student")
    if noise_sigma < 0:
        raise ValueError(f"make_teacher_student: noise_sigma must be ≥ 0, got {noise_sigma}")
    if teacher not in ("linear", "mlp"):
        raise ValueError(f"make_teacher_student: teacher must be 'linear' or 'mlp', got "
                         f"{teacher!r}")
    rng = _rng(seed)
    support = np.ones(d, dtype=bool)
    if sparse is not None:
        if not 0 <= sparse < 1:
            raise ValueError(f"make_teacher_student: sparse is the fraction of zero input "
                             f"weights, in [0, 1); got {sparse}")
        n_zero = min(int(round(sparse * d)), d - 1)
        support[rng.permutation(d)[:n_zero]] = False
    s = int(support.sum())
    if teacher == "linear":
        weights = rng.standard_normal((d, n_outputs))
        weights[~support] = 0.0
        weights /= np.linalg.norm(weights, axis=0)  # unit columns: Var f(x) = 1 exactly
        model = Teacher(weights, 0.1 * rng.standard_normal(n_outputs), noise_sigma=noise_sigma)
    else:
        h = _check_count(n_hidden, "n_hidden", "make_teacher_student")
        hidden = rng.standard_normal((d, h)) / np.sqrt(s)
        hidden[~support] = 0.0
        model = Teacher(rng.standard_normal((h, n_outputs)) / np.sqrt(h),
                        0.1 * rng.standard_normal(n_outputs), hidden_weights=hidden,
                        hidden_bias=0.1 * rng.standard_normal(h), noise_sigma=noise_sigma)
    X, y = model.sample(n, rng)
    return X, y, model


# --------------------------------------------------------------------------- sequences
def make_memory_sequences(n_samples: int = 1000, length: int = 20, lag: int | None = None,
                          n_symbols: int = 4, seed=None, one_hot: bool = False):
    r"""A long-range memory task: the label is a token seen ``lag`` steps before the end.

    Each sequence is ``length`` tokens drawn i.i.d. uniformly from {0, …, V−1}
    (V = ``n_symbols``); its label is the token at position p = length − 1 − lag:

        xₜ ~ U{0..V−1} (t = 0..length−1),   y = x_p

    ``lag`` defaults to length − 1 (remember the *first* token).  Every other token is a
    distractor, so the best possible accuracy is 100% and chance is 1/V.  The gradient that
    teaches the model to keep x_p flows back through ``lag`` recurrent steps.  Being a
    discrete latch, it is learnable by a plain tanh RNN too at moderate lags (the lab's E11
    saw it recall the first of 30 tokens in most seeds); the adding problem of
    Hochreiter & Schmidhuber (1997) is the harder test of long memory.

    X is batch-first: int64 tokens (n, length) for `nn.Embedding`, or with ``one_hot=True``
    float one-hot vectors (n, length, V) for `nn.RNN` / `nn.LSTM` with ``batch_first=True``
    (transpose to (length, n, V) for the default layout).  y is int64 (n,).
    """
    n = _check_count(n_samples, "n_samples", "make_memory_sequences")
    length = _check_count(length, "length", "make_memory_sequences")
    v = _check_count(n_symbols, "n_symbols", "make_memory_sequences", minimum=2)
    lag = length - 1 if lag is None else lag
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or not 0 <= lag < length:
        raise ValueError(f"make_memory_sequences: lag must be an int in [0, length={length}), "
                         f"got {lag!r}")
    rng = _rng(seed)
    tokens = rng.integers(0, v, size=(n, length), dtype=np.int64)
    y = tokens[:, length - 1 - lag].copy()
    if one_hot:
        X = np.zeros((n, length, v), dtype=get_default_dtype())
        np.put_along_axis(X, tokens[..., None], 1.0, axis=2)
        return X, y
    return tokens, y
