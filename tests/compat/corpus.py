"""Run the corpus scripts with PyTorch and through the ``torch -> tidu`` shim, and compare.

Each script in ``scripts/`` prints one line ``RESULT {json}`` and declares in its module
docstring how its two runs are compared, on one line::

    COMPARE: exact rtol=1e-4 atol=1e-6; test_acc abs=0.006
    COMPARE: metric val_acc abs=0.04; train_loss abs=0.08

``exact``: the weights start from a NumPy RNG and batching is deterministic, so every value
of the PyTorch RESULT must be reproduced, numbers within ``atol + rtol * |torch|`` unless a
``key abs=`` / ``key rel=`` entry overrides them (accuracies: a few samples may flip after
float32 rounding differences).  ``metric``: the runs draw from each library's own RNG, so
only the listed keys are compared, each within its seed-noise tolerance (justified in the
script's docstring).  Strings compare equal; lists element by element.

Both runs go through the same runner (``runpy.run_path`` in a fresh interpreter, one BLAS
thread); only the tidu one installs the shim first.
"""
from __future__ import annotations

import ast
import json
import math
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parent
SCRIPTS_DIR = COMPAT_DIR / "scripts"
TIMEOUT_S = 150

_RUNNER = ("import sys, runpy\n"
           "sys.path.insert(0, {compat!r})\n"
           "{install}"
           "runpy.run_path({path!r}, run_name='__main__')\n")


def scripts() -> list[Path]:
    """The corpus, in file-name order."""
    return sorted(p for p in SCRIPTS_DIR.glob("[0-9][0-9]*_*.py"))


@dataclass
class Rule:
    mode: str                                   # "exact" or "metric"
    rtol: float = 0.0
    atol: float = 0.0
    keys: dict = field(default_factory=dict)    # key -> ("abs" | "rel", tolerance)


def parse_rule(text: str) -> Rule:
    """The ``COMPARE:`` line's rule (see the module docstring)."""
    head, *entries = [part.strip() for part in text.split(";")]
    words = head.split()
    if not words or words[0] not in ("exact", "metric"):
        raise ValueError(f"COMPARE rule must start with 'exact' or 'metric', got {text!r}")
    rule = Rule(words[0])
    if rule.mode == "metric" and len(words) > 1:   # the first key shares the head
        entries.insert(0, " ".join(words[1:]))
    else:
        for word in words[1:]:
            name, _, value = word.partition("=")
            if name not in ("rtol", "atol"):
                raise ValueError(f"unknown option {word!r} in COMPARE rule {text!r}")
            setattr(rule, name, float(value))
    for entry in filter(None, entries):
        key, tol = entry.split()
        kind, _, value = tol.partition("=")
        if kind not in ("abs", "rel"):
            raise ValueError(f"tolerance must be abs= or rel=, got {tol!r} in {text!r}")
        rule.keys[key] = (kind, float(value))
    if rule.mode == "metric" and not rule.keys:
        raise ValueError(f"a metric rule names at least one key: {text!r}")
    return rule


_PARSE = threading.Lock()  # CPython 3.11's parser is not safe to call from two threads at once


def rule_of(path: Path) -> Rule:
    with _PARSE:
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    lines = [ln for ln in doc.splitlines() if ln.startswith("COMPARE:")]
    if len(lines) != 1:
        raise ValueError(f"{path.name}: the docstring needs exactly one 'COMPARE:' line")
    return parse_rule(lines[0][len("COMPARE:"):])


def _close(a, b, kind, tol) -> bool:
    if isinstance(b, bool) or isinstance(b, str) or b is None:
        return a == b
    if isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and len(a) == len(b)
                and all(_close(x, y, kind, tol) for x, y in zip(a, b)))
    if isinstance(b, (int, float)):
        if isinstance(a, bool) or not isinstance(a, (int, float)):
            return False
        if math.isnan(b):
            return math.isnan(a)
        if kind == "exact":  # tol = (atol, rtol), per element, as numpy.isclose
            bound = tol[0] + tol[1] * abs(b)
        else:
            bound = tol if kind == "abs" else tol * abs(b)
        return abs(a - b) <= bound
    return a == b


def compare(rule: Rule, torch_result: dict, tidu_result: dict) -> list[str]:
    """The disagreements between two RESULT dicts under ``rule`` (empty when they agree)."""
    keys = list(rule.keys) if rule.mode == "metric" else list(torch_result)
    problems = []
    for key in keys:
        if key not in torch_result:
            problems.append(f"{key}: not in the PyTorch RESULT")
            continue
        if key not in tidu_result:
            problems.append(f"{key}: missing from the tidu RESULT")
            continue
        a, b = tidu_result[key], torch_result[key]
        if key in rule.keys:
            ok = _close(a, b, *rule.keys[key])
        else:
            ok = _close(a, b, "exact", (rule.atol, rule.rtol))
        if not ok:
            problems.append(f"{key}: tidu {a!r} vs torch {b!r}")
    return problems


@dataclass
class Run:
    ok: bool
    result: dict | None
    error: str          # the last line of the traceback (or why there is no RESULT)
    output: str         # stdout + stderr tail, for diagnosis
    seconds: float = 0.0


def _last_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    for ln in reversed(lines):
        if not ln.startswith((" ", "\t")) and ("Error" in ln or "Exception" in ln):
            return ln.strip()
    return lines[-1].strip() if lines else ""


def run_script(path: Path, shim: bool, timeout: float = TIMEOUT_S) -> Run:
    """Run one script in a fresh interpreter; with ``shim`` its ``import torch`` loads tidu."""
    code = _RUNNER.format(compat=str(COMPAT_DIR), path=str(path),
                          install="import shim; shim.install()\n" if shim else "")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONWARNINGS="ignore", TIDU_TEST_DEVICE="")
    env.pop("TIDU_TEST_DEVICE")
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=timeout, cwd=str(SCRIPTS_DIR), env=env)
    except subprocess.TimeoutExpired:
        return Run(False, None, f"timeout after {timeout:g} s", "", timeout)
    seconds = time.perf_counter() - start
    output = (proc.stdout + proc.stderr)[-4000:]
    results = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0:
        return Run(False, None, _last_error_line(proc.stderr) or f"exit {proc.returncode}", output, seconds)
    if len(results) != 1:
        return Run(False, None, f"{len(results)} RESULT lines, expected 1", output, seconds)
    try:
        return Run(True, json.loads(results[0][len("RESULT "):]), "", output, seconds)
    except json.JSONDecodeError as exc:
        return Run(False, None, f"RESULT is not JSON: {exc}", output, seconds)


@dataclass
class Outcome:
    name: str
    torch: Run
    tidu: Run
    problems: list[str]

    @property
    def agree(self) -> bool:
        return self.torch.ok and self.tidu.ok and not self.problems


def check(path: Path) -> Outcome:
    rule = rule_of(path)
    torch_run, tidu_run = run_script(path, shim=False), run_script(path, shim=True)
    problems = (compare(rule, torch_run.result, tidu_run.result)
                if torch_run.ok and tidu_run.ok else [])
    return Outcome(path.name, torch_run, tidu_run, problems)


def run_corpus(paths=None, jobs: int = 2) -> dict[str, Outcome]:
    """Check every script (or ``paths``), ``jobs`` at a time; results by file name."""
    paths = scripts() if paths is None else list(paths)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(check, paths))
    return {o.name: o for o in outcomes}
