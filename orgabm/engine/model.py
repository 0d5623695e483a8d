"""OrgModel: the organization as a Mesa model whose state lives in numpy arrays."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from ..scenario import Scenario, change_scenario, check_memory, load_scenario
from . import climate, communities, development, events, experimentation, march, reviews, sharing
from .employees import Employee
from .environments import build_environment
from .metrics import METRICS, MetricsRecorder, TeamRecorder
from .network import Ties, build_network, team_leaders
from .traits import draw_traits

__all__ = ["COUNTERS", "OrgModel"]

#: Per-step counts, reset at the start of every step (``model.counts``).
COUNTERS = (
    "experiments", "innovations", "failures", "kept", "punishments", "reported_failures",
    "shares", "encounters", "lessons", "reviews", "cost",
)  # fmt: skip

#: Independent random streams, spawned from the model's rng, one per mechanism. March's
#: own phases draw from ``model.rng`` itself, so switching the others on or off never
#: changes March's draws.
STREAMS = (
    "traits", "experiment", "respond", "share", "meet", "review", "train", "mentor", "events",
)  # fmt: skip

#: The arrays with one row per employee (kept in step when employees leave).
ROW_ARRAYS = (
    "beliefs", "fast_learner", "tenure", "hires", "team", "skill", "risk_tolerance",
    "safety", "openness", "is_leader", "actions", "performance",
)  # fmt: skip

#: Levers that make employees' beliefs move other than through March's code.
BELIEF_LEVERS = ("experimentation", "knowledge_sharing", "communities_of_practice",
                 "after_action_reviews")  # fmt: skip


class OrgModel(mesa.Model):
    """An organization learning about a hidden reality (March 1991, generalized).

    ``OrgModel(scenario, rng=seed)``: ``scenario`` is a Scenario, a mapping, a
    file path or a scenario name (None: the default scenario). The same
    scenario and seed give the same numbers, bit for bit.

    Employee state is held in arrays with one row per employee (``beliefs``,
    ``skill``, ``risk_tolerance``, ``safety``, ``openness``, ``team``,
    ``tenure``, ...). Each step phase is one vectorized operation over all of
    them; the ``Employee`` agents view their rows. Levers are read from
    ``model.config`` at every step, so changing one (``model.change(...)`` or
    ``model.config.leadership.socialization = 0.9``) takes effect at the next
    step.
    """

    #: Metrics a subclass records besides orgabm's own (name -> function of the model).
    extra_metrics: ClassVar[dict[str, Callable[[OrgModel], float]]] = {}

    def __init__(
        self,
        scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
        *,
        rng: int | np.random.Generator | np.random.SeedSequence | None = None,
    ) -> None:
        super().__init__(rng=rng)
        self.config: Scenario = (
            scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        )
        check_memory(self.config)  # a clear error now, not a MemoryError half-way
        cfg, rng = self.config, self.rng
        n, m = cfg.organization.employees, cfg.environment.dimensions
        self.streams = dict(zip(STREAMS, rng.spawn(len(STREAMS)), strict=True))

        self.reality = build_environment(cfg.environment, rng)
        self.beliefs: np.ndarray = march.random_beliefs(
            n, m, rng, cfg.workforce.beliefs == "decided"
        )
        self.code: np.ndarray = np.zeros(m, dtype=np.int8)
        self.fast_learner: np.ndarray = np.zeros(n, dtype=bool)
        share = cfg.workforce.fast_learners.share
        if share > 0:
            self.fast_learner[rng.choice(n, size=round(share * n), replace=False)] = True
        self.tenure: np.ndarray = np.zeros(n, dtype=np.int64)
        self.hires: np.ndarray = np.zeros(n, dtype=np.int64)
        self.actions: np.ndarray | None = None
        self.performance: np.ndarray | None = None

        graph, self.team = build_network(cfg.organization, rng)
        self.grid = Network(graph, capacity=1, random=self.random, layout=None)
        self.ties = Ties.from_graph(graph)
        self.leaders = team_leaders(
            self.team, self.teams, hierarchy=cfg.organization.network.kind == "hierarchy"
        )
        self.is_leader = np.zeros(n, dtype=bool)
        self.is_leader[self.leaders[self.leaders >= 0]] = True
        #: the hierarchy's head (row 0), who stays put in reorganizations; -1 if none
        self.head = 0 if cfg.organization.network.kind == "hierarchy" else -1

        traits = draw_traits(cfg.workforce, n, self.streams["traits"])
        self.skill, self.risk_tolerance, self.safety, self.openness = traits

        self.reported = np.zeros((self.teams, m), dtype=bool)
        self.failures_reported = np.zeros(self.teams, dtype=np.int64)
        self.last_review_failures = np.zeros(self.teams, dtype=np.int64)
        self.team_experiments = np.zeros(self.teams, dtype=np.int64)
        self.counts: dict[str, float] = dict.fromkeys(COUNTERS, 0)
        self.event_log: list[tuple[int, str]] = []
        #: this step's experiments, and the rows punished for a failure (for the dashboard)
        self.last_trial: experimentation.Trial | None = None
        self.last_punished: np.ndarray = np.empty(0, dtype=np.int64)

        self._employees: list[Employee] = list(
            Employee.create_agents(self, n, [self.grid[i] for i in range(n)], row=np.arange(n))
        )

        self.equilibrium = False
        self.running = cfg.steps > 0
        self.datacollector = MetricsRecorder({**METRICS, **self.extra_metrics})
        self.team_recorder = TeamRecorder()
        self.datacollector.collect(self)
        self.team_recorder.collect(self)

    # ------------------------------------------------------------------ views
    @property
    def employees(self) -> int:
        """Number of employees, n."""
        return self.beliefs.shape[0]

    @property
    def dimensions(self) -> int:
        """Number of dimensions of reality, m."""
        return self.beliefs.shape[1]

    @property
    def teams(self) -> int:
        """Number of teams."""
        return self.config.organization.teams

    @property
    def codifiable(self) -> int | None:
        """How many dimensions (the first ones) the code can capture; None: all of them."""
        tacit = self.config.environment.tacit
        return None if tacit == 0 else self.dimensions - round(tacit * self.dimensions)

    @property
    def socialization(self) -> np.ndarray:
        """Each employee's socialization rate (p1): fast learners have their own."""
        fast = self.config.workforce.fast_learners
        return np.where(self.fast_learner, fast.socialization, self.lever("socialization"))

    @property
    def employee_list(self) -> list[Employee]:
        """The employees in row order."""
        return list(self._employees)

    def lever(self, name: str) -> float | np.ndarray:
        """A leadership lever: one number, or one per employee where teams override it."""
        if not self.config.team_leadership:
            return getattr(self.config.leadership, name)
        return self.team_lever(name)[self.team]

    def team_lever(self, name: str) -> np.ndarray:
        """A leadership lever's value in each team (a team's own leadership overrides)."""
        values = np.full(self.teams, getattr(self.config.leadership, name), dtype=float)
        for team, own in self.config.team_leadership.items():
            value = getattr(own, name)
            if value is not None:
                values[team] = value
        return values

    def lever_in_use(self, name: str) -> bool:
        """Whether a lever is non-zero for anyone (the organization or a team)."""
        if not self.config.team_leadership:
            return bool(getattr(self.config.leadership, name))
        return bool(np.any(self.team_lever(name)))

    def change(self, changes: Mapping[str, Any]) -> None:
        """Change settings during the run (validated); they take effect at the next step."""
        self.config = change_scenario(self.config, changes)

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One period, in the order of docs/ODD.md."""
        cfg, rng, streams = self.config, self.rng, self.streams
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.team_experiments[:] = 0
        # environment: reality drifts; scripted events fire
        self.reality.drift(cfg.environment.turbulence, rng)
        events.fire(self)
        cfg = self.config
        # turnover: leavers replaced by newcomers in the same seat
        leavers = march.turnover(cfg.workforce.turnover, self.employees, rng)
        if len(leavers):
            self._replace(leavers)
        # act: beliefs, coin flips on zeros
        self.actions = march.act(self.beliefs, rng)
        self.performance = self.reality.performance(self.actions)
        # the code's score (only needed when the code learns: an NK code draws coin flips)
        code_performance = (
            self.reality.code_performance(self.code, rng) if cfg.leadership.code_learning > 0
            else np.inf
        )  # fmt: skip
        # experiment (trials are acted out; under the copy rule, by those who did not copy),
        # and the climate's answer to how it went
        self.last_punished = np.empty(0, dtype=np.int64)
        copying = cfg.calibration.sharing_rule == "copy"
        copied = sharing.share(self, streams["share"]) if copying else None
        trial = self.last_trial = experimentation.experiment(self, streams["experiment"], copied)
        if trial is not None:
            experimentation.respond(self, trial, streams["respond"])
        # the superior group: those whose realized performance beats the code's (on what the
        # code can hold: tacit dimensions do not count)
        codifiable = self.codifiable
        judged = (
            self.performance
            if codifiable is None
            else self.reality.codifiable_performance(self.actions, codifiable)
        )
        superior = judged > code_performance
        # share: learning from ties (the copy rule shared before experimenting), across teams
        if not copying:
            sharing.share(self, streams["share"])
        communities.meet_across_teams(self, streams["meet"])
        # socialize: beliefs move towards the code
        march.socialize(self.beliefs, self.code, self.socialization, rng)
        # codify: the code learns from the superior group's actions
        march.codify(
            self.code, self.actions, superior, cfg.leadership.code_learning, rng, self.codifiable
        )
        # review, develop, climate
        reviews.review(self, streams["review"])
        development.develop(self, streams["train"], streams["mentor"])
        climate.climate(self)
        # collect
        self.tenure += 1
        self.datacollector.collect(self)
        self.team_recorder.collect(self)
        self._check_stop()

    def _replace(self, rows: np.ndarray) -> None:
        """Newcomers take the seats in ``rows``: fresh random beliefs, fresh traits."""
        rng = self.rng
        self.beliefs[rows] = march.random_beliefs(
            len(rows), self.dimensions, rng, self.config.workforce.beliefs == "decided"
        )
        share = self.config.workforce.fast_learners.share
        if share > 0:
            self.fast_learner[rows] = rng.random(len(rows)) < share
        else:
            self.fast_learner[rows] = False
        traits = draw_traits(self.config.workforce, len(rows), self.streams["traits"])
        for array, fresh in zip(
            (self.skill, self.risk_tolerance, self.safety, self.openness), traits, strict=True
        ):
            array[rows] = fresh
        self.tenure[rows] = 0
        self.hires[rows] += 1

    def remove_employees(self, rows: np.ndarray) -> None:
        """Employees in ``rows`` leave for good (layoffs): their agents, nodes and rows go."""
        keep = np.ones(self.employees, dtype=bool)
        keep[rows] = False
        for row in np.flatnonzero(~keep):
            agent = self._employees[row]
            cell = agent.cell
            agent.remove()
            self.grid.remove_cell(cell)
        old_leaders = self.leaders
        for name in ROW_ARRAYS:
            array = getattr(self, name)
            if array is not None:
                setattr(self, name, array[keep])
        self._employees = [a for a, k in zip(self._employees, keep, strict=True) if k]
        for row, agent in enumerate(self._employees):
            agent.row = row
        self.ties = Ties.from_graph(self.grid.G, self.row_of_node())
        new_row = np.cumsum(keep) - 1
        survived = (old_leaders >= 0) & keep[np.maximum(old_leaders, 0)]
        self.leaders = np.where(survived, new_row[np.maximum(old_leaders, 0)], -1)
        if self.head >= 0:
            self.head = int(new_row[self.head]) if keep[self.head] else -1
        self.fill_leaders()

    def fill_leaders(self) -> None:
        """Give every team with members but no leader its first member as leader."""
        firsts = team_leaders(self.team, self.teams)
        self.leaders = np.where(self.leaders >= 0, self.leaders, firsts)
        self.is_leader = np.zeros(self.employees, dtype=bool)
        self.is_leader[self.leaders[self.leaders >= 0]] = True

    def row_of_node(self) -> dict[Any, int]:
        """Network node -> employee row."""
        return {agent.cell.coordinate: agent.row for agent in self._employees}

    def _check_stop(self) -> None:
        if self.stops_at_equilibrium and march.march_equilibrium(
            self.beliefs, self.code, self.reality
        ):
            self.equilibrium = True
            self.running = False
        if self.time >= self.config.steps:
            self.running = False

    @property
    def stops_at_equilibrium(self) -> bool:
        """Whether this run stops at March's equilibrium: asked for, and one can exist
        (no turnover, turbulence, pending events, or other ways for beliefs to move)."""
        cfg = self.config
        return (
            cfg.stop_at_equilibrium
            and cfg.workforce.turnover == 0
            and cfg.environment.turbulence == 0
            and cfg.environment.kind == "march"
            and cfg.environment.tacit == 0
            and not any(self.lever_in_use(name) for name in BELIEF_LEVERS)
            and not any(event.at > self.time for event in cfg.events)
        )

    # ------------------------------------------------------------------ running
    def run(self, steps: int | None = None) -> OrgModel:
        """Step until the model stops (or for at most ``steps`` more steps); returns self."""
        remaining = float("inf") if steps is None else steps
        while self.running and remaining > 0:
            self.step()
            remaining -= 1
        return self

    def metrics_frame(self) -> pd.DataFrame:
        """The recorded metrics, one row per step (step 0 is the initial state)."""
        return self.datacollector.to_frame()

    def team_frame(self) -> pd.DataFrame:
        """The per-team table: one row per step and team."""
        return self.team_recorder.to_frame()
