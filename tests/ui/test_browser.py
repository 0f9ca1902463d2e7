"""`tidu ui` in the real headless Chromium: the pages load without console errors, the
playground trains, the diagnosis finds a planted problem and a remedy proven on the page
removes it, A/B mode draws two boundaries, and the runs page lists and overlays runs made by
`tidu train`.  Each page's screenshot is saved (see conftest.SHOTS)."""
import os
import subprocess
import sys

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser import console_errors

# pixels of a canvas that differ from its top-left pixel: a blank canvas has none
_CANVAS_INK = """
const c = arguments[0], d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 0; i < d.length; i += 4) if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2]) n++;
return n;
"""


def wait(browser, condition, timeout=60, message=""):
    return WebDriverWait(browser, timeout, poll_frequency=0.2).until(
        lambda b: condition(b), message=message)


def panel(browser, label="A"):
    return browser.find_element(By.CSS_SELECTOR, f'.panel[data-panel="{label}"]')


def set_knob(browser, name, value, label="A"):
    field = panel(browser, label).find_element(By.CSS_SELECTOR, f'.knobs [name="{name}"]')
    if field.tag_name == "select":
        Select(field).select_by_value(value)
    else:
        browser.execute_script("arguments[0].value = arguments[1];"
                               "arguments[0].dispatchEvent(new Event('change'))", field, value)


def step_of(browser, label="A"):
    step = browser.execute_script(
        "const p = document.querySelector(`.panel[data-panel='${arguments[0]}']`);"
        "return p ? p.dataset.step : null", label)
    return int(step) if step not in (None, "") else -1


def kinds(browser, label="A"):
    return browser.execute_script(
        "return [...document.querySelectorAll(`.panel[data-panel='${arguments[0]}'] .finding`)]"
        ".map(f => f.dataset.kind)", label)


def play(browser):
    browser.find_element(By.ID, "pg-play").click()


def click(browser, css):
    """Click the element that matches ``css`` now (the page redraws findings every frame)."""
    browser.execute_script("document.querySelector(arguments[0]).click()", css)


# pixels of a canvas within 40 of an RGB colour (the scatter's dots are PALETTE[0])
_COLOUR_PIXELS = """
const c = arguments[0], d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const [r, g, b] = arguments[1];
let n = 0;
for (let i = 0; i < d.length; i += 4)
  if (Math.abs(d[i] - r) + Math.abs(d[i+1] - g) + Math.abs(d[i+2] - b) < 40) n++;
return n;
"""


def ink(browser, element):
    return browser.execute_script(_CANVAS_INK, element)


def open_playground(browser, url):
    browser.get("about:blank")  # a new page, not a hash change of the current one
    browser.get(url + "#playground")
    wait(browser, lambda b: step_of(b) == 0, message="the playground's first frame")


def train_until_step(browser, steps, label="A"):
    play(browser)
    wait(browser, lambda b: step_of(b, label) >= steps, message=f"{steps} steps")
    play(browser)  # pause: the server answers with a frame and a fresh diagnosis
    wait(browser, lambda b: browser.find_element(By.ID, "pg-play").text.endswith("Play"))


def play_until(browser, step):
    """Train panel A to exactly ``step`` through the page's own socket (`play` with
    `until`), whatever the machine's speed: a run is then judged at a known step."""
    browser.execute_script("window.tiduPlayground.panels[0].send({op: 'play', until: arguments[0]})",
                           step)
    wait(browser, lambda b: step_of(b) == step, message=f"panel A at step {step}")


def test_playground_trains_spirals_past_90_percent(browser, ui_url, shots):
    open_playground(browser, ui_url)
    assert browser.title == "tidu ui"
    play(browser)
    wait(browser, lambda b: float(panel(b).get_attribute("data-val-accuracy") or 0) > 0.9,
         timeout=90, message="validation accuracy above 90%")
    play(browser)
    accuracy = float(panel(browser).get_attribute("data-val-accuracy"))
    assert accuracy > 0.9
    assert ink(browser, panel(browser).find_element(By.CSS_SELECTOR, "canvas.boundary")) > 10_000
    assert ink(browser, panel(browser).find_element(By.CSS_SELECTOR, "canvas.heat")) > 1_000
    assert not console_errors(browser)
    browser.save_screenshot(os.path.join(shots, "playground.png"))


