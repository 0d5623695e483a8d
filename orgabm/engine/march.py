"""March's (1991) phases, each one vectorized operation over all employees.

Every function takes the arrays it reads and writes, and the model's rng. A
phase whose rate is zero draws no random numbers, so switching a mechanism off
leaves the random stream of the others untouched.
"""

from __future__ import annotations

import numpy as np

from .powers import scalar_powers

__all__ = ["act", "codify", "march_equilibrium", "random_beliefs", "socialize", "turnover"]


def random_beliefs(
    rows: int, dimensions: int, rng: np.random.Generator, decided: bool = False
) -> np.ndarray:
    """Beliefs drawn uniformly from {-1, 0, +1} (``decided``: from {-1, +1}), as int8 of
    shape (rows, dimensions)."""
    if decided:
        return rng.integers(0, 2, size=(rows, dimensions), dtype=np.int8) * np.int8(2) - 1
    return rng.integers(-1, 2, size=(rows, dimensions), dtype=np.int8)


def turnover(rate: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Rows whose occupant leaves this step, each with probability ``rate`` (March's p3)."""
    if rate <= 0.0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(rng.random(n) < rate)


def act(beliefs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Actions: each belief, with a fair coin flip (+1 or -1) where the belief is 0.

    One random bit is drawn per belief (zero or not), so the cost never depends
    on how many beliefs are 0.
    """
    bits = np.unpackbits(
        np.frombuffer(rng.bytes((beliefs.size + 7) // 8), dtype=np.uint8), count=beliefs.size
    )
    coins = bits.view(np.int8).reshape(beliefs.shape) * np.int8(2) - np.int8(1)
    return beliefs + (beliefs == 0).view(np.int8) * coins


def socialize(
    beliefs: np.ndarray, code: np.ndarray, rates: np.ndarray, rng: np.random.Generator
) -> int:
    """Gradual socialization towards the code, in place; returns how many beliefs moved.

    Where the code is non-zero and a belief differs from it, the belief moves
    one step towards the code with the employee's rate (March's p1): the
    opposite value becomes 0, and 0 becomes the code's value. The draws are
    float32 uniforms, so rates are resolved to 2^-24.
    """
    differs = (beliefs != code) & (code != 0)
    if not differs.any():
        return 0
    draws = rng.random(beliefs.shape, dtype=np.float32)
    move = differs & (draws < rates.astype(np.float32)[:, None])
    beliefs += move.view(np.int8) * code
    return int(np.count_nonzero(move))


def codify(
    code: np.ndarray,
    actions: np.ndarray,
    superior: np.ndarray,
    rate: float,
    rng: np.random.Generator,
    codifiable: int | None = None,
) -> int:
    """The code learns from the superior group's actions, in place; returns dimensions changed.

    On each dimension, k = |#superior acting +1 - #superior acting -1|. Where the
    majority differs from the code, the code takes the majority's value with
    probability 1 - (1 - p2)^k (March's p2, footnote 1). Only the first
    ``codifiable`` dimensions can be captured (the rest are tacit); None: all.
    """
    if rate <= 0.0 or not superior.any():
        return 0
    net = actions[superior].sum(axis=0, dtype=np.int64)
    majority = np.sign(net).astype(np.int8)
    if codifiable is not None:
        majority[codifiable:] = 0
    candidates = np.flatnonzero((majority != 0) & (majority != code))
    if len(candidates) == 0:
        return 0
    chance = 1.0 - scalar_powers(1.0 - rate, np.abs(net[candidates]))
    changed = candidates[rng.random(len(candidates)) < chance]
    code[changed] = majority[changed]
    return len(changed)


def march_equilibrium(beliefs: np.ndarray, code: np.ndarray, reality) -> bool:
    """March's equilibrium: no one can learn from the code, nor the code from anyone.

    Every belief equals the code, and no employee could beat the code even with
    lucky coin flips: belief . reality + #zero beliefs <= code . reality.
    """
    if not (beliefs == code).all():
        return False
    best = reality.score(beliefs) + (beliefs == 0).sum(axis=1)
    return bool((best <= reality.score(code)).all())
