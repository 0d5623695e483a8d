"""The per-agent baseline in benchmarks/ is March's model too, so the speed comparison is fair."""

import sys
from pathlib import Path

import numpy as np

from orgabm import OrgModel, load_scenario
from orgabm.batch.seeds import derive_seed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from march_per_agent import MarchModel


def test_per_agent_baseline_learns_like_the_engine():
    runs, steps = 60, 40
    cfg = load_scenario(
        "march_1991",
        {"leadership.socialization": 0.5, "steps": steps, "stop_at_equilibrium": False},
    )
    engine, baseline = [], []
    for r in range(runs):
        engine.append(OrgModel(cfg, rng=derive_seed(1, r)).run().datacollector.latest()[
            "code_knowledge"])  # fmt: skip
        model = MarchModel(n=50, p1=0.5, p2=0.5, rng=derive_seed(2, r))
        for _ in range(steps):
            model.step()
        baseline.append(model.code_knowledge())
    # both near March's published 0.795 at p1 = p2 = 0.5; means over 60 runs agree
    assert abs(np.mean(engine) - np.mean(baseline)) < 0.04
    assert 0.74 < np.mean(baseline) < 0.86
