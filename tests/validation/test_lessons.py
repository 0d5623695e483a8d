"""The lessons grid: a lever's paired effect per cell, and the table it makes."""

import pytest

from orgabm.validation import lessons

SAFETY = "leadership.psychological_safety"


def test_with_no_experiments_safety_changes_nothing_in_any_cell_it_runs():
    # the knock-out: leaders' answers to failures need failures to answer
    effect, se = lessons.cell_effect(SAFETY, 0.1, 0.9, "performance",
                                     {"organization.employees": 20, "steps": 30,
                                      "leadership.experimentation": 0.0}, reps=2)  # fmt: skip
    assert (effect, se) == (0.0, 0.0)


def test_the_grid_is_a_table_with_one_row_per_cell(monkeypatch, capsys):
    monkeypatch.setattr(lessons, "CELLS", [(20, "March, 20 dimensions", "no reviews")])
    table = lessons.grid(SAFETY, 0.1, 0.9, "performance", reps=3).splitlines()
    assert table[0].startswith("| employees | task | reviews | performance: ")
    assert len(table) == 3 and table[2].startswith("| 20 | March, 20 dimensions | no reviews |")


def test_one_replicate_is_refused_in_the_flags_words():
    with pytest.raises(SystemExit) as stop:
        lessons.main(["--reps", "1"])
    assert stop.value.code == 2


def test_the_reviews_lever_is_weighed_at_low_and_high_safety(monkeypatch):
    monkeypatch.setattr(lessons, "CELLS", [(20, "March, 20 dimensions", "no reviews")])
    table = lessons.grid(lessons.REVIEWS_LEVER, 0, 5, "knowledge", reps=2).splitlines()
    assert table[0].startswith("| employees | task | safety | knowledge: ")
    assert table[2].startswith("| 20 | March, 20 dimensions | safety 0.9 |")


@pytest.mark.parametrize(("flags", "says"), [
    (["--scenario", "no_such"], "no_such"),
    (["--lever", "leadership.saftey"], "leadership.saftey"),
    (["--metric", "knowlege"], "--metric knowlege"),
])  # fmt: skip
def test_a_wrong_flag_is_refused_before_the_grid_runs(flags, says, capsys):
    with pytest.raises(SystemExit) as stop:
        lessons.main(flags)
    assert stop.value.code == 2 and says in capsys.readouterr().err
