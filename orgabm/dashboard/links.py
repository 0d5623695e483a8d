"""The link's configuration: what a session shows, encoded for ``?config=``, and its checks.

A link may be hand-edited or damaged, or ask for more than the server's memory budget
per session: it is read, checked and, where it can be, cut down to fit here, before a
:class:`~orgabm.dashboard.session.Session` builds any model.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ..scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    ScenarioError,
    available_scenarios,
    load_scenario,
)
from ..teaching.assignments import assignments
from ..teaching.levers import check_lever, is_count

__all__ = [
    "COLOR_BY", "MAX_EMPLOYEES", "MAX_REPLICATES", "SESSION_BUDGET", "BudgetError", "Config",
]  # fmt: skip

#: The browser runs at most this many employees (the cap is said in the UI).
MAX_EMPLOYEES = 2_000
MAX_REPLICATES = 10
#: A session's memory budget, in employees x dimensions x models (the displayed run, its
#: replicates, and twice that with A/B); about 0.8 kB each, so about 200 MB a session.
SESSION_BUDGET = 240_000


class BudgetError(ValueError):
    """A session that would hold more models than the server's budget per session."""


#: What nodes can be coloured by: label -> how to compute it.
COLOR_BY = {
    "knowledge": "what each person knows: (right - wrong) / dimensions",
    "safety": "perceived psychological safety",
    "risk_tolerance": "willingness to try something new",
    "skill": "personal mastery",
    "team": "team",
    "alignment": "share of beliefs that agree with the official line",
}


def _name_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


#: What each field of a link may hold: its check, and the words for a notice.
LINK_FIELDS = {
    "scenario": (lambda v: isinstance(v, str), "a scenario's name"),
    "seed": (is_count, "a whole number"),
    "employees": (lambda v: v is None or is_count(v), "a whole number"),
    "network": (_name_or_none, "a network's name"),
    "levers": (lambda v: isinstance(v, dict) and all(
        isinstance(k, str) and isinstance(x, (int, float)) and not isinstance(x, bool)
        for k, x in v.items()), "a mapping of lever names to numbers"),
    "compare": (_name_or_none, "a scenario's name"),
    "replicates": (is_count, "a whole number"),
    "color": (lambda v: isinstance(v, str), "a colouring's name"),
}  # fmt: skip


def _check_link_types(data: dict) -> None:
    """Raise ValueError naming the first field of a decoded link that has the wrong type
    (a hand-edited or damaged link), before anything uses it."""
    for key, (ok, allowed) in LINK_FIELDS.items():
        if key in data and not ok(data[key]):
            shown = repr(data[key])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise ValueError(f"{key} {shown} must be {allowed}")


