"""Experimentation and the climate's answer: trials, feedback, punishment, recognition,
the leader's example."""

import numpy as np
import pytest
from effects import (
    BASE,
    MARCH_LIKE,
    REPS,
    effect,
    gaps,
    mean,
    mean_se,
    per_run,
    runs,
)  # fmt: skip

from orgabm import OrgModel, load_scenario
from orgabm.batch.seeds import derive_seed
from orgabm.engine.environments import Reality


def test_experimentation_raises_diversity_and_long_run_knowledge():
    """A conformist organization loses all variety; experiments keep bringing some back
    and raise long-run knowledge (paired by seed, 3 standard errors clear), by two roads:
    what each trial teaches its author through feedback (it holds with the code frozen,
    code_learning 0), and the variety the code learns from (it holds with feedback that
    tells nothing, 0.5). With both closed the gain is gone (within 2 standard errors)."""
    lever = "leadership.experimentation"
    none = runs({**MARCH_LIKE, lever: 0.0}, REPS, metrics=["diversity"])
    assert mean(none, "diversity", 30) == 0.0
    found = gaps(lever, 0.0, 0.3, ["diversity", "knowledge"], MARCH_LIKE, first=30)
    for what, values in found.items():
        gain, se = mean_se(values)
        assert gain > 3 * se, (what, gain, se)
    frozen, blind = {"leadership.code_learning": 0.0}, {"leadership.feedback": 0.5}
    for closed in (frozen, blind):
        gain, se = effect(lever, 0.0, 0.3, "knowledge", {**MARCH_LIKE, **closed}, reps=12,
                          first=30)  # fmt: skip
        assert gain > 3 * se, (closed, gain, se)
    gain, se = effect(lever, 0.0, 0.3, "knowledge", {**MARCH_LIKE, **frozen, **blind}, reps=12,
                      first=30)  # fmt: skip
    assert abs(gain) <= 2 * se, (gain, se)


def _acted_gap() -> tuple[float, float]:
    """How much further performance falls below knowledge at experimentation 1.0 than at
    0.3 (per run, paired by seed), with its standard error: +0.0057, SE 0.00024, at 8
    replicates (24 at 24 replicates gave the same, so 8 are plenty)."""
    chosen = ["knowledge", "performance"]
    models = {e: runs({**MARCH_LIKE, "leadership.experimentation": e}, 8, metrics=chosen)
              for e in (0.3, 1.0)}  # fmt: skip
    gap = {e: per_run(m, "knowledge", 30) - per_run(m, "performance", 30)
           for e, m in models.items()}  # fmt: skip
    return mean_se(gap[1.0] - gap[0.3])


def test_too_much_experimentation_costs_short_run_performance(monkeypatch):
    """Each trial is acted out: the more one tries, the further performance falls below
    knowledge (3 standard errors clear). Knocked out, trials are judged as before but the
    step's performance is what the beliefs give: the gap no longer widens (within 2)."""
    wider, se = _acted_gap()
    assert wider > 3 * se, (wider, se)
    real = Reality.trial

    def not_acted(self, actions, performance, rows, dims, values):
        worked, _ = real(self, actions, performance, rows, dims, values)
        return worked, np.asarray(performance[rows], dtype=float)

    monkeypatch.setattr(Reality, "trial", not_acted)
    wider, se = _acted_gap()
    assert abs(wider) <= 2 * se, (wider, se)


def test_feedback_accuracy_helps_experimenters_learn():
    alone = {"leadership.knowledge_sharing": 0.0, "leadership.after_action_reviews": 0,
             "environment.tacit": 1.0, "leadership.experimentation": 1.0}  # fmt: skip
    gain, se = effect("leadership.feedback", 0.5, 1.0, "knowledge", alone, reps=6)  # z 72 at 24
    assert gain > 3 * se, (gain, se)
    # knocked out: with no experiments there is no feedback to read, to the last bit
    idle = gaps("leadership.feedback", 0.5, 1.0, ["knowledge"],
                {**alone, "leadership.experimentation": 0.0}, reps=3)  # fmt: skip
    assert (idle["knowledge"] == 0).all(), idle


def test_empowered_employees_keep_findings_the_code_contradicts():
    """Per run, how many beliefs changed to the opposite of the code in 30 steps: some
    with empowerment 1 (3 standard errors clear), none at all with empowerment 0, where
    a finding the code contradicts is dropped."""
    kept = {}
    for empowerment in (0.0, 1.0):
        cfg = load_scenario(BASE, {**MARCH_LIKE, "leadership.empowerment": empowerment})
        counts = []
        for r in range(REPS):
            model = OrgModel(cfg, rng=derive_seed(5, r), team_table=False, metrics=["knowledge"])
            contradicting = 0
            for _ in range(30):
                code_before = model.code.copy()
                before = model.beliefs.copy()
                model.step()
                changed = model.beliefs != before
                contradicting += int((changed & (model.beliefs == -code_before)).sum())
            counts.append(contradicting)
        kept[empowerment] = np.array(counts, dtype=float)
    assert (kept[0.0] == 0).all(), kept[0.0]
    found, se = mean_se(kept[1.0])
    assert found > 3 * se, (found, se)


