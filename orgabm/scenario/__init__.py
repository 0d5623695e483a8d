"""Scenario files: the schema, loading with ``extends``, overrides, assignments, one-line errors.

The bottom layer: it imports nothing from the engine, so a scenario is checked before
anything is built.
"""

from .layout import expected_ties, torus_shape
from .schema import (
    DEFAULT_SCENARIO,
    MAX_NK_DIMENSIONS,
    MAX_TIES,
    MUTABLE,
    NETWORK_KIND,
    TEAM_LEVERS,
    Assignment,
    AssignmentExperiment,
    Calibration,
    Environment,
    Event,
    Leadership,
    Organization,
    Scenario,
    ScenarioError,
    Workforce,
    apply_overrides,
    available_scenarios,
    change_scenario,
    check_memory,
    load_scenario,
    memory_estimate,
    parse_override,
    read_scenario_file,
    read_yaml,
    resolve_scenario_path,
    scenario_dirs,
    validate,
)
from .vocabulary import METRIC_MEANINGS, METRIC_NAMES

__all__ = [
    "DEFAULT_SCENARIO", "MAX_NK_DIMENSIONS", "MAX_TIES", "METRIC_MEANINGS", "METRIC_NAMES",
    "MUTABLE", "NETWORK_KIND", "TEAM_LEVERS", "Assignment", "AssignmentExperiment",
    "Calibration", "Environment", "Event", "Leadership", "Organization", "Scenario",
    "ScenarioError", "Workforce", "apply_overrides", "available_scenarios", "change_scenario", "check_memory",
    "expected_ties", "load_scenario", "memory_estimate", "parse_override", "read_scenario_file", "read_yaml",
    "resolve_scenario_path", "scenario_dirs", "torus_shape", "validate",
]  # fmt: skip
