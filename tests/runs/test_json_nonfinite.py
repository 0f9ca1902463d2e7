"""A diverged run's NaN and infinite values are stored as valid JSON (SQLite's json_extract
works on every JSON column) and read back as NaN / ±inf; `tidu runs export --json` parses."""
import json
import math
import sqlite3

import pytest
from click.testing import CliRunner

from tests.cli.conftest import IRIS
from tidu.cli import main
from tidu.runs import RunDB, RunLogger
from tidu.runs.db import decode_json, encode_json

JSON_COLUMNS = ("config", "versions", "metrics")


def strict_loads(text):
    """json.loads refusing NaN / Infinity, as RFC 8259 (and every non-Python parser) does."""
    def refuse(name):
        raise ValueError(f"invalid JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


def json_extract_everywhere(path):
    """json_extract on every JSON column of every run (raises if one is invalid JSON)."""
    conn = sqlite3.connect(path)
    try:
        out = []
        for (run_id,) in conn.execute("SELECT id FROM runs").fetchall():
            for column in JSON_COLUMNS:
                out.append(conn.execute(f"SELECT json_extract({column}, '$') FROM runs "
                                        f"WHERE id = ?", (run_id,)).fetchone()[0])
        valid = conn.execute("SELECT COUNT(*) FROM runs WHERE " + " OR ".join(
            f"NOT json_valid(coalesce({c}, '{{}}'))" for c in JSON_COLUMNS)).fetchone()[0]
        return out, valid
    finally:
        conn.close()


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_encode_decode_round_trip_with_nonfinite_values(value):
    doc = {"loss": value, "nested": {"a": [1.0, value, {"b": value}]}, "ok": 2.5, 3: value}
    text = encode_json(doc)
    strict_loads(text)  # valid JSON
    back = decode_json(text)
    assert set(back) == {"loss", "nested", "ok", "3"}
    for got in (back["loss"], back["nested"]["a"][1], back["nested"]["a"][2]["b"], back["3"]):
        assert (math.isnan(got) if math.isnan(value) else got == value)
    assert back["ok"] == 2.5 and back["nested"]["a"][0] == 1.0


def test_finite_documents_are_stored_unchanged():
    doc = {"a": 1, "b": [1.5, None, "NaN"], "c": {"d": True}}
    assert json.loads(encode_json(doc)) == doc  # no flag added; the string "NaN" stays a string
    assert decode_json(encode_json(doc)) == doc


def test_a_diverged_fit_is_stored_as_valid_json_and_read_back_as_nan(tmp_path):
    import numpy as np
    import tidu
    from tidu import nn
    from tidu.train import fit
    path = tmp_path / "runs.db"
    tidu.manual_seed(0)
    X = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    y = X.sum(1, keepdims=True)
    model = nn.Sequential(nn.Linear(3, 8), nn.Linear(8, 1))
    logger = RunLogger(path, name="diverged", config={"lr": 1e30, "bad": math.inf})
    with np.errstate(all="ignore"):
        fit(model, nn.MSELoss(), tidu.optim.SGD(model.parameters(), lr=1e30), (X, y),
            val_data=(X, y), epochs=3, batch_size=8, verbose=0, callbacks=[logger])
    extracted, invalid = json_extract_everywhere(path)
    assert invalid == 0 and len(extracted) == 3
    conn = sqlite3.connect(path)
    loss = conn.execute("SELECT json_extract(metrics, '$.loss'), json_extract(metrics, "
                        "'$.__nonfinite__') FROM runs").fetchone()
    conn.close()
    assert loss[0] is None and "loss" in loss[1]  # SQL sees NULL, and the flag says why
    run = RunDB(path).get_run(logger.run_id)
    assert math.isnan(run.metrics["loss"]) and math.isnan(run.metrics["val_loss"])
    assert run.config["bad"] == math.inf and "__nonfinite__" not in run.config


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the diverging train run overflows
def test_diverged_cli_search_database_is_queryable_and_exports_parse(tmp_path):
    config = tmp_path / "search.toml"
    config.write_text(IRIS + '\n[search]\nstrategy = "grid"\nrefit = false\n'
                      '[search.space]\nlr = [0.1, 1e30]\n', encoding="utf-8")
    db_path = tmp_path / "runs.db"
    runner = CliRunner()
    out = runner.invoke(main, ["search", str(config), "--db", str(db_path), "--epochs", "2",
                               "--workers", "1", "--progress", "none"])
    assert out.exit_code == 0, out.output
    db = RunDB(db_path)
    diverged = [t for s in db.runs(kind="search") for t in db.children(s.id)
                if t.status == "failed"]
    assert diverged
    # a diverged train run too: its losses are NaN in the final metrics
    out = runner.invoke(main, ["train", str(config), "--db", str(db_path), "--epochs", "2",
                               "--set", "optimizer.lr=1e30", "--progress", "none"])
    assert out.exit_code == 0, out.output
    (train,) = db.runs(kind="train")
    assert math.isnan(train.metrics["loss"])

    extracted, invalid = json_extract_everywhere(db_path)
    assert invalid == 0 and len(extracted) == 3 * len(db.runs())
    for run in db.runs():
        out = runner.invoke(main, ["runs", "export", str(run.id), "--json", "--db",
                                   str(db_path)])
        assert out.exit_code == 0, out.output
        doc = strict_loads(out.output)
        assert doc["id"] == run.id
    doc = strict_loads(runner.invoke(main, ["runs", "export", str(train.id), "--json", "--db",
                                            str(db_path)]).output)
    assert doc["metrics"]["loss"] is None
    assert [["metrics", "loss"], "NaN"] in doc["__nonfinite__"]
    assert math.isnan(decode_json(json.dumps(doc))["metrics"]["loss"])


def test_a_version_1_database_with_bare_nan_is_repaired_on_open(tmp_path):
    path = tmp_path / "old.db"
    db = RunDB(path)
    run_id = db.start_run("train", name="old", config={"x": 1})
    db.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE runs SET metrics = '{\"loss\": NaN, \"acc\": Infinity}' WHERE id = ?",
                 (run_id,))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    run = RunDB(path).get_run(run_id)  # opening migrates
    assert math.isnan(run.metrics["loss"]) and run.metrics["acc"] == math.inf
    _, invalid = json_extract_everywhere(path)
    assert invalid == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
