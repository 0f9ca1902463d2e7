"""The playground: a small network on a 2-D dataset (or a 1-D regression), every knob of the
notes, trained live, with the diagnosis and its remedies one click away."""
from .config import CHOICES, DEFAULTS, ConfigError, config_difference, parse_config
from .remedies import apply_remedy, remedy_patch
from .session import Session

__all__ = ["Session", "ConfigError", "DEFAULTS", "CHOICES", "parse_config", "config_difference",
           "apply_remedy", "remedy_patch"]
