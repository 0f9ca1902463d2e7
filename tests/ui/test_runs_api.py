"""The Runs page's data (`tidu.ui.runs_api`): listing with filters in SQL, one run, overlays
with config differences, a search's trials, CSV export, and clear errors."""
import csv
import datetime as dt
import doctest
import io
import json
import math
import time

import pytest

from tidu.runs import RunDB
from tidu.ui import runs_api
from tidu.ui.runs_api import (UIError, export_csv_text, list_runs, overlay, run_detail,
                              search_trials)


@pytest.fixture
def db(tmp_path):
    with RunDB(tmp_path / "runs.db") as db:
        yield db


def _plain_json(value):
    """Fails unless ``value`` is strict JSON (no NaN, no tuples or other types)."""
    assert json.loads(json.dumps(value, allow_nan=False)) == value
    return value


def _train(db, name, lr, loss, status="finished", epochs=3):
    return db.record_run("train", status, name=name, seed=0,
                         config={"model": {"width": 8}, "optimizer": {"lr": lr}},
                         metrics={"loss": loss, "val_accuracy": 0.9, "note": "x"},
                         epochs=[{"loss": loss + e, "val_accuracy": 0.5} for e in range(epochs)],
                         duration=1.5)


def test_list_runs_filters_counts_and_pages_newest_first(db):
    a = _train(db, "MLP spirals", 0.1, 0.5)
    b = _train(db, "cnn", 0.01, 0.7, status="failed")
    search = db.record_run("search", "finished", name="lr search")
    trial = db.record_run("trial", "finished", name="lr search trial 0", parent_id=search)

    page = _plain_json(list_runs(db))
    assert page["total"] == 4 and [r["id"] for r in page["runs"]] == [trial, search, b, a]
    first = page["runs"][-1]
    assert set(first) == {"id", "kind", "parent_id", "name", "status", "started_at",
                          "ended_at", "duration", "seed", "summary"}
    assert first["summary"] == {"val_accuracy": 0.9, "loss": 0.5}  # preferred order, numbers
    assert [r["id"] for r in list_runs(db, kind="train")["runs"]] == [b, a]
    assert [r["id"] for r in list_runs(db, status="failed")["runs"]] == [b]
    assert [r["id"] for r in list_runs(db, name="mlp")["runs"]] == [a]
    assert [r["id"] for r in list_runs(db, name="SEARCH")["runs"]] == [trial, search]
    assert list_runs(db, name="%")["total"] == 0  # a LIKE wildcard is literal
    assert [r["id"] for r in list_runs(db, parent=str(search))["runs"]] == [trial]
    assert list_runs(db, kind="", status="", name=" ")["total"] == 4  # empty = not given

    today = dt.datetime.now(dt.timezone.utc).date()
    assert list_runs(db, since=today.isoformat(), until=today.isoformat())["total"] == 4
    assert list_runs(db, since=(today + dt.timedelta(days=1)).isoformat())["total"] == 0
    assert list_runs(db, until=(today - dt.timedelta(days=1)).isoformat())["total"] == 0

    page = list_runs(db, limit="2", offset="1")
    assert page["total"] == 4 and [r["id"] for r in page["runs"]] == [search, b]


@pytest.mark.parametrize("kwargs, words", [
    ({"kind": "bogus"}, ["kind", "train, trial, search, lab", "'bogus'"]),
    ({"status": "done"}, ["status", "running, finished", "'done'"]),
    ({"limit": 0}, ["limit", "1..1000", "0"]),
    ({"limit": 5000}, ["limit", "1..1000", "5000"]),
    ({"limit": "ten"}, ["limit", "integer", "'ten'"]),
    ({"offset": -1}, ["offset", "-1"]),
    ({"since": "yesterday"}, ["since", "YYYY-MM-DD", "'yesterday'"]),
    ({"until": "2024-13-01"}, ["until", "YYYY-MM-DD"]),
    ({"parent": "x"}, ["parent", "'x'"]),
])
def test_list_runs_rejects_bad_arguments_naming_them(db, kwargs, words):
    with pytest.raises(UIError) as info:
        list_runs(db, **kwargs)
    assert info.value.status == 400
    for word in words:
        assert word in str(info.value)


