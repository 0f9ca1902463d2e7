"""The real headless Chromium of the browser tests (Debian's chromium + chromedriver,
installed by `make test`'s set-up), with the flags this machine's closed network needs."""
import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def chromium(window: str = "1200,2000"):
    """A new headless Chromium driver that keeps the browser console's log."""
    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver_path, "chromium and chromedriver are installed by `make test`"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, f"--window-size={window}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def console_errors(driver) -> list:
    """The SEVERE entries of the browser console since the last call."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
