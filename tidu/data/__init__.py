"""tidu.data: from arrays to training batches.

* `DataLoader`, `ArrayDataset` — shuffled, seeded mini-batches of NumPy arrays as tensors
  (``batch_size=None`` full batch, ``1`` stochastic), resumable via ``state_dict()``;
* `MinMaxScaler`, `StandardScaler` — fit on training data only (scikit-learn's results);
* augmentations for image batches — `RandomHorizontalFlip`, `RandomCrop`, `RandomRotation`,
  `GaussianNoise`, `Compose` — seeded and vectorized over the batch;
* datasets needing no download — `load_digits`, `load_iris`, `load_breast_cancer`,
  `load_wine`, and generators `make_spirals`, `make_moons`, `make_circles`, `make_xor`,
  `make_teacher_student`, `make_memory_sequences`;
* `check_arrays` — the validation every entry point shares (NaN/Inf, mismatched label
  counts, empty data).

Splitting the data (hold-out, k-fold, …) lives in `tidu.model_selection`.
"""
from .augment import (Compose, GaussianNoise, RandomCrop, RandomHorizontalFlip, RandomRotation,
                      Transform, rotate)
from .datasets import (Teacher, load_breast_cancer, load_digits, load_iris, load_wine,
                       make_blobs, make_circles, make_memory_sequences, make_moons, make_sine,
                       make_spirals, make_teacher_student, make_xor)
from .loader import ArrayDataset, DataLoader
from .scalers import MinMaxScaler, NotFittedError, StandardScaler
from .validation import check_arrays, check_finite

__all__ = ["ArrayDataset", "DataLoader", "MinMaxScaler", "StandardScaler", "NotFittedError",
           "Transform", "Compose", "RandomHorizontalFlip", "RandomCrop",
           "RandomRotation", "GaussianNoise", "rotate", "load_digits", "load_iris",
           "load_breast_cancer", "load_wine", "make_spirals", "make_moons", "make_circles",
           "make_xor", "make_blobs", "make_sine", "make_teacher_student", "Teacher",
           "make_memory_sequences",
           "check_arrays", "check_finite"]
