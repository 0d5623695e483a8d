"""Metrics, one number per step, and a columnar recorder for them.

Knowledge follows March (1991) on its reality: (correct - wrong) / m, in [-1, 1]. On an NK
landscape it is the fitness of the solution held, in [0, 1] (``NKLandscape.knowledge``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..scenario.errors import ParameterError

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = ["METRICS", "MetricsRecorder", "TeamRecorder", "chosen", "diversity"]


def code_knowledge(model: OrgModel) -> float:
    """The organizational code's knowledge (March's score; on NK, its solution's fitness)."""
    return model.reality.mean_knowledge(model.code)


def knowledge(model: OrgModel) -> float:
    """Employees' knowledge, averaged over employees (March's score; on NK, fitness)."""
    return model.reality.mean_knowledge(model.beliefs)


def performance(model: OrgModel) -> float:
    """Mean realized performance this step, (actions . reality) / m; NaN before any step."""
    if model.performance is None:
        return float("nan")
    return float(model.performance.mean()) / model.reality.scale


def productivity(model: OrgModel) -> float:
    """Mean output net of the time spent learning: each employee's performance on [0, 1]
    (``Environment.output``) times the share of the step left for work,
    1 - min(busy, 1); NaN before any step."""
    if model.performance is None:
        return float("nan")
    left = 1.0 - np.minimum(model.busy, 1.0)
    return float((model.reality.output(model.performance) * left).mean())


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


def _mean_of(name: str) -> Callable[[OrgModel], float]:
    def mean(model: OrgModel) -> float:
        values = getattr(model, name)
        return float(values.sum()) / len(values)

    mean.__doc__ = f"Mean {name.replace('_', ' ')} over employees."
    return mean


def _count_of(name: str) -> Callable[[OrgModel], float]:
    def count(model: OrgModel) -> float:
        return float(model.counts[name])

    count.__doc__ = f"Number of {name.replace('_', ' ')} this step."
    return count


#: Metric name -> function of the model. One column each per step.
METRICS: dict[str, Callable[[OrgModel], float]] = {
    "code_knowledge": code_knowledge,
    "knowledge": knowledge,
    "performance": performance,
    "productivity": productivity,
    "diversity": belief_diversity,
    "alignment": alignment,
    "safety": _mean_of("safety"),
    "risk_tolerance": _mean_of("risk_tolerance"),
    "skill": _mean_of("skill"),
    "experiments": _count_of("experiments"),
    "innovations": _count_of("innovations"),
    "failures": _count_of("failures"),
    "punishments": _count_of("punishments"),
    "reported_failures": _count_of("reported_failures"),
    "shares": _count_of("shares"),
    "lessons": _count_of("lessons"),
    "cost": _count_of("cost"),
}


def chosen(
    names: Collection[str] | None, known: Mapping[str, Callable[[OrgModel], float]], owner: str
) -> dict[str, Callable[[OrgModel], float]]:
    """The metrics of ``known`` called ``names`` (None: all), in the order given; a
    ParameterError names one that ``owner`` (a model class's name) does not have. Here, not
    on the model, so that a sweep's parent checks ``metrics`` without importing Mesa."""
    if names is None:
        return dict(known)
    if isinstance(names, str):  # one name, not its letters
        names = [names]
    allowed = f"choose from {', '.join(known)}"
    for name in names:
        if name not in known:
            raise ParameterError("metrics", name, f"not a metric of {owner}; {allowed}")
    if not names:
        raise ParameterError("metrics", "", f"name at least one; {allowed}")
    return {name: known[name] for name in dict.fromkeys(names)}


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


class TeamRecorder:
    """Per-team metrics every step: a long table with one row per step and team."""

    columns = (
        "employees", "knowledge", "pooled_knowledge", "safety", "risk_tolerance", "skill",
        "experiments",
    )  # fmt: skip

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.values: list[np.ndarray] = []

    def collect(self, model: OrgModel) -> None:
        """Record each team's size, mean and pooled knowledge, safety, risk tolerance, skill
        and experiments. Pooled knowledge is the score of the team's majority belief on
        each dimension: what the team knows together."""
        teams, team, dims = model.teams, model.team, model.dimensions
        scores = model.reality.knowledge(model.beliefs)
        if teams == 1:
            pooled = model.reality.mean_knowledge(
                np.sign(model.beliefs.sum(axis=0, dtype=np.int64))
            )
            row = np.array(
                [
                    [len(team)], [scores.mean()], [pooled], [model.safety.mean()],
                    [model.risk_tolerance.mean()], [model.skill.mean()],
                    [float(model.team_experiments[0])],
                ]
            )  # fmt: skip
        else:
            size = np.bincount(team, minlength=teams).astype(float)
            order = np.argsort(team, kind="stable")
            starts = np.concatenate([[0], np.cumsum(size[:-1])]).astype(np.int64)
            present = size > 0
            votes = np.zeros((teams, dims), dtype=np.int64)
            wide = np.int16 if size.max() < 2**15 else np.int32  # enough for any team's net vote
            votes[present] = np.add.reduceat(
                model.beliefs[order].astype(wide), starts[present], axis=0
            )
            pooled = model.reality.knowledge(np.sign(votes))
            with np.errstate(invalid="ignore", divide="ignore"):

                def mean(x: np.ndarray) -> np.ndarray:
                    return np.bincount(team, weights=x, minlength=teams) / size

                row = np.stack(
                    [
                        size,
                        mean(scores),
                        np.where(present, pooled, np.nan),
                        mean(model.safety),
                        mean(model.risk_tolerance),
                        mean(model.skill),
                        model.team_experiments.astype(float),
                    ]
                )
        self.steps.append(int(model.time))
        self.values.append(row)

    def to_frame(self) -> pd.DataFrame:
        """Columns: step, team, then one per recorded quantity."""
        teams = self.values[0].shape[1] if self.values else 0
        empty = np.empty((0, len(self.columns)))
        data = np.concatenate([v.T for v in self.values]) if self.values else empty
        frame = pd.DataFrame(data, columns=list(self.columns))
        frame.insert(0, "team", np.tile(np.arange(teams), len(self.steps)))
        frame.insert(0, "step", np.repeat(np.asarray(self.steps, dtype=np.int64), teams))
        frame["employees"] = frame["employees"].astype(np.int64)
        frame["experiments"] = frame["experiments"].astype(np.int64)
        return frame
