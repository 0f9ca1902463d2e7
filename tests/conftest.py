import os

import hypothesis

hypothesis.settings.register_profile("tidu", max_examples=20, deadline=None,
                                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile("tidu")

# TIDU_TEST_DEVICE=cuda (a GPU with CuPy) or =fake (the NumPy-backed stand-in of
# tests/fake_device.py) runs the tests with every new tensor and layer on that device.
_DEVICE = os.environ.get("TIDU_TEST_DEVICE")
if _DEVICE:
    import tidu

    if _DEVICE == "fake":
        from tests import fake_device

        fake_device.register()
    tidu.set_backend(_DEVICE)

    import numpy as np

    from tidu.backend import to_numpy

    def _host(value):
        if isinstance(value, tidu.Tensor):  # a state_dict entry, say
            return to_numpy(value._data)
        return to_numpy(value) if hasattr(value, "shape") and not isinstance(value, np.generic) else value

    def _on_host(assertion):  # as cupy.testing: compare device results with host expectations
        def wrapped(*args, **kwargs):
            return assertion(*(_host(a) for a in args), **kwargs)
        return wrapped

    for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
                  "assert_equal", "assert_almost_equal", "assert_array_less"):
        setattr(np.testing, _name, _on_host(getattr(np.testing, _name)))


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true",
                     help="also run the tests marked slow (the lab in full mode: ~15 min)")


def pytest_configure(config):
    config.addinivalue_line("markers", "host_only(reason): a test of host-side behaviour, "
                                       "skipped when TIDU_TEST_DEVICE puts tensors on a device")
    config.addinivalue_line("markers", "slow: minutes long; deselected unless --slow is given")


def _deselect_slow(config, items):
    if config.getoption("--slow"):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]
        config.hook.pytest_deselected(items=slow)


def pytest_collection_modifyitems(config, items):
    _deselect_slow(config, items)
    if not _DEVICE:
        return
    import pytest

    for item in items:
        marker = item.get_closest_marker("host_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "host-side behaviour"
            item.add_marker(pytest.mark.skip(reason=f"on device {_DEVICE}: {reason}"))
