"""The shipped assignments: scenario files with an ``assignment:`` section."""

from __future__ import annotations

from ..scenario import ScenarioError, load_scenario, scenario_dirs

__all__ = ["assignments"]


def assignments() -> dict[str, str]:
    """The shipped assignments: scenario name ("assignments/<file>") -> title."""
    out = {}
    for folder in scenario_dirs():
        for path in sorted((folder / "assignments").glob("*.yaml")):
            name = f"assignments/{path.stem}"
            try:
                task = load_scenario(name).assignment
            except ScenarioError:
                continue
            if task is not None:
                out[name] = task.title
    return out
