"""Scenario files: the schema, loading with ``extends``, overrides, assignments, one-line errors.

The bottom layer: it imports nothing from the engine, so a scenario is checked before
anything is built. Its names load on first use: the CLI's parser needs only
``DEFAULT_SCENARIO``, not pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .assignments import Assignment, AssignmentExperiment
    from .errors import ScenarioError
    from .layout import expected_ties, torus_shape
    from .loading import (
        available_scenarios,
        load_scenario,
        read_scenario_file,
        read_yaml,
        resolve_scenario_path,
        scenario_dirs,
        validate,
    )
    from .memory import available_memory, check_memory, memory_estimate
    from .networks import NETWORK_KINDS
    from .overrides import NETWORK_KIND, apply_overrides, change_scenario, parse_override
    from .schema import Scenario
    from .sections import (
        MAX_NK_DIMENSIONS,
        MAX_TIES,
        MUTABLE,
        TEAM_LEVERS,
        Calibration,
        Environment,
        Event,
        Leadership,
        Organization,
        Workforce,
    )
    from .vocabulary import DEFAULT_SCENARIO, METRIC_MEANINGS, METRIC_NAMES

#: Public name -> the module that defines it.
_API = {
    "Assignment": ".assignments",
    "AssignmentExperiment": ".assignments",
    "ScenarioError": ".errors",
    "expected_ties": ".layout",
    "torus_shape": ".layout",
    "DEFAULT_SCENARIO": ".vocabulary",
    "available_scenarios": ".loading",
    "load_scenario": ".loading",
    "read_scenario_file": ".loading",
    "read_yaml": ".loading",
    "resolve_scenario_path": ".loading",
    "scenario_dirs": ".loading",
    "validate": ".loading",
    "available_memory": ".memory",
    "check_memory": ".memory",
    "memory_estimate": ".memory",
    "NETWORK_KINDS": ".networks",
    "NETWORK_KIND": ".overrides",
    "apply_overrides": ".overrides",
    "change_scenario": ".overrides",
    "parse_override": ".overrides",
    "Scenario": ".schema",
    "MAX_NK_DIMENSIONS": ".sections",
    "MAX_TIES": ".sections",
    "MUTABLE": ".sections",
    "TEAM_LEVERS": ".sections",
    "Calibration": ".sections",
    "Environment": ".sections",
    "Event": ".sections",
    "Leadership": ".sections",
    "Organization": ".sections",
    "Workforce": ".sections",
    "METRIC_MEANINGS": ".vocabulary",
    "METRIC_NAMES": ".vocabulary",
}  # fmt: skip

__all__ = [
    "DEFAULT_SCENARIO",
    "MAX_NK_DIMENSIONS",
    "MAX_TIES",
    "METRIC_MEANINGS",
    "METRIC_NAMES",
    "MUTABLE",
    "NETWORK_KIND",
    "NETWORK_KINDS",
    "TEAM_LEVERS",
    "Assignment",
    "AssignmentExperiment",
    "Calibration",
    "Environment",
    "Event",
    "Leadership",
    "Organization",
    "Scenario",
    "ScenarioError",
    "Workforce",
    "apply_overrides",
    "available_memory",
    "available_scenarios",
    "change_scenario",
    "check_memory",
    "expected_ties",
    "load_scenario",
    "memory_estimate",
    "parse_override",
    "read_scenario_file",
    "read_yaml",
    "resolve_scenario_path",
    "scenario_dirs",
    "torus_shape",
    "validate",
]  # fmt: skip

__getattr__, __dir__ = lazy_names(__name__, _API)
