"""orgabm's NK landscapes checked against what theory says of NK landscapes.

Kauffman and Levin (1987) and Kauffman (1993) derive three properties that any correct
generator must show, whatever model runs on it:

- with K = 0, every dimension's best state is independent of the others: exactly one
  local optimum, the global one;
- with K = N - 1, every solution's fitness is independent of its neighbours', so each is
  a local optimum with probability 1 / (N + 1): 2^N / (N + 1) of them on average;
- the mean fitness of the optima that adaptive walks reach first rises with K, then falls
  towards the mean fitness of a random solution (the "complexity catastrophe": Kauffman
  1993, ch. 2, speaks of *accessible* peaks, those that walks from random starts climb to).

These read the landscape's every solution, which no employee can: this is a check of the
task, not a mechanism.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..engine.environments import NKLandscape
from ..engine.landscape import SolutionSums
from .texts import Finding, finding

__all__ = ["THEORY_N", "local_optima", "theory_findings", "theory_table", "walk_ends"]

#: The landscapes' N in docs/validation.md (2^16 solutions each, every K from 0 to 15).
THEORY_N = 16


def local_optima(land: NKLandscape) -> tuple[np.ndarray, np.ndarray]:
    """Every solution's fitness (the mean contribution, not normalized; the solution as an
    integer, dimension 0 its top bit) and whether it is a local optimum: no one-dimension
    change scores higher."""
    fitness = SolutionSums(land.table, land.deps).sums.ravel() / land.n
    solutions = np.arange(len(fitness))
    beaten = np.zeros(len(fitness), dtype=bool)
    for bit in range(land.n):
        beaten |= fitness[solutions ^ (1 << bit)] > fitness
    return fitness, ~beaten


def walk_ends(fitness: np.ndarray, n: int) -> np.ndarray:
    """For every solution, the local optimum that a steepest-ascent walk from it reaches:
    each step changes the one dimension that improves fitness most. Kauffman's walks take a
    random fitter neighbour instead; the greedy walk is the deterministic variant, so the
    check needs no sampling of walks. Pointer doubling follows all walks at once."""
    solutions = np.arange(len(fitness))
    neighbours = solutions[None, :] ^ (1 << np.arange(n))[:, None]
    best = neighbours[fitness[neighbours].argmax(axis=0), solutions]
    end = np.where(fitness[best] > fitness, best, solutions)
    while not np.array_equal(jumped := end[end], end):
        end = jumped
    return end


def theory_table(
    n: int = 12,
    ks: Sequence[int] | None = None,
    landscapes: int = 100,
    seed: int = 1987,
    interactions: str = "random",
) -> pd.DataFrame:
    """Per K, over ``landscapes`` random landscapes, each with its standard error: the mean
    number of local optima, a local optimum's mean fitness (each optimum counted once) and
    the mean fitness of the optimum a steepest-ascent walk from a random start reaches (each
    optimum weighted by its basin); and, at K = N - 1, the count theory expects."""
    rows = []
    for k in ks if ks is not None else range(n):
        counts, heights, reached = [], [], []
        for stream in np.random.default_rng([seed, n, k]).spawn(landscapes):
            fitness, optimum = local_optima(NKLandscape(n, k, interactions, 1, stream))
            counts.append(int(optimum.sum()))
            heights.append(float(fitness[optimum].mean()))
            reached.append(float(fitness[walk_ends(fitness, n)].mean()))
        c, h, w = np.array(counts, dtype=float), np.array(heights), np.array(reached)
        rows.append({
            "K": k,
            "local_optima": c.mean(),
            "local_optima_se": c.std(ddof=1) / np.sqrt(len(c)),
            "theory": 2**n / (n + 1) if k == n - 1 else (1.0 if k == 0 else np.nan),
            "optimum_fitness": h.mean(),
            "optimum_fitness_se": h.std(ddof=1) / np.sqrt(len(h)),
            "walk_fitness": w.mean(),
            "walk_fitness_se": w.std(ddof=1) / np.sqrt(len(w)),
        })  # fmt: skip
    return pd.DataFrame(rows)


def theory_findings(table: pd.DataFrame) -> list[Finding]:
    """The three properties, each against :func:`theory_table`'s numbers (3 SE margins)."""
    by = table.set_index("K")
    n = int(by.index.max()) + 1
    zero, full = by.loc[0], by.loc[n - 1]
    height, se = by["walk_fitness"], by["walk_fitness_se"]
    peak = int(height.idxmax())
    clear = all(height[peak] - height[k] > 3 * np.hypot(se[peak], se[k]) for k in (0, n - 1))
    return [
        finding("theory_k0", zero["local_optima_se"] == 0 and zero["local_optima"] == 1,
                optima=zero["local_optima"], se=zero["local_optima_se"]),
        finding("theory_full",
                abs(full["local_optima"] - full["theory"]) < 3 * full["local_optima_se"],
                k=n - 1, theory=full["theory"], optima=full["local_optima"],
                se=full["local_optima_se"]),
        finding("theory_walks", 0 < peak < n - 1 and clear, first=height[0], peak=peak,
                top=height[peak], last=height[n - 1], k_last=n - 1),
    ]  # fmt: skip
