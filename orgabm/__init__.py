"""orgabm: an agent-based simulator of organizational learning, built on Mesa.

The public API is imported on first use, so ``import orgabm.scenario`` (or the CLI)
does not load the engine, pandas' writers or the dashboard it does not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_names
from .version import __version__

if TYPE_CHECKING:
    from .analysis.report import write_report
    from .analysis.sensitivity import run_sensitivity
    from .batch.replicates import run_scenario
    from .batch.store import load_results
    from .batch.sweep import sweep
    from .engine.employees import Employee
    from .engine.metrics import METRICS
    from .engine.model import OrgModel
    from .scenario import Scenario, ScenarioError, available_scenarios, load_scenario

#: Public name -> the module that defines it.
_API = {
    "METRICS": ".engine.metrics",
    "Employee": ".engine.employees",
    "OrgModel": ".engine.model",
    "Scenario": ".scenario",
    "ScenarioError": ".scenario",
    "available_scenarios": ".scenario",
    "load_results": ".batch.store",
    "load_scenario": ".scenario",
    "run_scenario": ".batch.replicates",
    "run_sensitivity": ".analysis.sensitivity",
    "sweep": ".batch.sweep",
    "write_report": ".analysis.report",
}

__all__ = [
    "METRICS", "Employee", "OrgModel", "Scenario", "ScenarioError", "__version__",
    "available_scenarios", "load_results", "load_scenario", "run_scenario", "run_sensitivity",
    "sweep", "write_report",
]  # fmt: skip


__getattr__, __dir__ = lazy_names(__name__, _API, ["__version__"])