#: the climate's rates at 0: what people see of leaders' answers changes nothing they feel
NO_CLIMATE = {f"calibration.{name}": 0.0 for name in (
    "support", "onlooker_support", "punishment", "onlooker_punishment", "recognition_boost",
    "leader_example")}  # fmt: skip


def test_safety_raises_experiments_reported_failures_and_knowledge():
    """Supportive leaders (0.9 against 0.1): more experiments, far more reported failures,
    more knowledge, fewer punishments. Experiments rise because people feel safer and
    keep their risk tolerance: with the climate's rates at 0 the rise vanishes, exactly."""
    lever = "leadership.psychological_safety"
    for metric, sign in (("experiments", 1), ("reported_failures", 1), ("knowledge", 1),
                         ("punishments", -1)):  # fmt: skip
        gain, se = effect(lever, 0.1, 0.9, metric, reps=6)
        assert sign * gain > 3 * se, (metric, gain, se)
    unfelt = gaps(lever, 0.1, 0.9, ["experiments"], NO_CLIMATE, reps=4)["experiments"]
    assert (unfelt == 0).all(), unfelt  # to the last bit
    # knocked out: with no experiments there are no failures to answer, and the lever
    # moves none of the four
    four = ["experiments", "reported_failures", "knowledge", "punishments"]
    none = gaps(lever, 0.1, 0.9, four, {"leadership.experimentation": 0.0}, reps=3)
    assert all((values == 0).all() for values in none.values()), none


def test_punishment_lowers_risk_tolerance_and_safety():
    """Leaders who punish every failure (safety 0) against leaders who punish none
    (safety 1): lower risk tolerance and safety. With punishment's, support's and the
    leader's example's rates at 0 the lever moves neither, to the last bit."""
    lever = "leadership.psychological_safety"
    for metric in ("risk_tolerance", "safety"):
        gain, se = effect(lever, 0.0, 1.0, metric, first=60)
        assert gain > 3 * se, (metric, gain, se)
        unfelt = gaps(lever, 0.0, 1.0, [metric], NO_CLIMATE, reps=4, first=60)[metric]
        assert (unfelt == 0).all(), (metric, unfelt)  # to the last bit


def test_saying_the_code_is_wrong_is_answered_like_a_failure(monkeypatch):
    """Where leaders punish (psychological safety 0.1) and the market moves (turbulence
    0.05, so the code is often out of date), a success reported against the code is
    punished too, and safety over the run is lower than with that answer replaced by a
    no-op: 4.7 standard errors at 24 paired runs (knowledge: within noise). Knocked out
    by a code that never takes a view (code_learning 0: nothing can dissent), the same
    comparison gives the same runs to the last bit."""
    from orgabm.engine import experimentation

    def final_safety(over: dict, reps: int) -> np.ndarray:
        over = {"leadership.psychological_safety": 0.1, "environment.turbulence": 0.05, **over}
        return per_run(runs(over, reps, metrics=["safety"]), "safety")

    def unanswered(over: dict, reps: int) -> np.ndarray:
        with monkeypatch.context() as patch:
            patch.setattr(experimentation, "answer_dissent", lambda s, lv, t, told, rng: told)
            return final_safety(over, reps)

    loss, se = mean_se(unanswered({}, REPS) - final_safety({}, REPS))
    assert loss > 3 * se, (loss, se)
    frozen = {"leadership.code_learning": 0.0}
    assert (unanswered(frozen, 4) == final_safety(frozen, 4)).all()


@pytest.mark.slow
@pytest.mark.parametrize("reviews", [5, 0])
def test_safety_raises_performance_on_a_rugged_task_with_or_without_reviews(reviews):
    """The learning organization on an NK landscape (N = 20, K = 5): supportive leaders
    (safety 0.9 against 0.1) raise final performance, paired by seed. That safety helps
    *more* on rugged tasks than on simple ones does not hold across sizes and with
    reviews on, so no test asserts it."""
    setting = {"leadership.after_action_reviews": reviews}
    gap, se = mean_se(_rugged_safety_gaps(setting, reps=10))
    assert gap > 3 * se, (gap, se)
    # knocked out: with no experiments safety has nothing to protect, to the last bit
    idle = _rugged_safety_gaps({**setting, "leadership.experimentation": 0.0}, reps=3)
    assert (idle == 0).all(), idle


