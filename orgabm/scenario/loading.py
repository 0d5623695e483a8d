"""Loading scenario files: safe YAML (no aliases, bounded depth), ``extends``, validation."""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    ValidationError,
)

from .errors import FieldError, ScenarioError, problems, shown
from .messages import describe, kind_of
from .overrides import apply_overrides
from .safe_yaml import SafeLoader
from .schema import Scenario
from .vocabulary import DEFAULT_SCENARIO

__all__ = [
    "DEFAULT_SCENARIO",
    "available_scenarios",
    "load_scenario",
    "read_scenario_file",
    "read_yaml",
    "resolve_scenario_path",
    "scenario_dirs",
    "validate",
]

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- loading
def scenario_dirs() -> list[Path]:
    """Where named scenarios live: the source tree's ``scenarios/``, else the installed copy;
    then the folders in ``ORGABM_SCENARIOS`` (separated by ``os.pathsep``), whose
    scenarios and ``assignments/`` add to the shipped ones (a teacher's own assignments,
    without editing the installed package; a shipped name wins)."""
    here = Path(__file__).resolve().parents[1]  # the orgabm package
    dirs = [d for d in (here.parent / "scenarios", here / "scenarios") if d.is_dir()][:1]
    for part in os.environ.get("ORGABM_SCENARIOS", "").split(os.pathsep):
        if part.strip():
            folder = Path(part.strip()).expanduser()
            if folder.is_dir():
                dirs.append(folder)
            else:
                log.warning("ORGABM_SCENARIOS: %s is not a folder; skipped", folder)
    return dirs


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


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML file's top-level mapping, or a one-line ScenarioError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=SafeLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}: not valid YAML{at}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path}: expected a mapping of settings at the top level, got {kind_of(data)}"
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
            f"{path}: extends: {shown(base_ref)} is not allowed: give a scenario name"
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
            f"{path}: extends: {shown(base_ref)} is not allowed: names {base_path.resolve()}; "
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
        said = [describe(err, data) for err in exc.errors(include_url=False)]
        raise ScenarioError(f"{source}: " + problems(said)) from None
    except FieldError as exc:  # pragma: no cover - pydantic wraps these as value errors
        raise ScenarioError(f"{source}: {exc}") from None
