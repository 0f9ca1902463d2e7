"""``torch.cpu``: the CPU as a device module — always available, one device, nothing to
synchronize (NumPy runs eagerly) — and ``tidu.cpu.amp``, PyTorch's deprecated spellings of
`tidu.amp` for the 'cpu' device."""
from . import amp

__all__ = ["is_available", "device_count", "current_device", "synchronize", "amp"]


def is_available() -> bool:
    """Always True, as PyTorch."""
    return True


def device_count() -> int:
    """Always 1, as PyTorch."""
    return 1


def current_device() -> str:
    """Always 'cpu', as PyTorch."""
    return "cpu"


def synchronize(device=None) -> None:
    """Nothing to wait for: tidu's CPU ops finish before they return."""
