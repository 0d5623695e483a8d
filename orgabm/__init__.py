"""orgabm: an agent-based simulator of organizational learning, built on Mesa."""

from importlib.metadata import PackageNotFoundError, version

from .agents import Employee
from .batch import sweep
from .metrics import METRICS
from .model import OrgModel
from .report import write_report
from .runner import run_scenario
from .scenario import Scenario, ScenarioError, available_scenarios, load_scenario
from .sensitivity import run_sensitivity
from .store import load_results

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
