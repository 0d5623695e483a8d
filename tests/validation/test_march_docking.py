"""Figure 1's docking with Workiewicz's replication (orgabm/validation/march.py)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from orgabm.validation.march import P1_GRID, P2_GRID, WORKIEWICZ_FIGURE_1, docking


def test_the_replication_covers_the_grid():
    assert sorted(WORKIEWICZ_FIGURE_1) == sorted(P2_GRID)
    assert all(len(row) == len(P1_GRID) for row in WORKIEWICZ_FIGURE_1.values())


def test_docking_measures_the_gap_in_combined_standard_errors():
    runs, se = 1000, 0.004
    half = stats.t.ppf(0.975, runs - 1) * se
    table = pd.DataFrame({"p1": [0.1, 0.9], "p2": [0.5, 0.5], "runs": [runs, runs],
                          "mean": [0.960, 0.730], "ci_low": [0.960 - half, 0.730 - half],
                          "ci_high": [0.960 + half, 0.730 + half],
                          "replication": [0.954, 0.742]})  # fmt: skip
    out = docking(table)
    combined = np.hypot(se, se * np.sqrt(runs / 10_000))
    assert out["against_replication"].tolist() == pytest.approx([0.006, -0.012])
    assert out["z"].tolist() == pytest.approx([0.006 / combined, -0.012 / combined])
