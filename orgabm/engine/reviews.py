"""After-action reviews: every k steps a team pools what its members reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = ["review"]


def review(model: OrgModel, rng: np.random.Generator) -> None:
    """Team after-action reviews, every k steps (k = after_action_reviews, per team).

    Members learn the true value of every dimension behind the experiments their
    team reported since its last review (failures included), each with
    probability = their skill. Then the team's record is cleared. Costs
    ``review_cost`` per member.
    """
    if not model.lever_in_use("after_action_reviews"):
        return
    every = model.team_lever("after_action_reviews")
    due = (every > 0) & (int(model.time) % np.maximum(every, 1) == 0)
    if not due.any():
        return
    members = due[model.team]
    topics = model.reported[model.team] & members[:, None]
    if topics.any():
        learns = topics & (rng.random(topics.shape, dtype=np.float32) < model.skill[:, None])
        truth = np.broadcast_to(model.reality.values, model.beliefs.shape)
        model.counts["lessons"] += int(np.count_nonzero(learns & (model.beliefs != truth)))
        model.beliefs[learns] = truth[learns]
    model.last_review_failures[due] = model.failures_reported[due]
    model.reported[due] = False
    model.failures_reported[due] = 0
    model.counts["reviews"] += int(due.sum())
    model.counts["cost"] += model.config.calibration.review_cost * int(members.sum())
