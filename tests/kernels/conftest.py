"""The compiled kernels' tests run on the compiled path only: skipped when TIDU_KERNELS=numpy
(that run covers the layers through tests/nn).  Device runs skip them through the
``host_only`` marker each module carries: the kernels serve NumPy arrays only."""
import os

import pytest

from tidu import kernels


def pytest_collection_modifyitems(config, items):
    if kernels.compiled():
        return
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.skip(reason="the compiled path is off (TIDU_KERNELS=numpy)"))
