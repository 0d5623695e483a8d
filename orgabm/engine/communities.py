"""Communities of practice: chance encounters across teams, where ideas cross silos."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .sharing import learn_from

if TYPE_CHECKING:
    from .state import EngineState, Levers

__all__ = ["meet_across_teams"]


def meet_across_teams(state: EngineState, levers: Levers, rng: np.random.Generator) -> None:
    """Communities of practice: chance encounters with someone from another team.

    Each employee meets a random colleague with probability
    communities_of_practice; if that colleague is in another team, performs
    better and speaks up (``sharing.voice``), the employee adopts each differing
    belief with probability skill x openness.
    """
    if not levers.in_use("communities_of_practice") or state.teams < 2:
        return
    chance = levers("communities_of_practice")
    n = state.employees
    meets = np.flatnonzero(rng.random(n) < chance)
    partners = rng.integers(0, n - 1, size=len(meets))
    partners += partners >= meets  # anyone but oneself
    across = state.team[partners] != state.team[meets]
    meets, partners = meets[across], partners[across]
    rate = state.skill[meets] * state.openness[meets]
    state.counts["encounters"] += len(meets)
    state.spend(np.concatenate([meets, partners]), levers.calibration.encounter_time)
    state.counts["shares"] += learn_from(state, levers, meets, partners, rate, rng)
