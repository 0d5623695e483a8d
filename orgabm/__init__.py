"""orgabm: an agent-based simulator of organizational learning, built on Mesa."""

from importlib.metadata import PackageNotFoundError, version

from .analysis.report import write_report
from .analysis.sensitivity import run_sensitivity
from .batch.replicates import run_scenario
from .batch.store import load_results
from .batch.sweep import sweep
from .engine.employees import Employee
from .engine.metrics import METRICS
from .engine.model import OrgModel
from .scenario import Scenario, ScenarioError, available_scenarios, load_scenario

try:
    __version__ = version("orgabm")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "METRICS",
    "Employee",
    "OrgModel",
    "Scenario",
    "ScenarioError",
    "__version__",
    "available_scenarios",
    "load_results",
    "load_scenario",
    "run_scenario",
    "run_sensitivity",
    "sweep",
    "write_report",
]
