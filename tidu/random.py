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


class Generator(np.random.Generator):
    """A random generator object, as `torch.Generator`: ``tidu.Generator().manual_seed(42)``
    is passed as ``generator=`` to factories, in-place fills, `random_split` and the data
    loaders.  It *is* a ``numpy.random.Generator`` (PCG64), so NumPy code can draw from it;
    its streams are not PyTorch's numbers, only the same distributions.  ``device`` is
    accepted for PyTorch's signature ('cpu'; draws are made on the host on every device)."""

    def __init__(self, device="cpu"):
        super().__init__(np.random.PCG64())
        self.device = device
        self._seed = None

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed (an int ≥ 0) and return the generator itself, as torch."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise TypeError(f"Generator.manual_seed: seed must be an int ≥ 0, got {seed!r}")
        self.bit_generator.state = np.random.PCG64(int(seed)).state
        self._seed = int(seed)
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the seed used."""
        seed = int(np.random.SeedSequence().entropy % 2**63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        if self._seed is None:
            self.seed()
        return self._seed

    def get_state(self) -> dict:
        """The full state (a plain dict, unlike torch's byte tensor)."""
        return self.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self.bit_generator.state = state
        return self
