"""``tidu search``: a tiny search in this process, recorded as a search with its trials."""
import os
import textwrap

import pytest

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


def _search_file(tmp_path, iris_text, body):
    path = tmp_path / "search.toml"
    path.write_text(iris_text + textwrap.dedent(body), encoding="utf-8")
    return path


def test_hyperband_search_records_each_trial_per_rung_with_its_epochs(
        tmp_path, iris_text, db_path):
    path = _search_file(tmp_path, iris_text, '''
        [search]
        strategy = "hyperband"
        max_epochs = 3        # η = 3: brackets (3×1 → 1×3) and (2×3)
        refit = false
        [search.space]
        lr = {loguniform = [0.01, 0.5]}
    ''')
    out = invoke("search", path, "--db", db_path, "--workers", 1, "--progress", "lines")
    assert out.exit_code == 0, out.output
    assert ("search hyperband, 5 configurations over rungs of 1, 3 epochs (η = 3, at most 6 "
            "trials)") in out.output
    assert "trial 6/6" in out.output and "(rung 1, 3 epochs)" in out.output
    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    assert search.status == "finished" and search.config["search"]["kind"] == "hyperband"
    trials = db.children(search.id)
    rungs = sorted((t.config["bracket"], t.config["rung"], t.config["epochs"]) for t in trials)
    assert rungs == [(0, 0, 3), (0, 0, 3), (1, 0, 1), (1, 0, 1), (1, 0, 1), (1, 1, 3)]
    (promoted,) = [t for t in trials if t.config["bracket"] == 1 and t.config["rung"] == 1]
    first = [t for t in trials if t.config["bracket"] == 1 and t.config["rung"] == 0]
    # the best of its rung (lowest val_loss) goes on, with its index and params
    best = min(first, key=lambda t: t.metrics["val_loss"])
    assert promoted.config["index"] == best.config["index"]
    assert promoted.config["params"] == best.config["params"]
    assert db.get_run(search.metrics["best_run"]).config["epochs"] == 3


def test_budgeted_config_objective_continues_from_its_checkpoint(tmp_path, iris_text):
    from tidu.cli_config import load_config
    from tidu.cli_config.search import ConfigObjective
    path = _search_file(tmp_path, iris_text, '''
        [search]
        strategy = "successive_halving"
        [search.space]
        lr = [0.05]
    ''')
    objective = ConfigObjective(load_config(path))
    ckpt = str(tmp_path / "trial.npz")
    objective({"optimizer.lr": 0.05}, seed=3, budget=1, checkpoint=ckpt)
    resumed = objective({"optimizer.lr": 0.05}, seed=3, budget=3, checkpoint=ckpt)
    straight = objective({"optimizer.lr": 0.05}, seed=3, budget=3,
                         checkpoint=str(tmp_path / "other.npz"))
    assert resumed == straight and set(resumed) == {"val_loss", "val_accuracy"}


def test_asha_search_finishes_and_counts_its_trials_as_they_end(tmp_path, iris_text, db_path):
    path = _search_file(tmp_path, iris_text, '''
        [search]
        strategy = "asha"
        trials = 4
        max_epochs = 4
        eta = 2
        refit = false
        [search.space]
        lr = {loguniform = [0.01, 0.5]}
    ''')
    out = invoke("search", path, "--db", db_path, "--progress", "lines")
    assert out.exit_code == 0, out.output
    assert "search asha, 4 configurations over rungs of 1, 2, 4 epochs (η = 2)" in out.output
    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    trials = db.children(search.id)
    assert search.status == "finished" and len(trials) > 4
    assert f"trial {len(trials)}  " in out.output
    assert {t.config["epochs"] for t in trials} == {1, 2, 4}


def test_random_search_with_median_pruner_records_pruned_trials(tmp_path, iris_text, db_path):
    path = _search_file(tmp_path, iris_text, '''
        [search]
        strategy = "random"
        trials = 12
        pruner = "median"
        refit = false
        [search.space]
        lr = {loguniform = [0.001, 0.5]}
    ''')
    out = invoke("search", path, "--db", db_path, "--workers", 1, "--progress", "lines")
    assert out.exit_code == 0, out.output
    assert "median pruning" in out.output
    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    trials = db.children(search.id)
    pruned = [t for t in trials if t.config.get("status") == "pruned"]
    assert len(trials) == 12 and pruned
    assert all(t.status == "failed" and t.error.startswith("pruned at epoch") for t in pruned)
    # the first five trials are the reference: none of them is judged
    assert all(t.config["index"] >= 5 for t in pruned)
    assert search.config["search"]["pruner"] == ["MedianPruner(n_startup_trials=5, "
                                                 "n_warmup_epochs=0)"]


