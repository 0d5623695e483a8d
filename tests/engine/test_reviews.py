"""After-action reviews: a team learns what its members reported seeing, nothing more."""

import numpy as np
import pytest
from effects import gaps, mean_se, runs

from orgabm.engine import experimentation

SAFE = {"leadership.psychological_safety": 0.9}
UNSAFE = {"leadership.psychological_safety": 0.1}
REVIEWS = "leadership.after_action_reviews"


def _gains(climate: dict, reps: int) -> np.ndarray:
    """Per replicate, knowledge with reviews every 5 steps minus without (same seed)."""
    return gaps(REVIEWS, 0, 5, ["knowledge"], climate, reps=reps)["knowledge"]


def test_reviews_teach_what_was_reported_and_little_where_failures_are_hidden():
    """Reviews raise knowledge in a safe climate, far more than in an unsafe one, where
    failures are punished and go unreported (replicate r has the same seed in all four
    arms, so the difference of gains is paired). At 24 replicates the safe climate's
    extra gain stood 4.1 standard errors clear, at 12 only 2 (tests/engine/power.py)."""
    safe, unsafe = _gains(SAFE, 24), _gains(UNSAFE, 24)
    gain, se = mean_se(safe)
    assert gain > 4 * se, (gain, se)
    more, se = mean_se(safe - unsafe)
    assert more > 3 * se, (more, se)


def _nothing_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The knock-out: no trial reaches a review (``_report`` a no-op)."""
    monkeypatch.setattr(experimentation, "_report", lambda state, trial, told: None)


def test_with_nothing_reported_reviews_teach_nothing(monkeypatch):
    """With no trial reported, a review has nothing to pass on: in a safe climate and an
    unsafe one its gain is gone, to the last bit (the runs are identical)."""
    _nothing_reported(monkeypatch)
    for climate in (SAFE, UNSAFE):
        assert (_gains(climate, 4) == 0).all(), climate


def _without_failure_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The knock-out: failures are still answered, but none reaches a review."""
    report = experimentation._report

    def successes_only(state, trial, told):
        report(state, trial, told[trial.seen[told]])

    monkeypatch.setattr(experimentation, "_report", successes_only)


def _without_success_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other knock-out: successes are still kept, but none reaches a review."""
    report = experimentation._report

    def failures_only(state, trial, told):
        report(state, trial, told[~trial.seen[told]])

    monkeypatch.setattr(experimentation, "_report", failures_only)


def _clear(values: np.ndarray) -> bool:
    """The mean is more than 3 standard errors above 0."""
    mean, se = mean_se(values)
    return mean > 3 * se


def test_reported_failures_are_what_reviews_add_most(monkeypatch):
    """Reviews' gain with every report, against the same with failure reports knocked out
    and with success reports knocked out, replicate by replicate: without the failures
    far more is lost than without the successes. With no experiments (nothing to report)
    the failure reports' share is nothing, to the last bit."""

    def lost_without_failure_reports(climate: dict, reps: int) -> tuple[np.ndarray, ...]:
        full = _gains(climate, reps)
        with monkeypatch.context() as patch:
            _without_failure_reports(patch)
            no_fail = _gains(climate, reps)
        return full, no_fail

    full, no_fail = lost_without_failure_reports(SAFE, 12)
    with monkeypatch.context() as patch:
        _without_success_reports(patch)
        no_win = _gains(SAFE, 12)
    assert _clear(full - no_fail), (full.mean(), no_fail.mean())
    assert _clear(no_win - no_fail), (no_win.mean(), no_fail.mean())
    full, no_fail = lost_without_failure_reports({**SAFE, "leadership.experimentation": 0.0}, 4)
    assert (full == no_fail).all(), full - no_fail


def _pooling_gap(overrides: dict, reps: int = 12) -> np.ndarray:
    """Per run: how much more a team knows together (its majority belief) than its
    members on average, steps 30 on."""
    values = []
    for model in runs(overrides, reps=reps, team_table=True):
        teams = model.team_frame()
        late = teams[teams.step >= 30]
        values.append((late["pooled_knowledge"] - late["knowledge"]).mean())
    return np.array(values)


def test_a_team_knows_more_together_and_reviews_pass_it_to_its_members(monkeypatch):
    """Pooled knowledge beats the members' mean by aggregation alone (reviews off: a
    property of the majority vote, no mechanism). Reviews then pass what the team found
    to its members, so members' knowledge rises towards it and the gap narrows. With
    nothing reported the reviews pass nothing, and the gap is as without them."""
    off = _pooling_gap({**SAFE, REVIEWS: 0})
    on = _pooling_gap({**SAFE, REVIEWS: 5})
    assert _clear(off), off.mean()
    assert _clear(off - on), (off - on).mean()  # paired by seed
    _nothing_reported(monkeypatch)
    narrowed = _pooling_gap({**SAFE, REVIEWS: 0}, 4) - _pooling_gap({**SAFE, REVIEWS: 5}, 4)
    assert (narrowed == 0).all(), narrowed
