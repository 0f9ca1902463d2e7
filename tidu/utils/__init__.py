"""PyTorch's ``torch.utils`` names: ``tidu.utils.data``.

``import tidu as torch; torch.utils.data.DataLoader`` works as in PyTorch: the ``data``
subpackage is imported on first use, so ``import tidu`` stays light.
"""


def __getattr__(name):
    if name == "data":
        import importlib
        return importlib.import_module(".data", __name__)
    raise AttributeError(f"module 'tidu.utils' has no attribute {name!r}")
