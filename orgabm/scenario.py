"""Scenarios: the YAML schema, loading, ``--set`` overrides and readable errors.

A scenario describes an organization, its environment, its workforce and its
leadership. Input is validated here, once, at the edge; the model trusts it.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .network import expected_ties, torus_shape

__all__ = [
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "available_scenarios",
    "load_scenario",
    "parse_override",
    "scenario_dirs",
]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]

#: Most ties a network may have (a complete network of 2,000 employees has 1,999,000).
MAX_TIES = 2_000_000


class ScenarioError(ValueError):
    """A scenario (file, mapping or override) that cannot be used; the message is one line."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


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

    kind: Literal["march"] = "march"
    dimensions: int = Field(30, ge=1, le=10_000, description="dimensions of reality (m)")
    turbulence: Probability = Field(0.0, description="per-step flip probability (p4)")


class FastLearners(_Section):
    """A share of employees with their own socialization rate (March's Figures 2 and 3)."""

    share: Probability = Field(0.0, description="share of employees who learn fast")
    socialization: Probability = Field(0.9, description="their socialization rate")


class Workforce(_Section):
    """Who joins and leaves."""

    turnover: Probability = Field(0.0, description="per-step replacement probability (p3)")
    fast_learners: FastLearners = Field(default_factory=FastLearners)


class Leadership(_Section):
    """The levers leadership pulls."""

    socialization: Probability = Field(0.1, description="learning from the code (p1)")
    code_learning: Probability = Field(0.5, description="the code learning (p2)")


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
        ties = expected_ties(org)
        if ties > MAX_TIES:
            raise _FieldError(
                "organization.network.kind",
                net.kind,
                f"a network of at most {MAX_TIES:,} ties; this one would have about "
                f"{ties:,.0f} with {n:,} employees (choose a sparser network)",
            )
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
        super().__init__(f"{path}: {value!r} is not allowed: must be {allowed}")


# --------------------------------------------------------------------------- loading
def scenario_dirs() -> list[Path]:
    """Where named scenarios live: the source tree's ``scenarios/``, else the installed copy."""
    here = Path(__file__).resolve().parent
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
    if path.exists():
        raise ScenarioError(f"{ref}: not a file")
    close = difflib.get_close_matches(str(ref), list(named), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ScenarioError(
        f"no scenario '{ref}': no such file, and not one of the named scenarios "
        f"({', '.join(named) or 'none'}){hint}"
    )


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML file's top-level mapping, or a one-line ScenarioError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
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
        data = read_yaml(path)
    if overrides:
        data = apply_overrides(data, overrides)
    return validate(data, source)


def validate(data: Mapping[str, Any], source: str = "scenario") -> Scenario:
    """A Scenario from a plain mapping, or a ScenarioError naming key, value and what is allowed."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err, data) for err in exc.errors(include_url=False)]
        raise ScenarioError(f"{source}: " + "; ".join(problems)) from None
    except _FieldError as exc:  # pragma: no cover - pydantic wraps these as value errors
        raise ScenarioError(f"{source}: {exc}") from None


DEFAULT_SCENARIO = "march_1991"


# --------------------------------------------------------------------------- overrides
def parse_override(text: str) -> tuple[str, Any]:
    """``PATH=VALUE`` to (path, value); the value is read as a YAML scalar or list."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not part for part in path.split(".")):
        raise ScenarioError(
            f"--set {text!r}: expected PATH=VALUE, e.g. leadership.socialization=0.5"
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return path, value


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with each dotted path set to its value."""
    out = _deepcopy(data)
    for path, value in overrides.items():
        node = out
        keys = path.split(".")
        for i, key in enumerate(keys[:-1]):
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            if not isinstance(child, dict):
                where = ".".join(keys[: i + 1])
                raise ScenarioError(
                    f"--set {path}: {where} is a single setting ({child!r}), not a section"
                )
            node = child
        node[keys[-1]] = value
    return out


def _deepcopy(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _deepcopy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deepcopy(v) for v in data]
    return data


# --------------------------------------------------------------------------- messages
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
            cls, skip = _resolve_annotation(
                field.annotation, loc[i + 1] if i + 1 < len(loc) else None
            )
        i += 1 + skip
    return holder, keys


def _resolve_annotation(annotation: Any, next_item: Any) -> tuple[type[BaseModel] | None, int]:
    """The BaseModel class a field holds, and 1 if the next loc item is a union tag."""
    args = typing.get_args(annotation)
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
    path = ".".join(keys) or "(top level)"
    ctx = err.get("ctx") or {}

    if kind == "extra_forbidden":
        allowed = _allowed_keys(holder)
        close = difflib.get_close_matches(keys[-1], allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        where = ".".join(keys[:-1]) or "the top level"
        return f"{path}: unknown key in {where} (allowed: {', '.join(allowed)}){hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = _network_kinds()
        got = ctx.get("tag", value.get("kind") if isinstance(value, dict) else value)
        path = path if path.endswith("kind") else path + ".kind"
        close = difflib.get_close_matches(str(got), tags, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if kind == "union_tag_not_found":
            return f"{path}: missing; allowed: {', '.join(tags)}"
        return f"{path}: {got!r} is not allowed: must be one of {', '.join(tags)}{hint}"
    if kind == "value_error" and isinstance(ctx.get("error"), _FieldError):
        fe: _FieldError = ctx["error"]
        return f"{fe.path}: {fe.value!r} is not allowed: must be {fe.allowed}"
    if kind == "missing":
        return f"{path}: missing"
    if kind == "literal_error":
        return f"{path}: {value!r} is not allowed: must be {ctx.get('expected', '')}"
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        word, key = bounds[kind]
        return f"{path}: {value!r} is not allowed: must be {word} {ctx.get(key)}"
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
        return f"{path}: {value!r} is not allowed: must be {what}"
    return f"{path}: {value!r} is not allowed: {err.get('msg', kind)}"


def _network_kinds() -> list[str]:
    field = Organization.model_fields["network"]
    return [m.model_fields["kind"].default for m in _all_models(field.annotation)]
