"""Scenario files: the schema, loading with ``extends``, overrides, assignments, one-line errors.

The bottom layer: it imports nothing from the engine, so a scenario is checked before
anything is built.
"""

from .assignments import Assignment, AssignmentExperiment
from .errors import ScenarioError
from .layout import expected_ties, torus_shape
from .loading import (
    DEFAULT_SCENARIO,
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
from .vocabulary import METRIC_MEANINGS, METRIC_NAMES

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
