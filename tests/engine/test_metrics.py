"""Metrics: productivity is what the step produced, net of the time spent learning."""

import numpy as np
from effects import effect, runs

TIMES = ("experiment_time", "review_time", "training_time", "mentoring_time", "sharing_time",
         "encounter_time")  # fmt: skip
FREE = {f"calibration.{name}": 0.0 for name in TIMES}


def test_productivity_is_the_output_when_learning_takes_no_time():
    for model in runs({**FREE, "leadership.training": 0.3, "leadership.mentoring": 0.3}, reps=2):
        frame = model.metrics_frame().iloc[1:]
        output = (frame["performance"] + 1.0) / 2.0  # March's reality: performance is / m
        assert np.allclose(frame["productivity"], output, rtol=0, atol=1e-12)


def test_time_spent_learning_is_output_lost():
    """Training half the staff every step lowers productivity; with training taking no
    time (the knock-out) the same training does not."""
    costly, costly_se = effect("leadership.training", 0.0, 0.5, "productivity", reps=6)
    free, free_se = effect("leadership.training", 0.0, 0.5, "productivity", FREE, reps=6)
    assert costly < -4 * costly_se, (costly, costly_se)
    assert free > costly + 4 * np.hypot(costly_se, free_se), (free, costly)
    assert free > -2 * free_se, (free, free_se)
