"""The lab: every claim of the notes as an experiment with a verdict and a figure."""
from .base import Experiment, Outcome, Result, SubClaim, experiment, run_experiment
from .registry import all_experiments, get
from .runner import run_lab

__all__ = ["Experiment", "Outcome", "Result", "SubClaim", "all_experiments", "experiment", "get",
           "run_experiment", "run_lab"]
