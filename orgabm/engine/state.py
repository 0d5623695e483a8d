"""The engine's state: every array a step phase reads or writes, and the levers it obeys.

A phase's signature says what it touches: ``share(state, levers, rng)`` reads and writes
:class:`EngineState` and reads :class:`Levers`. The model owns one state; its Mesa agents
and the dashboard view its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from ..scenario import Calibration, Scenario
    from .environments import Environment
    from .experimentation import Trial
    from .network import Ties

__all__ = ["COUNTERS", "EngineState", "Levers", "at"]

#: Per-step counts, reset at the start of every step (``state.counts``).
COUNTERS = (
    "experiments", "innovations", "failures", "kept", "punishments", "reported_failures",
    "shares", "encounters", "lessons", "reviews", "cost", "silenced",
)  # fmt: skip


@dataclass(eq=False)
class EngineState:
    """The organization's state. Arrays marked *row* have one row per employee and are
    kept in step when employees leave; *team* arrays have one row per team."""

    beliefs: np.ndarray
    """row x dimension, int8 in {-1, 0, +1}: each employee's mental model."""
    fast_learner: np.ndarray
    """row, bool: socializes at the fast learners' rate."""
    tenure: np.ndarray
    """row, int: steps since this seat's employee was hired."""
    hires: np.ndarray
    """row, int: how many newcomers have taken this seat."""
    team: np.ndarray
    """row, int: each employee's team."""
    skill: np.ndarray
    """row, float in [0, 1]: how faithfully one learns from others, reviews, training."""
    risk_tolerance: np.ndarray
    """row, float in [0, 1]: willingness to try a belief one does not hold."""
    safety: np.ndarray
    """row, float in [0, 1]: perceived psychological safety."""
    openness: np.ndarray
    """row, float in [0, 1]: openness to colleagues' ideas."""
    is_leader: np.ndarray
    """row, bool: leads a team."""
    leaders: np.ndarray
    """team, int: each team's leader's row (-1 for none)."""
    findings: np.ndarray
    """team x dimension, int8 in {-1, 0, +1}: since the team's last review, the value its
    latest reported experiment on each dimension found better (0: none reported). What the
    reporter saw, through feedback, in their own context: not the reality."""
    failures_reported: np.ndarray
    """team, int: failures reported since the team's last review."""
    last_review_failures: np.ndarray
    """team, int: failures the team's last review had to learn from."""
    team_experiments: np.ndarray
    """team, int: experiments this step."""
    busy: np.ndarray
    """row, float: the share of this step's working time spent learning (experiments,
    reviews, training, mentoring, sharing, encounters), each at its ``*_time``."""
    code: np.ndarray
    """dimension, int8: March's organizational code."""
    ties: Ties
    """The network's ties, in row numbers."""
    reality: Environment
    """The hidden reality. Only the metrics, and feedback on what was acted out, read it."""
    teams: int
    """Number of teams."""
    step: int = 0
    """The step being run (``model.time`` during a step)."""
    actions: np.ndarray | None = None
    """row x dimension, int8 in {-1, +1}: this step's actions (None before the first)."""
    performance: np.ndarray | None = None
    """row: this step's realized performance (None before the first)."""
    counts: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    """This step's counts (``COUNTERS``)."""
    last_trial: Trial | None = None
    """This step's experiments (for the dashboard)."""
    last_punished: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    """Rows punished for a failure this step (for the dashboard)."""

    #: The arrays with one row per employee.
    ROWS: ClassVar[tuple[str, ...]] = (
        "beliefs", "fast_learner", "tenure", "hires", "team", "skill", "risk_tolerance",
        "safety", "openness", "is_leader", "actions", "performance", "busy",
    )  # fmt: skip

    @property
    def employees(self) -> int:
        """Number of employees, n."""
        return int(self.beliefs.shape[0])

    @property
    def dimensions(self) -> int:
        """Number of dimensions of reality, m."""
        return int(self.beliefs.shape[1])

    def acted(self) -> tuple[np.ndarray, np.ndarray]:
        """This step's (actions, performance): the phases after *act* read and write them."""
        if self.actions is None or self.performance is None:
            raise RuntimeError("no actions yet: the act phase comes first")
        return self.actions, self.performance

    def performed(self) -> np.ndarray:
        """This step's performance (after the act phase)."""
        if self.performance is None:
            raise RuntimeError("no performance yet: the act phase comes first")
        return self.performance

    def keep_rows(self, keep: np.ndarray) -> None:
        """Keep only the employees where ``keep`` is True (layoffs)."""
        for name in self.ROWS:
            array = getattr(self, name)
            if array is not None:
                setattr(self, name, array[keep])

    def new_step(self, step: int) -> None:
        """Start step ``step``: counts and this step's team tallies back to zero."""
        self.step = step
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.team_experiments[:] = 0
        self.busy[:] = 0.0

    def spend(self, rows: np.ndarray, share: float) -> None:
        """``rows`` spend ``share`` of this step's working time learning (a row may be
        listed more than once)."""
        if share > 0 and len(rows):
            np.add.at(self.busy, rows, share)


@dataclass(frozen=True)
class Levers:
    """What leaders do this step: the scenario's levers, with teams' own overrides."""

    config: Scenario
    team: np.ndarray

    @property
    def calibration(self) -> Calibration:
        """The mechanisms' constants."""
        return self.config.calibration

    def __call__(self, name: str) -> float | np.ndarray:
        """A lever: one number, or one per employee where teams override it."""
        if not self.config.team_leadership:
            return getattr(self.config.leadership, name)
        return self.by_team(name)[self.team]

    def by_team(self, name: str) -> np.ndarray:
        """A lever's value in each team (a team's own leadership overrides)."""
        teams = self.config.organization.teams
        values = np.full(teams, getattr(self.config.leadership, name), dtype=float)
        for team, own in self.config.team_leadership.items():
            value = getattr(own, name)
            if value is not None:
                values[team] = value
        return values

    def in_use(self, name: str) -> bool:
        """Whether a lever is non-zero for anyone (the organization or a team)."""
        if not self.config.team_leadership:
            return bool(getattr(self.config.leadership, name))
        return bool(np.any(self.by_team(name)))


def at(lever: float | np.ndarray, rows: np.ndarray) -> float | np.ndarray:
    """A lever's value for the given rows (a scalar lever is the same for all)."""
    return lever[rows] if isinstance(lever, np.ndarray) else lever


class StateView:
    """A model attribute that is a field of its state (``model.beliefs`` is
    ``model.state.beliefs``), so Mesa-style code and the dashboard read the model."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, model: Any, owner: type | None = None) -> Any:
        if model is None:
            return self
        return getattr(model.state, self.name)

    def __set__(self, model: Any, value: Any) -> None:
        setattr(model.state, self.name, value)


#: Every field of the state (checked by the tests against the model's views).
FIELDS = tuple(f.name for f in fields(EngineState))
