"""Formal learning: training and mentoring raise skill, at a cost."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .state import EngineState, Levers

__all__ = ["develop"]


def develop(
    state: EngineState, levers: Levers, train: np.random.Generator, mentor: np.random.Generator
) -> None:
    """Formal training and mentoring raise skill, with diminishing returns, at a cost.

    Training reaches each employee with probability ``training`` and closes
    ``training_gain`` of the gap between their skill and 1. Mentoring reaches
    each with probability ``mentoring``: their most skilled tie, if more skilled,
    closes ``mentoring_gain`` of the gap between them.
    """
    cal, n = levers.calibration, state.employees
    if levers.in_use("training"):
        training = levers("training")
        trained = train.random(n) < training
        state.skill[trained] += cal.training_gain * (1.0 - state.skill[trained])
        state.counts["cost"] += cal.training_cost * int(trained.sum())
        state.spend(np.flatnonzero(trained), cal.training_time)
    if levers.in_use("mentoring"):
        mentoring = levers("mentoring")
        rows = np.flatnonzero(mentor.random(n) < mentoring)
        mentors = state.ties.best_of(rows, state.skill)
        keep = (mentors >= 0) & (state.skill[np.maximum(mentors, 0)] > state.skill[rows])
        rows, mentors = rows[keep], mentors[keep]
        state.skill[rows] += cal.mentoring_gain * (state.skill[mentors] - state.skill[rows])
        state.counts["cost"] += cal.mentoring_cost * len(rows)
        state.spend(np.concatenate([rows, mentors]), cal.mentoring_time)
