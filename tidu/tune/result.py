"""`SearchResult`: every trial of a search, and the best one."""
from __future__ import annotations

import json

from .._stats import distinguishable, mean_interval
from ..errors import TiduError

__all__ = ["SearchResult", "TuneError", "best_of"]


class TuneError(TiduError, RuntimeError):
    """A search produced no usable trial (every trial failed).  ``error.result`` holds the
    `SearchResult` with the failed trials and their errors."""

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


def best_of(trials, mode: str, k: int = 1) -> list:
    """The ``k`` best finished trials, best first (ties: the earlier trial first)."""
    finished = [t for t in trials if t["status"] == "finished"]
    sign = -1.0 if mode == "max" else 1.0
    return sorted(finished, key=lambda t: (sign * t["score"], t["index"]))[:k]


def _describe(group: dict) -> str:
    lo, hi = group["ci"]
    ci = "" if lo != lo else f" [{lo:.4g}, {hi:.4g}]"
    seeds = f"{group['n']} seed{'s' if group['n'] > 1 else ''}"
    return f"{group['params']}: {group['mean']:.4g}{ci} over {seeds}"


class SearchResult:
    """The outcome of a search.

    ``trials`` — every trial record (plain dicts, see `tidu.tune.trial.Trial`) in index
    order; ``best_trial``, ``best_params``, ``best_score`` — the best finished trial
    (``mode="max"``: highest score); ``finished`` / ``failed`` — the trials by status;
    ``top(k)``; ``to_records()`` — one flat dict per trial (params as columns), ready for
    ``pandas.DataFrame`` or a CSV writer; ``info`` — how the search was run (kind, space,
    mode, metric, seed, executor); ``spaces`` — for coarse-to-fine, the space of each round.
    Seed-aware reading (a configuration tried with several seeds, ``repeats=k``):
    ``by_config()`` — the finished trials grouped by their parameters, best mean first, each
    with its mean score and 95% interval over the seeds; ``winner`` — the best group, and
    whether it beats the runner-up beyond seed noise; ``seed_verdict()`` says it in words.
    """

    def __init__(self, trials, mode: str, metric: str | None, seed: int, info: dict,
                 spaces=None, seconds: float = 0.0):
        self.trials = sorted(trials, key=lambda t: t["index"])
        self.mode, self.metric, self.seed = mode, metric, seed
        self.info = info
        self.spaces = list(spaces or [])
        self.seconds = seconds

    @property
    def finished(self) -> list:
        return [t for t in self.trials if t["status"] == "finished"]

    @property
    def failed(self) -> list:
        return [t for t in self.trials if t["status"] != "finished"]

    def top(self, k: int = 5) -> list:
        """The ``k`` best finished trials, best first."""
        return best_of(self.trials, self.mode, k)

    @property
    def best_trial(self) -> dict:
        best = best_of(self.trials, self.mode, 1)
        if not best:
            first = self.trials[0]["error"] if self.trials else "no trial ran"
            raise TuneError(f"{self.info.get('kind', 'search')}: all {len(self.trials)} trials "
                            f"failed, so there is no best trial; first error: {first}", self)
        return best[0]

    @property
    def best_params(self) -> dict:
        return dict(self.best_trial["params"])

    @property
    def best_score(self) -> float:
        return self.best_trial["score"]

    def by_config(self) -> list:
        """The finished trials grouped by their parameters (one group per configuration,
        its trials differing only by seed), best mean score first: dicts with ``params``,
        ``scores``, ``seeds``, ``indices``, ``n``, ``mean`` and ``ci`` (95% Student-t
        interval over the seeds; NaN bounds for a single seed)."""
        groups = {}
        for t in self.finished:
            key = json.dumps(t["params"], sort_keys=True, default=repr)
            g = groups.setdefault(key, {"params": dict(t["params"]), "scores": [], "seeds": [],
                                        "indices": []})
            g["scores"].append(t["score"])
            g["seeds"].append(t["seed"])
            g["indices"].append(t["index"])
        out = []
        for g in groups.values():
            g["n"] = len(g["scores"])
            g["mean"], g["ci"] = mean_interval(g["scores"])
            out.append(g)
        sign = -1.0 if self.mode == "max" else 1.0
        return sorted(out, key=lambda g: (sign * g["mean"], g["indices"][0]))

    @property
    def winner(self) -> dict:
        """The best configuration by mean score (a `by_config` group) with ``runner_up``
        (the second group or None), ``distinguishable`` (True/False: Welch's t-test of the
        two groups' scores at 5%; None when either has a single seed) and ``p``."""
        groups = self.by_config()
        if not groups:
            return self.best_trial  # raises TuneError: no trial finished
        best = dict(groups[0])
        best["runner_up"] = groups[1] if len(groups) > 1 else None
        if best["runner_up"] is None:
            best["distinguishable"], best["p"] = None, float("nan")
        else:
            best["distinguishable"], best["p"] = distinguishable(
                best["scores"], best["runner_up"]["scores"])
        return best

    def seed_verdict(self) -> str:
        """The winner with its interval, and whether it is told apart from the runner-up
        beyond seed noise, in one line."""
        w = self.winner
        line = f"best {_describe(w)}"
        if w["runner_up"] is None:
            return line + "; no other configuration finished"
        line += f"; runner-up {_describe(w['runner_up'])}"
        if w["distinguishable"] is None:
            return line + ("; with a single seed per configuration the difference cannot be "
                           "told from seed noise (search with repeats ≥ 2)")
        verdict = ("better beyond seed noise" if w["distinguishable"]
                   else "not distinguishable beyond seed noise")
        return line + f"; {verdict} (Welch p = {w['p']:.3g})"

    def to_records(self) -> list:
        """One flat dict per trial: index, round, status, score, the params (one key each),
        the other metrics, seconds, seed, error."""
        rows = []
        for t in self.trials:
            row = {"index": t["index"], "round": t["round"], "status": t["status"],
                   "score": t["score"]}
            row.update(t["params"])
            for name, value in t["metrics"].items():
                if name not in row:
                    row[name] = value
            row.update({"seconds": t["seconds"], "seed": t["seed"], "error": t["error"]})
            rows.append(row)
        return rows

    def __len__(self) -> int:
        return len(self.trials)

    def __repr__(self) -> str:
        n, ok = len(self.trials), len(self.finished)
        head = f"SearchResult({self.info.get('kind', 'search')}, {ok}/{n} trials finished"
        if ok:
            return f"{head}, best score {self.best_score:.6g} at {self.best_params})"
        return head + ")"
