"""The organization's layout as its spec implies it: team sizes, torus shape, expected ties.

Pure arithmetic on the spec, so that the schema can refuse an organization too large to
build before the engine builds it; the engine's network builders use the same rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .schema import Organization

__all__ = ["contiguous_teams", "expected_ties", "hierarchy_teams", "torus_shape"]


def torus_shape(n: int, width: int | None) -> tuple[int, int]:
    """(width, height) of the torus for n employees: the given width, or the squarest grid."""
    if width is None:
        height = max(d for d in range(1, int(n**0.5) + 1) if n % d == 0)
        return n // height, height
    return width, n // width


def contiguous_teams(n: int, teams: int) -> np.ndarray:
    """Team of each employee: ``teams`` contiguous blocks of near-equal size."""
    return (np.arange(n) * teams // n).astype(np.int32)


def expected_ties(org: Organization) -> float:
    """How many ties the organization's network will have, on average."""
    n, net = org.employees, org.network
    pairs = n * (n - 1) / 2
    match net.kind:
        case "complete":
            return pairs
        case "none":
            return 0.0
        case "teams":
            sizes = np.bincount(contiguous_teams(n, org.teams)).astype(float)
            within = float((sizes * (sizes - 1) / 2).sum())
            return within * net.within_team_ties + (pairs - within) * net.cross_team_ties
        case "random":
            return net.density * pairs
        case "small_world" | "ring":
            return n * net.neighbours / 2
        case "scale_free":
            return float(net.attach * (n - net.attach))
        case "hierarchy":
            sizes = np.bincount(hierarchy_teams(n, org.teams)[org.teams + 1 :]).astype(float)
            return n - 1 + float((sizes * (sizes - 1) / 2).sum()) * net.within_team_ties
        case "line":
            return n - 1.0
        case "torus":
            return 2.0 * n
    raise AssertionError(net.kind)  # pragma: no cover - the schema lists every kind


def hierarchy_teams(n: int, t: int) -> np.ndarray:
    """Row 0 is the head (-1), rows 1..t are the team managers, the rest are split into t teams."""
    teams = np.empty(n, dtype=np.int32)
    teams[0] = -1
    teams[1 : t + 1] = np.arange(t)
    teams[t + 1 :] = contiguous_teams(n - t - 1, t)
    return teams
