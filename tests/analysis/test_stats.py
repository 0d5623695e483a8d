"""Paired differences: runs matched by replicate, with the suite's one rule for intervals."""

import numpy as np
import pandas as pd
import pytest

from orgabm.analysis.stats import mean_ci, paired_differences, run_means


def _runs() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    base = rng.normal(0.0, 1.0, 30)  # each replicate's own luck, shared by both points
    return pd.DataFrame({
        "rep": np.tile(np.arange(30), 2),
        "lever": np.repeat([0.0, 1.0], 30),
        "metric": np.concatenate([base, base + 0.1 + rng.normal(0.0, 0.01, 30)]),
    })  # fmt: skip


def test_pairing_removes_the_replicates_shared_luck():
    runs = _runs()
    table = paired_differences(runs, "lever", "metric", 0.0).set_index("lever")
    one = table.loc[1.0]
    assert one["pairs"] == 30 and one["ci_low"] > 0.09 and one["ci_high"] < 0.11
    assert table.loc[0.0, "difference"] == 0.0
    # unpaired, the same data could not tell the difference from zero
    _, low, high = mean_ci(runs[runs.lever == 1.0].metric.to_numpy())
    _, low0, high0 = mean_ci(runs[runs.lever == 0.0].metric.to_numpy())
    assert low < high0 and low0 < high


def test_a_reference_that_is_not_a_value_is_refused():
    with pytest.raises(
        ValueError, match=r"against=0\.5: not a value of lever \(values: 0\.0, 1\.0\)"
    ):
        paired_differences(_runs(), "lever", "metric", 0.5)


def test_run_means_average_a_metric_over_each_runs_steps(tmp_path):
    from orgabm import load_results, sweep

    sweep("march_1991", vary={"leadership.socialization": [0.1, 0.9]}, reps=2, steps=6,
          workers=1, progress=False, out=tmp_path / "s")  # fmt: skip
    results = load_results(tmp_path / "s")
    means = run_means(results, "code_knowledge", first=1).set_index("run_id")
    steps = results.steps(columns=["run_id", "step", "code_knowledge"])
    for run_id, group in steps[steps.step >= 1].groupby("run_id"):
        assert means.loc[run_id, "code_knowledge"] == pytest.approx(group.code_knowledge.mean())
    assert len(means) == len(results.runs) == 4
