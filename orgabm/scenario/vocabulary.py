"""The names a scenario may use for the model's outcomes, with what each one means.

They live here, below the engine, so that the schema can check an assignment's metric
without importing the engine; the engine's ``METRICS`` computes exactly these (a test
holds the two together).
"""

from __future__ import annotations

__all__ = ["DEFAULT_SCENARIO", "METRIC_MEANINGS", "METRIC_NAMES"]

#: The scenario a command or the dashboard uses when none is named.
DEFAULT_SCENARIO = "learning_organization"

#: Metric name -> one line on what it measures.
METRIC_MEANINGS: dict[str, str] = {
    "code_knowledge": "how well the organization's code (the official line) matches reality",
    "knowledge": "how well employees' beliefs match reality, on average",
    "performance": "how well employees' actions do in reality, on average",
    "productivity": "what employees produce, 0 to 1, net of the time spent learning",
    "diversity": "how much employees' beliefs differ from one another",
    "alignment": "how closely employees' beliefs follow the code",
    "safety": "employees' mean perceived psychological safety",
    "risk_tolerance": "employees' mean willingness to experiment",
    "skill": "employees' mean skill at learning",
    "experiments": "experiments tried this step",
    "innovations": "experiments this step that found a better belief",
    "failures": "experiments this step that did worse",
    "punishments": "failures this step that leaders punished",
    "reported_failures": "failures this step reported for review",
    "shares": "beliefs this step adopted from colleagues",
    "lessons": "beliefs this step changed by reviews",
    "cost": "what learning programs cost this step (training, mentoring, reviews, recognition)",
}

#: The metric names, in the order the model records them.
METRIC_NAMES: tuple[str, ...] = tuple(METRIC_MEANINGS)
