"""The per-agent baseline in benchmarks/ is March's model too, so the speed comparison is fair."""

import os
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


def test_the_floor_counts_a_steps_draws_without_changing_them():
    """bench_floor.py counts what a step draws through wrapped generators: the counted
    step gives the numbers an uncounted one gives."""
    before = dict(os.environ)
    from bench_floor import draws_of_one_step
    from bench_scale import scaled

    os.environ.clear()  # the benchmarks limit numpy's threads for their own process
    os.environ.update(before)
    counted, plain = (OrgModel(scaled(200, 5), rng=3) for _ in range(2))
    drawn = draws_of_one_step(counted)
    plain.step()
    assert counted.metrics_frame().equals(plain.metrics_frame())
    assert drawn[("bytes", "bytes")] == 200 * counted.dimensions // 8  # the act phase's coins
    assert sum(drawn.values()) > 200 * counted.dimensions  # socialization's draws, and more
