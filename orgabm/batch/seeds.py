"""Seeds: every run's seed derived from a base seed and the run's key, whatever runs it."""

from __future__ import annotations

import numpy as np

__all__ = ["derive_seed"]


def derive_seed(base: int, *key: int) -> int:
    """The seed of one run, from the base seed and the run's key (e.g. its replicate).

    Derived with numpy's SeedSequence, so replicates never share a stream, and a
    run's seed depends only on (base, key): not on how or where it runs.
    """
    words = np.random.SeedSequence([base, *key]).generate_state(2, np.uint32)
    return int((int(words[0]) << 32 | int(words[1])) >> 1)
