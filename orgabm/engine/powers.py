"""Powers that give the same bits on every CPU.

NumPy's ``np.power`` on float64 runs Intel's SVML code on CPUs with AVX-512 and the C
library's ``pow`` elsewhere, and the two differ in the last bit (numpy/numpy#23289): a
fixed-seed run would give other numbers on another machine. The engine's powers go
through these helpers instead: products (exactly rounded on every CPU) and Python's
``pow`` of scalars (the C library's, as NumPy uses it without AVX-512).
"""

from __future__ import annotations

import numpy as np

__all__ = ["scalar_powers", "whole_power"]


def scalar_powers(base: float, exponents: np.ndarray) -> np.ndarray:
    """``base ** exponents`` for an array of small non-negative integer exponents (counts
    of events): each distinct power is one scalar ``pow``, looked up per row."""
    if len(exponents) == 0:
        return np.ones(0)
    table = np.array([base**k for k in range(int(exponents.max()) + 1)], dtype=np.float64)
    return table[exponents]


def whole_power(values: np.ndarray, power: int) -> np.ndarray:
    """``values ** power`` for a whole ``power`` of 1 or more, by repeated squaring."""
    result: np.ndarray | None = None
    square = np.asarray(values, dtype=np.float64)
    while True:
        if power & 1:
            result = square if result is None else result * square
        power >>= 1
        if not power:
            return result if result is not None else np.ones_like(square)
        square = square * square
