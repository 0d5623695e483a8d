"""Employees' traits (skill, risk tolerance, safety, openness), drawn from the workforce's spec."""

from __future__ import annotations

import numpy as np

__all__ = ["draw_trait", "draw_traits"]


def draw_trait(mean: float, sd: float, rows: int, rng: np.random.Generator) -> np.ndarray:
    """A trait in [0, 1] for each row: Beta-distributed with this mean and sd (constant if sd 0)."""
    if sd == 0.0:
        return np.full(rows, mean)
    concentration = mean * (1.0 - mean) / sd**2 - 1.0
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=rows)


def draw_traits(workforce, rows: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """(skill, risk_tolerance, safety, openness) for ``rows`` employees, in that order."""
    return tuple(
        draw_trait(trait.mean, trait.sd, rows, rng)
        for trait in (workforce.skill, workforce.risk_tolerance, workforce.safety,
                      workforce.openness)
    )  # fmt: skip
