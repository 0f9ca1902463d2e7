"""An interrupted search (Ctrl-C, or SIGTERM under the command line) reports exactly the
trials in flight as killed and ends its worker processes without waiting for them."""
import time

import psutil
import pytest

from tidu.tune import GridSearch, choice

from .objectives import quick_or_stuck


def workers_of_this_process():
    return [p for p in psutil.Process().children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())]


def test_keyboard_interrupt_marks_the_trials_in_flight_and_ends_the_workers():
    # trials 0 and 1 return at once; 2 and 3 hang; the callback interrupts once both hung
    # trials are running in the two workers
    seen = []

    def interrupt_when_stuck(trial):
        seen.append(trial)
        if trial["status"] != "killed" and len(seen) == 2:
            deadline = time.monotonic() + 60
            while len(workers_of_this_process()) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.5)  # both workers have taken a hanging trial
            raise KeyboardInterrupt

    search = GridSearch({"a": choice([0.1, 0.2, 0.7, 0.8, 0.9])}, quick_or_stuck, n_jobs=2,
                        seed=0, callbacks=interrupt_when_stuck)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        search.run()
    assert time.monotonic() - start < 30  # the hanging trials were not waited for
    finished = [t for t in seen if t["status"] == "finished"]
    killed = [t for t in seen if t["status"] == "killed"]
    assert sorted(t["params"]["a"] for t in finished) == [0.1, 0.2]
    # the two trials running in the workers, not the one still queued
    assert sorted(t["params"]["a"] for t in killed) == [0.7, 0.8]
    assert all("interrupted" in t["error"] and t["score"] is None for t in killed)
    deadline = time.monotonic() + 10
    while workers_of_this_process() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers_of_this_process() == []
