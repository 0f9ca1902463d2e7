"""The compatibility corpus of issue 11: every script in ``scripts/`` runs unchanged with
PyTorch and through the ``torch -> tidu`` shim, and the two RESULTs agree under the script's
declared rule (see ``corpus.py``).  A script that does not run on tidu fails its test.

The whole corpus runs once per session, two scripts at a time (the selected scripts only,
when ``-k`` picks some).  ``python -m tests.compat.report`` prints the same as a table.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.compat.corpus import (COMPAT_DIR, Rule, compare, parse_rule, rule_of, run_corpus,
                                 scripts)

SCRIPTS = scripts()
NAMES = [p.name for p in SCRIPTS]


@pytest.fixture(scope="session")
def outcomes(request):
    selected = {item.callspec.params["name"] for item in request.session.items
                if hasattr(item, "callspec") and "name" in item.callspec.params
                and item.originalname == "test_script_runs_on_tidu_and_agrees"}
    return run_corpus([p for p in SCRIPTS if p.name in selected], jobs=2)


@pytest.mark.parametrize("name", NAMES)
def test_script_runs_on_tidu_and_agrees(outcomes, name):
    o = outcomes[name]
    assert o.torch.ok, f"{name} fails under PyTorch itself: {o.torch.error}\n{o.torch.output}"
    assert o.tidu.ok, f"{name} fails on tidu: {o.tidu.error}\n{o.tidu.output}"
    assert not o.problems, f"{name}: tidu disagrees with PyTorch: {o.problems}"


def test_corpus_size_and_rules():
    assert len(SCRIPTS) >= 20
    for path in SCRIPTS:
        rule = rule_of(path)                     # raises on a missing or malformed rule
        assert rule.mode in ("exact", "metric")
        assert "RESULT " in path.read_text(), path.name


def test_parse_rule():
    r = parse_rule(" exact rtol=1e-4 atol=1e-6; acc abs=0.01")
    assert (r.mode, r.rtol, r.atol, r.keys) == ("exact", 1e-4, 1e-6, {"acc": ("abs", 0.01)})
    m = parse_rule("metric val_acc abs=0.04; loss rel=0.1")
    assert m.keys == {"val_acc": ("abs", 0.04), "loss": ("rel", 0.1)}
    for bad in ("close rtol=1", "exact tol=1", "metric", "exact; acc tol=1"):
        with pytest.raises(ValueError):
            parse_rule(bad)


def test_compare_exact_and_metric():
    exact = Rule("exact", rtol=1e-3, atol=1e-6, keys={"acc": ("abs", 0.01)})
    torch_res = {"loss": 1.0, "acc": 0.90, "n": 3, "dev": "cpu", "lrs": [0.1, 0.05]}
    assert compare(exact, torch_res, dict(torch_res, loss=1.0005, acc=0.905)) == []
    assert compare(exact, torch_res, dict(torch_res, loss=1.01))            # rtol exceeded
    assert compare(exact, torch_res, dict(torch_res, acc=0.88))             # key override
    assert compare(exact, torch_res, dict(torch_res, dev="cuda"))
    assert compare(exact, torch_res, dict(torch_res, lrs=[0.1, 0.06]))
    # list elements get atol + rtol·|b| as scalars do: float noise around an exact 0 agrees
    zeros = dict(torch_res, lrs=[-8.6e-10, 0.05])
    assert compare(exact, zeros, dict(zeros, lrs=[1.5e-10, 0.05])) == []
    assert compare(exact, zeros, dict(zeros, lrs=[2e-6, 0.05]))
    assert compare(exact, torch_res, {k: v for k, v in torch_res.items() if k != "n"})
    assert compare(exact, torch_res, dict(torch_res, loss=float("nan")))
    metric = Rule("metric", keys={"acc": ("abs", 0.05)})
    assert compare(metric, torch_res, {"acc": 0.86, "loss": 99.0}) == []    # loss not compared
    assert compare(metric, torch_res, {"acc": 0.80})


def _in_shim(code: str) -> subprocess.CompletedProcess:
    prelude = f"import sys; sys.path.insert(0, {str(COMPAT_DIR)!r}); import shim; shim.install()\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True,
                          timeout=60)


def test_shim_maps_torch_names_to_tidu_modules():
    proc = _in_shim(
        "import tidu, tidu.nn, tidu.nn.functional, tidu.optim, tidu.optim.lr_scheduler\n"
        "import torch, torch.nn as nn, torch.nn.functional as F, torch.optim as optim\n"
        "from torch.optim import lr_scheduler\n"
        "import torch.nn.init\n"
        "assert torch is tidu and nn is tidu.nn and F is tidu.nn.functional\n"
        "assert optim is tidu.optim and lr_scheduler is tidu.optim.lr_scheduler\n"
        "assert torch.nn.init is tidu.nn.init\n"
        "assert sys.modules['torch.nn'] is tidu.nn\n"
        "print('OK')\n")
    assert proc.returncode == 0 and proc.stdout.strip() == "OK", proc.stderr


def test_shim_names_the_missing_tidu_module():
    proc = _in_shim("import torch.no_such_module_xyz\n")
    assert proc.returncode != 0
    assert "ModuleNotFoundError: No module named 'tidu.no_such_module_xyz'" in proc.stderr


def test_shim_refuses_when_torch_is_already_imported():
    proc = subprocess.run([sys.executable, "-c",
                           f"import sys; sys.path.insert(0, {str(COMPAT_DIR)!r}); import torch, shim; "
                           "shim.install()"], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "already imported" in proc.stderr


def test_run_script_reports_result_and_last_error_line(tmp_path):
    from tests.compat.corpus import run_script

    good = tmp_path / "good.py"
    good.write_text("import json\nprint('noise')\nprint('RESULT ' + json.dumps({'a': 1.5}))\n")
    run = run_script(good, shim=False)
    assert run.ok and run.result == {"a": 1.5}
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    raise KeyError('boom')\nf()\n")
    run = run_script(bad, shim=False)
    assert not run.ok and run.error == "KeyError: 'boom'"
    silent = tmp_path / "silent.py"
    silent.write_text("print('no result')\n")
    assert run_script(silent, shim=False).error == "0 RESULT lines, expected 1"
