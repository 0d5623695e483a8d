"""Formal learning: training and mentoring raise skill, at a cost."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = ["develop"]


def develop(model: OrgModel, train: np.random.Generator, mentor: np.random.Generator) -> None:
    """Formal training and mentoring raise skill, with diminishing returns, at a cost.

    Training reaches each employee with probability ``training`` and closes
    ``training_gain`` of the gap between their skill and 1. Mentoring reaches
    each with probability ``mentoring``: their most skilled tie, if more skilled,
    closes ``mentoring_gain`` of the gap between them.
    """
    cal, n = model.config.calibration, model.employees
    if model.lever_in_use("training"):
        training = model.lever("training")
        trained = train.random(n) < training
        model.skill[trained] += cal.training_gain * (1.0 - model.skill[trained])
        model.counts["cost"] += cal.training_cost * int(trained.sum())
    if model.lever_in_use("mentoring"):
        mentoring = model.lever("mentoring")
        rows = np.flatnonzero(mentor.random(n) < mentoring)
        mentors = model.ties.best_of(rows, model.skill)
        keep = (mentors >= 0) & (model.skill[np.maximum(mentors, 0)] > model.skill[rows])
        rows, mentors = rows[keep], mentors[keep]
        model.skill[rows] += cal.mentoring_gain * (model.skill[mentors] - model.skill[rows])
        model.counts["cost"] += cal.mentoring_cost * len(rows)