@dataclass
class Config:
    """What a session shows: the part a link encodes."""

    scenario: str = DEFAULT_SCENARIO
    seed: int = 0
    employees: int | None = None
    network: str | None = None
    levers: dict[str, float] = field(default_factory=dict)
    compare: str | None = None
    replicates: int = 0
    color: str = "knowledge"

    def encode(self) -> str:
        """The configuration as a URL-safe string (for ``?config=``)."""
        data = {k: v for k, v in asdict(self).items() if v not in (None, {}, 0) or k == "seed"}
        raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> tuple[Config, str | None]:
        """A configuration from ``encode``'s string, or the defaults and a notice (an
        assignment's link that asks for too much falls back to that assignment)."""
        if not text:
            return cls(), None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a mapping")
        except (ValueError, TypeError):
            return cls(), (
                "The link's configuration could not be read (the link is damaged or "
                "incomplete); showing defaults."
            )
        try:
            _check_link_types(data)
            config = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
            try:
                config.check()
            except BudgetError as exc:  # show the link with as many replicates as fit
                asked, config.replicates = config.replicates, max(0, config.replicate_cap())
                config.check()
                said = (f"The link asks for {asked} replicates; this server allows "
                        f"{config.replicates} with {config.size_said()} (its memory budget "
                        f"per session): showing {config.replicates}.")  # fmt: skip
                return config, said if "at most" in str(exc) else str(exc)
            return config, None
        except (ValueError, TypeError, ScenarioError) as exc:
            task = data.get("scenario")
            if isinstance(task, str) and task in assignments():
                return cls(scenario=task), (
                    f"The link's configuration could not be used ({exc}); showing the "
                    "assignment as set."
                )
            return cls(), f"The link's configuration could not be read ({exc}); showing defaults."

    @property
    def assignment(self) -> Any:
        """The scenario's assignment, or None."""
        return load_scenario(self.scenario).assignment if self.scenario.startswith(
            "assignments/") else None  # fmt: skip

    def check(self) -> None:
        """Raise ValueError unless every field is usable."""
        names = {**available_scenarios(), **assignments()}
        if self.scenario not in names:
            raise ValueError(f"unknown scenario {self.scenario!r}")
        task = self.assignment
        for name, value in self.levers.items():
            check_lever(task, name, value)
        if task is not None and (self.employees is not None or self.network is not None):
            raise ValueError("the assignment fixes the organization's size and network")
        if self.compare is not None and self.compare not in names:
            raise ValueError(f"unknown scenario to compare {self.compare!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed {self.seed!r} must be a whole number, 0 or more")
        if self.employees is not None and not 2 <= int(self.employees) <= MAX_EMPLOYEES:
            raise ValueError(f"employees {self.employees!r}: 2 to {MAX_EMPLOYEES:,} in the browser")
        if not 0 <= int(self.replicates) <= MAX_REPLICATES:
            raise ValueError(f"replicates {self.replicates!r}: 0 to {MAX_REPLICATES}")
        if self.color not in COLOR_BY:
            raise ValueError(f"unknown colouring {self.color!r}")
        scenario = self.scenario_for()  # validates levers' values, network and size together
        cap = self.replicate_cap(scenario)
        if cap < 0:
            raise BudgetError(f"{self.size_said(scenario)}: more than the server's memory "
                              "budget per session; use fewer employees or no A/B")  # fmt: skip
        if int(self.replicates) > cap:
            raise BudgetError(f"replicates {self.replicates!r}: at most {max(cap, 0)} with "
                              f"{self.size_said(scenario)} (the server's memory budget per "
                              "session)")  # fmt: skip

    def size_said(self, scenario: Scenario | None = None) -> str:
        """The session's size in words: employees, dimensions and A/B."""
        scenario = scenario or self.scenario_for()
        ab = " and A/B" if self.compare else ""
        return (f"{scenario.organization.employees:,} employees, "
                f"{scenario.environment.dimensions} dimensions{ab}")  # fmt: skip

    def replicate_cap(self, scenario: Scenario | None = None) -> int:
        """The most replicates this size allows: employees x dimensions x (1 + replicates)
        x (2 with A/B) stays within SESSION_BUDGET (-1 if even the run alone does not)."""
        scenario = scenario or self.scenario_for()
        per_model = scenario.organization.employees * scenario.environment.dimensions
        models = SESSION_BUDGET // (per_model * (2 if self.compare else 1))
        return min(MAX_REPLICATES, models - 1)

    def overrides(self) -> dict[str, Any]:
        """Scenario overrides for the displayed run."""
        sets: dict[str, Any] = {f"leadership.{k}": v for k, v in self.levers.items()}
        if self.employees is not None:
            sets["organization.employees"] = int(self.employees)
        if self.network is not None:
            sets["organization.network.kind"] = self.network
        return sets

    def scenario_for(self, policy: str | None = None) -> Scenario:
        """The displayed run's scenario; with ``policy``, that preset's leadership instead."""
        base = load_scenario(self.scenario, self.overrides())
        if base.organization.employees > MAX_EMPLOYEES:
            base = load_scenario(
                self.scenario, {**self.overrides(), "organization.employees": MAX_EMPLOYEES}
            )
        if policy is None:
            return base
        other = load_scenario(policy)
        data = base.model_dump()
        data["leadership"] = other.leadership.model_dump()
        data["team_leadership"] = {
            t: v
            for t, v in other.model_dump()["team_leadership"].items()
            if t < base.organization.teams
        }
        return Scenario.model_validate(data)
