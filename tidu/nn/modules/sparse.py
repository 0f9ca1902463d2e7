"""`Embedding` (math in tidu.nn.functional.sparse)."""
from __future__ import annotations

import numpy as np

from ..._checks import check_size
from ...backend import like, to_numpy
from ...errors import ArgumentError, ShapeError, shape_str
from ...tensor import Tensor, get_default_dtype
from .. import init
from ..functional.embedding_bag import embedding_bag
from ..functional.sparse import _embedding, _padding_index
from ..parameter import Parameter
from .module import Module

__all__ = ["Embedding", "EmbeddingBag"]


class Embedding(Module):
    """A lookup table: integer indices of any shape (…) → rows of ``weight`` (…, embedding_dim).

    ``weight`` (num_embeddings, embedding_dim) starts as N(0, 1), as PyTorch (Keras' Embedding
    draws U(−0.05, 0.05)); the ``padding_idx`` row, if given, starts at zero and never
    receives a gradient, so it stays zero in training.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype=None):
        super().__init__()
        self.num_embeddings = check_size(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = check_size(embedding_dim, "embedding_dim", "Embedding")
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        dtype = dtype or get_default_dtype()
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim), dtype=dtype),
                                dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None):
        """An Embedding holding a copy of the 2-D ``embeddings`` (frozen unless freeze=False)."""
        arr = embeddings._data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if arr.ndim != 2:
            raise ShapeError(f"Embedding.from_pretrained: expected a 2-D array, got shape "
                             f"{shape_str(arr.shape)}")
        dtype = arr.dtype if arr.dtype.kind == "f" else None
        emb = cls(arr.shape[0], arr.shape[1], padding_idx=padding_idx, dtype=dtype)
        emb.weight._data[...] = like(emb.weight._data, to_numpy(arr).astype(emb.weight.dtype))
        emb.weight.requires_grad = not freeze
        return emb

    def forward(self, input):
        return _embedding(input, self.weight, self.padding_idx, repr(self))

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")


class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embeddings without building the (…, D) lookup first,
    as torch.nn.EmbeddingBag: forward(input, offsets=None, per_sample_weights=None) gives
    (bags, embedding_dim) by `tidu.nn.functional.embedding_bag` (bags are the rows of a 2-D
    input, or offsets into a 1-D one).

    ``weight`` (num_embeddings, embedding_dim) starts as N(0, 1), as PyTorch; the
    ``padding_idx`` row starts at zero and is left out of every bag.  Default mode='mean'.
    tidu differs: max_norm, scale_grad_by_freq=True and sparse=True are refused.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                 sparse: bool = False, _weight=None, include_last_offset: bool = False,
                 padding_idx: int | None = None, dtype=None):
        super().__init__()
        for name, val, ok in (("max_norm", max_norm, None),
                              ("scale_grad_by_freq", scale_grad_by_freq, False),
                              ("sparse", sparse, False)):
            if val is not ok and val != ok:
                raise NotImplementedError(f"EmbeddingBag: {name}={val!r} is not supported by "
                                          f"tidu (leave it at {ok!r})")
        if mode not in ("sum", "mean", "max"):
            raise ArgumentError(f"EmbeddingBag: mode has to be one of 'sum', 'mean' or 'max', "
                                f"got {mode!r}")
        self.num_embeddings = check_size(num_embeddings, "num_embeddings", "EmbeddingBag")
        self.embedding_dim = check_size(embedding_dim, "embedding_dim", "EmbeddingBag")
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.mode, self.sparse = scale_grad_by_freq, mode, sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "EmbeddingBag")
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            dtype = dtype or get_default_dtype()
            self.weight = Parameter(np.empty(shape, dtype=dtype), dtype=dtype)
            self.reset_parameters()
        else:
            arr = _weight._data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if tuple(arr.shape) != shape:
                raise ShapeError(f"EmbeddingBag: _weight must have shape {shape_str(shape)} "
                                 f"(num_embeddings, embedding_dim), got {shape_str(arr.shape)}")
            dtype = dtype or (arr.dtype if arr.dtype.kind == "f" else get_default_dtype())
            self.weight = Parameter(to_numpy(arr).astype(dtype), dtype=dtype)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input, offsets=None, per_sample_weights=None):
        return embedding_bag(input, self.weight, offsets, mode=self.mode,
                             per_sample_weights=per_sample_weights,
                             include_last_offset=self.include_last_offset,
                             padding_idx=self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}, mode={self.mode!r}"
        if self.include_last_offset:
            s += ", include_last_offset=True"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
