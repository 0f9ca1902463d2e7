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
        return to_numpy(value) if hasattr(value, "shape") and not isinstance(value, np.generic) else value

    def _on_host(assertion):  # as cupy.testing: compare device results with host expectations
        def wrapped(*args, **kwargs):
            return assertion(*(_host(a) for a in args), **kwargs)
        return wrapped

    for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
                  "assert_equal", "assert_almost_equal", "assert_array_less"):
        setattr(np.testing, _name, _on_host(getattr(np.testing, _name)))


def pytest_configure(config):
    config.addinivalue_line("markers", "host_only(reason): a test of host-side behaviour, "
                                       "skipped when TIDU_TEST_DEVICE puts tensors on a device")


def pytest_collection_modifyitems(config, items):
    if not _DEVICE:
        return
    import pytest

    for item in items:
        marker = item.get_closest_marker("host_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "host-side behaviour"
            item.add_marker(pytest.mark.skip(reason=f"on device {_DEVICE}: {reason}"))
