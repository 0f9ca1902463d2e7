"""``torch.cuda``'s queries, so ``device = torch.device("cuda" if torch.cuda.is_available()
else "cpu")`` runs unchanged on tidu.

tidu's GPU is CuPy's (see `tidu.backend`): CUDA is available when CuPy is installed and sees
a GPU.  tidu uses one GPU (``cuda:0``), so `device_count` is 1 or 0.  Every random draw is
made on the host by tidu's one generator, so the CUDA seeding calls have nothing of their
own to seed: `tidu.manual_seed` already makes GPU runs reproducible.  ``tidu.cuda.amp`` holds
PyTorch's deprecated spellings of `tidu.amp` (``torch.cuda.amp.GradScaler()``, ``autocast()``).
"""
from .. import backend as _backend
from . import amp

__all__ = ["is_available", "device_count", "current_device", "manual_seed", "manual_seed_all",
           "amp"]


def is_available() -> bool:
    """Whether a CUDA GPU can be used (CuPy installed and a GPU seen); imports CuPy if present."""
    return _backend.is_available("cuda")


def device_count() -> int:
    """The number of GPUs tidu can use: 1 when CUDA is available (tidu uses one), else 0."""
    return 1 if is_available() else 0


def current_device() -> int:
    """The index of the GPU in use: always 0 (tidu uses ``cuda:0``)."""
    return 0


def manual_seed(seed: int) -> None:
    """Accepted for PyTorch code: tidu draws on the host, seeded by `tidu.manual_seed`."""


def manual_seed_all(seed: int) -> None:
    """Accepted for PyTorch code: tidu draws on the host, seeded by `tidu.manual_seed`."""
