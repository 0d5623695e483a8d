"""Communities of practice: encounters across teams."""

import numpy as np
import pytest
from effects import mean, runs


def test_communities_of_practice_carry_ideas_across_silos():
    def worst_team(cop: float) -> float:
        lows = []
        for model in runs({"organization.network.cross_team_ties": 0.0,
                           "leadership.communities_of_practice": cop}):  # fmt: skip
            teams = model.team_frame()
            lows.append(teams[teams.step == 60]["knowledge"].min())
        return float(np.mean(lows))

    assert worst_team(0.2) > worst_team(0.0) + 0.02


@pytest.mark.slow
def test_moderate_cross_team_contact_is_best():
    knowledge = {
        x: mean(runs({"organization.network.cross_team_ties": x}), "knowledge", 60)
        for x in (0.0, 0.05, 1.0)
    }
    assert knowledge[0.05] > knowledge[0.0] + 0.01
    assert knowledge[0.05] > knowledge[1.0] + 0.03
