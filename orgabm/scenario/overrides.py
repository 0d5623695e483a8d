"""Overrides: ``PATH=VALUE`` settings (the CLI's ``--set``), and changes during a run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml

from .errors import ScenarioError, cut, shown
from .safe_yaml import SafeLoader
from .sections import MUTABLE

if TYPE_CHECKING:
    from .schema import Scenario

__all__ = ["NETWORK_KIND", "apply_overrides", "change_scenario", "parse_override"]


# --------------------------------------------------------------------------- overrides
def parse_override(text: str) -> tuple[str, Any]:
    """``PATH=VALUE`` to (path, value); the value is read as a YAML scalar or list."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or any(not part for part in path.split(".")):
        raise ScenarioError(
            f"{shown(text)}: expected PATH=VALUE, e.g. leadership.socialization=0.5"
        )
    try:
        value = yaml.load(raw, Loader=SafeLoader) if raw.strip() else ""  # a SafeLoader
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
                    f"{cut(path)}: {cut(where)} is a single setting ({shown(child)}), not a section"
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
                f"{cut(path)}: cannot change during a run (only {', '.join(MUTABLE)}); "
                f"got {shown(value)}"
            )
    from .loading import validate  # loading applies overrides: imported when used

    return validate(apply_overrides(scenario.model_dump(), changes), "change")


def _deepcopy(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _deepcopy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_deepcopy(v) for v in data]
    return data
