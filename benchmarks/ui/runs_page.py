"""How fast the runs page's requests answer with 1,000 runs in the database: a real `tidu ui`
server on 127.0.0.1, a database of 1,000 train runs (20 epochs of 4 metrics each) and 10
searches of 20 trials, and the median/max over 20 repeats of each request the page makes.

    python benchmarks/ui/runs_page.py

The issue's target: the runs page answers in under a second with 1,000 runs.
"""
import os
import statistics
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.ui.conftest import start_ui, stop_ui  # noqa: E402
from tidu.runs import RunDB  # noqa: E402


def fill(path) -> tuple:
    with RunDB(path) as db:
        first = None
        for i in range(1000):
            epochs = [{"loss": 1 / (e + 1), "val_loss": 1.2 / (e + 1), "accuracy": 0.5 + e / 50,
                       "val_accuracy": 0.45 + e / 50} for e in range(20)]
            run = db.record_run("train", "finished", name=f"run {i}", seed=i,
                                config={"optimizer": {"lr": 0.001 * (1 + i % 7)},
                                        "model": {"hidden": [16, 16]}},
                                metrics=epochs[-1], epochs=epochs, duration=3.0)
            first = first or run
        for s in range(10):
            search = db.record_run("search", "finished", name=f"search {s}",
                                   config={"search": {"metric": "val_loss", "mode": "min"}})
            for t in range(20):
                db.record_run("trial", "finished", parent_id=search,
                              config={"params": {"lr": 10 ** (-4 + t / 5), "width": 8 + t},
                                      "index": t}, metrics={"val_loss": 1.0 / (t + 1)})
        return first, run, search


def timed(url: str, repeats: int = 20) -> tuple:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "runs.db")
        first, last, search = fill(path)
        proc, url = start_ui(path)
        try:
            for what in ("api/runs?limit=200", "api/runs?kind=train&name=run%209&limit=200",
                         "api/runs?since=2000-01-01&status=finished&limit=200",
                         f"api/runs/{last}", f"api/overlay?ids={first},{last}",
                         f"api/runs/{search}/trials", f"api/runs/{last}/csv", ""):
                median, worst = timed(url + what)
                print(f"GET /{what:<55} median {1000 * median:6.1f} ms   max {1000 * worst:6.1f} ms")
        finally:
            stop_ui(proc)


if __name__ == "__main__":
    main()
