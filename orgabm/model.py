"""OrgModel: the organization as a Mesa model whose state lives in numpy arrays."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from . import mechanisms
from .agents import Employee
from .environment import Reality
from .metrics import MetricsRecorder
from .network import build_network
from .scenario import Scenario, load_scenario

__all__ = ["OrgModel"]


class OrgModel(mesa.Model):
    """An organization learning about a hidden reality (March 1991, generalized).

    ``OrgModel(scenario, rng=seed)``: ``scenario`` is a Scenario, a mapping, a
    file path or a scenario name (None: the default scenario). The same
    scenario and seed give the same numbers, bit for bit.

    Employee state is held in arrays with one row per employee (``beliefs``,
    ``fast_learner``, ``tenure``, ...). Each step phase is one vectorized
    operation over all of them; the ``Employee`` agents view their rows.
    Levers are read from ``model.config`` at every step, so changing one
    (``model.config.leadership.socialization = 0.9``) takes effect at the
    next step.
    """

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
        cfg, rng = self.config, self.rng
        n, m = cfg.organization.employees, cfg.environment.dimensions

        self.reality = Reality(m, rng)
        self.beliefs: np.ndarray = mechanisms.random_beliefs(n, m, rng)
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
        Employee.create_agents(self, n, [self.grid[i] for i in range(n)], row=np.arange(n))

        self.equilibrium = False
        self.running = cfg.steps > 0
        self.datacollector = MetricsRecorder()
        self.datacollector.collect(self)

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
    def socialization(self) -> np.ndarray:
        """Each employee's socialization rate (p1): fast learners have their own."""
        lead, fast = self.config.leadership, self.config.workforce.fast_learners
        return np.where(self.fast_learner, fast.socialization, lead.socialization)

    @property
    def employee_list(self) -> list[Employee]:
        """The employees in row order."""
        return [cell.agents[0] for cell in self.grid.all_cells]

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One period, in the order of docs/ODD.md."""
        cfg, rng = self.config, self.rng
        # environment: reality drifts
        self.reality.drift(cfg.environment.turbulence, rng)
        # turnover: leavers replaced by newcomers in the same seat
        leavers = mechanisms.turnover(cfg.workforce.turnover, self.employees, rng)
        if len(leavers):
            self._replace(leavers)
        # act: beliefs, coin flips on zeros; the superior group beats the code
        self.actions = mechanisms.act(self.beliefs, rng)
        self.performance = self.reality.score(self.actions)
        superior = self.performance > self.reality.score(self.code)
        # socialize: beliefs move towards the code
        mechanisms.socialize(self.beliefs, self.code, self.socialization, rng)
        # codify: the code learns from the superior group's actions
        mechanisms.codify(self.code, self.actions, superior, cfg.leadership.code_learning, rng)
        # collect
        self.tenure += 1
        self.datacollector.collect(self)
        self._check_stop()

    def _replace(self, rows: np.ndarray) -> None:
        """Newcomers take the seats in ``rows``: fresh random beliefs, fresh traits."""
        rng = self.rng
        self.beliefs[rows] = mechanisms.random_beliefs(len(rows), self.dimensions, rng)
        share = self.config.workforce.fast_learners.share
        if share > 0:
            self.fast_learner[rows] = rng.random(len(rows)) < share
        self.tenure[rows] = 0
        self.hires[rows] += 1

    def _check_stop(self) -> None:
        cfg = self.config
        if self.stops_at_equilibrium and mechanisms.march_equilibrium(
            self.beliefs, self.code, self.reality
        ):
            self.equilibrium = True
            self.running = False
        if self.time >= cfg.steps:
            self.running = False

    @property
    def stops_at_equilibrium(self) -> bool:
        """Whether this run stops at March's equilibrium: asked for, and one can exist."""
        cfg = self.config
        return (
            cfg.stop_at_equilibrium
            and cfg.workforce.turnover == 0
            and cfg.environment.turbulence == 0
        )

    # ------------------------------------------------------------------ running
    def run(self, steps: int | None = None) -> OrgModel:
        """Step until the model stops (or for at most ``steps`` more steps); returns self."""
        remaining = float("inf") if steps is None else steps
        while self.running and remaining > 0:
            self.step()
            remaining -= 1
        return self

    def metrics_frame(self):
        """The recorded metrics, one row per step (step 0 is the initial state)."""
        return self.datacollector.to_frame()
