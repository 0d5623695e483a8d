"""Knowledge sharing on ties."""

import numpy as np
from effects import BASE, compare

from orgabm import OrgModel, load_scenario


def test_knowledge_sharing_speeds_convergence():
    out = compare("leadership.knowledge_sharing", 0.0, 0.8, ["diversity", "knowledge"], last=20)
    assert out["diversity"][1] < out["diversity"][0] - 0.02
    assert out["knowledge"][1] > out["knowledge"][0] + 0.05


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
