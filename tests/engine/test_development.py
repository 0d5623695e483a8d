"""Training, mentoring and skill."""

from itertools import pairwise

from effects import BASE, effect, gaps, mean_se, per_run, runs

from orgabm import OrgModel, load_scenario

#: every effect here stands more than 20 standard errors clear at 24 replicates
#: (tests/engine/power.py): 6 keep it above 10
REPS = 6


def test_higher_skill_learns_faster():
    """Skill scales what one takes from colleagues and from reviews: with neither (no
    sharing, no reviews) it changes nothing, to the last bit."""
    gain, se = effect("workforce.skill.mean", 0.2, 0.8, "knowledge", reps=REPS)
    assert gain > 3 * se, (gain, se)
    alone = {"leadership.knowledge_sharing": 0.0, "leadership.after_action_reviews": 0}
    knocked = gaps("workforce.skill.mean", 0.2, 0.8, ["knowledge"], alone, reps=3)
    assert (knocked["knowledge"] == 0).all(), knocked


def _training(rates: tuple[float, ...], changes: dict | None = None) -> dict:
    """{rate: (final skill per run, mean cost per step per run)}, paired by seed."""
    out = {}
    for rate in rates:
        models = runs({**(changes or {}), "leadership.training": rate}, REPS,
                      metrics=["skill", "cost"])  # fmt: skip
        out[rate] = per_run(models, "skill", 60), per_run(models, "cost", 1)
    return out


def test_training_raises_skill_with_diminishing_returns_at_a_cost():
    """More training, more skill and more cost, each step paired by seed and 3 standard
    errors clear; each tenth of training adds less than the one before. Training that
    teaches nothing (training_gain 0) leaves skill exactly as no training does, and
    training that is free (training_cost 0) costs exactly nothing more."""
    rates = (0.0, 0.1, 0.2, 0.4)
    got = _training(rates)
    for low, high in pairwise(rates):
        for k, what in enumerate(("skill", "cost")):
            gain, se = mean_se(got[high][k] - got[low][k])
            assert gain > 3 * se, (what, low, high, gain, se)
    skill = {rate: got[rate][0] for rate in rates}
    slowing, se = mean_se((skill[0.1] - skill[0.0]) / 0.1 - (skill[0.4] - skill[0.2]) / 0.2)
    assert slowing > 3 * se, (slowing, se)
    idle = _training((0.0, 0.4), {"calibration.training_gain": 0.0})
    assert (idle[0.4][0] == idle[0.0][0]).all()
    free = _training((0.0, 0.4), {"calibration.training_cost": 0.0})
    assert (free[0.4][1] == free[0.0][1]).all()


def test_mentoring_raises_skill_at_a_cost():
    """Mentoring raises final skill and its cost, paired by seed; with no gain from a
    mentor (mentoring_gain 0) skill is exactly as without mentoring, and free mentoring
    (mentoring_cost 0) costs exactly nothing more."""
    found = gaps("leadership.mentoring", 0.0, 0.2, ["skill", "cost"], reps=REPS, first=60)
    for what, values in found.items():
        gain, se = mean_se(values)
        assert gain > 3 * se, (what, gain, se)
    idle = gaps("leadership.mentoring", 0.0, 0.2, ["skill"], {"calibration.mentoring_gain": 0.0},
                reps=3, first=60)  # fmt: skip
    assert (idle["skill"] == 0).all(), idle
    free = gaps("leadership.mentoring", 0.0, 0.2, ["cost"], {"calibration.mentoring_cost": 0.0},
                reps=3, first=60)  # fmt: skip
    assert (free["cost"] == 0).all(), free


def test_training_and_mentoring_draw_from_separate_streams():
    def mentoring_cost(training: float) -> list[float]:
        cfg = load_scenario(BASE, {"leadership.mentoring": 0.3, "leadership.training": training,
                                   "calibration.training_cost": 0.0, "steps": 8})  # fmt: skip
        return OrgModel(cfg, rng=3).run().metrics_frame()["cost"].tolist()

    assert mentoring_cost(0.0) == mentoring_cost(1e-12)
