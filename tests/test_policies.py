"""Effect tests: each seed concept's lever moves its outcome in the stated direction.

One test (at least) per row of DESIGN.md's concept table. Each compares means over
fixed-seed replicates of a small organization (100 employees in 10 teams), with
margins several standard errors wide.
"""

import numpy as np
import pytest

from orgabm import OrgModel, load_scenario
from orgabm.batch.seeds import derive_seed

REPS = 24

#: The effect-test organization: half its know-how tacit, moderate levers everywhere.
BASE = {
    "steps": 60,
    "organization": {
        "employees": 100,
        "teams": 10,
        "network": {"kind": "teams", "within_team_ties": 1.0, "cross_team_ties": 0.02},
    },
    "environment": {"kind": "march", "dimensions": 30, "tacit": 0.5},
    "leadership": {
        "socialization": 0.5, "code_learning": 0.5, "psychological_safety": 0.5,
        "experimentation": 0.3, "feedback": 0.8, "knowledge_sharing": 0.3,
        "after_action_reviews": 5,
    },
}  # fmt: skip

#: March's conformist organization inside the full model: nothing tacit, no sharing, no reviews.
MARCH_LIKE = {
    "environment.tacit": 0.0,
    "leadership.knowledge_sharing": 0.0,
    "leadership.after_action_reviews": 0,
}


def runs(overrides: dict, reps: int = REPS, seed: int = 1) -> list[OrgModel]:
    cfg = load_scenario(BASE, overrides)
    return [OrgModel(cfg, rng=derive_seed(seed, r)).run() for r in range(reps)]


def mean(models: list[OrgModel], metric: str, first: int = 1, last: int | None = None) -> float:
    """A metric averaged over steps first..last of each run, then over runs."""
    values = []
    for model in models:
        frame = model.metrics_frame()
        window = frame[(frame.step >= first) & (frame.step <= (last or frame.step.max()))]
        values.append(window[metric].mean())
    return float(np.mean(values))


def compare(path: str, low, high, metrics, base=None, **window) -> dict:
    """{metric: (mean at low, mean at high)} for a lever at two values."""
    lo = runs({**(base or {}), path: low})
    hi = runs({**(base or {}), path: high})
    return {m: (mean(lo, m, **window), mean(hi, m, **window)) for m in metrics}


# ----------------------------------------------------------------- mental models
def test_mental_models_knowledge_is_agreement_of_beliefs_with_reality():
    model = runs({"steps": 10}, reps=1)[0]
    agree = (model.beliefs == model.reality.values).sum() - (
        model.beliefs == -model.reality.values
    ).sum()
    assert model.datacollector.latest()["knowledge"] == pytest.approx(agree / model.beliefs.size)


# ----------------------------------------------------------------- personal mastery
def test_higher_skill_learns_faster():
    out = compare("workforce.skill.mean", 0.2, 0.8, ["knowledge"])
    low, high = out["knowledge"]
    assert high > low + 0.05


# ----------------------------------------------------------------- experimentation
def test_experimentation_raises_diversity_and_long_run_knowledge():
    out = compare("leadership.experimentation", 0.0, 0.3, ["diversity", "knowledge"],
                  MARCH_LIKE, first=30)  # fmt: skip
    assert out["diversity"][0] == 0.0  # a conformist organization loses all variety
    assert out["diversity"][1] > 0.0  # experiments keep bringing some back
    assert out["knowledge"][1] > out["knowledge"][0] + 0.05


def test_too_much_experimentation_costs_short_run_performance():
    models = {e: runs({**MARCH_LIKE, "leadership.experimentation": e}) for e in (0.3, 1.0)}
    gap = {e: mean(m, "knowledge", 30) - mean(m, "performance", 30) for e, m in models.items()}
    # each trial is acted out: the more one tries, the further performance falls below knowledge
    assert gap[1.0] > gap[0.3] + 0.005
    assert mean(models[1.0], "performance", 30) < mean(models[1.0], "knowledge", 30)


# ----------------------------------------------------------------- psychological safety
def test_safety_raises_experiments_reported_failures_and_knowledge():
    metrics = ["experiments", "reported_failures", "knowledge", "punishments"]
    out = compare("leadership.psychological_safety", 0.1, 0.9, metrics)
    assert out["experiments"][1] > 1.3 * out["experiments"][0]
    assert out["reported_failures"][1] > 10 * out["reported_failures"][0]
    assert out["knowledge"][1] > out["knowledge"][0] + 0.05
    assert out["punishments"][1] < out["punishments"][0] / 2


def test_punishment_lowers_risk_tolerance_and_safety():
    no_drift = {"calibration.climate_rate": 0.0}  # only punishment moves them
    out = compare("leadership.psychological_safety", 1.0, 0.0,
                  ["risk_tolerance", "safety", "punishments"], no_drift, first=60)  # fmt: skip
    assert out["punishments"][0] == 0.0 and out["punishments"][1] > 0
    assert out["risk_tolerance"][1] < out["risk_tolerance"][0] - 0.02
    assert out["safety"][1] < out["safety"][0] - 0.05


