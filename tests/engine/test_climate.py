"""The climate phase: perceived safety and risk tolerance over time."""

import pytest
from effects import BASE

from orgabm import OrgModel, load_scenario


def test_climate_drifts_towards_what_each_teams_leadership_sets():
    cfg = load_scenario(
        BASE,
        {"leadership.psychological_safety": 0.2, "leadership.experimentation": 0.0,
         "team_leadership": {3: {"psychological_safety": 0.9}}, "steps": 120},
    )  # fmt: skip
    model = OrgModel(cfg, rng=7).run()
    team3 = model.team == 3
    assert model.safety[team3].mean() == pytest.approx(0.9, abs=0.05)
    assert model.safety[~team3].mean() < 0.25