def _rugged_safety_gaps(changes: dict, reps: int) -> np.ndarray:
    """Per replicate, final performance (last 10 steps) at safety 0.9 minus 0.1, paired by
    seed: the learning organization on N = 20, K = 5."""
    gaps = []
    for r in range(reps):
        final = []
        for safety in (0.1, 0.9):
            cfg = load_scenario("learning_organization", {
                "environment.kind": "nk", "environment.dimensions": 20, "environment.k": 5,
                "leadership.psychological_safety": safety, **changes})  # fmt: skip
            model = OrgModel(cfg, rng=derive_seed(11, r), team_table=False, metrics=["performance"])
            frame = model.run().metrics_frame()
            final.append(frame["performance"].iloc[-10:].mean())
        gaps.append(final[1] - final[0])
    return np.array(gaps)


def test_recognition_raises_risk_tolerance_and_experiments_at_a_cost():
    """Rewarding successful experiments raises risk tolerance, experiments and cost
    (paired by seed, 3 standard errors clear). A reward that moves nobody
    (recognition_boost 0) leaves risk tolerance and experiments exactly as they were,
    and a reward that costs nothing (recognition_cost 0) adds nothing to the cost."""
    lever, metrics = "leadership.recognition", ["risk_tolerance", "experiments", "cost"]
    for what, values in gaps(lever, 0.0, 1.0, metrics).items():
        gain, se = mean_se(values)
        assert gain > 3 * se, (what, gain, se)
    unmoved = gaps(lever, 0.0, 1.0, metrics[:2], {"calibration.recognition_boost": 0.0}, reps=3)
    assert all((values == 0).all() for values in unmoved.values()), unmoved
    free = gaps(lever, 0.0, 1.0, ["cost"], {"calibration.recognition_cost": 0.0}, reps=3)
    assert (free["cost"] == 0).all(), free


def test_a_leader_who_experiments_raises_the_teams_risk_tolerance():
    base = {"leadership.psychological_safety": 1.0, "leadership.experimentation": 0.5}
    gain, se = effect("calibration.leader_example", 0.0, 0.2, "risk_tolerance", base, reps=6,
                      first=30)  # z 40 at 24 replicates  # fmt: skip
    assert gain > 3 * se, (gain, se)
    # knocked out: a leader who never experiments sets no example
    idle = gaps("calibration.leader_example", 0.0, 0.2, ["risk_tolerance"],
                {**base, "leadership.experimentation": 0.0}, reps=3, first=30)  # fmt: skip
    assert (idle["risk_tolerance"] == 0).all(), idle


def _team0_lead(team0: dict | None = None, reps: int = REPS, **changes) -> np.ndarray:
    """Per run of one_safe_team (60 steps): team 0's knowledge minus the other teams',
    steps 21 on; ``team0`` replaces team 0's own levers, ``changes`` (scenario paths)
    the organization's."""
    changes = {"steps": 60, **changes}
    changes |= {"team_leadership": {0: team0}} if team0 is not None else {}
    cfg = load_scenario("one_safe_team", changes)
    leads = []
    for r in range(reps):
        model = OrgModel(cfg, rng=derive_seed(6, r), metrics=["knowledge"])
        teams = model.run().team_frame()
        late = teams[teams.step > 20]
        by = late.groupby(late.team == 0)["knowledge"].mean()
        leads.append(by[True] - by[False])
    return np.array(leads)


def test_one_safe_team_learns_faster_than_its_unsafe_neighbours():
    """Team 0's leader is safe (0.9 among 0.1) and experiments more (0.6 among 0.3): the
    team pulls ahead (3 standard errors clear), and safety is part of it: with the same
    experimentation but the organization's safety, its lead is smaller, paired by seed."""
    lead = _team0_lead()
    ahead, se = mean_se(lead)
    assert ahead > 3 * se, (ahead, se)
    unsafe = _team0_lead({"psychological_safety": 0.1, "experimentation": 0.6})
    part, se = mean_se(lead - unsafe)
    assert part > 3 * se, (part, se)
    # knocked out, experiments (none anywhere, team 0 included): a safe leader has no
    # failures to answer, so the team's safety is worth nothing
    idle = {"leadership.experimentation": 0.0}
    safe = _team0_lead({"psychological_safety": 0.9, "experimentation": 0.0}, 6, **idle)
    unsafe = _team0_lead({"psychological_safety": 0.1, "experimentation": 0.0}, 6, **idle)
    assert (safe == unsafe).all(), safe - unsafe