def nk_effect(k: int, path: str, low: float, high: float, metric: str, seed: int) -> float:
    """How much a lever (low -> high) moves a metric (steps 30 on) on an NK landscape with K = k."""
    data = load_scenario(BASE, {"environment.tacit": 0.0}).model_dump()
    data["environment"] = {"kind": "nk", "dimensions": 12, "k": k}
    out = []
    for value in (low, high):
        cfg = load_scenario(data, {path: value})
        models = [OrgModel(cfg, rng=derive_seed(seed, r)).run() for r in range(30)]
        out.append(mean(models, metric, 30))
    return out[1] - out[0]


def test_safety_matters_more_on_rugged_tasks():
    def effect(k: int) -> float:
        return nk_effect(k, "leadership.psychological_safety", 0.1, 0.9, "knowledge", 3)

    assert effect(8) > effect(0) + 0.1


# ----------------------------------------------------------------- knowledge sharing
def test_knowledge_sharing_speeds_convergence():
    out = compare("leadership.knowledge_sharing", 0.0, 0.8, ["diversity", "knowledge"], last=20)
    assert out["diversity"][1] < out["diversity"][0] - 0.02
    assert out["knowledge"][1] > out["knowledge"][0] + 0.05


# ----------------------------------------------------------------- shared vision
def test_fast_socialization_lowers_long_run_knowledge():
    march_org = {
        **MARCH_LIKE, "organization.employees": 50, "organization.teams": 5,
        "organization.network": {"kind": "complete"}, "leadership.experimentation": 0.1,
        "steps": 100,
    }  # fmt: skip
    out = compare("leadership.socialization", 0.1, 0.9, ["knowledge"], march_org, first=90)
    assert out["knowledge"][1] < out["knowledge"][0] - 0.03


# ----------------------------------------------------------------- team learning
def test_team_knows_more_together_than_its_members_on_average():
    gaps = []
    for model in runs({}):
        teams = model.team_frame()
        late = teams[teams.step >= 30]
        gaps.append((late["pooled_knowledge"] - late["knowledge"]).mean())
    assert np.mean(gaps) > 0.05


# ----------------------------------------------------------------- systems thinking
def test_exploration_pays_more_on_interdependent_tasks():
    def benefit(k: int) -> float:
        return nk_effect(k, "leadership.experimentation", 0.0, 0.5, "performance", 4)

    assert benefit(4) > benefit(0) + 0.015


# ----------------------------------------------------------------- after-action reviews
def test_reviews_turn_failures_into_knowledge_only_when_they_are_reported():
    gain = {}
    for safety in (0.1, 0.9):
        base = {"leadership.psychological_safety": safety}
        out = compare("leadership.after_action_reviews", 0, 5, ["knowledge", "lessons"], base)
        gain[safety] = out["knowledge"][1] - out["knowledge"][0]
        assert out["lessons"][0] == 0.0 and out["lessons"][1] > 0
    assert gain[0.9] > 0.04  # safe: reviews teach
    assert gain[0.9] > 3 * gain[0.1]  # unsafe: failures hidden, reviews yield little


def test_feedback_accuracy_helps_experimenters_learn():
    alone = {"leadership.knowledge_sharing": 0.0, "leadership.after_action_reviews": 0,
             "environment.tacit": 1.0, "leadership.experimentation": 1.0}  # fmt: skip
    out = compare("leadership.feedback", 0.5, 1.0, ["knowledge"], alone)
    assert out["knowledge"][1] > out["knowledge"][0] + 0.05


# ----------------------------------------------------------------- formal learning
def test_training_raises_skill_with_diminishing_returns_at_a_cost():
    skill, cost = {}, {}
    for rate in (0.0, 0.1, 0.2, 0.4):
        models = runs({"leadership.training": rate})
        skill[rate] = mean(models, "skill", 60)
        cost[rate] = mean(models, "cost", 1) - mean(runs({"leadership.training": 0.0}), "cost", 1)
    assert skill[0.0] < skill[0.1] < skill[0.2] < skill[0.4]
    assert (skill[0.4] - skill[0.2]) / 0.2 < (skill[0.1] - skill[0.0]) / 0.1  # diminishing
    assert 0 < cost[0.1] < cost[0.2] < cost[0.4]


def test_mentoring_raises_skill_at_a_cost():
    out = compare("leadership.mentoring", 0.0, 0.2, ["skill", "cost"], first=60)
    assert out["skill"][1] > out["skill"][0] + 0.05
    assert out["cost"][1] > out["cost"][0]


# ----------------------------------------------------------------- informal learning
def test_communities_of_practice_carry_ideas_across_silos():
    def worst_team(cop: float) -> float:
        lows = []
        for model in runs({"organization.network.cross_team_ties": 0.0,
                           "leadership.communities_of_practice": cop}):  # fmt: skip
            teams = model.team_frame()
            lows.append(teams[teams.step == 60]["knowledge"].min())
        return float(np.mean(lows))

    assert worst_team(0.2) > worst_team(0.0) + 0.02


