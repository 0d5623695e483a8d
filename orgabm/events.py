"""Scripted events: a new leader's levers, a turbulence shock, layoffs, a reorganization."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .network import Ties

if TYPE_CHECKING:
    from .model import OrgModel
    from .scenario import Event

__all__ = ["apply", "fire", "reorganize"]


def fire(model: OrgModel) -> None:
    """Apply every event scheduled for this step, in the order the scenario lists them."""
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
        count = round(event.layoffs * model.employees)
        model.remove_employees(rng.choice(model.employees, size=count, replace=False))
        model.event_log.append((now, f"layoffs: {count} employees let go"))
    elif event.reorganize is not None:
        moved = reorganize(model, event.reorganize, rng)
        model.event_log.append((now, f"reorganization: {moved} employees moved to another team"))


def reorganize(model: OrgModel, share: float, rng: np.random.Generator) -> int:
    """Move a share of the non-leaders to another team, rewiring their ties there.

    A mover drops all ties and is tied to as many random members of the new team
    as they had ties before (at least one). Returns how many moved.
    """
    if model.teams < 2:
        return 0
    candidates = np.flatnonzero(~model.is_leader)
    movers = rng.choice(candidates, size=round(share * len(candidates)), replace=False)
    new_teams = (model.team[movers] + rng.integers(1, model.teams, size=len(movers))) % model.teams
    cells = [employee.cell for employee in model.employee_list]
    grid = model.grid
    for row, team in zip(movers, new_teams, strict=True):
        cell = cells[row]
        degree = len(cell.connections)
        for other in list(cell.connections.values()):
            grid.remove_connection(cell, other)
        members = np.flatnonzero(model.team == team)
        count = min(len(members), max(1, degree))
        for other in rng.choice(members, size=count, replace=False):
            grid.add_connection(cell, cells[other])
        model.team[row] = team
    model.ties = Ties.from_graph(grid.G, model.row_of_node())
    return len(movers)
