"""OrgModel: the organization as a Mesa model whose state lives in numpy arrays."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, ClassVar, cast

import mesa
import numpy as np
import pandas as pd

from ..scenario import Scenario, change_scenario, check_memory, load_scenario
from . import communities, development, events, experimentation, march, metrics, reviews, sharing
from .employees import Employee
from .environments import build_environment
from .metrics import METRICS, MetricsRecorder, TeamRecorder
from .network import OrgNetwork, Ties, build_network, team_leaders
from .state import COUNTERS, EngineState, Levers, StateView
from .traits import draw_traits

__all__ = ["COUNTERS", "OrgModel"]  # COUNTERS: see state.py

#: Independent random streams, spawned from the model's rng, one per mechanism. March's
#: own phases draw from ``model.rng`` itself, so switching the others on or off never
#: changes March's draws.
STREAMS = (
    "traits", "experiment", "respond", "share", "meet", "review", "train", "mentor", "events",
)  # fmt: skip

#: Levers that make employees' beliefs move other than through March's code.
BELIEF_LEVERS = ("experimentation", "knowledge_sharing", "communities_of_practice",
                 "after_action_reviews")  # fmt: skip


class OrgModel(mesa.Model):
    """An organization learning about a hidden reality (March 1991, generalized).

    ``OrgModel(scenario, rng=seed)``: ``scenario`` is a Scenario, a mapping, a
    file path or a scenario name (None: the default scenario). The same
    scenario and seed give the same numbers, bit for bit.

    The organization's state is an :class:`~orgabm.engine.state.EngineState` (``model.state``):
    arrays with one row per employee (``beliefs``, ``skill``, ``safety``, ...) and per
    team, which the model also shows as its own attributes (``model.beliefs``). Levers
    are read from ``model.config`` at every step, so changing one (``model.change(...)``)
    takes effect at the next step.

    Where it departs from Mesa, and why:

    - phases are vectorized over the state's arrays instead of ``agents.shuffle_do``:
      100,000 employees step in well under a second; the ``Employee`` agents view their
      rows for Mesa's API and the dashboard's inspector;
    - ``datacollector`` is a columnar recorder (``MetricsRecorder``) instead of Mesa's
      ``DataCollector``: one numpy column per metric, no per-step dicts of agent data;
    - the dashboard is orgabm's own Solara page instead of ``SolaraViz``: it needs A/B
      runs, interventions and a class server that SolaraViz does not offer.
    """

    #: Metrics a subclass records besides orgabm's own (name -> function of the model).
    extra_metrics: ClassVar[dict[str, Callable[[OrgModel], float]]] = {}

    def __init__(
        self,
        scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
        *,
        rng: int | np.random.Generator | np.random.SeedSequence | None = None,
        team_table: bool = True,
        metrics: Collection[str] | None = None,
    ) -> None:
        """``team_table=False`` records no team table: a sweep never reads it, and it costs
        up to a third of a small organization's run (benchmarks/bench_overhead.py).
        ``metrics`` names the metrics to record (None: all of :meth:`metric_names`): the
        16 metrics cost about half of a small organization's step."""
        recorded = self.chosen_metrics(metrics)  # before anything is drawn
        super().__init__(rng=rng)
        self.config: Scenario = (
            scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        )
        check_memory(self.config)  # a clear error now, not a MemoryError half-way
        cfg, rng = self.config, cast(np.random.Generator, self.rng)  # Mesa makes one
        n, m = cfg.organization.employees, cfg.environment.dimensions
        self.streams = dict(zip(STREAMS, rng.spawn(len(STREAMS)), strict=True))

        reality = build_environment(cfg.environment, rng)
        beliefs = march.random_beliefs(n, m, rng, cfg.workforce.beliefs == "decided")
        fast_learner = np.zeros(n, dtype=bool)
        share = cfg.workforce.fast_learners.share
        if share > 0:
            fast_learner[rng.choice(n, size=round(share * n), replace=False)] = True

        graph, team = build_network(cfg.organization, rng)
        self.grid = OrgNetwork(graph, capacity=1, random=self.random, layout=None)
        teams = cfg.organization.teams
        leaders = team_leaders(team, teams, hierarchy=cfg.organization.network.kind == "hierarchy")
        is_leader = np.zeros(n, dtype=bool)
        is_leader[leaders[leaders >= 0]] = True
        #: the hierarchy's head (row 0), who stays put in reorganizations; -1 if none
        self.head = 0 if cfg.organization.network.kind == "hierarchy" else -1

        skill, risk_tolerance, safety, openness = draw_traits(cfg.workforce, n,
                                                              self.streams["traits"])  # fmt: skip
        self.state = EngineState(
            beliefs=beliefs, fast_learner=fast_learner, tenure=np.zeros(n, dtype=np.int64),
            hires=np.zeros(n, dtype=np.int64), team=team, skill=skill,
            risk_tolerance=risk_tolerance, safety=safety, openness=openness,
            is_leader=is_leader, leaders=leaders, findings=np.zeros((teams, m), dtype=np.int8),
            failures_reported=np.zeros(teams, dtype=np.int64),
            last_review_failures=np.zeros(teams, dtype=np.int64),
            team_experiments=np.zeros(teams, dtype=np.int64), busy=np.zeros(n),
            code=np.zeros(m, dtype=np.int8), ties=Ties.from_graph(graph), reality=reality,
            teams=teams,
        )  # fmt: skip
        self.event_log: list[tuple[int, str]] = []

        self._employees: list[Employee] = list(
            Employee.create_agents(self, n, [self.grid[i] for i in range(n)], row=np.arange(n))
        )

        self.equilibrium = False
        self.running = cfg.steps > 0
        self.datacollector = MetricsRecorder(recorded)
        self.team_recorder: TeamRecorder | None = TeamRecorder() if team_table else None
        self.datacollector.collect(self)
        if self.team_recorder is not None:
            self.team_recorder.collect(self)

    @classmethod
    def metric_names(cls) -> list[str]:
        """Every metric this model can record: orgabm's, then the subclass's."""
        return [*METRICS, *cls.extra_metrics]

    @classmethod
    def chosen_metrics(
        cls, names: Collection[str] | None
    ) -> dict[str, Callable[[OrgModel], float]]:
        """The metrics called ``names`` (None: all), in the order given; a ParameterError
        names one that this model does not have."""
        return metrics.chosen(names, {**METRICS, **cls.extra_metrics}, cls.__name__)

    # ------------------------------------------------------------------ views
    # The state's fields, read and written as the model's attributes (Mesa's style).
    beliefs = StateView()
    fast_learner = StateView()
    tenure = StateView()
    hires = StateView()
    team = StateView()
    skill = StateView()
    risk_tolerance = StateView()
    safety = StateView()
    openness = StateView()
    is_leader = StateView()
    leaders = StateView()
    findings = StateView()
    failures_reported = StateView()
    last_review_failures = StateView()
    team_experiments = StateView()
    busy = StateView()
    code = StateView()
    ties = StateView()
    reality = StateView()
    actions = StateView()
    performance = StateView()
    counts = StateView()
    last_trial = StateView()
    last_punished = StateView()

    @property
    def employees(self) -> int:
        """Number of employees, n."""
        return self.state.employees

    @property
    def dimensions(self) -> int:
        """Number of dimensions of reality, m."""
        return self.state.dimensions

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

    @property
    def levers(self) -> Levers:
        """What leaders do now: the scenario's levers with teams' overrides."""
        return Levers(self.config, self.state.team)

    def lever(self, name: str) -> float | np.ndarray:
        """A leadership lever: one number, or one per employee where teams override it."""
        return self.levers(name)

    def team_lever(self, name: str) -> np.ndarray:
        """A leadership lever's value in each team (a team's own leadership overrides)."""
        return self.levers.by_team(name)

    def lever_in_use(self, name: str) -> bool:
        """Whether a lever is non-zero for anyone (the organization or a team)."""
        return self.levers.in_use(name)

    def change(self, changes: Mapping[str, Any]) -> None:
        """Change settings during the run (validated); they take effect at the next step."""
        self.config = change_scenario(self.config, changes)

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One period, in the order of docs/ODD.md. March's phases take the arrays they
        use; the leadership mechanisms take the state and the levers (``state``)."""
        cfg, rng, streams, state = self.config, self.rng, self.streams, self.state
        state.new_step(int(self.time))
        # environment: reality drifts; scripted events fire (they may change the levers)
        state.reality.drift(cfg.environment.turbulence, rng)
        events.fire(self)
        cfg = self.config
        levers = self.levers
        # turnover: leavers replaced by newcomers in the same seat
        leavers = march.turnover(cfg.workforce.turnover, state.employees, rng)
        if len(leavers):
            self._replace(leavers)
        # act: beliefs, coin flips on zeros
        state.actions = march.act(state.beliefs, rng)
        state.performance = state.reality.performance(state.actions, memo="acted")
        # the code's score (only needed when the code learns: an NK code draws coin flips)
        code_performance = (
            state.reality.code_performance(state.code, rng) if cfg.leadership.code_learning > 0
            else np.inf
        )  # fmt: skip
        # experiment (trials are acted out; under the copy rule, by those who did not copy),
        # and the leaders' answer to how it went (the climate follows from it)
        state.last_punished = np.empty(0, dtype=np.int64)
        copying = cfg.calibration.sharing_rule == "copy"
        copied = sharing.share(state, levers, streams["share"]) if copying else None
        trial = experimentation.experiment(state, levers, streams["experiment"], copied)
        state.last_trial = trial
        if trial is not None:
            experimentation.respond(state, levers, trial, streams["respond"])
        # the superior group: those whose realized performance beats the code's (on what the
        # code can hold: tacit dimensions do not count)
        codifiable = self.codifiable
        judged = (
            state.performance
            if codifiable is None
            else state.reality.codifiable_performance(state.actions, codifiable)
        )
        superior = judged > code_performance
        # share: learning from ties (the copy rule shared before experimenting), across teams
        if not copying:
            sharing.share(state, levers, streams["share"])
        communities.meet_across_teams(state, levers, streams["meet"])
        # socialize: beliefs move towards the code
        march.socialize(state.beliefs, state.code, self.socialization, rng)
        # codify: the code learns from the superior group's actions
        march.codify(
            state.code, state.actions, superior, cfg.leadership.code_learning, rng, codifiable
        )
        # review, develop (the climate changed with the answers to the trials)
        reviews.review(state, levers, streams["review"])
        development.develop(state, levers, streams["train"], streams["mentor"])
        # collect
        state.tenure += 1
        self.datacollector.collect(self)
        if self.team_recorder is not None:
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
        for gone in np.flatnonzero(~keep):
            agent = self._employees[gone]
            cell = agent.cell
            agent.remove()
            self.grid.remove_cell(cell)
        old_leaders = self.leaders
        self.state.keep_rows(keep)
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
        if self.team_recorder is None:
            raise ValueError("this model was made with team_table=False: it has no team table")
        return self.team_recorder.to_frame()
