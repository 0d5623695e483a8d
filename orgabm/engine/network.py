"""Networks of employees: every kind a scenario can ask for, built from the model's rng.

``build_network(org, rng)`` (``org`` a scenario's organization section) returns a
networkx graph on nodes 0..n-1 (node i is employee row i) and each employee's team.
The same rng state gives the same graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from mesa.discrete_space import Cell, Network

if TYPE_CHECKING:
    from ..scenario import Organization

from ..scenario.layout import contiguous_teams, hierarchy_teams, torus_shape

__all__ = ["OrgNetwork", "Ties", "build_network", "team_leaders"]


class OrgNetwork(Network):
    """Mesa's Network, wired cell by cell in one step: Mesa's own wiring clears each
    cell's caches once per tie, a third of a 100-person complete network's run."""

    def _connect_single_cell(self, cell: Cell) -> None:
        cell.connections.update(
            (node, self._cells[node]) for node in self.G.neighbors(cell.coordinate)
        )
        cell._clear_cache()


def build_network(org: Organization, rng: np.random.Generator) -> tuple[nx.Graph, np.ndarray]:
    """The organization's graph (nodes 0..n-1) and each employee's team.

    In a hierarchy, rows 1..teams are the managers; see :func:`team_leaders`.
    """
    n, t, net = org.employees, org.teams, org.network
    teams = contiguous_teams(n, t)
    match net.kind:
        case "complete":
            g = nx.complete_graph(n)
        case "none":
            g = nx.empty_graph(n)
        case "line":
            g = nx.path_graph(n)
        case "ring":
            g = nx.circulant_graph(n, range(1, net.neighbours // 2 + 1))
        case "small_world":
            g = nx.watts_strogatz_graph(n, net.neighbours, net.rewire, seed=_seed(rng))
        case "scale_free":
            g = nx.barabasi_albert_graph(n, net.attach, seed=_seed(rng))
        case "random":
            g = _random_by_density(n, net.density, net.connected, rng)
        case "teams":
            g = _teams(teams, net.within_team_ties, net.cross_team_ties, rng)
        case "hierarchy":
            teams = hierarchy_teams(n, t)
            g = _hierarchy(teams, t, net.within_team_ties, rng)
            teams = np.maximum(teams, 0)  # the head sits with team 0
        case "torus":
            width, height = torus_shape(n, net.width)
            grid = nx.grid_2d_graph(height, width, periodic=True)
            g = nx.convert_node_labels_to_integers(grid, ordering="sorted")
        case _:  # pragma: no cover - the schema lists every kind
            raise AssertionError(net.kind)
    return g, teams


def _seed(rng: np.random.Generator) -> int:
    """An int seed for networkx, drawn from the model's rng."""
    return int(rng.integers(2**31))


def _graph(n: int, edges: np.ndarray) -> nx.Graph:
    g = nx.empty_graph(n)
    g.add_edges_from(edges.tolist())
    return g


