"""Scenarios: the YAML schema, loading, ``--set`` overrides and readable errors.

A scenario describes an organization, its environment, its workforce and its
leadership. Input is validated here, once, at the edge; the model trusts it.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import reprlib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from .layout import expected_ties, torus_shape
from .vocabulary import METRIC_NAMES

__all__ = [
    "MUTABLE",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "available_scenarios",
    "change_scenario",
    "check_memory",
    "load_scenario",
    "memory_estimate",
    "parse_override",
    "read_scenario_file",
    "scenario_dirs",
]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]

#: Largest NK landscape: its maximum is found by trying all 2^N solutions.
MAX_NK_DIMENSIONS = 24

#: Most ties a network may have (a complete network of 2,000 employees has 1,999,000).
MAX_TIES = 2_000_000


class ScenarioError(ValueError):
    """A scenario (file, mapping or override) that cannot be used; the message is one line."""


class _Section(BaseModel):
    # allow_inf_nan: no float setting means anything at .inf or .nan (a cost of .inf, say)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        """Refuse true/false where a number goes: pydantic would read ``steps: true`` as 1."""
        if not isinstance(data, dict):
            return data
        for key, value in data.items():
            field = cls.model_fields.get(key) if isinstance(key, str) else None
            found = None if field is None else _bool_where(field.annotation, value)
            if found is not None:
                where, flag, leaf = found
                raise _BoolError(".".join(filter(None, (key, where))), flag, int in _members(leaf))
        return data


class _BoolError(ValueError):
    """true or false given for a number; carries the key path within its section."""

    def __init__(self, key: str, flag: bool, whole: bool) -> None:
        self.key, self.flag = key, str(flag).lower()
        self.wanted = "a whole number" if whole else "a number"
        super().__init__(f"{_cut(key)}: {self.flag} is not allowed: must be {self.wanted}")


def _members(annotation: Any) -> list[Any]:
    """The types a field accepts, through Annotated and unions."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    return [annotation]


def _numeric(annotation: Any) -> bool:
    members = _members(annotation)
    return bool not in members and any(m in (int, float) for m in members)


def _bool_where(annotation: Any, value: Any) -> tuple[str, bool, Any] | None:
    """Where ``value`` holds true or false that ``annotation`` would take as a number:
    (where: '' for the value itself, else a dotted key or index inside it, the bool, the
    type it stands for), or None if nowhere."""
    if isinstance(value, bool):
        return ("", value, annotation) if _numeric(annotation) else None
    if not isinstance(value, list | tuple | dict):
        return None
    for member in _members(annotation):
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin is dict and isinstance(value, dict) and len(args) == 2:
            for key, item in value.items():
                if isinstance(key, bool) and _numeric(args[0]):
                    return str(key).lower(), key, args[0]
                inner = _bool_where(args[1], item)
                if inner is not None:
                    return ".".join(filter(None, (str(key), inner[0]))), *inner[1:]
        elif origin in (list, tuple) and isinstance(value, list | tuple) and args:
            for i, item in enumerate(value):
                if origin is list or (len(args) == 2 and args[1] is Ellipsis):
                    kind = args[0]
                else:
                    kind = args[i] if i < len(args) else None
                inner = _bool_where(kind, item)
                if inner is not None:
                    return ".".join(filter(None, (str(i), inner[0]))), *inner[1:]
    return None


# --------------------------------------------------------------------------- networks
class CompleteNetwork(_Section):
    """Everyone is tied to everyone (March's organization)."""

    kind: Literal["complete"] = "complete"


class NoNetwork(_Section):
    """No ties at all: for models, like March's, that ignore the network."""

    kind: Literal["none"] = "none"


class TeamsNetwork(_Section):
    """Dense teams (``organization.teams`` of them) with random cross-team ties."""

    kind: Literal["teams"] = "teams"
    within_team_ties: Probability = Field(1.0, description="tie probability inside a team")
    cross_team_ties: Probability = Field(0.01, description="tie probability across teams")


class SmallWorldNetwork(_Section):
    """Watts-Strogatz: a ring lattice with a share of ties rewired at random."""

    kind: Literal["small_world"] = "small_world"
    neighbours: int = Field(4, ge=2, description="lattice neighbours per employee (even)")
    rewire: Probability = Field(0.1, description="probability that a tie is rewired")


class LineNetwork(_Section):
    """A chain: each employee is tied to the one before and the one after."""

    kind: Literal["line"] = "line"


class RingNetwork(_Section):
    """A ring lattice: each employee tied to its ``neighbours`` nearest on a circle."""

    kind: Literal["ring"] = "ring"
    neighbours: int = Field(2, ge=2, description="neighbours per employee (even)")


