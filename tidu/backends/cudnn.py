"""``torch.backends.cudnn``: tidu's GPU code is CuPy's, with no cuDNN of its own, so these
flags (PyTorch's defaults) are accepted for seeding code such as
``torch.backends.cudnn.deterministic = True`` and change nothing: tidu's results are
already deterministic for a seed."""

__all__ = ["is_available", "enabled", "benchmark", "deterministic"]

enabled = True
benchmark = False
deterministic = False


def is_available() -> bool:
    """Always False: tidu does not call cuDNN."""
    return False