def _unique_pairs(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Undirected pairs (i < j), without self-pairs or repeats, in first-seen order."""
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keep = lo != hi
    pairs = np.stack([lo[keep], hi[keep]], axis=1)
    _, first = np.unique(pairs, axis=0, return_index=True)
    return pairs[np.sort(first)]


def _random_pairs(
    n: int, count: int, rng: np.random.Generator, exclude: set[tuple[int, int]], ok=None
) -> np.ndarray:
    """``count`` distinct random pairs not in ``exclude`` and, if given, with ``ok(i, j)``."""
    out = np.empty((0, 2), dtype=np.int64)
    taken = set(exclude)
    while len(out) < count:
        need = count - len(out)
        i = rng.integers(0, n, size=2 * need + 16)
        j = rng.integers(0, n, size=2 * need + 16)
        if ok is not None:
            mask = ok(i, j)
            i, j = i[mask], j[mask]
        fresh = [p for p in map(tuple, _unique_pairs(i, j).tolist()) if p not in taken]
        fresh = fresh[:need]
        taken.update(fresh)
        if fresh:
            out = np.concatenate([out, np.array(fresh, dtype=np.int64)])
    return out


def _random_by_density(
    n: int, density: float, connected: bool, rng: np.random.Generator
) -> nx.Graph:
    """G(n, M) with M = density * n(n-1)/2 ties; if connected, a random tree comes first."""
    total = round(density * n * (n - 1) / 2)
    if not connected:
        return _graph(n, _random_pairs(n, total, rng, set()))
    order = rng.permutation(n)
    parents = order[(rng.random(n - 1) * np.arange(1, n)).astype(np.int64)]
    tree = _unique_pairs(order[1:], parents)
    extra = _random_pairs(n, total - len(tree), rng, set(map(tuple, tree.tolist())))
    return _graph(n, np.concatenate([tree, extra]))


def _teams(teams: np.ndarray, within: float, cross: float, rng: np.random.Generator) -> nx.Graph:
    """Ties inside a team with probability ``within``, across teams with ``cross``."""
    n = len(teams)
    edges = [_within_team(teams, within, rng)]
    sizes = np.bincount(teams).astype(np.int64)
    cross_pairs = n * (n - 1) // 2 - int((sizes * (sizes - 1) // 2).sum())
    count = int(rng.binomial(cross_pairs, cross)) if cross_pairs else 0
    if count:
        edges.append(_random_pairs(n, count, rng, set(), ok=lambda i, j: teams[i] != teams[j]))
    return _graph(n, np.concatenate(edges))


def _within_team(teams: np.ndarray, p: float, rng: np.random.Generator) -> np.ndarray:
    """Each pair of teammates tied with probability p (teams are contiguous runs of rows)."""
    blocks = []
    for team in np.unique(teams[teams >= 0]):
        rows = np.flatnonzero(teams == team)
        a, b = np.triu_indices(len(rows), 1)
        if p < 1.0:
            keep = rng.random(len(a)) < p
            a, b = a[keep], b[keep]
        blocks.append(np.stack([rows[a], rows[b]], axis=1))
    return np.concatenate(blocks) if blocks else np.empty((0, 2), dtype=np.int64)


def _hierarchy(teams: np.ndarray, t: int, within: float, rng: np.random.Generator) -> nx.Graph:
    """The head tied to every manager, each manager to their team's members."""
    n = len(teams)
    managers = np.arange(1, t + 1)
    members = np.arange(t + 1, n)
    up = np.stack([np.zeros(t, dtype=np.int64), managers], axis=1)
    down = np.stack([managers[teams[members]], members], axis=1)
    member_teams = np.full(n, -1, dtype=np.int32)
    member_teams[members] = teams[members]
    side = _within_team(member_teams, within, rng) if within > 0 else np.empty((0, 2), np.int64)
    return _graph(n, np.concatenate([up, down, side]))


def team_leaders(teams: np.ndarray, count: int, hierarchy: bool = False) -> np.ndarray:
    """Each team's leader: its manager in a hierarchy (rows 1..count), else its first row.

    -1 for a team with no members.
    """
    if hierarchy:
        return np.arange(1, count + 1)
    leaders = np.full(count, -1, dtype=np.int64)
    present, first = np.unique(teams, return_index=True)
    leaders[present] = first
    return leaders


class Ties:
    """Undirected ties as compressed rows: the neighbours of row i are
    ``indices[indptr[i]:indptr[i + 1]]``. Vectorized lookups for the step phases."""

    def __init__(self, n: int, edges: np.ndarray) -> None:
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        src = np.concatenate([edges[:, 0], edges[:, 1]])
        dst = np.concatenate([edges[:, 1], edges[:, 0]])
        order = np.argsort(src, kind="stable")
        self.n = n
        self.indices = dst[order]
        self.owner = src[order]
        self.degree = np.bincount(src, minlength=n)
        self.indptr = np.concatenate([[0], np.cumsum(self.degree)])

    @classmethod
    def from_graph(cls, graph: nx.Graph, row_of: dict | None = None) -> Ties:
        """Ties of a graph whose nodes are rows (or map to rows through ``row_of``)."""
        edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
        if row_of is not None and len(edges):
            edges = np.vectorize(row_of.__getitem__, otypes=[np.int64])(edges)
        return cls(graph.number_of_nodes(), edges)

    def best(self, score: np.ndarray, noise: np.ndarray | None = None) -> np.ndarray:
        """For each row, the neighbour with the highest score; -1 if none.

        ``noise`` (one value per tie end, below the smallest gap between distinct
        scores) breaks ties independently for each row; without it the first wins.
        """
        best = np.full(self.n, -1, dtype=np.int64)
        if len(self.indices) == 0:
            return best
        values = score[self.indices] if noise is None else score[self.indices] + noise
        has = self.degree > 0
        top = np.full(self.n, -np.inf)
        top[has] = np.maximum.reduceat(values, self.indptr[:-1][has])
        hits = np.flatnonzero(values == top[self.owner])[::-1]
        best[self.owner[hits]] = self.indices[hits]  # reversed: the first hit is written last
        return best

    def best_of(self, rows: np.ndarray, score: np.ndarray) -> np.ndarray:
        """:meth:`best` for the given rows only (the first on a tie); -1 if none."""
        positions = self._positions(rows)
        best = np.full(len(rows), -1, dtype=np.int64)
        if len(positions) == 0:
            return best
        values = score[self.indices[positions]]
        counts = self.degree[rows]
        has = counts > 0
        starts = (np.cumsum(counts) - counts)[has]
        top = np.full(len(rows), -np.inf)
        top[has] = np.maximum.reduceat(values, starts)
        local = np.repeat(np.arange(len(rows)), counts)
        hits = np.flatnonzero(values == top[local])[::-1]
        best[local[hits]] = self.indices[positions[hits]]
        return best

    def _positions(self, rows: np.ndarray) -> np.ndarray:
        """Positions in ``indices`` of the tie ends of the given rows, row after row."""
        counts = self.degree[rows]
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64)
        starts = np.repeat(self.indptr[rows] - np.cumsum(counts) + counts, counts)
        return starts + np.arange(total)

    def neighbours_of(self, rows: np.ndarray) -> np.ndarray:
        """All neighbours of the given rows, concatenated (one tied to two of them comes twice)."""
        return self.indices[self._positions(rows)]
