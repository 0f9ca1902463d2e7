"""The diagnosis report opened in a real headless browser (Debian's chromium + chromedriver,
installed by `make test`'s set-up, as for the lab's report): the page loads without console
errors, the findings section is there in order, and every plot renders and is not blank."""
import shutil

import numpy as np
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import tidu
from tidu import nn
from tidu.diagnose import checkup
from tidu.diagnose.report import write_report

# Pixels of each image that differ from its top-left (background) pixel: a blank plot has none.
_FIGURE_CHECK = """
return Array.from(document.images).map(img => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let differ = 0;
  for (let i = 0; i < d.length; i += 4)
    if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2]) differ++;
  return {complete: img.complete, width: img.naturalWidth, differ: differ};
});
"""


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver_path, "chromium and chromedriver are installed by `make test`"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1200,2000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def _diagnosis():
    """A deep tanh MLP with large weights: saturated units (and their consequences)."""
    tidu.manual_seed(1)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((120, 4))
    y = (X[:, 0] > 0).astype(np.int64)
    layers, d = [], 4
    for _ in range(3):
        lin = nn.Linear(d, 12)
        nn.init.normal_(lin.weight, 0.0, 3.0)
        layers += [lin, nn.Tanh()]
        d = 12
    model = nn.Sequential(*layers, nn.Linear(12, 2))
    return checkup(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                   (X[:90], y[:90]), (X[90:], y[90:]), epochs=2, batch_size=30)


def test_report_loads_with_findings_and_plots_and_no_console_errors(browser, tmp_path):
    diagnosis = _diagnosis()
    assert not diagnosis.healthy
    path = write_report(diagnosis, tmp_path, title="tidu diagnosis: tanh")
    browser.get(path.as_uri())
    assert browser.title == "tidu diagnosis: tanh"
    titles = [e.text for e in browser.find_elements("css selector", "section#findings h3")]
    assert titles == [f"{i}. {f.title}" for i, f in enumerate(diagnosis.findings, 1)]
    assert browser.find_element("css selector", "section#findings article.finding table")
    figures = browser.execute_script(_FIGURE_CHECK)
    assert len(figures) >= 4
    for fig in figures:
        assert fig["complete"] and fig["width"] > 100
        assert fig["differ"] > 1000, "a plot is blank"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
    shot = tmp_path / "diagnosis.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