def test_moderate_cross_team_contact_is_best():
    knowledge = {
        x: mean(runs({"organization.network.cross_team_ties": x}), "knowledge", 60)
        for x in (0.0, 0.05, 1.0)
    }
    assert knowledge[0.05] > knowledge[0.0] + 0.01
    assert knowledge[0.05] > knowledge[1.0] + 0.03


# ----------------------------------------------------------------- technology (the code)
def test_faster_code_learning_codifies_knowledge_sooner():
    out = compare("leadership.code_learning", 0.1, 0.9, ["code_knowledge"], MARCH_LIKE, last=5)
    assert out["code_knowledge"][1] > out["code_knowledge"][0] + 0.05


# ----------------------------------------------------------------- recognition
def test_recognition_raises_risk_tolerance_and_experiments_at_a_cost():
    no_drift = {"calibration.climate_rate": 0.0}
    out = compare("leadership.recognition", 0.0, 1.0,
                  ["risk_tolerance", "experiments", "cost"], no_drift)  # fmt: skip
    assert out["risk_tolerance"][1] > out["risk_tolerance"][0] + 0.02
    assert out["experiments"][1] > out["experiments"][0] * 1.05
    assert out["cost"][1] > out["cost"][0]


# ----------------------------------------------------------------- empowerment
def test_empowered_employees_keep_findings_the_code_contradicts():
    kept = {}
    for empowerment in (0.0, 1.0):
        cfg = load_scenario(BASE, {**MARCH_LIKE, "leadership.empowerment": empowerment})
        contradicting = 0
        for r in range(REPS):
            model = OrgModel(cfg, rng=derive_seed(5, r))
            for _ in range(30):
                code_before = model.code.copy()
                before = model.beliefs.copy()
                model.step()
                changed = model.beliefs != before
                contradicting += int((changed & (model.beliefs == -code_before)).sum())
        kept[empowerment] = contradicting
    assert kept[1.0] > 1.5 * kept[0.0] + 10


# ----------------------------------------------------------------- leadership modelling
def test_one_safe_team_learns_faster_than_its_unsafe_neighbours():
    cfg = load_scenario("one_safe_team", {"steps": 60})
    gaps = []
    for r in range(REPS):
        teams = OrgModel(cfg, rng=derive_seed(6, r)).run().team_frame()
        late = teams[teams.step > 20]
        by = late.groupby(late.team == 0)["knowledge"].mean()
        gaps.append(by[True] - by[False])
    assert np.mean(gaps) > 0.08


def test_a_leader_who_experiments_raises_the_teams_risk_tolerance():
    base = {"calibration.climate_rate": 0.0, "leadership.psychological_safety": 1.0,
            "leadership.experimentation": 0.5}  # fmt: skip
    out = compare("calibration.leader_example", 0.0, 0.2, ["risk_tolerance"], base, first=30)
    assert out["risk_tolerance"][1] > out["risk_tolerance"][0] + 0.02


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


# ----------------------------------------------------------------- change
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


# ----------------------------------------------------------------- mechanisms off
def test_every_lever_at_zero_draws_nothing_from_the_mechanisms_streams():
    model = OrgModel("march_1991", rng=8)
    states = {name: s.bit_generator.state for name, s in model.streams.items()}
    model.run(steps=20)
    for name in ("experiment", "respond", "share", "meet", "review", "train", "mentor", "events"):
        assert model.streams[name].bit_generator.state == states[name], name


def test_each_learner_breaks_ties_between_equal_best_ties_on_its_own():
    import networkx as nx

    from orgabm.engine import sharing
    from orgabm.engine.network import Ties

    model = OrgModel(load_scenario(BASE, {"leadership.knowledge_sharing": 1.0}), rng=1)
    graph = nx.complete_bipartite_graph(2, 98)  # rows 0 and 1 tie with everyone else
    model.ties = Ties.from_graph(graph)
    model.performance = np.zeros(100, dtype=np.int32)
    model.performance[:2] = 5
    chosen = []
    original = sharing.learn_from

    def spy(model, learners, sources, rate, rng):
        chosen.append(sources[learners >= 2])
        return 0

    sharing.learn_from = spy
    try:
        sharing.share(model.state, model.levers, model.streams["share"])
    finally:
        sharing.learn_from = original
    picked = np.concatenate(chosen)
    assert set(picked.tolist()) == {0, 1}
    assert 20 < (picked == 0).sum() < 78


def test_training_and_mentoring_draw_from_separate_streams():
    def mentoring_cost(training: float) -> list[float]:
        cfg = load_scenario(BASE, {"leadership.mentoring": 0.3, "leadership.training": training,
                                   "calibration.training_cost": 0.0, "steps": 8})  # fmt: skip
        return OrgModel(cfg, rng=3).run().metrics_frame()["cost"].tolist()

    assert mentoring_cost(0.0) == mentoring_cost(1e-12)
