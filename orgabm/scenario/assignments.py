"""Assignments: a scenario with instructions, questions and the levers students may open."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import (
    Field,
    model_validator,
)

from .errors import FieldError
from .fields import Section
from .sections import Leadership
from .vocabulary import METRIC_NAMES

__all__ = ["Assignment", "AssignmentExperiment"]


class AssignmentExperiment(Section):
    """The experiment tab's starting point: a lever's range, a second factor, replicates."""

    lever: str = Field(description="the open lever to vary")
    low: float
    high: float
    points: int = Field(5, ge=2, le=11, description="values of the lever")
    factor: str | None = Field(None, description="a second factor: a path from factors, or "
                               "leadership.<another open lever>")  # fmt: skip
    factor_values: list[Any] = Field(default_factory=list, description="its values")
    replicates: int = Field(10, ge=1, le=50, description="runs per point")
    metric: str = Field("knowledge", description="the outcome plotted")


class Assignment(Section):
    """What makes a scenario an assignment: instructions, questions, open and locked levers."""

    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1, description="Markdown")
    questions: list[str] = Field(min_length=1)
    open: dict[str, tuple[float, float]] = Field(
        min_length=1, description="lever -> [low, high]; every other lever is locked"
    )
    factors: dict[str, list[Any]] = Field(
        default_factory=dict, description="scenario path -> values a second factor may take"
    )
    experiment: AssignmentExperiment | None = None

    def factor_choices(self) -> list[str]:
        """Second factors: the listed paths, then the other open levers."""
        return [*self.factors, *(f"leadership.{name}" for name in self.open)]

    @model_validator(mode="after")
    def _check(self) -> Assignment:
        for name, (low, high) in self.open.items():
            if name not in Leadership.model_fields:
                close = difflib.get_close_matches(name, list(Leadership.model_fields), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                levers = ", ".join(Leadership.model_fields)
                raise FieldError(f"assignment.open.{name}", name, f"a lever: {levers}{hint}")
            top = 1_000_000 if name == "after_action_reviews" else 1.0
            if not 0 <= low <= high <= top:
                raise FieldError(f"assignment.open.{name}", [low, high],
                                  f"[low, high] with 0 <= low <= high <= {top:g}")  # fmt: skip
        for path, values in self.factors.items():
            if not values:
                raise FieldError(f"assignment.factors.{path}", values, "a non-empty list")
        e = self.experiment
        if e is not None:
            if e.lever not in self.open:
                raise FieldError("assignment.experiment.lever", e.lever,
                                  f"an open lever: {', '.join(self.open)}")  # fmt: skip
            low, high = self.open[e.lever]
            if not low <= e.low <= e.high <= high:
                allowed = f"low <= high within the open range [{low:g}, {high:g}]"
                raise FieldError("assignment.experiment.low", [e.low, e.high], allowed)
            if e.factor is not None and e.factor not in self.factor_choices():
                raise FieldError("assignment.experiment.factor", e.factor,
                                  f"one of {', '.join(self.factor_choices())}")  # fmt: skip
            if e.factor is not None and not e.factor_values:
                raise FieldError("assignment.experiment.factor_values", e.factor_values,
                                  "the second factor's values (a non-empty list)")  # fmt: skip
            if e.metric not in METRIC_NAMES:
                raise FieldError("assignment.experiment.metric", e.metric,
                                  f"a metric: {', '.join(METRIC_NAMES)}")  # fmt: skip
        return self
