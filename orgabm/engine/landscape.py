"""Every solution's fitness on an NK landscape, found once and kept up to date.

Normalizing an NK landscape needs its maximum over all 2^N solutions. Turbulence redraws
a few dimensions' contributions, and the maximum must be found again: enumerating costs N
passes over every solution, while keeping every solution's sum and adding the redrawn
dimensions' changes costs one pass per redrawn dimension. Sums kept that way drift from
the dimension-order sum by rounding, so the few solutions near the top are summed again
exactly: the maximum and its solution are the ones enumeration finds, to the bit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KEEP_SUMS_UP_TO", "SolutionSums", "landscape_maximum"]

#: Largest N whose solution sums are kept between redraws (2^22 sums: 32 MiB); above it,
#: every redraw enumerates again.
KEEP_SUMS_UP_TO = 22
#: Kept sums are rebuilt from scratch after this many redraws, which bounds their drift.
REBUILD_AFTER = 256
#: Solutions whose kept sum is this close to the top are summed again exactly. The drift
#: after REBUILD_AFTER redraws of all 24 dimensions is below 1e-10 (each addition rounds
#: by at most 2^-52 of a sum below 24).
NEAR_TOP = 1e-9


def _half_index(values: np.ndarray, pos: np.ndarray, use: np.ndarray) -> np.ndarray:
    """For each of ``values`` (one half of a solution's bits), each dimension's part of its
    table index: the bits at ``pos`` where ``use``, the first partner the index's top bit."""
    shifts = np.arange(pos.shape[1] - 1, -1, -1, dtype=np.int64)
    bits = (values[:, None, None] >> np.where(use, pos, 0)[None]) & 1
    return (np.where(use[None], bits, 0) << shifts).sum(axis=2)


class SolutionSums:
    """The sum of contributions of every solution of a landscape (``table``, ``deps``).

    A solution is (h, l), its top and bottom halves of bits, and a dimension's table index
    is the OR of a part read from h and a part read from l; so each dimension adds, to a
    block of rows h, a small gather (its distinct l-parts) spread along l. Blocks stay in
    cache, the index of all 2^N solutions is never built, and every solution's sum is
    added up in dimension order, as a loop over the dimensions would.
    """

    def __init__(self, table: np.ndarray, deps: np.ndarray) -> None:
        n = table.shape[0]
        self.n, self.deps = n, deps
        low = n // 2
        pos = (n - 1 - deps).astype(np.int64)  # each partner's bit in the solution
        up = pos >= low
        self._top = _half_index(np.arange(1 << (n - low), dtype=np.int64), pos - low, up)
        bottom = _half_index(np.arange(1 << low, dtype=np.int64), pos, ~up)
        self._parts = [np.unique(bottom[:, i], return_inverse=True) for i in range(n)]
        self._rows = max(1, (1 << 15) >> low)  # blocks of about 32,768 solutions
        self._weights = np.int64(1) << np.arange(deps.shape[1] - 1, -1, -1, dtype=np.int64)
        self._build(table)

    def _build(self, table: np.ndarray) -> None:
        self.sums = np.zeros((len(self._top), 1 << (self.n // 2)))
        self.redraws = 0
        for start in range(0, len(self.sums), self._rows):
            block = self.sums[start : start + self._rows]
            for i in range(self.n):
                block += self._spread(i, table[i], start)

    def _spread(self, i: int, values: np.ndarray, start: int) -> np.ndarray:
        """Dimension i's contribution (``values`` by table index) to a block of solutions."""
        kinds, where = self._parts[i]
        index = self._top[start : start + self._rows, i, None] | kinds
        return np.take(values[index], where, axis=1)

    def redrawn(self, table: np.ndarray, dims: np.ndarray, before: np.ndarray) -> None:
        """Dimensions ``dims`` now contribute ``table[dims]``, where they gave ``before``."""
        self.redraws += 1
        if self.redraws > REBUILD_AFTER:
            self._build(table)
            return
        for i, old in zip(dims, before, strict=True):
            change = table[i] - old
            for start in range(0, len(self.sums), self._rows):
                self.sums[start : start + self._rows] += self._spread(int(i), change, start)

    def exact(self, table: np.ndarray, solutions: np.ndarray) -> np.ndarray:
        """Each solution's (integers, dimension 0 the top bit) sum in dimension order."""
        bits = (solutions[:, None] >> (self.n - 1 - np.arange(self.n))) & 1
        index = bits[:, self.deps] @ self._weights
        return np.add.accumulate(table[np.arange(self.n), index], axis=1)[:, -1]

    def maximum(self, table: np.ndarray) -> tuple[float, int]:
        """The best mean contribution and its solution; on ties, the lowest solution."""
        flat = self.sums.ravel()
        if self.redraws == 0:  # built by adding in dimension order: exact
            arg = int(flat.argmax())
            return float(flat[arg]) / self.n, arg
        near = np.flatnonzero(flat >= flat.max() - NEAR_TOP)
        exact = self.exact(table, near)
        arg = int(near[int(exact.argmax())])
        return float(exact.max()) / self.n, arg


def landscape_maximum(table: np.ndarray, deps: np.ndarray) -> tuple[float, int]:
    """The best mean contribution over all 2^N solutions, and its solution (as an integer,
    dimension 0 its top bit): every solution is tried, exactly."""
    return SolutionSums(table, deps).maximum(table)