def test_list_runs_answers_fast_with_a_thousand_runs(db):
    for i in range(1000):
        db.record_run("train", "finished", name=f"run {i}", config={"lr": i},
                      metrics={"loss": 1.0 / (i + 1)})
    start = time.perf_counter()
    page = list_runs(db, limit=100)
    filtered = list_runs(db, kind="train", name="run 99", limit=100)
    seconds = time.perf_counter() - start
    assert page["total"] == 1000 and len(page["runs"]) == 100
    assert page["runs"][0]["name"] == "run 999"
    assert filtered["total"] == 11  # run 99 and run 990..999
    assert seconds < 1.0  # the target; it takes milliseconds


def test_run_detail_has_config_metrics_series_and_converts_nan(db):
    run = _train(db, "mlp", 0.1, 0.5)
    db.update_run(run, metrics={"diverged": math.nan})
    db.log_metrics(run, 3, {"loss": math.inf})
    db.record_run("train", "finished", name="refit", parent_id=run)
    detail = _plain_json(run_detail(db, str(run)))
    assert detail["id"] == run and detail["name"] == "mlp" and detail["kind"] == "train"
    assert detail["config"] == {"model": {"width": 8}, "optimizer": {"lr": 0.1}}
    assert detail["metrics"]["loss"] == 0.5 and detail["metrics"]["diverged"] is None
    assert detail["series"]["loss"] == [[0, 0.5], [1, 1.5], [2, 2.5], [3, None]]
    assert detail["series"]["val_accuracy"][0] == [0, 0.5]
    assert detail["children"] == 1 and detail["error"] is None
    assert "tidu" in detail["versions"] and detail["duration"] == 1.5


def test_run_detail_of_an_unknown_run_is_404(db):
    with pytest.raises(UIError) as info:
        run_detail(db, 42)
    assert info.value.status == 404 and "42" in str(info.value)
    with pytest.raises(UIError) as info:
        run_detail(db, "abc")
    assert info.value.status == 400 and "run_id" in str(info.value)


def test_overlay_keeps_only_differing_config_keys(db):
    a = _train(db, "a", 0.1, 0.5)
    b = _train(db, "b", 0.01, 0.6)
    c = db.record_run("train", "finished", name="c",
                      config={"model": {"width": 8}, "optimizer": {"lr": 0.1}, "extra": [1, 2]})
    result = _plain_json(overlay(db, [a, str(b), c, a]))  # a repeated id counts once
    assert [r["id"] for r in result["runs"]] == [a, b, c]
    assert result["differences"] == {"optimizer.lr": [0.1, 0.01, 0.1],
                                     "extra": [None, None, [1, 2]]}
    assert overlay(db, f"{a},{c}")["differences"] == {"extra": [None, [1, 2]]}


def test_overlay_needs_two_to_ten_existing_runs(db):
    ids = [_train(db, f"r{i}", 0.1, 0.5, epochs=1) for i in range(11)]
    for bad in ([ids[0]], [ids[0], ids[0]], ids):
        with pytest.raises(UIError) as info:
            overlay(db, bad)
        assert info.value.status == 400 and "2 to 10" in str(info.value)
    with pytest.raises(UIError) as info:
        overlay(db, [ids[0], 999])
    assert info.value.status == 404 and "999" in str(info.value)


