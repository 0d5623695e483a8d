"""March (1991) written the way Mesa's examples write models: one object per employee,
Python loops over agents and dimensions. The baseline that orgabm's engine is measured
against (see bench_engine.py); it follows the same rules as orgabm's engine."""

from __future__ import annotations

import mesa
import networkx as nx
from mesa.discrete_space import FixedAgent, Network


class Employee(FixedAgent):
    """An employee with a list of beliefs in {-1, 0, 1}."""

    def __init__(self, model: MarchModel, cell) -> None:
        super().__init__(model)
        self.cell = cell
        self.beliefs = [self.random.choice((-1, 0, 1)) for _ in range(model.m)]
        self.actions: list[int] = []
        self.performance = 0

    def act(self) -> None:
        """Act on each belief, flipping a coin where it is 0; score against reality."""
        self.actions = [b if b != 0 else self.random.choice((-1, 1)) for b in self.beliefs]
        self.performance = sum(a * r for a, r in zip(self.actions, self.model.reality, strict=True))

    def socialize(self) -> None:
        """Move each belief one step towards a non-zero code with probability p1."""
        code, p1 = self.model.code, self.model.p1
        for d, c in enumerate(code):
            if c != 0 and self.beliefs[d] != c and self.random.random() < p1:
                self.beliefs[d] += c


class MarchModel(mesa.Model):
    """March's model with per-agent Python loops."""

    def __init__(self, n: int = 50, m: int = 30, p1: float = 0.1, p2: float = 0.5, rng=None):
        super().__init__(rng=rng)
        self.m, self.p1, self.p2 = m, p1, p2
        self.reality = [self.random.choice((-1, 1)) for _ in range(m)]
        self.code = [0] * m
        self.grid = Network(nx.empty_graph(n), capacity=1, random=self.random, layout=None)
        Employee.create_agents(self, n, list(self.grid.all_cells))

    def step(self) -> None:
        """Act, socialize, then the code learns from the superior group's actions."""
        self.agents.do("act")
        code_score = sum(c * r for c, r in zip(self.code, self.reality, strict=True))
        superior = [a for a in self.agents if a.performance > code_score]
        self.agents.do("socialize")
        for d in range(self.m):
            net = sum(a.actions[d] for a in superior)
            majority = (net > 0) - (net < 0)
            changes = majority not in (0, self.code[d])
            if changes and self.random.random() < 1 - (1 - self.p2) ** abs(net):
                self.code[d] = majority

    def code_knowledge(self) -> float:
        """March's score of the code."""
        return sum(c * r for c, r in zip(self.code, self.reality, strict=True)) / self.m
