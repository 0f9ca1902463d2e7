"""The lab report opened in a real headless browser (Debian's chromium + chromedriver,
installed by `make test`'s set-up): the page loads without console errors, every figure is
present and not blank, and a screenshot is taken."""
import pytest

from tests.browser import chromium, console_errors
from tidu.lab import get, run_experiment
from tidu.lab.report import write_report

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
    driver = chromium()
    yield driver
    driver.quit()


def test_report_loads_with_figures_and_no_console_errors(browser, tmp_path):
    results = [run_experiment(e) for e in get(["E18"])]
    path = write_report(results, tmp_path)
    browser.get(path.as_uri())
    assert browser.title == "tidu lab report"
    figures = browser.execute_script(_FIGURE_CHECK)
    expected = sum(len(r.outcome.figures) for r in results)
    assert len(figures) == expected >= 1
    for fig in figures:
        assert fig["complete"] and fig["width"] > 100
        assert fig["differ"] > 1000, "a figure is blank"
    errors = console_errors(browser)
    assert not errors, errors
    assert browser.find_element("css selector", "section#E18 .held")
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
