"""After-action reviews: every k steps a team pools what its members reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .state import EngineState, Levers

__all__ = ["review"]


def review(state: EngineState, levers: Levers, rng: np.random.Generator) -> None:
    """Team after-action reviews, every k steps (k = after_action_reviews, per team).

    The team pools the experiments its members reported since its last review
    (failures included): on each dimension, the value the latest report found better,
    as its author saw it. Each member adopts each finding with probability = their
    skill. On March's separable reality a correctly seen finding is the dimension's
    true value; on an NK landscape it is what did better in its author's context.
    Then the team's record is cleared. Costs ``review_cost`` per member.
    """
    if not levers.in_use("after_action_reviews"):
        return
    every = levers.by_team("after_action_reviews")
    due = (every > 0) & (state.step % np.maximum(every, 1) == 0)
    if not due.any():
        return
    members = due[state.team]
    found = np.where(members[:, None], state.findings[state.team], 0)
    topics = found != 0
    if topics.any():
        learns = topics & (rng.random(topics.shape, dtype=np.float32) < state.skill[:, None])
        state.counts["lessons"] += int(np.count_nonzero(learns & (state.beliefs != found)))
        state.beliefs[learns] = found[learns]
    state.last_review_failures[due] = state.failures_reported[due]
    state.findings[due] = 0
    state.failures_reported[due] = 0
    state.counts["reviews"] += int(due.sum())
    state.counts["cost"] += levers.calibration.review_cost * int(members.sum())
    state.spend(np.flatnonzero(members), levers.calibration.review_time)
