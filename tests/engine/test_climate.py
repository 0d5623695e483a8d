"""The climate: perceived safety follows what employees see, never the lever itself."""

import numpy as np
from effects import BASE, effect, gaps

from orgabm import OrgModel, load_scenario
from orgabm.batch.seeds import derive_seed

#: no failures to answer, no recognition, no leader's example: nothing anyone could see
QUIET = {"leadership.experimentation": 0.0, "leadership.recognition": 0.0, "steps": 150}


def _drift(overrides: dict, reps: int) -> list[float]:
    """Each run's change of mean perceived safety from its own start to its end."""
    cfg = load_scenario(BASE, overrides)
    out = []
    for r in range(reps):
        model = OrgModel(cfg, rng=derive_seed(1, r))
        start = float(model.safety.mean())
        out.append(float(model.run().safety.mean()) - start)
    return out


def test_with_nothing_to_see_safety_stays_where_it_started_at_any_lever():
    for lever in (0.1, 0.9):
        drift = _drift({**QUIET, "leadership.psychological_safety": lever}, reps=10)
        assert max(map(abs, drift)) == 0.0, (lever, drift)


def test_safety_rises_under_supportive_leaders_and_falls_under_punishing_ones():
    """The lever's effect on perceived safety, and the same comparison with experiments
    knocked out (no failures to answer): the effect must vanish."""
    diff, se = effect("leadership.psychological_safety", 0.1, 0.9, "safety", reps=8, first=40)
    assert diff > 5 * se and diff > 0.2, (diff, se)
    gone, gone_se = effect("leadership.psychological_safety", 0.1, 0.9, "safety",
                           {"leadership.experimentation": 0.0}, reps=8, first=40)  # fmt: skip
    assert abs(gone) < 2 * gone_se + 1e-9, (gone, gone_se)


def test_support_raises_safety_and_without_it_only_punishment_moves_it():
    """Support is what raises safety: with ``support`` and ``onlooker_support`` at 0 a
    supportive leader cannot raise it above its start."""
    off = {"calibration.support": 0.0, "calibration.onlooker_support": 0.0,
           "calibration.recognition_boost": 0.0, "calibration.leader_example": 0.0,
           "leadership.psychological_safety": 1.0, "steps": 60}  # fmt: skip
    assert max(map(abs, _drift(off, reps=6))) < 1e-9
    diff, se = effect("calibration.support", 0.0, 0.1, "safety",
                      {"leadership.psychological_safety": 1.0}, reps=6, first=40)  # fmt: skip
    assert diff > 5 * se, (diff, se)
    # knocked out: with no experiments there is no failure to support, to the last bit
    idle = gaps("calibration.support", 0.0, 0.1, ["safety"],
                {"leadership.psychological_safety": 1.0, "leadership.experimentation": 0.0},
                reps=3, first=40)  # fmt: skip
    assert (idle["safety"] == 0).all(), idle


def _team3_gain(changes: dict | None = None, reps: int = 8) -> np.ndarray:
    """Per run: how much more team 3's mean safety rose than the others', from the start
    to step 120, team 3 with a supportive leader (0.9) among punishing ones (0.2)."""
    cfg = load_scenario(BASE, {"leadership.psychological_safety": 0.2, "steps": 120,
                               "team_leadership": {3: {"psychological_safety": 0.9}},
                               **(changes or {})})  # fmt: skip
    gains = []
    for seed in range(reps):
        model = OrgModel(cfg, rng=seed, team_table=False, metrics=["safety"])
        team3 = model.team == 3
        start = model.safety[team3].mean() - model.safety[~team3].mean()
        model.run()
        gains.append(float(model.safety[team3].mean() - model.safety[~team3].mean() - start))
    return np.array(gains)


def test_one_teams_supportive_leader_makes_that_team_safer():
    """A team's own leadership answers its failures: its members grow safer than the
    rest, through what happens to them, not by being set. With no experiments there is
    nothing to answer, and the gap does not move at all."""
    gains = _team3_gain()
    gain, se = float(gains.mean()), float(gains.std(ddof=1) / np.sqrt(len(gains)))
    assert gain > 5 * se and gain > 0.2, (gain, se)
    assert (_team3_gain({"leadership.experimentation": 0.0}, reps=3) == 0.0).all()


def test_safety_works_only_through_learning_behaviour():
    """Edmondson's mediation: with experimenting, sharing (speaking up), communities of
    practice and reviews switched off, the safety lever changes no outcome; with them
    on, it does."""
    off = {"leadership.experimentation": 0.0, "leadership.knowledge_sharing": 0.0,
           "leadership.communities_of_practice": 0.0,
           "leadership.after_action_reviews": 0}  # fmt: skip
    for metric in ("knowledge", "performance"):
        diff, se = effect("leadership.psychological_safety", 0.1, 0.9, metric, off, reps=40,
                          first=60)  # fmt: skip
        assert abs(diff) <= 2 * se, (metric, diff, se)
    diff, se = effect("leadership.psychological_safety", 0.1, 0.9, "knowledge", reps=8,
                      first=60)  # fmt: skip
    assert diff > 3 * se, (diff, se)