def test_vanishing_gradients_found_and_a_proven_remedy_removes_them(browser, ui_url, shots):
    open_playground(browser, ui_url)
    for name, value in (("hidden", "8, 8, 8, 8, 8, 8"), ("activation", "sigmoid"),
                        ("init", "small")):
        set_knob(browser, name, value)
    wait(browser, lambda b: "sigmoid" in panel(b).find_element(
        By.CSS_SELECTOR, '[name="activation"]').get_attribute("value"))
    play_until(browser, 300)
    wait(browser, lambda b: "vanishing_gradients" in kinds(b), timeout=10,
         message="the vanishing-gradient finding")
    vanishing = '.panel[data-panel="A"] .finding[data-kind="vanishing_gradients"]'
    click(browser, f"{vanishing} button.check")
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f'{vanishing} [data-removed="true"]'),
         timeout=60, message="a remedy proven to remove the finding")
    browser.save_screenshot(os.path.join(shots, "playground-vanishing.png"))
    # the first remedy the page proved: its Apply button sits beside the proof
    key, steps = browser.execute_script(
        "const proof = document.querySelector(arguments[0]);"
        "return [proof.parentElement.querySelector('button.apply').dataset.remedy,"
        "        +proof.dataset.steps]", f'{vanishing} [data-removed="true"]')
    click(browser, f'{vanishing} button.apply[data-remedy="{key}"]')
    wait(browser, lambda b: step_of(b) == 0, message="the remedied run's reset")
    # exactly as far as the check trained it (the page's socket, told to stop there): the
    # same data, seed and steps give the same run, so the same diagnosis
    play_until(browser, steps)
    assert "vanishing_gradients" not in kinds(browser), (key, kinds(browser))
    assert not console_errors(browser)


def test_ab_mode_shows_two_boundaries_differing_in_one_knob(browser, ui_url, shots):
    open_playground(browser, ui_url)
    browser.find_element(By.ID, "pg-ab").click()
    wait(browser, lambda b: step_of(b, "B") == 0, message="panel B's first frame")
    set_knob(browser, "activation", "sigmoid", label="B")
    wait(browser, lambda b: "activation" in panel(b, "B").find_element(
        By.CSS_SELECTOR, ".panel-title").text)
    title = panel(browser, "B").find_element(By.CSS_SELECTOR, ".panel-title").text
    assert title == "B — differs in: activation"
    train_until_step(browser, 200, label="B")
    # lockstep: neither panel runs more than 200 steps (+ one frame's) ahead of the other
    assert abs(step_of(browser, "A") - step_of(browser, "B")) <= 200 + 100
    for label in ("A", "B"):
        assert step_of(browser, label) >= 100
        assert ink(browser, panel(browser, label).find_element(By.CSS_SELECTOR, "canvas.boundary")) > 10_000
    assert not console_errors(browser)
    browser.save_screenshot(os.path.join(shots, "playground-ab.png"))


