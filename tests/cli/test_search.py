"""``tidu search``: a tiny search in this process, recorded as a search with its trials."""
import textwrap

from click.testing import CliRunner

from tidu.cli import main
from tidu.runs import RunDB


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


SEARCH = textwrap.dedent('''
    [search]
    strategy = "grid"
    refit = false
    metric = "val_accuracy"

    [search.space]
    lr = [0.1, 1e12]                      # the second one diverges
    "model.layers[0].out_features" = [4, 8]
''')


def test_search_records_the_search_and_every_trial_and_survives_a_divergence(
        tmp_path, iris_text, db_path):
    path = tmp_path / "search.toml"
    path.write_text(iris_text + SEARCH, encoding="utf-8")
    out = invoke("search", path, "--db", db_path, "--workers", 1, "--epochs", 2)
    assert out.exit_code == 0, out.output
    assert "search grid, 4 trials on 1 local process, ranked by val_accuracy (max)" in out.output
    assert out.output.count("trial ") >= 4 and "failed: FloatingPointError: diverged" in out.output
    assert "RuntimeWarning" not in out.output

    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    assert search.status == "finished" and search.config["search"]["kind"] == "grid"
    trials = db.children(search.id)
    assert len(trials) == 4 and all(t.kind == "trial" for t in trials)
    by_lr = {}
    for t in trials:
        by_lr.setdefault(t.config["params"]["optimizer.lr"], []).append(t)
    assert all(t.status == "finished" for t in by_lr[0.1])
    assert all(t.status == "failed" and "diverged" in t.error for t in by_lr[1e12])
    assert search.metrics["n_trials"] == 4 and search.metrics["n_failed"] == 2
    best = db.get_run(search.metrics["best_run"])
    assert best.parent_id == search.id and best.config["params"]["optimizer.lr"] == 0.1
    assert best.metrics["score"] == search.metrics["best_score"] == best.metrics["val_accuracy"]

    shown = invoke("runs", "show", search.id, "--db", db_path, "--no-config").output
    assert "child runs (4)" in shown and "optimizer.lr" in shown
    exported = invoke("runs", "export", search.id, "--csv", "--db", db_path).output
    header, *rows = exported.strip().splitlines()
    assert header.startswith("run_id,kind,index,status,optimizer.lr,"
                             "model.layers[0].out_features")
    assert len(rows) == 4


def test_search_refit_trains_the_best_config_as_a_child_run(tmp_path, iris_text, db_path):
    path = tmp_path / "search.toml"
    path.write_text(iris_text + textwrap.dedent('''
        [search]
        trials = 2
        cv = 2
        [search.space]
        lr = {loguniform = [0.01, 0.3]}
    '''), encoding="utf-8")
    out = invoke("search", path, "--db", db_path, "--epochs", 1, "--progress", "none")
    assert out.exit_code == 0, out.output
    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    (refit,) = db.runs(kind="train")
    assert refit.parent_id == search.id and refit.status == "finished"
    best = db.get_run(search.metrics["best_run"])
    assert refit.config["optimizer"]["lr"] == best.config["params"]["optimizer.lr"]
    assert "val_loss_std" in best.metrics  # 2-fold: mean and std over the folds
    assert "test_accuracy" in refit.metrics


def test_search_without_a_search_section_is_a_config_error(iris_config, db_path):
    out = invoke("search", iris_config, "--db", db_path)
    assert out.exit_code == 2
    assert "search: missing; a search needs a [search] section" in out.output


def test_local_worker_processes_give_the_same_trials(tmp_path, iris_text):
    path = tmp_path / "search.toml"
    path.write_text(iris_text + SEARCH.replace("1e12", "0.3"), encoding="utf-8")
    scores = []
    for workers in (1, 2):
        db_path = tmp_path / f"runs{workers}.db"
        out = invoke("search", path, "--db", db_path, "--workers", workers, "--epochs", 1,
                     "--progress", "none")
        assert out.exit_code == 0, out.output
        db = RunDB(db_path)
        (search,) = db.runs(kind="search")
        trials = sorted(db.children(search.id), key=lambda t: t.config["index"])
        scores.append([(t.config["params"], t.metrics["score"]) for t in trials])
    assert scores[0] == scores[1]


def test_scheduler_option_runs_the_trials_on_a_dask_cluster(tmp_path, iris_text):
    from dask.distributed import LocalCluster
    path = tmp_path / "search.toml"
    path.write_text(iris_text + SEARCH, encoding="utf-8")
    db_path = tmp_path / "runs.db"
    # one thread: tidu's grad mode (no_grad) is per process, not per thread, so trials on
    # threads of one worker would switch gradients off for each other
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        out = invoke("search", path, "--db", db_path, "--epochs", 1,
                     "--scheduler", cluster.scheduler_address, "--progress", "none")
    assert out.exit_code == 0, out.output
    assert f"4 trials on {cluster.scheduler_address}" in out.output
    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    assert search.config["search"]["executor"]  # how it ran is recorded
    assert [t.status for t in db.children(search.id)].count("failed") == 2


def test_tpe_strategy_with_repeats_reports_the_winner_against_seed_noise(
        tmp_path, iris_text, db_path):
    path = tmp_path / "tpe.toml"
    path.write_text(iris_text + textwrap.dedent('''
        [search]
        strategy = "tpe"
        trials = 3
        repeats = 2
        refit = false
        metric = "val_accuracy"

        [search.space]
        lr = {loguniform = [0.01, 0.5]}
    '''), encoding="utf-8")
    out = invoke("search", path, "--db", db_path, "--workers", 1, "--epochs", 2)
    assert out.exit_code == 0, out.output
    assert "search tpe, 6 trials on 1 local process" in out.output
    assert "seeds  best {'optimizer.lr':" in out.output and "over 2 seeds" in out.output
    (search,) = RunDB(db_path).runs(kind="search")
    assert search.config["search"]["repeats"] == 2
    assert len(RunDB(db_path).children(search.id)) == 6
