"""Reading a lever for some employees: one number, or one per employee where teams differ."""

from __future__ import annotations

import numpy as np

__all__ = ["at"]


def at(lever: float | np.ndarray, rows: np.ndarray) -> float | np.ndarray:
    """A lever's value for the given rows (a scalar lever is the same for all)."""
    return lever[rows] if isinstance(lever, np.ndarray) else lever
