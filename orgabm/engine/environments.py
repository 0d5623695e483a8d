"""The environment: the hidden reality the organization learns about.

Two kinds share one interface: ``Reality`` (March's independent dimensions) and
``NKLandscape`` (interdependent dimensions, Kauffman's NK model, as in Lazer and
Friedman 2007). Vectors hold -1, 0 or +1 per dimension; actions hold -1 or +1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

import numpy as np

from ..scenario import Environment as EnvironmentSpec
from .landscape import KEEP_SUMS_UP_TO, SolutionSums, landscape_maximum
from .powers import whole_power

__all__ = ["Environment", "NKLandscape", "Reality", "build_environment", "landscape_maximum"]

#: Landscape maxima already found, by a digest of the landscape (a run's landscape is
#: often another's: sweeps with common seeds give every point the same ones).
_MAXIMA: dict[bytes, tuple[float, int]] = {}
_MAXIMA_SIZE = 4096


class Environment(Protocol):
    """What every environment offers the engine. ``values`` is the hidden reality: only
    the metrics, and feedback on what was acted out, may read it."""

    values: np.ndarray

    @property
    def dimensions(self) -> int:
        """Number of dimensions, m."""
        ...

    @property
    def scale(self) -> float:
        """What performance is divided by to lie in [-1, 1] (March) or [0, 1] (NK)."""
        ...

    def drift(self, turbulence: float, rng: np.random.Generator) -> int:
        """Turbulence: change the reality; returns how many dimensions changed."""
        ...

    def shock(self, share: float, rng: np.random.Generator) -> int:
        """A scripted shock to a share of the dimensions; returns how many changed."""
        ...

    def score(self, vectors: np.ndarray) -> np.ndarray:
        """Each vector's agreement with the reality (March's knowledge, the stop rule)."""
        ...

    def knowledge(self, vectors: np.ndarray) -> np.ndarray:
        """Each row's knowledge (for the metrics only): how good the beliefs are."""
        ...

    def mean_knowledge(self, vectors: np.ndarray) -> float:
        """The mean of :meth:`knowledge` over rows (or of one vector's)."""
        ...

    def output(self, performance: np.ndarray) -> np.ndarray:
        """Realized performance on a scale from 0 (worst) to 1 (best): what a full step
        of work produces (the productivity metric)."""
        ...

    def performance(self, actions: np.ndarray, memo: str | None = None) -> np.ndarray:
        """Each row of actions' realized performance. Calls naming the same ``memo`` may
        reuse the last one's values for the rows that did not change."""
        ...

    def codifiable_performance(self, actions: np.ndarray, codifiable: int) -> np.ndarray:
        """Performance on the dimensions the code can hold."""
        ...

    def code_performance(self, code: np.ndarray, rng: np.random.Generator) -> float:
        """The code's own performance."""
        ...

    def trial(
        self, actions: np.ndarray, performance: np.ndarray, rows: np.ndarray, dims: np.ndarray,
        values: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(whether each trial beat the opposite value, each trial's performance)."""
        ...


class Reality:
    """March's reality: m dimensions, each +1 or -1 with probability 1/2.

    Turbulence flips each dimension with probability p4 per step. Performance is
    the number of actions that match reality minus the number that do not.
    """

    def __init__(self, dimensions: int, rng: np.random.Generator) -> None:
        self.values = np.where(rng.random(dimensions) < 0.5, 1, -1).astype(np.int8)

    @property
    def dimensions(self) -> int:
        """Number of dimensions, m."""
        return len(self.values)

    @property
    def scale(self) -> float:
        """What performance is divided by to lie in [-1, 1]: m."""
        return float(self.dimensions)

    def drift(self, turbulence: float, rng: np.random.Generator) -> int:
        """Flip each dimension with probability ``turbulence``; returns how many flipped."""
        if turbulence <= 0.0:
            return 0
        flips = rng.random(self.dimensions) < turbulence
        self.values[flips] *= -1
        return int(flips.sum())

    def shock(self, share: float, rng: np.random.Generator) -> int:
        """Flip exactly round(share x m) dimensions chosen at random."""
        dims = rng.choice(self.dimensions, size=round(share * self.dimensions), replace=False)
        self.values[dims] *= -1
        return len(dims)

    def score(self, vectors: np.ndarray) -> np.ndarray:
        """Sum over dimensions of vector x reality, for each row (or for one vector).

        Exact: float32 sums of small integers, returned as int32.
        """
        return (vectors.astype(np.float32) @ self.values.astype(np.float32)).astype(np.int32)

    def knowledge(self, vectors: np.ndarray) -> np.ndarray:
        """March's score, (correct - wrong) / m, for each row: in [-1, 1]."""
        return self.score(vectors) / self.dimensions

    def mean_knowledge(self, vectors: np.ndarray) -> float:
        """March's score averaged over rows (as March computes it: the mean, then / m)."""
        return float(self.score(vectors).mean()) / self.dimensions

    def output(self, performance: np.ndarray) -> np.ndarray:
        """Performance (actions . reality, from -m to m) mapped onto [0, 1]."""
        return (performance / self.dimensions + 1.0) / 2.0

    def performance(self, actions: np.ndarray, memo: str | None = None) -> np.ndarray:
        """Realized performance of each row of actions: actions . reality (one product:
        ``memo`` would save nothing)."""
        return self.score(actions)

    def codifiable_performance(self, actions: np.ndarray, codifiable: int) -> np.ndarray:
        """Performance on the first ``codifiable`` dimensions only (what the code can hold)."""
        part = self.values[:codifiable].astype(np.float32)
        return (actions[:, :codifiable].astype(np.float32) @ part).astype(np.int32)

    def code_performance(self, code: np.ndarray, rng: np.random.Generator) -> float:
        """The code's score, code . reality (zeros count 0: the mean of a coin flip)."""
        return float(self.score(code))

    def better(
        self, actions: np.ndarray, rows: np.ndarray, dims: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """Whether ``values`` on ``dims`` beats the opposite value, the rest of the row as acted."""
        return values == self.values[dims]

    def trial_performance(
        self, actions: np.ndarray, rows: np.ndarray, dims: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """Performance of each of ``rows`` had it acted with ``values`` on ``dims``."""
        change = (values.astype(np.int32) - actions[rows, dims]) * self.values[dims]
        return self.score(actions[rows]) + change

    def trial(
        self, actions: np.ndarray, performance: np.ndarray, rows: np.ndarray, dims: np.ndarray,
        values: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(:meth:`better`, :meth:`trial_performance`) at once; ``performance`` is the
        performance of ``actions``."""
        return self.better(actions, rows, dims, values), self.trial_performance(
            actions, rows, dims, values
        )


class NKLandscape:
    """An NK landscape: N dimensions, each contributing a value that depends on K others.

    Contributions are uniform on [0, 1) for each of the 2^(K+1) states of a
    dimension and its partners; fitness is their mean, divided by the
    landscape's maximum (found by trying all 2^N solutions) and raised to
    ``power``. Knowledge is the fitness of the solution held (:meth:`knowledge`);
    the best solution (``values``) is kept for the metrics that compare with it.
    Turbulence redraws a dimension's contributions.
    """

    def __init__(
        self, n: int, k: int, interactions: str, power: int, rng: np.random.Generator
    ) -> None:
        self.n, self.k, self.power = n, k, power
        if interactions == "adjacent":
            partners = (np.arange(n)[:, None] + np.arange(1, k + 1)) % n
        else:
            keys = rng.random((n, n))
            keys[np.arange(n), np.arange(n)] = np.inf
            partners = np.argsort(keys, axis=1)[:, :k]
        self.deps = np.column_stack([np.arange(n), partners]).astype(np.int64)
        self.table = rng.random((n, 2 ** (k + 1)))
        self._weights = np.int64(1) << np.arange(k, -1, -1, dtype=np.int64)
        self._dims = np.arange(n)
        self._sums: SolutionSums | None = None  # every solution's sum, once turbulence redraws
        self._memo: dict[object, tuple[np.ndarray, np.ndarray]] = {}  # rows last evaluated
        self._normalize()

    @property
    def dimensions(self) -> int:
        """Number of dimensions, N."""
        return self.n

    @property
    def scale(self) -> float:
        """Performance is already normalized to [0, 1]."""
        return 1.0

    def _raw(self, actions: np.ndarray) -> np.ndarray:
        """Mean contribution of each row of actions (+1 or -1 per dimension)."""
        bits = (actions > 0).astype(np.int64)
        index = bits[:, self.deps] @ self._weights  # (rows, N): each dimension's state
        return self.table[self._dims, index].mean(axis=1)

    def _normalize(self) -> None:
        """Find the global maximum by trying every solution (remembered by landscape)."""
        key = hashlib.blake2b(self.table.tobytes() + self.deps.tobytes(), digest_size=16).digest()
        if key not in _MAXIMA:
            if len(_MAXIMA) >= _MAXIMA_SIZE:
                _MAXIMA.pop(next(iter(_MAXIMA)))
            _MAXIMA[key] = landscape_maximum(self.table, self.deps)
        self._best(*_MAXIMA[key])

    def _best(self, maximum: float, arg: int) -> None:
        self.maximum = maximum
        bits = (arg >> (self.n - 1 - np.arange(self.n))) & 1
        self.values = (bits * 2 - 1).astype(np.int8)

    def _redraw(self, dims: np.ndarray, rng: np.random.Generator) -> None:
        """New contributions for ``dims``, and the maximum found again: from every solution's
        sum, kept up to date from the first redraw on (``landscape``), where N allows."""
        before = self.table[dims].copy()
        self.table[dims] = rng.random((len(dims), self.table.shape[1]))
        self._memo.clear()  # every fitness changes
        if self.n > KEEP_SUMS_UP_TO:
            self._normalize()
            return
        if self._sums is None:
            self._sums = SolutionSums(self.table, self.deps)
        else:
            self._sums.redrawn(self.table, dims, before)
        self._best(*self._sums.maximum(self.table))

    def _as_int(self, actions: np.ndarray) -> np.ndarray:
        weights = np.int64(1) << (self.n - 1 - np.arange(self.n, dtype=np.int64))
        return (actions > 0).astype(np.int64) @ weights

    def drift(self, turbulence: float, rng: np.random.Generator) -> int:
        """Redraw each dimension's contributions with probability ``turbulence``."""
        if turbulence <= 0.0:
            return 0
        changed = np.flatnonzero(rng.random(self.n) < turbulence)
        if len(changed):
            self._redraw(changed, rng)
        return len(changed)

    def shock(self, share: float, rng: np.random.Generator) -> int:
        """Redraw the contributions of exactly round(share x N) dimensions."""
        changed = rng.choice(self.n, size=round(share * self.n), replace=False)
        self._redraw(changed, rng)
        return len(changed)

    def score(self, vectors: np.ndarray) -> np.ndarray:
        """Agreement with the best solution: vector . best, for each row (or one vector).
        Not knowledge on a rugged landscape (other solutions may be nearly as good)."""
        return (vectors.astype(np.float32) @ self.values.astype(np.float32)).astype(np.int32)

    def knowledge(self, vectors: np.ndarray) -> np.ndarray:
        """The fitness of each row's solution, normalized as performance is, in [0, 1]. An
        undecided belief (0) counts half for each value: the mean of the fitness with
        every 0 read as +1 and with every 0 read as -1."""
        rows = np.atleast_2d(vectors)
        return self._unchanged_rows(("knowledge", len(rows)), rows, self._knowledge)

    def _knowledge(self, rows: np.ndarray) -> np.ndarray:
        up = self.performance(np.where(rows == 0, 1, rows))
        down = up.copy()  # the same where a row has no 0
        undecided = np.flatnonzero((rows == 0).any(axis=1))
        if len(undecided):
            down[undecided] = self.performance(np.where(rows[undecided] == 0, -1, rows[undecided]))
        return (up + down) / 2.0

    def _unchanged_rows(
        self, slot: object, rows: np.ndarray, evaluate: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """``evaluate(rows)``, row by row, with the last call's values (same ``slot``, same
        landscape) kept for the rows that did not change: a step changes few of them."""
        last = self._memo.get(slot)
        if last is not None and last[0].shape == rows.shape:
            before, values = last
            changed = np.flatnonzero((rows != before).any(axis=1))
            out = values.copy()
            if len(changed):
                out[changed] = evaluate(rows[changed])
        else:
            out = evaluate(rows)
        self._memo[slot] = (rows.copy(), out.copy())
        return out

    def mean_knowledge(self, vectors: np.ndarray) -> float:
        """:meth:`knowledge` averaged over rows."""
        return float(self.knowledge(vectors).mean())

    def output(self, performance: np.ndarray) -> np.ndarray:
        """Normalized fitness is already on [0, 1]."""
        return performance

    def performance(self, actions: np.ndarray, memo: str | None = None) -> np.ndarray:
        """Normalized fitness of each row of actions, in [0, 1]; with ``memo``, rows that
        did not change since the last call with the same ``memo`` are not evaluated again."""
        rows = np.atleast_2d(actions)
        if memo is not None:
            return self._unchanged_rows(memo, rows, self.performance)
        return whole_power(self._raw(rows) / self.maximum, self.power)

    def codifiable_performance(self, actions: np.ndarray, codifiable: int) -> np.ndarray:
        """Fitness does not split by dimension: the whole fitness (the acted rows are
        those of the step's performance, but for the trials)."""
        return self.performance(actions, memo="acted")

    def code_performance(self, code: np.ndarray, rng: np.random.Generator) -> float:
        """Fitness of acting on the code, with a coin flip where it is 0."""
        acted = np.where(code == 0, np.where(rng.random(self.n) < 0.5, 1, -1), code)
        return float(self.performance(acted)[0])

    def better(
        self, actions: np.ndarray, rows: np.ndarray, dims: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """Whether ``values`` on ``dims`` beats the opposite value, the rest of the row as acted."""
        trial = actions[rows].copy()
        at = np.arange(len(rows))
        trial[at, dims] = values
        with_value = self.performance(trial)
        trial[at, dims] = -values
        return with_value > self.performance(trial)

    def trial_performance(
        self, actions: np.ndarray, rows: np.ndarray, dims: np.ndarray, values: np.ndarray
    ) -> np.ndarray:
        """Performance of each of ``rows`` had it acted with ``values`` on ``dims``."""
        trial = actions[rows].copy()
        trial[np.arange(len(rows)), dims] = values
        return self.performance(trial)

    def trial(
        self, actions: np.ndarray, performance: np.ndarray, rows: np.ndarray, dims: np.ndarray,
        values: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(:meth:`better`, :meth:`trial_performance`) at once; ``performance`` is the
        performance of ``actions``, reused where the opposite value is the one acted."""
        trial = actions[rows].copy()
        at = np.arange(len(rows))
        trial[at, dims] = values
        with_value = self.performance(trial)
        opposite = np.asarray(performance[rows], dtype=float).copy()
        other = actions[rows, dims] != -values
        if other.any():
            flipped = trial[other]
            flipped[np.arange(len(flipped)), dims[other]] = -values[other]
            opposite[other] = self.performance(flipped)
        return with_value > opposite, with_value


def build_environment(spec: EnvironmentSpec, rng: np.random.Generator) -> Environment:
    """The scenario's environment, drawn from ``rng``."""
    if spec.kind == "nk":
        return NKLandscape(spec.dimensions, spec.k, spec.interactions, spec.power, rng)
    return Reality(spec.dimensions, rng)
