"""A `tidu ui` server in a child process (on 127.0.0.1, a free port, its own run database)
and a headless Chromium for the page's tests."""
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.browser import chromium

# the page's screenshots, kept after the tests (the README's picture comes from here)
SHOTS = os.environ.get("TIDU_UI_SHOTS", "reports/ui")


def start_ui(db_path, *args, env=None):
    """Start `tidu ui` and return (process, url) once it has printed its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidu.cli", "ui", "--port", "0", "--db", str(db_path), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "http://" in line:
            return proc, line[line.index("http://"):].split()[0]
    proc.kill()
    raise AssertionError(f"tidu ui did not print its URL: {proc.stdout.read()}")


def stop_ui(proc, timeout: float = 15.0) -> int:
    """SIGTERM, then wait: returns the exit status."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.fixture(scope="module")
def ui_db(tmp_path_factory):
    return tmp_path_factory.mktemp("ui") / "runs.db"


@pytest.fixture(scope="module")
def ui_url(ui_db):
    proc, url = start_ui(ui_db)
    yield url
    assert stop_ui(proc) == 0


@pytest.fixture(scope="module")
def browser():
    driver = chromium("1400,1800")
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots():
    os.makedirs(SHOTS, exist_ok=True)
    return SHOTS
