"""Employees: Mesa agents that view their row of the model's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import Cell, FixedAgent

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = ["Employee"]


class Employee(FixedAgent):
    """One seat in the organization, sitting on one node of the network.

    The state lives in the model's arrays (one row per employee); the agent's
    attributes read and write its row. When turnover replaces the occupant,
    the seat (and this agent) stays and the row is reset.
    """

    model: OrgModel

    def __init__(self, model: OrgModel, cell: Cell, row: int) -> None:
        super().__init__(model)
        self.cell = cell
        self.row = int(row)

    @property
    def beliefs(self) -> np.ndarray:
        """This employee's beliefs, a writable view of the model's row."""
        return self.model.beliefs[self.row]

    @beliefs.setter
    def beliefs(self, values: np.ndarray) -> None:
        self.model.beliefs[self.row] = values

    @property
    def knowledge(self) -> float:
        """The beliefs' knowledge: March's score, or on NK the fitness of the solution."""
        return self.model.reality.mean_knowledge(self.beliefs)

    @property
    def performance(self) -> float:
        """Realized performance in the last step, (actions . reality) / m; NaN before any step."""
        if self.model.performance is None:
            return float("nan")
        return float(self.model.performance[self.row]) / self.model.reality.scale

    @property
    def socialization(self) -> float:
        """This employee's socialization rate (p1)."""
        return float(self.model.socialization[self.row])

    @property
    def fast_learner(self) -> bool:
        """Whether this employee is one of the fast learners."""
        return bool(self.model.fast_learner[self.row])

    @property
    def team(self) -> int:
        """The team this employee belongs to."""
        return int(self.model.team[self.row])

    @property
    def tenure(self) -> int:
        """Steps since the current occupant joined."""
        return int(self.model.tenure[self.row])

    @property
    def skill(self) -> float:
        """How faithfully this employee learns from others, reviews and training, in [0, 1]."""
        return float(self.model.skill[self.row])

    @property
    def risk_tolerance(self) -> float:
        """Willingness to try a belief not held, in [0, 1]."""
        return float(self.model.risk_tolerance[self.row])

    @property
    def safety(self) -> float:
        """Perceived psychological safety, in [0, 1]."""
        return float(self.model.safety[self.row])

    @property
    def openness(self) -> float:
        """Openness to others' ideas, in [0, 1]."""
        return float(self.model.openness[self.row])

    @property
    def is_leader(self) -> bool:
        """Whether this employee leads their team."""
        return bool(self.model.is_leader[self.row])

    @property
    def hires(self) -> int:
        """How many times this seat has been filled by a newcomer through turnover."""
        return int(self.model.hires[self.row])

    def __repr__(self) -> str:
        return f"Employee(row={self.row}, team={self.team}, knowledge={self.knowledge:+.2f})"
