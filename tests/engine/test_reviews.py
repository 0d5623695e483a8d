"""After-action reviews."""

import numpy as np
from effects import compare, runs


def test_reviews_turn_failures_into_knowledge_only_when_they_are_reported():
    gain = {}
    for safety in (0.1, 0.9):
        base = {"leadership.psychological_safety": safety}
        out = compare("leadership.after_action_reviews", 0, 5, ["knowledge", "lessons"], base)
        gain[safety] = out["knowledge"][1] - out["knowledge"][0]
        assert out["lessons"][0] == 0.0 and out["lessons"][1] > 0
    assert gain[0.9] > 0.04  # safe: reviews teach
    assert gain[0.9] > 3 * gain[0.1]  # unsafe: failures hidden, reviews yield little


def test_team_knows_more_together_than_its_members_on_average():
    gaps = []
    for model in runs({}):
        teams = model.team_frame()
        late = teams[teams.step >= 30]
        gaps.append((late["pooled_knowledge"] - late["knowledge"]).mean())
    assert np.mean(gaps) > 0.05
