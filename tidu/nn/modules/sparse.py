"""`Embedding` (math in tidu.nn.functional.sparse)."""
from __future__ import annotations

import numpy as np

from ..._checks import check_size
from ...backend import like, to_numpy
from ...errors import ShapeError, shape_str
from ...tensor import Tensor, get_default_dtype
from .. import init
from ..functional.sparse import _embedding, _padding_index
from ..parameter import Parameter
from .module import Module

__all__ = ["Embedding"]


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