def test_pruner_arguments_from_the_config(tmp_path, iris_text, db_path):
    path = _search_file(tmp_path, iris_text, '''
        [search]
        strategy = "random"
        trials = 8
        pruner = {percentile = {percentile = 25, n_startup_trials = 3, n_warmup_epochs = 1}}
        refit = false
        [search.space]
        lr = {loguniform = [0.001, 0.5]}
    ''')
    out = invoke("search", path, "--db", db_path, "--workers", 1, "--progress", "none")
    assert out.exit_code == 0, out.output
    (search,) = RunDB(db_path).runs(kind="search")
    assert search.config["search"]["pruner"] == ["PercentilePruner(percentile=25, "
                                                 "n_startup_trials=3, n_warmup_epochs=1)"]
    pruned = [t for t in RunDB(db_path).children(search.id) if t.config.get("status") == "pruned"]
    assert pruned and all(t.config["index"] >= 3 and "25th percentile" in t.error and
               not t.error.startswith("pruned at epoch 0") for t in pruned)


def test_diagnosis_pruner_stops_an_exploding_trial_with_its_finding(tmp_path, iris_text,
                                                                   db_path):
    path = _search_file(tmp_path, iris_text, '''
        [search]
        strategy = "grid"
        pruner = "diagnosis"
        refit = false
        [search.space]
        lr = [0.1, 1e9]
    ''')
    out = invoke("search", path, "--db", db_path, "--workers", 1, "--progress", "none")
    assert out.exit_code == 0, out.output
    db = RunDB(db_path)
    (search,) = db.runs(kind="search")
    by_lr = {t.config["params"]["optimizer.lr"]: t for t in db.children(search.id)}
    assert by_lr[0.1].status == "finished"
    exploded = by_lr[1e9]
    assert exploded.status == "failed" and exploded.config["status"] == "pruned"
    assert exploded.config["finding"] == "exploding_gradients"
    assert exploded.error.startswith("pruned at epoch 0: Exploding gradients")


def test_pruned_and_halving_searches_resume(tmp_path, iris_text, db_path):
    for strategy, extra in (("random", 'pruner = "median"'), ("hyperband", "max_epochs = 3"),
                            ("asha", "max_epochs = 3")):
        path = _search_file(tmp_path, iris_text, f'''
            [search]
            strategy = "{strategy}"
            trials = 6
            {extra}
            refit = false
            [search.space]
            lr = {{loguniform = [0.001, 0.5]}}
        ''')
        out = invoke("search", path, "--db", db_path, "--progress", "none")
        assert out.exit_code == 0, out.output
        db = RunDB(db_path)
        search = db.runs(kind="search")[0]
        assert search.config["search"]["strategy"] == strategy
        ended = len(db.children(search.id))
        db.end_run(search.id, "killed")  # as if the process had died
        db.close()
        out = invoke("search", path, "--db", db_path, "--progress", "none", "--resume")
        assert out.exit_code == 0, out.output
        assert f"resume search {search.id}: {ended} ended trials are kept" in out.output
        if strategy != "random":  # its checkpoints' folder is recorded, then removed
            assert not os.path.exists(search.config["search"]["workdir"])


@pytest.mark.parametrize("body, message", [
    ('strategy = "hyperband"\npruner = "median"',
     'search.pruner = "median": not with strategy = "hyperband"'),
    ('pruner = "mean"', 'search.pruner = "mean"'),
    ('pruner = "percentile"', 'the "percentile" pruner needs its percentile'),
    ('pruner = {median = {patience = 3}}',
     'search.pruner.median.patience = 3: not an argument of the median pruner; it takes '
     'n_startup_trials, n_warmup_epochs, n_min_trials'),
    ('pruner = {percentile = {percentile = 120}}',
     'search.pruner.percentile = {percentile = 120}: PercentilePruner: percentile must be'),
    ('pruner = {median = {}, diagnosis = {}}', 'expected a pruner name or a table with one'),
    ('strategy = "asha"\ncv = 3', 'search.cv = 3: strategy = "asha" needs hold-out scoring'),
    ('pruner = "diagnosis"\ncv = 2', 'search.cv = 2: pruner = "diagnosis" needs hold-out'),
    ('eta = 3', 'search.eta = 3: only for strategy = '),
    ('strategy = "successive_halving"\neta = 1', 'search.eta = 1: expected an integer ≥ 2'),
    ('strategy = "hyperband"\nmin_epochs = 5\nmax_epochs = 3',
     'search.min_epochs = 5: expected ≤ max_epochs (3)'),
    ('strategy = "asha"\nrepeats = 2', 'search.repeats = 2: strategy = "asha" promotes'),
])
def test_bad_halving_and_pruner_keys_are_one_line_config_errors(tmp_path, iris_text, db_path,
                                                                body, message):
    path = _search_file(tmp_path, iris_text,
                        "[search]\n" + body + "\n[search.space]\nlr = [0.1, 0.2]\n")
    out = invoke("search", path, "--db", db_path)
    assert out.exit_code == 2, out.output
    assert message in out.output and "Traceback" not in out.output
    assert len([line for line in out.output.splitlines() if line.strip()]) == 1, out.output
