"""The same search in this process, on local worker processes and on a Dask cluster."""
import os

import pytest

from tidu.tune import CoarseToFine, GridSearch, RandomSearch, uniform

from .objectives import crash_above, noisy_with_failures, pid

SPACE = {"x": uniform(0.0, 1.0)}


def comparable(result):
    """The trial records without what legitimately differs between runs (timings, the
    traceback's file paths), as text (a diverged trial's NaN equals itself there)."""
    return [repr({k: v for k, v in t.items() if k not in ("seconds", "traceback")})
            for t in result.trials]


def c2f(**kwargs):
    return CoarseToFine(SPACE, noisy_with_failures, n_rounds=3, trials_per_round=6, seed=11,
                        metric="score", **kwargs)


@pytest.fixture(scope="module")
def serial_result():
    result = c2f(n_jobs=1).run()
    statuses = {t["status"] for t in result.trials}
    assert statuses == {"finished", "failed"}  # the comparison covers failures too
    return result


def test_worker_processes_give_the_same_results_as_one_process(serial_result):
    seen = []
    result = c2f(n_jobs=2, callbacks=seen.append).run()
    assert result.info["executor"] == "processes(n_jobs=2)"
    assert comparable(result) == comparable(serial_result)
    assert result.seed == serial_result.seed == 11
    assert sorted(t["index"] for t in seen) == list(range(18))
    assert [t["error"] for t in result.failed] == [t["error"] for t in serial_result.failed]


def test_trials_really_run_in_other_processes():
    result = GridSearch(SPACE, pid, points_per_axis=4, n_jobs=2, seed=0).run()
    pids = {t["score"] for t in result.trials}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_a_trial_that_kills_its_worker_fails_alone():
    """os._exit in a worker breaks the process pool; the other trials of the batch are run
    again in fresh processes, and the search goes on to its later rounds."""
    result = CoarseToFine(SPACE, crash_above, n_rounds=2, trials_per_round=6, seed=0,
                          n_jobs=2).run()
    assert len(result) == 12
    for t in result.trials:
        if t["params"]["x"] > 0.8:
            assert t["status"] == "failed" and t["error"].startswith("worker process died")
        else:
            assert t["status"] == "finished" and t["score"] == t["params"]["x"]
    assert any(t["params"]["x"] > 0.8 for t in result.trials[:6])
    assert any(t["status"] == "finished" for t in result.trials[:6])


def test_a_lambda_objective_runs_on_worker_processes():
    result = RandomSearch(SPACE, lambda p: p["x"] ** 2, n_trials=3, seed=0, n_jobs=2).run()
    assert [t["score"] for t in result.trials] == [t["params"]["x"] ** 2 for t in result.trials]


def test_a_search_runs_on_a_dask_local_cluster(serial_result):
    """A real dask.distributed LocalCluster (one worker process, one thread, over TCP):
    given as a Client and as a scheduler address, the search gives the same trials."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        by_client = c2f(client=client).run()
        by_address = c2f(scheduler=address).run()
        worker_pids = set(client.run(os.getpid).values())
        ran_on = RandomSearch(SPACE, pid, n_trials=2, seed=0, client=client).run()
        assert client.status == "running"  # a client given to a search stays open
    expected = f"dask(scheduler='{address}')"
    assert by_client.info["executor"] == by_address.info["executor"] == expected
    assert comparable(by_client) == comparable(serial_result)
    assert comparable(by_address) == comparable(serial_result)
    assert {t["score"] for t in ran_on.trials} == worker_pids != {os.getpid()}


def test_an_unreachable_scheduler_is_one_clear_error():
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(ConnectionError, match=r"could not reach the Dask scheduler at "
                                                 r"'tcp://127.0.0.1:9'"):
        RandomSearch(SPACE, pid, n_trials=1, scheduler="tcp://127.0.0.1:9").run()
