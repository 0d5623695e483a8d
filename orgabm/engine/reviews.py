"""After-action reviews: every k steps a team pools what its members reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .state import EngineState, Levers

__all__ = ["review"]


def review(state: EngineState, levers: Levers, rng: np.random.Generator) -> None:
    """Team after-action reviews, every k steps (k = after_action_reviews, per team).

    Members learn the true value of every dimension behind the experiments their
    team reported since its last review (failures included), each with
    probability = their skill. Then the team's record is cleared. Costs
    ``review_cost`` per member.
    """
    if not levers.in_use("after_action_reviews"):
        return
    every = levers.by_team("after_action_reviews")
    due = (every > 0) & (state.step % np.maximum(every, 1) == 0)
    if not due.any():
        return
    members = due[state.team]
    topics = state.reported[state.team] & members[:, None]
    if topics.any():
        learns = topics & (rng.random(topics.shape, dtype=np.float32) < state.skill[:, None])
        truth = np.broadcast_to(state.reality.values, state.beliefs.shape)
        state.counts["lessons"] += int(np.count_nonzero(learns & (state.beliefs != truth)))
        state.beliefs[learns] = truth[learns]
    state.last_review_failures[due] = state.failures_reported[due]
    state.reported[due] = False
    state.failures_reported[due] = 0
    state.counts["reviews"] += int(due.sum())
    state.counts["cost"] += levers.calibration.review_cost * int(members.sum())
