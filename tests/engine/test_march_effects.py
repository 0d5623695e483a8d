"""March's phases in the full model: socialization, code learning, turbulence, levers at 0."""

import pytest
from effects import MARCH_LIKE, compare, mean, runs

from orgabm import OrgModel


def test_mental_models_knowledge_is_agreement_of_beliefs_with_reality():
    model = runs({"steps": 10}, reps=1)[0]
    agree = (model.beliefs == model.reality.values).sum() - (
        model.beliefs == -model.reality.values
    ).sum()
    assert model.datacollector.latest()["knowledge"] == pytest.approx(agree / model.beliefs.size)


def test_fast_socialization_lowers_long_run_knowledge():
    march_org = {
        **MARCH_LIKE, "organization.employees": 50, "organization.teams": 5,
        "organization.network": {"kind": "complete"}, "leadership.experimentation": 0.1,
        "steps": 100,
    }  # fmt: skip
    out = compare("leadership.socialization", 0.1, 0.9, ["knowledge"], march_org, first=90)
    assert out["knowledge"][1] < out["knowledge"][0] - 0.03


def test_faster_code_learning_codifies_knowledge_sooner():
    out = compare("leadership.code_learning", 0.1, 0.9, ["code_knowledge"], MARCH_LIKE, last=5)
    assert out["code_knowledge"][1] > out["code_knowledge"][0] + 0.05


def test_without_exploration_or_turnover_knowledge_decays_under_turbulence():
    turbulent = {**MARCH_LIKE, "environment.turbulence": 0.02, "steps": 100}
    still = runs({**turbulent, "leadership.experimentation": 0.0})
    exploring = runs({**turbulent, "leadership.experimentation": 0.3})
    renewing = runs({**turbulent, "leadership.experimentation": 0.0, "workforce.turnover": 0.1})
    late = {name: mean(m, "knowledge", 80) for name, m in
            [("still", still), ("exploring", exploring), ("renewing", renewing)]}  # fmt: skip
    assert mean(still, "knowledge", 10, 20) > late["still"] + 0.2  # rises, then decays
    assert late["exploring"] > late["still"] + 0.08
    assert late["renewing"] > late["still"] + 0.1


def test_every_lever_at_zero_draws_nothing_from_the_mechanisms_streams():
    model = OrgModel("march_1991", rng=8)
    states = {name: s.bit_generator.state for name, s in model.streams.items()}
    model.run(steps=20)
    for name in ("experiment", "respond", "share", "meet", "review", "train", "mentor", "events"):
        assert model.streams[name].bit_generator.state == states[name], name
