"""Variable-length sequences, as ``torch.nn.utils.rnn``: `pad_sequence` stacks sequences of
different lengths into one padded tensor; `pack_padded_sequence` packs a padded batch into a
`PackedSequence` — the valid time steps only, step by step: at step t the first
``batch_sizes[t]`` sequences of the batch sorted by decreasing length — which tidu's `RNN`,
`LSTM` and `GRU` take as input (each sequence then ends at its own length: its final state is
the one after its last valid step, and the reverse direction starts from that step);
`pad_packed_sequence` is the inverse.  Every step is a differentiable gather, so gradients
flow back to the padded input."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...errors import ArgumentError, ShapeError, shape_str
from ...backend import like, to_numpy, xp_of
from ...ops.shape import concatenate, stack
from ...ops.shape_more import narrow
from ...tensor import Tensor

__all__ = ["pad_sequence", "unpad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpack_sequence", "PackedSequence"]


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shape (Lᵢ, *) into (L_max, B, *) — or (B, L_max, *) with
    ``batch_first`` — filling with ``padding_value`` after each sequence (before it with
    ``padding_side='left'``), as torch.  Gradients flow back to every sequence."""
    seqs = list(sequences)
    if not seqs:
        raise ArgumentError("pad_sequence: expected a non-empty list of tensors")
    if padding_side not in ("right", "left"):
        raise ArgumentError(f"pad_sequence: padding_side must be 'right' or 'left', got "
                            f"{padding_side!r}")
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor) or s.ndim == 0:
            raise ShapeError(f"pad_sequence: sequence {i} must be a tensor with a length dim, "
                             f"got {getattr(s, 'shape', type(s).__name__)}")
        if s.shape[1:] != seqs[0].shape[1:]:
            raise ShapeError(f"pad_sequence: sequence {i} has trailing shape "
                             f"{shape_str(s.shape[1:])}, sequence 0 {shape_str(seqs[0].shape[1:])}")
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        gap = longest - s.shape[0]
        if gap:
            fill = Tensor._wrap(xp_of(s._data).full((gap,) + s.shape[1:], padding_value,
                                                    dtype=s.dtype))
            s = concatenate([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The inverse of `pad_sequence`: the list of sequences cut to ``lengths``."""
    batch_dim = 0 if batch_first else 1
    out = []
    for i, n in enumerate(lengths.tolist() if isinstance(lengths, Tensor) else lengths):
        seq = narrow(padded_sequences, batch_dim, i, 1).squeeze(batch_dim)
        out.append(narrow(seq, 0, 0, int(n)))
    return out


class PackedSequence(NamedTuple):
    """A batch of variable-length sequences, packed (as ``torch.nn.utils.rnn.PackedSequence``):
    ``data`` (Σ lengths, *) holds the valid time steps, step by step — at step t the first
    ``batch_sizes[t]`` sequences in decreasing-length order; ``batch_sizes`` (T_max,) int64;
    ``sorted_indices`` the batch position of each sorted sequence and ``unsorted_indices``
    its inverse (both None when the batch was already sorted).  Made by
    `pack_padded_sequence` / `pack_sequence`, not by hand."""

    data: Tensor
    batch_sizes: Tensor | None = None
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def _with_data(self, data) -> "PackedSequence":
        return self._replace(data=data)

    def to(self, *args, **kwargs) -> "PackedSequence":
        """``data`` moved/cast by ``Tensor.to``; the index tensors stay as they are."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cpu(self) -> "PackedSequence":
        return self._with_data(self.data.cpu())

    def float(self) -> "PackedSequence":
        return self._with_data(self.data.float())

    def double(self) -> "PackedSequence":
        return self._with_data(self.data.double())

    def long(self) -> "PackedSequence":
        return self._with_data(self.data.long())

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def _lengths(lengths, owner: str) -> np.ndarray:
    """``lengths`` (a list or a 1-D integer tensor) as an int64 NumPy array, each > 0."""
    if isinstance(lengths, Tensor):
        if lengths.dtype.kind not in "iu" or lengths.ndim != 1:
            raise ArgumentError(f"{owner}: lengths must be a 1-D integer tensor or a list of "
                                f"ints, got a tensor of dtype {lengths.dtype} and shape "
                                f"{shape_str(lengths.shape)}")
        out = to_numpy(lengths._data).astype(np.int64)
    else:
        out = np.asarray(list(lengths), dtype=np.int64)
        if out.ndim != 1:
            raise ArgumentError(f"{owner}: lengths must be a list of ints, got {lengths!r}")
    if out.size and out.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    return out


def _steps(lengths: np.ndarray) -> tuple:
    """(time index, batch index) of each packed row, for lengths sorted decreasingly."""
    mask = np.arange(int(lengths.max()))[:, None] < lengths[None, :]
    return np.nonzero(mask)  # row-major: step by step, sequences in order within a step


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) — (B, T, *) with ``batch_first`` — whose sequence b is
    ``lengths[b]`` long, as torch.  With ``enforce_sorted`` (default) the lengths must be
    decreasing; otherwise the batch is sorted by decreasing length first (stable) and the
    permutation kept in ``sorted_indices`` / ``unsorted_indices``."""
    owner = "pack_padded_sequence"
    if not isinstance(input, Tensor):
        raise TypeError(f"{owner}: input must be a tidu.Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ShapeError(f"{owner}: input must be (T, B, *) or (B, T, *), got shape "
                         f"{shape_str(input.shape)}")
    lens = _lengths(lengths, owner)
    batch_dim, time_dim = (0, 1) if batch_first else (1, 0)
    if lens.size != input.shape[batch_dim]:
        raise ShapeError(f"{owner}: expected {input.shape[batch_dim]} lengths (the batch size "
                         f"of input {shape_str(input.shape)}), got {lens.size}")
    if lens.max() > input.shape[time_dim]:
        raise ShapeError(f"{owner}: a length {int(lens.max())} exceeds the input's "
                         f"{input.shape[time_dim]} time steps")
    sorted_idx = unsorted_idx = None
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_idx = Tensor._wrap(like(input._data, order))
        unsorted_idx = Tensor._wrap(like(input._data, np.argsort(order)))
        input = input.index_select(batch_dim, sorted_idx)
    t, b = _steps(lens)
    data = input[b, t] if batch_first else input[t, b]
    batch_sizes = np.count_nonzero(np.arange(int(lens.max()))[:, None] < lens[None, :], axis=1)
    return PackedSequence(data, Tensor._wrap(batch_sizes.astype(np.int64)), sorted_idx,
                          unsorted_idx)


def packed_lengths(batch_sizes) -> np.ndarray:
    """Each sorted sequence's length from ``batch_sizes``: how many steps hold it."""
    sizes = to_numpy(batch_sizes._data if isinstance(batch_sizes, Tensor) else
                     np.asarray(batch_sizes)).astype(np.int64)
    return np.count_nonzero(sizes[:, None] > np.arange(int(sizes[0]))[None, :], axis=0)


def sorted_padded(data: Tensor, lengths: np.ndarray, steps: int,
                  padding_value: float = 0.0) -> Tensor:
    """Packed ``data`` as the padded (steps, N, *) batch of its sorted sequences (decreasing
    ``lengths``), a differentiable gather: each cell reads its packed row, or a padding row
    appended after the data."""
    t, b = _steps(lengths)
    rows = np.full((steps, lengths.size), data.shape[0], dtype=np.int64)
    rows[t, b] = np.arange(t.size)
    pad = Tensor._wrap(xp_of(data._data).full((1,) + data.shape[1:], padding_value,
                                              dtype=data.dtype))
    return concatenate([data, pad], 0)[like(data._data, rows)]


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None) -> tuple:
    """The inverse of `pack_padded_sequence`: (padded (T, B, *) — (B, T, *) with
    ``batch_first`` —, lengths (B,) int64), in the original batch order, padded with
    ``padding_value`` to ``total_length`` steps (default: the longest sequence), as torch."""
    owner = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{owner}: expected a PackedSequence, got {type(sequence).__name__}")
    lens = packed_lengths(sequence.batch_sizes)
    steps = int(lens.max())
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = int(total_length)
    padded = sorted_padded(sequence.data, lens, steps, padding_value)
    lengths = lens
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lens[to_numpy(sequence.unsorted_indices._data)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, Tensor._wrap(lengths.astype(np.int64))


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (Lᵢ, *) tensors: `pack_padded_sequence` of their `pad_sequence`."""
    seqs = list(sequences)
    lengths = [s.shape[0] if isinstance(s, Tensor) and s.ndim else 0 for s in seqs]
    return pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of (Lᵢ, *) tensors a `PackedSequence` holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
