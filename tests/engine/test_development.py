"""Training, mentoring and skill."""

from effects import BASE, compare, mean, runs

from orgabm import OrgModel, load_scenario

#: every effect here stands more than 20 standard errors clear at 24 replicates
#: (tests/engine/power.py): 6 keep it above 10
REPS = 6


def test_higher_skill_learns_faster():
    out = compare("workforce.skill.mean", 0.2, 0.8, ["knowledge"], reps=REPS)
    low, high = out["knowledge"]
    assert high > low + 0.05


def test_training_raises_skill_with_diminishing_returns_at_a_cost():
    skill, spent = {}, {}
    for rate in (0.0, 0.1, 0.2, 0.4):
        models = runs({"leadership.training": rate}, REPS)
        skill[rate], spent[rate] = mean(models, "skill", 60), mean(models, "cost", 1)
    cost = {rate: spent[rate] - spent[0.0] for rate in spent}  # beyond no training's
    assert skill[0.0] < skill[0.1] < skill[0.2] < skill[0.4]
    assert (skill[0.4] - skill[0.2]) / 0.2 < (skill[0.1] - skill[0.0]) / 0.1  # diminishing
    assert 0 < cost[0.1] < cost[0.2] < cost[0.4]


def test_mentoring_raises_skill_at_a_cost():
    out = compare("leadership.mentoring", 0.0, 0.2, ["skill", "cost"], reps=REPS, first=60)
    assert out["skill"][1] > out["skill"][0] + 0.05
    assert out["cost"][1] > out["cost"][0]


def test_training_and_mentoring_draw_from_separate_streams():
    def mentoring_cost(training: float) -> list[float]:
        cfg = load_scenario(BASE, {"leadership.mentoring": 0.3, "leadership.training": training,
                                   "calibration.training_cost": 0.0, "steps": 8})  # fmt: skip
        return OrgModel(cfg, rng=3).run().metrics_frame()["cost"].tolist()

    assert mentoring_cost(0.0) == mentoring_cost(1e-12)
