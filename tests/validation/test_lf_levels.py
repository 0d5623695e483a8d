"""Lazer and Friedman's published numbers beside orgabm's (orgabm/validation/lf_levels.py)."""

import pandas as pd
import pytest

from orgabm.validation.lf_levels import LF_PUBLISHED, levels_table, within


def _networks() -> pd.DataFrame:
    rows = [{"network": net, "step": step, "mean": base + step / 1000, "ci_low": 0.0,
             "ci_high": 1.0} for net, base in (("line", 0.2), ("complete", 0.5))
            for step in range(101)]  # fmt: skip
    table = pd.DataFrame(rows)
    # three paired replicates at the last round: the line wins two, loses one
    runs = pd.DataFrame({"rep": [0, 0, 1, 1, 2, 2], "step": 100,
                         "network": ["line", "complete"] * 3,
                         "solution_score": [0.9, 0.5, 0.8, 0.6, 0.4, 0.7]})  # fmt: skip
    table.attrs["runs"] = runs
    return table


def test_each_published_number_meets_orgabms_at_its_round_and_condition():
    table = levels_table({"lazer_friedman_networks": _networks()})
    fig4 = [p for p in LF_PUBLISHED if p.figure == "Fig. 4"]
    assert len(table) == len(fig4) + 2  # other experiments absent: their rows are left out
    line100 = table[table["what"] == "line, round 100"].iloc[0]
    assert line100["orgabm"] == pytest.approx(0.3) and line100["published"] == 0.865
    assert line100["difference"] == pytest.approx(0.3 - 0.865)
    wins = table[table["what"].str.startswith("line wins")].iloc[0]
    loses = table[table["what"].str.startswith("line loses")].iloc[0]
    assert wins["orgabm"] == pytest.approx(2 / 3) and loses["orgabm"] == pytest.approx(1 / 3)
    assert wins["published"] == 0.845
    assert within(table) == (0, len(table))
