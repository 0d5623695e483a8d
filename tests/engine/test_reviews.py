"""After-action reviews: a team learns what its members reported seeing, nothing more."""

import numpy as np
import pytest
from effects import effect, runs

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
    lessons = [m.metrics_frame()["lessons"].sum() for m in runs({**SAFE,
               "leadership.after_action_reviews": 0}, reps=4)]  # fmt: skip
    assert max(lessons) == 0


def _without_failure_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The knock-out: failures are still answered, but none reaches a review."""
    report = experimentation._report

    def successes_only(state, trial, told):
        report(state, trial, told[trial.seen[told]])

    monkeypatch.setattr(experimentation, "_report", successes_only)


def test_reported_failures_are_what_reviews_add_most(monkeypatch):
    """Reviews' gain with failures reported, against the same with failure reports
    knocked out (successes still reported): the failures' share must show."""
    full, full_se = effect("leadership.after_action_reviews", 0, 5, "knowledge", SAFE, reps=12)
    _without_failure_reports(monkeypatch)
    cut, cut_se = effect("leadership.after_action_reviews", 0, 5, "knowledge", SAFE, reps=12)
    assert full - cut > 3 * np.hypot(full_se, cut_se), (full, full_se, cut, cut_se)


def test_team_knows_more_together_than_its_members_on_average():
    gaps = []
    for model in runs({}):
        teams = model.team_frame()
        late = teams[teams.step >= 30]
        gaps.append((late["pooled_knowledge"] - late["knowledge"]).mean())
    assert np.mean(gaps) > 0.05