def _search(db):
    """A search as `tidu.runs.TrialRecorder` stores one: config["search"] holds its metric
    and mode, each trial its params and index, its metrics the objective's plus score."""
    search = db.start_run("search", name="lr", config={"search": {"metric": "val_loss",
                                                                    "mode": "min"}})
    for i, (lr, score) in enumerate([(0.1, 0.4), (0.01, 0.2), (1.0, math.nan)]):
        db.record_run("trial", "finished" if i < 2 else "failed", name=f"lr trial {i}",
                      config={"params": {"lr": lr, "act": "relu"}, "index": i, "round": 0},
                      parent_id=search,
                      metrics={"val_loss": score, "score": score} if i < 2 else {},
                      error=None if i < 2 else "ValueError: boom")
    db.record_run("trial", "killed", name="lr trial 3", parent_id=search,
                  config={"params": {"lr": 0.5, "width": 4}, "index": 3, "status": "pruned"},
                  metrics={"val_loss": math.nan, "score": math.nan})
    db.record_run("train", "finished", name="refit", parent_id=search)  # not a trial
    db.finish_run(search, {"best_score": 0.2, "metric": "val_loss", "mode": "min"})
    return search


def test_search_trials_gives_params_metrics_and_scores(db):
    search = _search(db)
    data = _plain_json(search_trials(db, search))
    assert data["params"] == ["lr", "act", "width"] and data["metrics"] == ["val_loss"]
    assert (data["score"], data["direction"]) == ("val_loss", "min")
    trials = data["trials"]
    assert [t["index"] for t in trials] == [0, 1, 2, 3]
    assert [t["status"] for t in trials] == ["finished", "finished", "failed", "pruned"]
    assert trials[1]["params"] == {"lr": 0.01, "act": "relu"}
    assert trials[1]["metrics"] == {"val_loss": 0.2} and trials[1]["score"] == 0.2
    assert trials[2]["score"] is None and trials[3]["score"] is None  # NaN → None


def test_search_trials_reads_the_direction_from_the_final_metrics_too(db):
    search = db.record_run("search", "finished", metrics={"metric": "acc", "mode": "max"})
    data = search_trials(db, search)
    assert (data["score"], data["direction"], data["trials"]) == ("acc", "max", [])
    bare = db.record_run("search", "finished")
    assert (search_trials(db, bare)["score"], search_trials(db, bare)["direction"]) == (None,
                                                                                       None)


def test_search_trials_of_a_non_search_or_unknown_run(db):
    run = _train(db, "a", 0.1, 0.5)
    with pytest.raises(UIError) as info:
        search_trials(db, run)
    assert info.value.status == 400 and "not a search" in str(info.value)
    with pytest.raises(UIError) as info:
        search_trials(db, 77)
    assert info.value.status == 404


def test_export_csv_text_of_a_run_and_of_a_search(db):
    run = _train(db, "a", 0.1, 0.5)
    rows = list(csv.reader(io.StringIO(export_csv_text(db, run))))
    assert rows[0] == ["epoch", "loss", "val_accuracy"] and len(rows) == 4
    assert rows[1] == ["0", "0.5", "0.5"]
    rows = list(csv.reader(io.StringIO(export_csv_text(db, _search(db)))))
    assert rows[0][:4] == ["run_id", "kind", "index", "status"] and len(rows) == 6
    with pytest.raises(UIError) as info:
        export_csv_text(db, 1234)
    assert info.value.status == 404


def test_clean_makes_plain_json():
    import numpy as np
    value = {"a": (1, np.float32(2.5), math.nan), 3: {"b": -math.inf, "c": np.int64(4)},
             "d": True, "e": object}
    out = _plain_json(runs_api.clean(value))
    assert out["a"] == [1, 2.5, None] and out["3"] == {"b": None, "c": 4}
    assert out["d"] is True and isinstance(out["e"], str)


def test_docstring_examples_run():
    assert doctest.testmod(runs_api).failed == 0


def test_a_trial_without_a_score_metric_is_scored_by_the_searchs_metric(db):
    search = db.record_run("search", "finished", config={"search": {"metric": "val_loss",
                                                                    "mode": "min"}})
    db.record_run("trial", "finished", parent_id=search, config={"params": {"lr": 0.1}},
                  metrics={"val_loss": 0.3})
    (trial,) = search_trials(db, search)["trials"]
    assert trial["score"] == 0.3
