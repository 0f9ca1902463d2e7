"""PyTorch's ``torch.utils`` names: ``tidu.utils.data`` and ``tidu.utils.checkpoint``.

``import tidu as torch; torch.utils.data.DataLoader`` and
``torch.utils.checkpoint.checkpoint(block, x, use_reentrant=False)`` work as in PyTorch: each
submodule is imported on first use, so ``import tidu`` stays light.
"""


def __getattr__(name):
    if name in ("data", "checkpoint"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tidu.utils' has no attribute {name!r}")
