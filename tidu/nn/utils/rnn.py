"""Variable-length sequences, as ``torch.nn.utils.rnn``: `pad_sequence` stacks sequences of
different lengths into one padded tensor (the usual way to batch them for tidu's RNNs, which
then run over the padding too).  Packed sequences are not supported: tidu's recurrent layers
take padded tensors only, and `pack_padded_sequence` and friends say so in one line."""
from __future__ import annotations

from ...errors import ArgumentError, ShapeError, shape_str
from ...backend import xp_of
from ...ops.shape import concatenate, stack
from ...ops.shape_more import narrow
from ...tensor import Tensor

__all__ = ["pad_sequence", "unpad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "PackedSequence"]


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


def _refuse(name):
    def refuse(*args, **kwargs):
        raise NotImplementedError(
            f"{name}: packed sequences are not supported by tidu (its RNN/LSTM/GRU take padded "
            f"tensors); batch with pad_sequence and pass the padded tensor, masking the loss")
    refuse.__name__ = refuse.__qualname__ = name
    return refuse


pack_padded_sequence = _refuse("pack_padded_sequence")
pad_packed_sequence = _refuse("pad_packed_sequence")
pack_sequence = _refuse("pack_sequence")
PackedSequence = _refuse("PackedSequence")