class RandomNetwork(_Section):
    """A random graph with a given density, optionally forced into one component."""

    kind: Literal["random"] = "random"
    density: Probability = Field(0.1, description="share of all possible ties present")
    connected: bool = Field(True, description="force a single component")


class ScaleFreeNetwork(_Section):
    """Barabasi-Albert preferential attachment."""

    kind: Literal["scale_free"] = "scale_free"
    attach: int = Field(2, ge=1, description="ties each newcomer makes")


class HierarchyNetwork(_Section):
    """A head, one manager per team tied to the head, members under their manager."""

    kind: Literal["hierarchy"] = "hierarchy"
    within_team_ties: Probability = Field(0.0, description="tie probability between teammates")


class TorusNetwork(_Section):
    """A periodic 2-D grid, four neighbours each (von Neumann)."""

    kind: Literal["torus"] = "torus"
    width: int | None = Field(None, ge=3, description="columns; default: the squarest grid")


Network = Annotated[
    CompleteNetwork
    | NoNetwork
    | TeamsNetwork
    | SmallWorldNetwork
    | LineNetwork
    | RingNetwork
    | RandomNetwork
    | ScaleFreeNetwork
    | HierarchyNetwork
    | TorusNetwork,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------- sections
class Organization(_Section):
    """Who works here and how they are tied."""

    employees: int = Field(50, ge=2, le=1_000_000, description="number of employees")
    teams: int = Field(1, ge=1, description="number of teams")
    network: Network = Field(default_factory=CompleteNetwork)


class Environment(_Section):
    """The hidden reality the organization learns about."""

    kind: Literal["march", "nk"] = Field(
        "march", description="march: independent dimensions; nk: interdependent (NK landscape)"
    )
    dimensions: int = Field(30, ge=1, le=10_000, description="dimensions of reality (m, or N)")
    turbulence: Probability = Field(0.0, description="per-step change probability (p4)")
    k: int = Field(0, ge=0, description="NK: how many other dimensions each one depends on")
    interactions: Literal["random", "adjacent"] = Field(
        "random", description="NK: which dimensions each one depends on"
    )
    power: float = Field(1.0, gt=0.0, le=64.0, description="NK: fitness is raised to this power")
    tacit: Probability = Field(
        0.0, description="share of dimensions the code cannot capture (tacit knowledge)"
    )

    @model_validator(mode="after")
    def _check_kind(self) -> Environment:
        if self.kind == "march" and self.k:
            raise _FieldError("environment.k", self.k, "0 with kind march (use kind: nk)")
        if self.kind == "march" and self.power != 1.0:
            raise _FieldError("environment.power", self.power, "1 with kind march")
        if self.kind == "nk":
            if self.dimensions > MAX_NK_DIMENSIONS:
                raise _FieldError(
                    "environment.dimensions",
                    self.dimensions,
                    f"at most {MAX_NK_DIMENSIONS} with kind nk (its maximum is found exhaustively)",
                )
            if self.k >= self.dimensions:
                raise _FieldError("environment.k", self.k, f"below dimensions ({self.dimensions})")
        return self


class FastLearners(_Section):
    """A share of employees with their own socialization rate (March's Figures 2 and 3)."""

    share: Probability = Field(0.0, description="share of employees who learn fast")
    socialization: Probability = Field(0.9, description="their socialization rate")


class Trait(_Section):
    """How a trait in [0, 1] is spread over employees: a Beta distribution with this mean and sd."""

    mean: Probability
    sd: float = Field(0.0, ge=0.0, le=0.5, description="standard deviation; 0 for everyone alike")

    @model_validator(mode="after")
    def _check_spread(self) -> Trait:
        limit = (self.mean * (1.0 - self.mean)) ** 0.5
        if self.sd and self.sd >= limit:
            raise ValueError(
                f"sd {self.sd} is too wide for mean {self.mean}: must be below "
                f"sqrt(mean x (1 - mean)) = {limit:.3g}"
            )
        return self


def _trait(mean: float, sd: float, what: str) -> Any:
    return Field(default_factory=lambda: Trait(mean=mean, sd=sd), description=what)


class Workforce(_Section):
    """Who joins and leaves, and the traits they bring (newcomers draw them afresh)."""

    turnover: Probability = Field(0.0, description="per-step replacement probability (p3)")
    beliefs: Literal["uncertain", "decided"] = Field(
        "uncertain",
        description="starting beliefs (and newcomers'): uncertain: -1, 0 or +1 at random "
        "(March); decided: -1 or +1 at random (a full solution, as in Lazer and Friedman)",
    )
    fast_learners: FastLearners = Field(default_factory=FastLearners)
    skill: Trait = _trait(0.5, 0.15, "how faithfully one learns from others, reviews, training")
    risk_tolerance: Trait = _trait(0.3, 0.1, "willingness to try a belief one does not hold")
    safety: Trait = _trait(0.5, 0.1, "perceived psychological safety at the start")
    openness: Trait = _trait(0.5, 0.15, "openness to others' ideas")


# Lever types: each carries its own range, so team overrides share it.
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Interval = Annotated[int, Field(ge=0, le=1_000_000)]


class Leadership(_Section):
    """The levers leadership pulls. Every lever at 0 (but p1 and p2) is March's model."""

    socialization: Rate = Field(0.1, description="learning from the code (p1)")
    code_learning: Rate = Field(0.5, description="the code learning from the best (p2)")
    psychological_safety: Rate = Field(
        0.5, description="failures reported rather than punished; the climate's safety"
    )
    experimentation: Rate = Field(0.0, description="encouragement to try beliefs one lacks")
    feedback: Rate = Field(0.8, description="how accurately experimenters see their results")
    recognition: Rate = Field(0.0, description="chance a successful experiment is rewarded")
    empowerment: Rate = Field(0.0, description="chance to keep a finding without approval")
    knowledge_sharing: Rate = Field(0.0, description="learning from better-performing ties")
    after_action_reviews: Interval = Field(0, description="team review every k steps (0: none)")
    training: Rate = Field(0.0, description="share of employees trained each step")
    mentoring: Rate = Field(0.0, description="share of employees mentored each step")
    communities_of_practice: Rate = Field(0.0, description="chance of a cross-team encounter")


#: Levers a team's own leadership may override (the code is the organization's).
TEAM_LEVERS = tuple(name for name in Leadership.model_fields if name != "code_learning")

TeamLeadership = create_model(
    "TeamLeadership",
    __base__=_Section,
    __doc__="A team's own leadership: any lever set here overrides the organization's.",
    **{
        name: ((Interval if name == "after_action_reviews" else Rate) | None, None)
        for name in TEAM_LEVERS
    },
)


class Calibration(_Section):
    """Constants of the mechanisms, for analysts (see docs/ODD.md)."""

    climate_rate: Rate = Field(0.05, description="per-step drift of safety and risk tolerance")
    punishment: Rate = Field(0.3, description="share of safety and risk tolerance punishment takes")
    onlooker_punishment: Rate = Field(0.05, description="share of safety onlookers lose")
    recognition_boost: Rate = Field(0.1, description="gain of risk tolerance, towards 1")
    leader_example: Rate = Field(0.05, description="members' risk tolerance gain per leader try")
    training_gain: Rate = Field(0.05, description="share of the gap to 1 training closes")
    mentoring_gain: Rate = Field(0.1, description="share of the gap to the mentor mentoring closes")
    training_cost: float = Field(1.0, ge=0.0, description="cost per employee trained")
    mentoring_cost: float = Field(0.5, ge=0.0, description="cost per employee mentored")
    recognition_cost: float = Field(1.0, ge=0.0, description="cost per recognition")
    review_cost: float = Field(0.2, ge=0.0, description="cost per member per review")
    sharing_rule: Literal["best", "majority", "copy"] = Field(
        "best",
        description="how knowledge_sharing works: best: adopt beliefs of the best better tie "
        "(Miller et al.); majority: adopt the majority belief of the better ties (Fang et "
        "al.); copy: copy the best better tie's whole solution, else search (Lazer and Friedman)",
    )
    copy_error: Rate = Field(
        0.0, description="copy rule: chance each differing belief is missed when copying"
    )


#: Scenario paths that may change during a run (by an event or the dashboard).
MUTABLE = ("leadership.", "team_leadership", "workforce.turnover", "workforce.fast_learners.",
           "environment.turbulence", "calibration.", "steps")  # fmt: skip


class Event(_Section):
    """Something that happens at a given step; exactly one of set, shock, layoffs, reorganize."""

    at: int = Field(ge=1, description="the step it happens at (before that step's phases)")
    set: dict[str, Any] | None = Field(None, description="scenario paths to change, e.g. a new CEO")
    shock: Probability | None = Field(None, description="share of reality's dimensions that flip")
    layoffs: float | None = Field(None, gt=0.0, lt=1.0, description="share of employees let go")
    reorganize: Probability | None = Field(None, description="share moved to another team")

    @model_validator(mode="after")
    def _check_one(self) -> Event:
        given = [
            k for k in ("set", "shock", "layoffs", "reorganize") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "an event does exactly one of set, shock, layoffs, reorganize; "
                f"got {given or 'none'}"
            )
        return self


class AssignmentExperiment(_Section):
    """The experiment tab's starting point: a lever's range, a second factor, replicates."""

    lever: str = Field(description="the open lever to vary")
    low: float
    high: float
    points: int = Field(5, ge=2, le=11, description="values of the lever")
    factor: str | None = Field(None, description="a second factor: a path from factors, or "
                               "leadership.<another open lever>")  # fmt: skip
    factor_values: list[Any] = Field(default_factory=list, description="its values")
    replicates: int = Field(10, ge=1, le=50, description="runs per point")
    metric: str = Field("knowledge", description="the outcome plotted")


class Assignment(_Section):
    """What makes a scenario an assignment: instructions, questions, open and locked levers."""

    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1, description="Markdown")
    questions: list[str] = Field(min_length=1)
    open: dict[str, tuple[float, float]] = Field(
        min_length=1, description="lever -> [low, high]; every other lever is locked"
    )
    factors: dict[str, list[Any]] = Field(
        default_factory=dict, description="scenario path -> values a second factor may take"
    )
    experiment: AssignmentExperiment | None = None

    def factor_choices(self) -> list[str]:
        """Second factors: the listed paths, then the other open levers."""
        return [*self.factors, *(f"leadership.{name}" for name in self.open)]

    @model_validator(mode="after")
    def _check(self) -> Assignment:
        for name, (low, high) in self.open.items():
            if name not in Leadership.model_fields:
                close = difflib.get_close_matches(name, list(Leadership.model_fields), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                levers = ", ".join(Leadership.model_fields)
                raise _FieldError(f"assignment.open.{name}", name, f"a lever: {levers}{hint}")
            top = 1_000_000 if name == "after_action_reviews" else 1.0
            if not 0 <= low <= high <= top:
                raise _FieldError(f"assignment.open.{name}", [low, high],
                                  f"[low, high] with 0 <= low <= high <= {top:g}")  # fmt: skip
        for path, values in self.factors.items():
            if not values:
                raise _FieldError(f"assignment.factors.{path}", values, "a non-empty list")
        e = self.experiment
        if e is not None:
            if e.lever not in self.open:
                raise _FieldError("assignment.experiment.lever", e.lever,
                                  f"an open lever: {', '.join(self.open)}")  # fmt: skip
            low, high = self.open[e.lever]
            if not low <= e.low <= e.high <= high:
                allowed = f"low <= high within the open range [{low:g}, {high:g}]"
                raise _FieldError("assignment.experiment.low", [e.low, e.high], allowed)
            if e.factor is not None and e.factor not in self.factor_choices():
                raise _FieldError("assignment.experiment.factor", e.factor,
                                  f"one of {', '.join(self.factor_choices())}")  # fmt: skip
            if e.factor is not None and not e.factor_values:
                raise _FieldError("assignment.experiment.factor_values", e.factor_values,
                                  "the second factor's values (a non-empty list)")  # fmt: skip
            if e.metric not in METRIC_NAMES:
                raise _FieldError("assignment.experiment.metric", e.metric,
                                  f"a metric: {', '.join(METRIC_NAMES)}")  # fmt: skip
        return self


class Scenario(_Section):
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
    team_leadership: dict[int, TeamLeadership] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="team number -> that team's own levers"
    )
    calibration: Calibration = Field(default_factory=Calibration)
    events: list[Event] = Field(default_factory=list, description="scripted events")
    assignment: Assignment | None = Field(
        None, description="for educators: instructions, questions, open and locked levers"
    )

    @model_validator(mode="after")
    def _check_network_fits(self) -> Scenario:
        org = self.organization
        n, net = org.employees, org.network
        if org.teams > n:
            raise _FieldError("organization.teams", org.teams, f"at most employees ({n})")
        if net.kind in ("ring", "small_world") and (net.neighbours % 2 or net.neighbours >= n):
            raise _FieldError(
                "organization.network.neighbours",
                net.neighbours,
                f"an even number below employees ({n})",
            )
        if net.kind == "scale_free" and net.attach >= n:
            raise _FieldError("organization.network.attach", net.attach, f"below employees ({n})")
        if net.kind == "random" and net.connected and net.density * n * (n - 1) / 2 < n - 1:
            raise _FieldError(
                "organization.network.density",
                net.density,
                f"at least {2 / n:.4g} (2/employees) for a connected network, or connected: false",
            )
        if net.kind == "hierarchy" and n < 2 * org.teams + 1:
            raise _FieldError(
                "organization.teams",
                org.teams,
                f"at most (employees - 1) / 2 = {(n - 1) // 2} in a hierarchy",
            )
        if net.kind == "torus":
            if net.width is not None and n % net.width:
                raise _FieldError(
                    "organization.network.width", net.width, f"a divisor of employees ({n})"
                )
            width, height = torus_shape(n, net.width)
            if min(width, height) < 3:
                raise _FieldError(
                    "organization.employees",
                    n,
                    "a number that makes a grid at least 3 by 3 (for example 9, 12, 50, 100)",
                )
        for team in self.team_leadership:
            if not 0 <= team < org.teams:
                raise _FieldError(
                    f"team_leadership.{team}", team, f"a team number from 0 to {org.teams - 1}"
                )
        self._check_events()
        ties = expected_ties(org)
        if ties > MAX_TIES:
            raise _FieldError(
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
                    raise _FieldError(
                        f"events.{i}.layoffs",
                        layoffs,
                        "a share that leaves at least 2 employees after all earlier layoffs",
                    )
        for i, event in enumerate(self.events):
            if event.set is None:
                continue
            for path in event.set:
                if not path.startswith(MUTABLE):
                    raise _FieldError(
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
                problems = _problems([_describe(e, data) for e in exc.errors(include_url=False)])
                raise _FieldError(
                    f"events.{i}.set", event.set, f"valid settings ({problems})"
                ) from None
            except ScenarioError as exc:
                raise _FieldError(f"events.{i}.set", event.set, str(exc)) from None

    @model_validator(mode="after")
    def _check_assignment(self) -> Scenario:
        task = self.assignment
        if task is None:
            return self
        for name, (low, high) in task.open.items():
            value = getattr(self.leadership, name)
            if not low <= value <= high:
                allowed = f"within the assignment's open range [{low:g}, {high:g}]"
                raise _FieldError(f"leadership.{name}", value, allowed)
        data = self.model_dump(exclude={"assignment"})
        for path, values in task.factors.items():
            for value in values:
                changed = None
                try:
                    changed = apply_overrides(data, {path: value})
                    Scenario.model_validate(changed)
                except ValidationError as exc:
                    why = _describe(exc.errors(include_url=False)[0], changed or data)
                    raise _FieldError(
                        f"assignment.factors.{path}",
                        value,
                        f"a value that makes a valid scenario ({why})",
                    ) from None
                except ScenarioError as exc:
                    raise _FieldError(f"assignment.factors.{path}", value, str(exc)) from None
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


class _FieldError(ValueError):
    """Raised from cross-field validators; carries the dotted path and value."""

    def __init__(self, path: str, value: Any, allowed: str) -> None:
        self.path, self.value, self.allowed = path, value, allowed
        super().__init__(f"{_cut(path)}: {_shown(value)} is not allowed: must be {allowed}")


# --------------------------------------------------------------------------- loading
def scenario_dirs() -> list[Path]:
    """Where named scenarios live: the source tree's ``scenarios/``, else the installed copy."""
    here = Path(__file__).resolve().parents[1]  # the orgabm package
    return [d for d in (here.parent / "scenarios", here / "scenarios") if d.is_dir()][:1]


def available_scenarios() -> dict[str, Path]:
    """Named scenarios, name -> file, sorted by name."""
    found: dict[str, Path] = {}
    for d in scenario_dirs():
        for f in sorted(d.glob("*.yaml")):
            found.setdefault(f.stem, f)
    return dict(sorted(found.items()))


def resolve_scenario_path(ref: str | Path) -> Path:
    """A file path as given, or the file of a named scenario."""
    path = Path(ref)
    if path.is_file():
        return path
    named = available_scenarios()
    if str(ref) in named:
        return named[str(ref)]
    for d in scenario_dirs():  # a scenario in a subfolder: "validation/fang_2010"
        inside = (d / f"{ref}.yaml").resolve()
        if inside.is_file() and inside.is_relative_to(d.resolve()):
            return inside
    if path.exists():
        raise ScenarioError(f"{ref}: not a file")
    if path.is_symlink():
        raise ScenarioError(f"{ref}: a symbolic link to {os.readlink(path)}, which does not "
                            "exist (remove the link or give the file itself)")  # fmt: skip
    close = difflib.get_close_matches(str(ref), list(named), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ScenarioError(
        f"no scenario '{ref}': no such file, and not one of the named scenarios "
        f"({', '.join(named) or 'none'}){hint}"
    )


#: Deepest nesting a scenario file may have (the schema needs 6 levels; deeper YAML
#: would overflow the recursion of PyYAML's composer).
MAX_DEPTH = 32


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases and nesting deeper than MAX_DEPTH.

    An alias repeats a node without repeating its text, so a few hundred bytes of
    aliases of aliases expand to gigabytes (a "billion laughs"); scenarios do not
    need them.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # PyYAML's signature
        """A ``[`` or ``{``, refused past MAX_DEPTH as soon as it is read (the scanner
        looks far ahead of the composer, in time quadratic in the open brackets)."""
        if self.flow_level >= MAX_DEPTH:
            raise yaml.scanner.ScannerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.get_mark()
            )
        super().fetch_flow_collection_start(TokenClass)

    def compose_node(self, parent: Any, index: Any) -> Any:
        """A node, refusing an alias or one nested too deep before it is built."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, f"alias *{_cut(str(event.anchor))} is not allowed: scenario files "
                "may not use anchors and aliases (write the settings out)", event.start_mark,
            )  # fmt: skip
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML file's top-level mapping, or a one-line ScenarioError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}: not valid YAML{at}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path}: expected a mapping of settings at the top level, got {_kind(data)}"
        )
    return data


def read_scenario_file(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scenario file's settings, with those of the scenario it ``extends`` underneath.

    ``extends: NAME`` names a file beside this one (``NAME.yaml``), a path relative to
    it, or a named scenario. The file's own settings win; a section whose ``kind``
    differs from the base's (a network, say) replaces the base's section whole. The
    base must lie in this file's folder (or below) or in the scenarios folder, so a
    shared scenario cannot make orgabm read other files on the disk.
    """
    data = read_yaml(path)
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data
    if not isinstance(base_ref, str) or not base_ref:
        raise ScenarioError(
            f"{path}: extends: {_shown(base_ref)} is not allowed: give a scenario name"
        )
    for candidate in (path.parent / base_ref, path.parent / f"{base_ref}.yaml"):
        if candidate.is_file():
            base_path = candidate
            break
    else:
        try:
            base_path = resolve_scenario_path(base_ref)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: extends: {exc}") from None
    roots = [path.parent.resolve(), *(d.resolve() for d in scenario_dirs())]
    if not any(base_path.resolve().is_relative_to(root) for root in roots):
        raise ScenarioError(
            f"{path}: extends: {_shown(base_ref)} is not allowed: names {base_path.resolve()}; "
            f"must be a file in {roots[0]} (or a folder below it) or a named scenario"
        )
    chain = (*_chain, path.resolve())
    if base_path.resolve() in chain:
        raise ScenarioError(f"{path}: extends: {base_ref} extends this file again (a cycle)")
    return _merged(read_scenario_file(base_path, chain), data)


def _merged(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """``own`` over ``base``, section by section (a section of another kind replaces)."""
    out = dict(base)
    for key, value in own.items():
        under = out.get(key)
        if (
            isinstance(value, Mapping)
            and isinstance(under, Mapping)
            and value.get("kind", under.get("kind")) == under.get("kind")
        ):
            out[key] = _merged(under, value)
        else:
            out[key] = value
    return out


def load_scenario(
    ref: str | Path | Mapping[str, Any] | Scenario | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Load and validate a scenario.

    ``ref`` is a file path, a scenario name (see ``orgabm scenarios``), a mapping,
    a Scenario, or None for the default scenario. ``overrides`` maps dotted paths
    to values, applied before validation. Raises ScenarioError with a one-line message.
    """
    source = "scenario"
    if ref is None:
        ref = DEFAULT_SCENARIO
    if isinstance(ref, Scenario):
        data = ref.model_dump()
    elif isinstance(ref, Mapping):
        data = dict(ref)
    else:
        path = resolve_scenario_path(ref)
        source = str(ref) if Path(ref).is_file() else f"scenario {ref}"
        data = read_scenario_file(path)
    if overrides:
        data = apply_overrides(data, overrides)
    return validate(data, source)


def validate(data: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """A Scenario from a plain mapping, or a ScenarioError naming key, value and what is allowed."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err, data) for err in exc.errors(include_url=False)]
        raise ScenarioError(f"{source}: " + _problems(problems)) from None
    except _FieldError as exc:  # pragma: no cover - pydantic wraps these as value errors
        raise ScenarioError(f"{source}: {exc}") from None


DEFAULT_SCENARIO = "learning_organization"


# --------------------------------------------------------------------------- memory
def memory_estimate(scenario: Scenario) -> int:
    """Bytes one run of ``scenario`` needs at its peak, roughly (measured with tracemalloc
    on this code: the employee x dimension arrays and their temporaries dominate)."""
    org, env = scenario.organization, scenario.environment
    n, m, teams = org.employees, env.dimensions, org.teams
    need = 1_100 * n + 300 * expected_ties(org) + 14 * n * m + 17 * teams * m
    need += (scenario.steps + 1) * (800 + 64 * teams)  # the metric and team recorders
    if env.kind == "nk":  # the exhaustive search, the contribution table, each scoring
        need += (2**m) * (m + 24) + m * 2 ** (env.k + 1) * 16 + 12 * n * m * (env.k + 1)
    return int(need)


#: A cgroup's memory limit and usage files (v2, then v1): a container's own limit.
CGROUP_MEMORY = (("memory.max", "memory.current"),
                 ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes"))  # fmt: skip


def available_memory() -> int | None:
    """Bytes this process may still allocate, or None if the system does not say:
    MemAvailable (Linux), else the free physical pages, capped by a cgroup's limit."""
    found: list[int] = []
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    if not found:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    for limit, usage in CGROUP_MEMORY:
        with contextlib.suppress(OSError, ValueError):
            cap = Path("/sys/fs/cgroup", limit).read_text().strip()
            used = Path("/sys/fs/cgroup", usage).read_text().strip()
            if cap.isdigit() and used.isdigit():
                found.append(max(int(cap) - int(used), 0))
    return min(found) if found else None


def _size(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if count < 1024 or unit == "TiB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    raise AssertionError  # pragma: no cover


def check_memory(scenario: Scenario, available: int | None = None) -> None:
    """Refuse, before anything is built, a run that needs more memory than is available
    (``available``: bytes; default: what the system says). Numpy would otherwise ask
    for gigabytes and fail half-way, or the system would start swapping."""
    if available is None:
        available = available_memory()
    need = memory_estimate(scenario)
    if available is None or need <= available:
        return
    org, env = scenario.organization, scenario.environment
    raise ScenarioError(
        f"organization.employees={org.employees:,}, environment.dimensions={env.dimensions:,}, "
        f"organization.teams={org.teams:,}, steps={scenario.steps:,}: a run needs about "
        f"{_size(need)} of memory, more than the {_size(available)} available: choose fewer "
        "employees or dimensions"
    )


# --------------------------------------------------------------------------- overrides
def parse_override(text: str) -> tuple[str, Any]:
    """``PATH=VALUE`` to (path, value); the value is read as a YAML scalar or list."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not part for part in path.split(".")):
        raise ScenarioError(
            f"--set {_shown(text)}: expected PATH=VALUE, e.g. leadership.socialization=0.5"
        )
    try:
        value = yaml.load(raw, Loader=_Loader) if raw.strip() else ""  # a SafeLoader
    except yaml.YAMLError:
        value = raw
    return path, value


NETWORK_KIND = "organization.network.kind"


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each dotted path set to its value.

    Setting ``organization.network.kind`` to another kind starts that network's
    settings afresh (a ring has no cross-team ties), so it is applied first.
    """
    out = _deepcopy(data)
    ordered = sorted(overrides.items(), key=lambda item: item[0] != NETWORK_KIND)
    for path, value in ordered:
        if path == NETWORK_KIND:
            network = out.get("organization", {}).get("network")
            if isinstance(network, dict) and network.get("kind", "complete") != value:
                network.clear()
        node = out
        keys = path.split(".")
        for i, key in enumerate(keys[:-1]):
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            if not isinstance(child, dict):
                where = ".".join(keys[: i + 1])
                raise ScenarioError(
                    f"--set {_cut(path)}: {_cut(where)} is a single setting ({_shown(child)}), "
                    "not a section"
                )
            node = child
        node[keys[-1]] = value
    return out


def change_scenario(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """A new scenario with ``changes`` (dotted path -> value) applied during a run.

    Only settings that can change mid-run (see MUTABLE) are accepted; the
    result is validated. Raises ScenarioError with a one-line message.
    """
    for path, value in changes.items():
        if not path.startswith(MUTABLE):
            raise ScenarioError(
                f"{_cut(path)}: cannot change during a run (only {', '.join(MUTABLE)}); "
                f"got {_shown(value)}"
            )
    return validate(apply_overrides(scenario.model_dump(), changes), "change")


def _deepcopy(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _deepcopy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deepcopy(v) for v in data]
    return data


# --------------------------------------------------------------------------- messages
#: Longest value or key an error message shows (a file may hold megabytes in one value).
SHOWN = 80

#: Most problems one error message lists.
PROBLEMS = 5

_REPR = reprlib.Repr(maxlevel=3, maxtuple=6, maxlist=6, maxarray=6, maxdict=6, maxset=6,
                     maxfrozenset=6, maxdeque=6, maxstring=SHOWN, maxlong=40,
                     maxother=SHOWN)  # fmt: skip


def _cut(text: str, limit: int = SHOWN) -> str:
    """``text``, cut in the middle to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[len(text) - half :]}"


def _shown(value: Any) -> str:
    """A value's repr for a message: reprlib elides deep or long parts without building
    the whole repr, and the result is cut to SHOWN characters."""
    return _cut(_REPR.repr(value))


def _problems(clauses: list[str]) -> str:
    """The first PROBLEMS clauses joined, and how many more there are."""
    more = len(clauses) - PROBLEMS
    return "; ".join(clauses[:PROBLEMS]) + (f"; and {more} more" if more > 0 else "")


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _section_class(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, list[str]]:
    """Walk the schema along a pydantic error location.

    Returns the section class that holds the last key, and the location as
    user-facing keys (a discriminated union's tag is dropped).
    """
    cls: type[BaseModel] | None = Scenario
    holder: type[BaseModel] | None = Scenario
    keys: list[str] = []
    i = 0
    while i < len(loc):
        key = str(loc[i])
        keys.append(key)
        holder = cls
        field = cls.model_fields.get(key) if cls is not None else None
        if field is None:
            cls, skip = None, 0
        else:
            nxt = loc[i + 1] if i + 1 < len(loc) else None
            cls, skip = _resolve_annotation(field.annotation, nxt)
            if nxt is None:
                skip = 0
            elif skip and typing.get_origin(field.annotation) in (dict, list):
                keys.append(str(nxt))  # a mapping's key or a list's index stays in the path
        i += 1 + skip
    return holder, keys


def _resolve_annotation(annotation: Any, next_item: Any) -> tuple[type[BaseModel] | None, int]:
    """The BaseModel class a field holds, and 1 if the next loc item is a union tag,
    a mapping's key or a list's index."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (dict, list):
        cls, _ = _resolve_annotation(args[-1], None)
        return cls, 1
    if typing.get_origin(annotation) is Annotated:
        return _resolve_annotation(args[0], next_item)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        for m in models:
            if "kind" in m.model_fields and m.model_fields["kind"].default == next_item:
                return m, 1
        return (models[0] if len(models) == 1 else None), 0
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, 0
    return None, 0


def _all_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _all_models(a)]


def _allowed_keys(holder: type[BaseModel] | None) -> list[str]:
    return list(holder.model_fields) if holder is not None else []


def _describe(err: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """One clause naming the key path, the bad value and what is allowed."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    value = err.get("input")
    holder, keys = _section_class(loc)
    path = _cut(".".join(keys) or "(top level)")
    ctx = err.get("ctx") or {}

    if kind == "extra_forbidden":
        allowed = _allowed_keys(holder)
        close = difflib.get_close_matches(keys[-1], allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        where = _cut(".".join(keys[:-1]) or "the top level")
        return f"{path}: unknown key in {where} (allowed: {', '.join(allowed)}){hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = _network_kinds()
        got = ctx.get("tag", value.get("kind") if isinstance(value, dict) else value)
        path = path if path.endswith("kind") else path + ".kind"
        close = difflib.get_close_matches(str(got), tags, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if kind == "union_tag_not_found":
            return f"{path}: missing; allowed: {', '.join(tags)}"
        return f"{path}: {_shown(got)} is not allowed: must be one of {', '.join(tags)}{hint}"
    if kind == "value_error" and isinstance(ctx.get("error"), _BoolError):
        be: _BoolError = ctx["error"]
        where = _cut(".".join([*keys, be.key]))
        return f"{where}: {be.flag} is not allowed: must be {be.wanted}, not true or false"
    if kind == "value_error" and isinstance(ctx.get("error"), _FieldError):
        fe: _FieldError = ctx["error"]
        return str(fe)
    if kind == "value_error":
        return f"{path}: {_shown(value)} is not allowed: {ctx.get('error', err.get('msg'))}"
    if kind == "missing":
        return f"{path}: missing"
    if kind == "finite_number":
        return f"{path}: {_shown(value)} is not allowed: must be a finite number (not .inf or .nan)"
    if kind == "literal_error":
        return f"{path}: {_shown(value)} is not allowed: must be {ctx.get('expected', '')}"
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        word, key = bounds[kind]
        return f"{path}: {_shown(value)} is not allowed: must be {word} {ctx.get(key)}"
    if kind.endswith(("_type", "_parsing", "_from_float")):
        expected = {
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "string": "text",
            "model": "a section (a mapping of settings)",
            "dict": "a section (a mapping of settings)",
        }
        what = next((v for k, v in expected.items() if kind.startswith(k)), kind)
        return f"{path}: {_shown(value)} is not allowed: must be {what}"
    return f"{path}: {_shown(value)} is not allowed: {err.get('msg', kind)}"


def _network_kinds() -> list[str]:
    field = Organization.model_fields["network"]
    return [m.model_fields["kind"].default for m in _all_models(field.annotation)]
