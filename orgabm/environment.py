"""The environment: the hidden reality the organization learns about."""

from __future__ import annotations

import numpy as np

__all__ = ["Reality"]


class Reality:
    """March's reality: m dimensions, each +1 or -1 with probability 1/2.

    Turbulence flips each dimension with probability p4 per step.
    """

    def __init__(self, dimensions: int, rng: np.random.Generator) -> None:
        self.values = np.where(rng.random(dimensions) < 0.5, 1, -1).astype(np.int8)

    @property
    def dimensions(self) -> int:
        """Number of dimensions, m."""
        return len(self.values)

    def drift(self, turbulence: float, rng: np.random.Generator) -> int:
        """Flip each dimension with probability ``turbulence``; returns how many flipped."""
        if turbulence <= 0.0:
            return 0
        flips = rng.random(self.dimensions) < turbulence
        self.values[flips] *= -1
        return int(flips.sum())

    def score(self, vectors: np.ndarray) -> np.ndarray:
        """Sum over dimensions of vector x reality, for each row (or for one vector).

        Vectors hold -1, 0 or +1. The result is exact: float32 sums of small
        integers, returned as int32.
        """
        return (vectors.astype(np.float32) @ self.values.astype(np.float32)).astype(np.int32)
