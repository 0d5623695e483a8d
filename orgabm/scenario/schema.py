"""The scenario as a whole: its sections and the checks that span them.

Input is validated here, once, at the edge; the model trusts it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import (
    Field,
    ValidationError,
    model_validator,
)

from .assignments import Assignment
from .errors import FieldError, ScenarioError, problems
from .fields import Section
from .layout import expected_ties, torus_shape
from .messages import describe
from .overrides import apply_overrides
from .sections import (
    MAX_TIES,
    MUTABLE,
    Calibration,
    Environment,
    Event,
    Leadership,
    Organization,
    TeamLeadership,
    Workforce,
)

__all__ = ["Scenario"]


class Scenario(Section):
    """A complete, validated scenario."""

    name: str = ""
    description: str = ""
    steps: int = Field(100, ge=0, le=1_000_000, description="steps to run (at most)")
    stop_at_equilibrium: bool = Field(
        False, description="stop early at March's equilibrium (only without turnover/turbulence)"
    )
    organization: Organization = Field(default_factory=Organization)
    environment: Environment = Field(default_factory=Environment)
    workforce: Workforce = Field(default_factory=Workforce)
    leadership: Leadership = Field(default_factory=Leadership)
    team_leadership: dict[int, TeamLeadership] = Field(
        default_factory=dict, description="team number -> that team's own levers"
    )
    calibration: Calibration = Field(default_factory=Calibration)
    events: list[Event] = Field(default_factory=list, description="scripted events")
    assignment: Assignment | None = Field(
        None, description="for educators: instructions, questions, open and locked levers"
    )

    @property
    def task(self) -> Assignment:
        """The scenario's assignment; a ScenarioError if it is not an assignment."""
        if self.assignment is None:
            raise ScenarioError(f"{self.name}: not an assignment (no assignment: section)")
        return self.assignment

    @model_validator(mode="after")
    def _check_network_fits(self) -> Scenario:
        org = self.organization
        n, net = org.employees, org.network
        if org.teams > n:
            raise FieldError("organization.teams", org.teams, f"at most employees ({n})")
        if net.kind in ("ring", "small_world") and (net.neighbours % 2 or net.neighbours >= n):
            raise FieldError(
                "organization.network.neighbours",
                net.neighbours,
                f"an even number below employees ({n})",
            )
        if net.kind == "scale_free" and net.attach >= n:
            raise FieldError("organization.network.attach", net.attach, f"below employees ({n})")
        if net.kind == "random" and net.connected and net.density * n * (n - 1) / 2 < n - 1:
            raise FieldError(
                "organization.network.density",
                net.density,
                f"at least {2 / n:.4g} (2/employees) for a connected network, or connected: false",
            )
        if net.kind == "hierarchy" and n < 2 * org.teams + 1:
            raise FieldError(
                "organization.teams",
                org.teams,
                f"at most (employees - 1) / 2 = {(n - 1) // 2} in a hierarchy",
            )
        if net.kind == "torus":
            if net.width is not None and n % net.width:
                raise FieldError(
                    "organization.network.width", net.width, f"a divisor of employees ({n})"
                )
            width, height = torus_shape(n, net.width)
            if min(width, height) < 3:
                raise FieldError(
                    "organization.employees",
                    n,
                    "a number that makes a grid at least 3 by 3 (for example 9, 12, 50, 100)",
                )
        for team in self.team_leadership:
            if not 0 <= team < org.teams:
                raise FieldError(
                    f"team_leadership.{team}", team, f"a team number from 0 to {org.teams - 1}"
                )
        self._check_events()
        ties = expected_ties(org)
        if ties > MAX_TIES:
            raise FieldError(
                "organization.network.kind",
                net.kind,
                f"a network of at most {MAX_TIES:,} ties; this one would have about "
                f"{ties:,.0f} with {n:,} employees (choose a sparser network)",
            )
        return self

    def _check_events(self) -> None:
        staff = self.organization.employees
        for i in sorted(range(len(self.events)), key=lambda i: self.events[i].at):
            layoffs = self.events[i].layoffs
            if layoffs is not None:
                staff -= round(layoffs * staff)
                if staff < 2:
                    raise FieldError(
                        f"events.{i}.layoffs",
                        layoffs,
                        "a share that leaves at least 2 employees after all earlier layoffs",
                    )
        for i, event in enumerate(self.events):
            if event.set is None:
                continue
            for path in event.set:
                if not path.startswith(MUTABLE):
                    raise FieldError(
                        f"events.{i}.set.{path}",
                        event.set[path],
                        "a setting that can change during a run: "
                        + ", ".join(
                            p.rstrip(".") + ("..." if p.endswith(".") else "") for p in MUTABLE
                        ),
                    )
            data = self.model_dump(exclude={"events"})
            try:
                Scenario.model_validate(apply_overrides(data, event.set))
            except ValidationError as exc:
                said = problems([describe(e, data) for e in exc.errors(include_url=False)])
                raise FieldError(f"events.{i}.set", event.set, f"valid settings ({said})") from None
            except ScenarioError as exc:
                raise FieldError(f"events.{i}.set", event.set, str(exc)) from None

    @model_validator(mode="after")
    def _check_assignment(self) -> Scenario:
        task = self.assignment
        if task is None:
            return self
        for name, (low, high) in task.open.items():
            value = getattr(self.leadership, name)
            if not low <= value <= high:
                allowed = f"within the assignment's open range [{low:g}, {high:g}]"
                raise FieldError(f"leadership.{name}", value, allowed)
        data = self.model_dump(exclude={"assignment"})
        for path, values in task.factors.items():
            for value in values:
                changed = None
                try:
                    changed = apply_overrides(data, {path: value})
                    Scenario.model_validate(changed)
                except ValidationError as exc:
                    why = describe(exc.errors(include_url=False)[0], changed or data)
                    raise FieldError(
                        f"assignment.factors.{path}",
                        value,
                        f"a value that makes a valid scenario ({why})",
                    ) from None
                except ScenarioError as exc:
                    raise FieldError(f"assignment.factors.{path}", value, str(exc)) from None
        return self

    def to_yaml(self) -> str:
        """The scenario as YAML, every setting spelled out."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)

    def get(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``leadership.socialization``."""
        node: Any = self
        for key in path.split("."):
            node = getattr(node, key)
        return node

    def whole_number_paths(self, paths: Iterable[str]) -> set[str]:
        """Those of ``paths`` that hold whole numbers (values swept over them get rounded);
        an unknown path is left out (the points' validation names it)."""
        found: set[str] = set()
        for path in paths:
            try:
                value = self.get(path)
            except AttributeError:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                found.add(path)
        return found
