"""Scripted events: a new leader's levers, a turbulence shock, layoffs, a reorganization."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .network import Ties

if TYPE_CHECKING:
    from ..scenario import Event
    from .model import OrgModel

__all__ = ["apply", "fire", "reorganize"]


def fire(model: OrgModel) -> None:
    """Apply every event scheduled for this step, in the order the scenario lists them.
    It takes the model, not the state: an event changes the scenario's settings
    (``model.change``) and replaces employees, which the state does not own."""
    now = int(model.time)
    for event in model.config.events:
        if event.at == now:
            apply(model, event)


def apply(model: OrgModel, event: Event) -> None:
    """Apply one event now, and note it in ``model.event_log``."""
    rng = model.streams["events"]
    now = int(model.time)
    if event.set is not None:
        model.change(event.set)
        said = ", ".join(f"{path} = {value}" for path, value in event.set.items())
        model.event_log.append((now, f"new settings: {said}"))
    elif event.shock is not None:
        flipped = model.reality.shock(event.shock, rng)
        model.event_log.append((now, f"shock: {flipped} of {model.dimensions} dimensions changed"))
    elif event.layoffs is not None:
        count = min(round(event.layoffs * model.employees), model.employees - 2)
        model.remove_employees(rng.choice(model.employees, size=count, replace=False))
        model.event_log.append((now, f"layoffs: {count} employees let go"))
    elif event.reorganize is not None:
        moved = reorganize(model, event.reorganize, rng)
        model.event_log.append((now, f"reorganization: {moved} employees moved to another team"))


def reorganize(model: OrgModel, share: float, rng: np.random.Generator) -> int:
    """Move a share of the non-leaders to another team that has members, rewiring their ties.

    A mover drops all ties and is tied to as many random members of the new team
    as they had ties before the reorganization (at least one). The hierarchy's
    head stays put. Returns how many moved.
    """
    staffed = np.flatnonzero(np.bincount(model.team, minlength=model.teams) > 0)
    if len(staffed) < 2:
        return 0
    movable = ~model.is_leader
    if model.head >= 0:
        movable[model.head] = False
    candidates = np.flatnonzero(movable)
    movers = rng.choice(candidates, size=round(share * len(candidates)), replace=False)
    # a random staffed team other than one's own
    own = np.searchsorted(staffed, model.team[movers])
    new_teams = staffed[(own + rng.integers(1, len(staffed), size=len(movers))) % len(staffed)]
    degrees = model.ties.degree[movers]
    cells = [employee.cell for employee in model.employee_list]
    grid = model.grid
    for row, team, degree in zip(movers, new_teams, degrees, strict=True):
        cell = cells[row]
        for other in list(cell.connections.values()):
            grid.remove_connection(cell, other)
        members = np.flatnonzero(model.team == team)
        count = min(len(members), max(1, int(degree)))
        for other in rng.choice(members, size=count, replace=False):
            grid.add_connection(cell, cells[other])
        model.team[row] = team
    model.ties = Ties.from_graph(grid.G, model.row_of_node())
    model.fill_leaders()
    return len(movers)
