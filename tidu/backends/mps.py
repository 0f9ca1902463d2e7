"""``torch.backends.mps``: Apple's Metal GPUs, which tidu does not support (CPU or CUDA only)."""

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Always False: tidu has no Metal (MPS) backend."""
    return False


def is_built() -> bool:
    """Always False: tidu has no Metal (MPS) backend."""
    return False
