"""The reference implementation of Lazer and Friedman's rules (orgabm/validation/lf_readings.py)
docks with the engine, and its readings change what they should."""

import numpy as np
import pytest
from scipy import stats

from orgabm.validation.canonical import lazer_friedman
from orgabm.validation.lf_readings import (
    ENGINE_READING,
    READINGS,
    _landscapes,
    engine_row,
    reading_curves,
    readings_table,
)

RUNS = 80
KEYS = ("line_10", "line_30", "line_100", "complete_100")


def _se(row: dict, key: str) -> float:
    return row[f"{key}_half"] / stats.t.ppf(0.975, RUNS - 1)


@pytest.mark.slow
def test_the_reference_docks_with_the_engine_and_another_reading_does_not():
    engine = engine_row(lazer_friedman("lazer_friedman_networks", runs=RUNS, seed=3, workers=2))
    table = readings_table(RUNS, seed=11, readings=[ENGINE_READING, "copy, then search"])
    same, other = table.to_dict("records")
    for key in KEYS:  # independent landscapes: the gap in combined standard errors
        combined = np.hypot(_se(engine, key), _se(same, key))
        assert abs(engine[key] - same[key]) < 3 * combined, (key, engine[key], same[key])
    # the check can fail: a reading that also searches after copying climbs faster early
    gap = other["line_10"] - engine["line_10"]
    assert gap > 3 * np.hypot(_se(engine, "line_10"), _se(other, "line_10"))


def test_copying_equal_scores_changes_nothing_and_the_untried_bit_search_does():
    scores, starts = _landscapes(6, 5)
    for network in ("line", "complete"):
        base = reading_curves(ENGINE_READING, network, scores, starts, rounds=30)
        equal = reading_curves("equal scores copied", network, scores, starts, rounds=30)
        untried = reading_curves("untried bit", network, scores, starts, rounds=30)
        assert np.array_equal(base, equal)
        assert not np.array_equal(base, untried)


@pytest.mark.parametrize("reading", list(READINGS))
def test_no_agent_ever_moves_to_a_worse_solution(reading):
    # a copy is of a strictly better solution and a search keeps only a gain, so under
    # every reading each agent's score, and every run's mean, only rises
    scores, starts = _landscapes(4, 9)
    for network in ("line", "complete"):
        curves = reading_curves(reading, network, scores, starts, rounds=40)
        assert (np.diff(curves, axis=1) >= -1e-6).all()
        assert curves[:, -1].mean() > curves[:, 0].mean() + 0.1