@pytest.fixture(scope="module")
def two_train_runs(ui_db):
    names = []
    for lr in ("0.1", "0.02"):
        name = f"digits-lr{lr}"
        out = subprocess.run(
            [sys.executable, "-m", "tidu.cli", "train", "examples/train_digits.toml", "--db",
             str(ui_db), "--epochs", "2", "--name", name, "--set", f"optimizer.lr={lr}",
             "--progress", "none"], capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        names.append(name)
    return names


def test_runs_page_lists_train_runs_and_overlays_two(browser, ui_url, two_train_runs, shots):
    browser.get(ui_url + "#runs")
    rows = wait(browser, lambda b: [r for r in b.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr")
                                    if any(n in r.text for n in two_train_runs)],
                message="the runs of `tidu train`")
    assert len(rows) == 2
    rows[0].find_elements(By.TAG_NAME, "td")[2].click()
    wait(browser, lambda b: "Run " in b.find_element(By.ID, "run-view").text)
    charts = browser.find_elements(By.CSS_SELECTOR, "#run-view canvas")
    assert charts and all(ink(browser, c) > 500 for c in charts)
    for row in rows:
        row.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    browser.find_element(By.ID, "runs-overlay").click()
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#run-view .overlay-title"))
    view = browser.find_element(By.ID, "run-view")
    assert "optimizer.lr" in view.text and "run_name" not in view.text
    highlighted = view.find_elements(By.CSS_SELECTOR, "td.diff")
    assert {c.text for c in highlighted} >= {"0.1", "0.02"}
    assert all(ink(browser, c) > 500 for c in view.find_elements(By.TAG_NAME, "canvas"))
    assert not console_errors(browser)
    browser.save_screenshot(os.path.join(shots, "runs.png"))


def test_lab_page_runs_an_experiment_and_links_a_preset(browser, ui_url, shots):
    browser.get(ui_url + "#lab")
    row = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, '#lab-table tr[data-exp="E18"]'))[0]
    assert "not run yet" in row.text
    row.find_element(By.CSS_SELECTOR, "button.run").click()
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#lab-view .job.done"), timeout=120)
    assert browser.find_element(By.CSS_SELECTOR, "#lab-view section#E18")
    row = browser.find_element(By.CSS_SELECTOR, '#lab-table tr[data-exp="E18"]')
    assert "held" in row.find_element(By.CSS_SELECTOR, ".verdict").text
    assert not console_errors(browser)
    browser.save_screenshot(os.path.join(shots, "lab.png"))
    browser.find_element(By.CSS_SELECTOR, '#lab-table tr[data-exp="E1"] a.preset').click()
    wait(browser, lambda b: panel(b, "B").get_attribute("data-step") == "0", message="the preset's B")
    assert Select(browser.find_element(By.ID, "pg-preset")).first_selected_option.get_attribute(
        "value") == "vanishing"
    assert panel(browser, "A").find_element(By.CSS_SELECTOR, '[name="activation"]').get_attribute(
        "value") == "sigmoid"
    assert not console_errors(browser)


def test_bad_form_input_gets_a_message_on_the_page(browser, ui_url):
    open_playground(browser, ui_url)
    set_knob(browser, "n_samples", "5")
    wait(browser, lambda b: panel(b).find_element(By.CSS_SELECTOR, ".field-error").text,
         timeout=10, message="the field's error message")
    message = panel(browser).find_element(By.CSS_SELECTOR, ".field-error").text
    assert message == "n_samples: expected an integer in [20, 5000], got 5"
    field = panel(browser).find_element(By.CSS_SELECTOR, '.knobs [name="n_samples"]')
    assert "bad" in field.get_attribute("class")
    set_knob(browser, "n_samples", "200")  # a good value clears it and starts a new run
    wait(browser, lambda b: not panel(b).find_element(By.CSS_SELECTOR, ".field-error").text)
    assert step_of(browser) == 0 and not console_errors(browser)


def test_runs_page_shows_a_searchs_trials(browser, ui_url, ui_db, shots):
    from tidu.runs import RunDB
    with RunDB(ui_db) as db:
        search = db.record_run("search", "finished", name="lr-width search",
                               config={"search": {"metric": "val_loss", "mode": "min"}})
        for t in range(12):
            db.record_run("trial", "finished", parent_id=search,
                          config={"params": {"lr": 10 ** (-4 + t / 3), "width": 8 + 4 * t,
                                             "act": ["relu", "tanh"][t % 2]}, "index": t},
                          metrics={"val_loss": abs(t - 6) / 6 + 0.1})
    browser.get("about:blank")
    browser.get(ui_url + "#runs")
    row = wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f'#runs-table tr[data-run="{search}"]'))[0]
    row.find_elements(By.TAG_NAME, "td")[3].click()
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, "#run-view canvas.trial-scatter")) == 3)
    # every trial is a dot (PALETTE[0] = #1f77b4) on each parameter's scatter plot
    def dots(b):
        return [b.execute_script(_COLOUR_PIXELS, c, [31, 119, 180])
                for c in b.find_elements(By.CSS_SELECTOR, "#run-view canvas.trial-scatter")]
    # (the categorical plot has overlapping dots: at least 7 distinct ones)
    wait(browser, lambda b: min(dots(b)) > 7 * 25, timeout=20, message="the trials' dots")
    assert ink(browser, browser.find_element(By.CSS_SELECTOR, "#run-view canvas.parallel")) > 2000
    assert "Trials: val_loss vs parameters" in browser.find_element(By.ID, "run-view").text
    assert not console_errors(browser)
    browser.save_screenshot(os.path.join(shots, "runs-search.png"))
