"""After-action reviews: a team learns what its members reported seeing, nothing more."""

import numpy as np
import pytest
from effects import effect, per_run, runs

from orgabm.engine import experimentation

SAFE = {"leadership.psychological_safety": 0.9}


def test_reviews_teach_what_was_reported_and_little_where_failures_are_hidden():
    """Reviews raise knowledge in a safe climate, far more than in an unsafe one, where
    failures are punished and go unreported; reviews switched off teach nothing."""
    safe, safe_se = effect("leadership.after_action_reviews", 0, 5, "knowledge", SAFE, reps=12)
    unsafe, unsafe_se = effect("leadership.after_action_reviews", 0, 5, "knowledge",
                               {"leadership.psychological_safety": 0.1}, reps=12)  # fmt: skip
    assert safe > 4 * safe_se, (safe, safe_se)
    assert safe - unsafe > 3 * np.hypot(safe_se, unsafe_se), (safe, unsafe)


def test_with_nothing_reported_reviews_teach_nothing(monkeypatch):
    """The knock-out: no trial reaches a review (``_report`` a no-op); a review then has
    nothing to pass on, and its gain vanishes (the runs are identical)."""
    monkeypatch.setattr(experimentation, "_report", lambda state, trial, told: None)
    gain, se = effect("leadership.after_action_reviews", 0, 5, "knowledge", SAFE, reps=4)
    assert abs(gain) <= 2 * se, (gain, se)


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


def _review_gains(reps: int = 12) -> np.ndarray:
    """Per replicate: knowledge with reviews every 5 steps minus without (same seed)."""
    lever = "leadership.after_action_reviews"
    on = per_run(runs({**SAFE, lever: 5}, reps), "knowledge")
    off = per_run(runs({**SAFE, lever: 0}, reps), "knowledge")
    return on - off


def _clear(gaps: np.ndarray) -> bool:
    """The mean is more than 3 standard errors above 0."""
    return gaps.mean() > 3 * gaps.std(ddof=1) / np.sqrt(len(gaps))


def test_reported_failures_are_what_reviews_add_most(monkeypatch):
    """Reviews' gain with every report, against the same with failure reports knocked out
    and with success reports knocked out, replicate by replicate: without the failures
    far more is lost than without the successes."""
    full = _review_gains()
    with monkeypatch.context() as patch:
        _without_failure_reports(patch)
        no_fail = _review_gains()
    with monkeypatch.context() as patch:
        _without_success_reports(patch)
        no_win = _review_gains()
    assert _clear(full - no_fail), (full.mean(), no_fail.mean())
    assert _clear(no_win - no_fail), (no_win.mean(), no_fail.mean())


def _pooling_gap(overrides: dict) -> np.ndarray:
    """Per run: how much more a team knows together (its majority belief) than its
    members on average, steps 30 on."""
    gaps = []
    for model in runs(overrides, reps=12, team_table=True):
        teams = model.team_frame()
        late = teams[teams.step >= 30]
        gaps.append((late["pooled_knowledge"] - late["knowledge"]).mean())
    return np.array(gaps)


def test_a_team_knows_more_together_and_reviews_pass_it_to_its_members():
    """Pooled knowledge beats the members' mean by aggregation alone (reviews off: a
    property of the majority vote, no mechanism). Reviews then pass what the team found
    to its members, so members' knowledge rises towards it and the gap narrows."""
    off = _pooling_gap({**SAFE, "leadership.after_action_reviews": 0})
    on = _pooling_gap({**SAFE, "leadership.after_action_reviews": 5})
    assert off.mean() > 3 * off.std(ddof=1) / np.sqrt(len(off)), off.mean()
    narrowed = off - on  # paired by seed
    assert narrowed.mean() > 3 * narrowed.std(ddof=1) / np.sqrt(len(narrowed)), narrowed.mean()
