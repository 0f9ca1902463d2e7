"""tidu's global random number generator (NumPy's PCG64), seeded by `manual_seed`.

Every random draw in tidu (initializers, dropout, rrelu, shuffling) goes through
`generator()`, so one `tidu.manual_seed(s)` makes a whole run reproducible.
"""
import numpy as np

_state = {"rng": np.random.default_rng()}


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator (as `torch.manual_seed`) and return it."""
    _state["rng"] = np.random.default_rng(seed)
    return _state["rng"]


def generator() -> np.random.Generator:
    return _state["rng"]


def get_rng_state() -> dict:
    """The generator's full state (a plain dict, for checkpoints)."""
    return _state["rng"].bit_generator.state


def set_rng_state(state: dict) -> None:
    _state["rng"].bit_generator.state = state
