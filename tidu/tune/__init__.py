"""tidu.tune: hyper-parameter search — grid, random and coarse-to-fine — on local processes or
a Dask cluster.

The notes (001, 超参数调试) rank the hyper-parameters by importance (learning rate first;
then momentum/Adam's β, hidden units, mini-batch size; then layers and learning-rate
decay) and give two rules for searching them: pick points at random rather than on a grid,
and go from coarse to fine — search a wide region, then a smaller one around the points
that did well.

* spaces — `choice`, `uniform`, `loguniform` (learning rates: the exponent is uniform),
  `randint` (integers, both ends included; ``log=True``); a space is a dict name →
  distribution or constant (`tidu.tune.space`);
* searches — `GridSearch`, `RandomSearch`, `CoarseToFine`, `TPESearch` (a model-based
  sampler, Bergstra et al. 2011), `SuccessiveHalving` and `Hyperband` (rungs of epochs, the
  top 1/η continue from their checkpoints; Li et al. 2018), `ASHA` (its asynchronous form:
  every free worker promotes or starts a trial; Li et al. 2020); ``search.run()`` returns a
  `SearchResult` (``best_params``, ``best_score``, ``trials``, ``to_records()``);
* objectives — any ``objective(params) -> float`` (or dict of metrics, with ``metric=``),
  or `make_objective(build, X, y, cv=…)`, which trains a tidu model per trial and scores it
  by hold-out or k-fold (`tidu.model_selection`);
* execution — local worker processes by default (``n_jobs``, spawn-safe; ``n_jobs=1`` in
  this process), or a Dask cluster (``client=`` or ``scheduler="tcp://…"``) with the same
  results: every trial is seeded from (search seed, trial index);
* failures — a trial that raises or returns NaN/Inf is recorded as failed with its error
  and the search goes on; `TuneError` if every trial failed;
* pruning — ``pruner=MedianPruner()`` / `PercentilePruner` stop a trial whose validation
  curve falls behind the earlier trials', `DiagnosisPruner` one whose gradients exploded,
  turned non-finite or died (recorded ``"pruned"`` with the finding);
* seeds — ``repeats=k`` runs every configuration with k seeds; ``result.seed_verdict()``
  says whether the winner beats the runner-up beyond seed noise;
* hooks — ``callbacks=[fn]`` get each trial record (a plain dict, `Trial`) as it ends, or
  objects with ``on_search_begin`` / ``on_trial_end`` / ``on_search_end``;
* reading a search — `param_importance` (fANOVA-style shares of the score's variance) and
  `plot_pathology_map` (the score beside what became of every trial: diverged, exploding,
  dead…, on a log axis for a log-scaled parameter).
"""
from .asha import ASHA, asha_rungs
from .base import Search, SearchCallbacks
from .coarse_to_fine import CoarseToFine
from .executor import DaskExecutor, ProcessExecutor, SerialExecutor
from .grid import GridSearch
from .halving import HalvingResult, Hyperband, SuccessiveHalving
from .importance import param_importance
from .objective import ModelObjective, make_objective
from .plots import plot_pathology_map, trial_outcome
from .pruning import DiagnosisPruner, MedianPruner, PercentilePruner, TrialPruned
from .random_search import RandomSearch
from .tpe import TPESearch
from .result import SearchResult, TuneError
from .space import (Choice, Distribution, IntUniform, LogUniform, Uniform, choice, from_dict,
                    loguniform, randint, space_from_dict, space_to_dict, uniform)
from .trial import Trial

__all__ = ["choice", "uniform", "loguniform", "randint", "Distribution", "Choice", "Uniform",
           "LogUniform", "IntUniform", "from_dict", "space_to_dict", "space_from_dict",
           "Search", "GridSearch", "RandomSearch", "CoarseToFine", "SearchResult",
           "SearchCallbacks", "Trial", "TuneError", "make_objective", "ModelObjective",
           "SerialExecutor", "ProcessExecutor", "DaskExecutor", "param_importance", "TPESearch",
           "SuccessiveHalving", "Hyperband", "HalvingResult", "ASHA", "asha_rungs", "MedianPruner",
           "PercentilePruner", "DiagnosisPruner", "TrialPruned",
           "plot_pathology_map", "trial_outcome"]
