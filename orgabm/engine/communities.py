"""Communities of practice: chance encounters across teams, where ideas cross silos."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .sharing import learn_from

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = ["meet_across_teams"]


def meet_across_teams(model: OrgModel, rng: np.random.Generator) -> None:
    """Communities of practice: chance encounters with someone from another team.

    Each employee meets a random colleague with probability
    communities_of_practice; if that colleague is in another team, performs
    better and speaks up, the employee adopts each differing belief with
    probability skill x openness.
    """
    if not model.lever_in_use("communities_of_practice") or model.teams < 2:
        return
    chance = model.lever("communities_of_practice")
    n = model.employees
    meets = np.flatnonzero(rng.random(n) < chance)
    partners = rng.integers(0, n - 1, size=len(meets))
    partners += partners >= meets  # anyone but oneself
    across = model.team[partners] != model.team[meets]
    meets, partners = meets[across], partners[across]
    rate = model.skill[meets] * model.openness[meets]
    model.counts["encounters"] += len(meets)
    model.counts["shares"] += learn_from(model, meets, partners, rate, rng)
