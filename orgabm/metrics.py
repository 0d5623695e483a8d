"""Metrics, one number per step, and a columnar recorder for them.

Knowledge scores follow March (1991): (correct - wrong) / m, in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = ["METRICS", "MetricsRecorder", "diversity"]


def code_knowledge(model: OrgModel) -> float:
    """March's score of the organizational code: (correct - wrong) / m."""
    return float(model.reality.score(model.code)) / model.dimensions


def knowledge(model: OrgModel) -> float:
    """March's score of employees' beliefs, averaged over employees."""
    return float(model.reality.score(model.beliefs).mean()) / model.dimensions


def performance(model: OrgModel) -> float:
    """Mean realized performance this step, (actions . reality) / m; NaN before any step."""
    if model.performance is None:
        return float("nan")
    return float(model.performance.mean()) / model.dimensions


def diversity(beliefs: np.ndarray) -> float:
    """How varied beliefs are: 1 when uniform over {-1, 0, +1}, 0 when all agree.

    The Gini-Simpson index of beliefs on each dimension, averaged over
    dimensions and divided by its maximum, 2/3.
    """
    n = beliefs.shape[0]
    plus = np.count_nonzero(beliefs == 1, axis=0) / n
    minus = np.count_nonzero(beliefs == -1, axis=0) / n
    zero = 1.0 - plus - minus
    return float((1.0 - plus**2 - minus**2 - zero**2).mean() * 1.5)


def belief_diversity(model: OrgModel) -> float:
    """:func:`diversity` of the employees' beliefs."""
    return diversity(model.beliefs)


def alignment(model: OrgModel) -> float:
    """Share of beliefs equal to the code's, over all employees and dimensions."""
    return np.count_nonzero(model.beliefs == model.code) / model.beliefs.size


#: Metric name -> function of the model. One column each per step.
METRICS: dict[str, Callable[[OrgModel], float]] = {
    "code_knowledge": code_knowledge,
    "knowledge": knowledge,
    "performance": performance,
    "diversity": belief_diversity,
    "alignment": alignment,
}


class MetricsRecorder:
    """Records every metric at every step into columns.

    It stands in for Mesa's DataCollector (``get_model_vars_dataframe``) but
    keeps plain float columns, so long and large runs stay cheap.
    """

    def __init__(self, metrics: dict[str, Callable[[OrgModel], float]] | None = None) -> None:
        self.metrics = dict(METRICS if metrics is None else metrics)
        self.steps: list[int] = []
        self.columns: dict[str, list[float]] = {name: [] for name in self.metrics}

    def collect(self, model: OrgModel) -> None:
        """Record the current value of every metric."""
        self.steps.append(int(model.time))
        for name, fn in self.metrics.items():
            self.columns[name].append(fn(model))

    def latest(self) -> dict[str, float]:
        """The most recent value of every metric."""
        return {name: values[-1] for name, values in self.columns.items()}

    def to_frame(self) -> pd.DataFrame:
        """One row per recorded step: ``step`` and one column per metric."""
        frame = pd.DataFrame({"step": np.asarray(self.steps, dtype=np.int64)})
        for name, values in self.columns.items():
            frame[name] = np.asarray(values, dtype=np.float64)
        return frame

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """Mesa DataCollector's name for :meth:`to_frame` (indexed by step)."""
        return self.to_frame().set_index("step")
