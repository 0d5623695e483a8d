"""Knowledge sharing on ties."""

import numpy as np
import pytest
from effects import BASE, difference, gaps, mean_se, per_run, runs

from orgabm import OrgModel, load_scenario


def test_knowledge_sharing_speeds_convergence():
    """Less diversity and more knowledge in the first 20 steps, paired by seed, 3 standard
    errors clear (8 replicates); with no ties there is no one to share with, and the
    lever changes nothing."""
    lever, metrics = "leadership.knowledge_sharing", ["diversity", "knowledge"]
    found = gaps(lever, 0.0, 0.8, metrics, reps=8, last=20)
    for what, sign in (("diversity", -1), ("knowledge", 1)):
        gain, se = mean_se(found[what])
        assert sign * gain > 3 * se, (what, gain, se)
    alone = gaps(lever, 0.0, 0.8, metrics, {"organization.network.kind": "none"}, reps=3, last=20)
    assert all((values == 0).all() for values in alone.values()), alone


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

    def spy(model, levers, learners, sources, rate, rng):
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


def test_voice_is_safety_unless_tenure_sharing_raises_it_with_seniority():
    from orgabm.engine.sharing import voice

    rows = np.arange(100)
    off = OrgModel(load_scenario(BASE), rng=1)
    off.tenure[:] = 50
    assert np.array_equal(voice(off.state, off.levers, rows), off.safety)  # the same array values
    on = OrgModel(
        load_scenario(BASE, {"leadership.tenure_sharing": 1.0, "calibration.tenure_scale": 10}),
        rng=1,
    )
    on.tenure[:] = 0
    on.tenure[:50] = 10  # seniority 1/2
    expected = on.safety.copy()
    expected[:50] += 0.5 * (1.0 - on.safety[:50])
    assert np.allclose(voice(on.state, on.levers, rows), expected)


@pytest.mark.slow
def test_tenure_sharing_makes_seniority_count_and_nothing_at_0():
    """Seniority that accrues (tenure_scale 2 steps) against seniority that never does
    (10^6 steps), in an organization where people leave and newcomers arrive (turnover
    0.05, so tenures differ): with tenure_sharing at 1 the long-serving speak up more,
    so more is learned from colleagues and the organization knows more; at 0 (the
    knockout) the same comparison changes nothing, to the bit."""
    for lever in (1.0, 0.0):
        levers = {"leadership.tenure_sharing": lever, "workforce.turnover": 0.05}
        senior, junior = (
            runs({**levers, "calibration.tenure_scale": scale}, 8)
            for scale in (2.0, 1e6)  # 8 replicates: z 17 at 24 (tests/engine/power.py), 10 at 8
        )
        for metric in ("shares", "knowledge"):
            effect, se = difference(per_run(senior, metric), per_run(junior, metric))
            if lever:
                assert effect > 3 * se, (metric, effect, se)
            else:
                assert abs(effect) < 3 * se, (metric, effect, se)
                assert effect == 0.0  # the lever at 0 reads neither tenure nor tenure_scale
