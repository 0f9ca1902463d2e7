"""`SearchResult`: every trial of a search, and the best one."""
from __future__ import annotations

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


class SearchResult:
    """The outcome of a search.

    ``trials`` — every trial record (plain dicts, see `tidu.tune.trial.Trial`) in index
    order; ``best_trial``, ``best_params``, ``best_score`` — the best finished trial
    (``mode="max"``: highest score); ``finished`` / ``failed`` — the trials by status;
    ``top(k)``; ``to_records()`` — one flat dict per trial (params as columns), ready for
    ``pandas.DataFrame`` or a CSV writer; ``info`` — how the search was run (kind, space,
    mode, metric, seed, executor); ``spaces`` — for coarse-to-fine, the space of each round.
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
