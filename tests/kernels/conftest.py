"""The compiled kernels serve host (NumPy) arrays only: their tests run on the compiled path
of a plain CPU run, and are skipped when TIDU_KERNELS=numpy or TIDU_TEST_DEVICE moves the
tensors to a device (those runs cover the layers through tests/nn instead)."""
import os

import pytest

from tidu import kernels

_REASON = ("the compiled path is off (TIDU_KERNELS=numpy)" if not kernels.compiled() else
           f"tensors are on {os.environ.get('TIDU_TEST_DEVICE')!r}, where no kernel runs")
_SKIP = not kernels.compiled() or bool(os.environ.get("TIDU_TEST_DEVICE"))


def pytest_collection_modifyitems(config, items):
    if _SKIP:
        here = os.path.dirname(__file__)
        for item in items:
            if str(item.fspath).startswith(here):
                item.add_marker(pytest.mark.skip(reason=_REASON))
