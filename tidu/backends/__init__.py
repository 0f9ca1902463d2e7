"""``torch.backends``' flags, so PyTorch code that queries or sets them runs unchanged:
``mps`` (Apple GPUs: never available in tidu) and ``cudnn`` (tidu uses no cuDNN; its flags
are accepted and change nothing)."""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
