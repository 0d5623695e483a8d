"""The lessons grid: a lever's paired effect per cell, and the table it makes."""

import pytest

from orgabm.scenario import load_scenario
from orgabm.validation import lessons

SAFETY = "leadership.psychological_safety"
#: the learning organization's levers, with no ties used (no sharing, mentoring or
#: communities): command and control's hierarchy then runs the same organization
SAME_LEADERS = {
    f"leadership.{k}": v
    for k, v in {**load_scenario("learning_organization").leadership.model_dump(),
                 "knowledge_sharing": 0.0, "mentoring": 0.0,
                 "communities_of_practice": 0.0}.items()
}  # fmt: skip


def test_a_cell_measures_safetys_effect_and_with_no_experiments_none():
    cell = {"organization.employees": 30, "steps": 60}  # z 5.1 at 10 replicates (2.8 at 6)
    effect, se = lessons.cell_effect(SAFETY, 0.1, 0.9, "performance", cell, reps=10)
    assert effect > 3 * se, (effect, se)
    # the knock-out: leaders' answers to failures need failures to answer
    idle = {**cell, "leadership.experimentation": 0.0}
    effect, se = lessons.cell_effect(SAFETY, 0.1, 0.9, "performance", idle, reps=2)
    assert (effect, se) == (0.0, 0.0)


def test_the_grid_is_a_table_with_one_row_per_cell(monkeypatch, capsys):
    monkeypatch.setattr(lessons, "CELLS", [(20, "March, 20 dimensions", "no reviews")])
    table = lessons.grid(SAFETY, 0.1, 0.9, "performance", reps=3).splitlines()
    assert table[0].startswith("| employees | task | reviews | performance: ")
    assert len(table) == 3 and table[2].startswith("| 20 | March, 20 dimensions | no reviews |")


def test_the_complexity_tasks_put_simple_and_rugged_nk_side_by_side(monkeypatch):
    monkeypatch.setattr(lessons, "SIZES", (20,))
    simple = {"NK 16, K = 0": lessons.COMPLEXITY["NK 16, K = 0"]}
    monkeypatch.setitem(lessons.TASK_SETS, "complexity", simple)
    table = lessons.grid(SAFETY, 0.1, 0.9, "performance", reps=2, tasks="complexity")
    rows = table.splitlines()
    assert len(rows) == 4  # header, rule, reviews on and off
    assert rows[2].startswith("| 20 | NK 16, K = 0 | reviews every 5 |")
    assert set(lessons.COMPLEXITY) == {"NK 16, K = 0", "NK 16, K = 5", "NK 20, K = 0",
                                       "NK 20, K = 5"}  # fmt: skip


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


def test_a_preset_against_itself_differs_by_nothing_and_command_and_control_by_much():
    """The preset comparison is paired: a preset against itself gives exactly 0, and
    command and control against the learning organization a large loss, 3 standard
    errors clear; with the same leaders in both (the knock-out), less than 3."""
    cell = {"organization.employees": 50, "steps": 60}
    same = lessons.preset_effect("learning_organization", "learning_organization",
                                 "knowledge", cell, reps=3)  # fmt: skip
    assert same == (0.0, 0.0)
    loss, se = lessons.preset_effect("command_and_control", "learning_organization",
                                     "knowledge", cell, reps=8)  # fmt: skip
    assert loss < -3 * se, (loss, se)
    loss, se = lessons.preset_effect("command_and_control", "learning_organization",
                                     "knowledge", {**cell, **SAME_LEADERS}, reps=8)  # fmt: skip
    assert abs(loss) <= 3 * se, (loss, se)


def test_a_preset_keeps_its_own_turbulence_in_every_cell(monkeypatch):
    seen = []
    monkeypatch.setattr(lessons, "_paired", lambda arms, metric, changes, reps, seed:
                        seen.append(changes) or (0.0, 1.0))  # fmt: skip
    monkeypatch.setattr(lessons, "CELLS", [(20, "NK 16, K = 5", "no reviews")])
    table = lessons.grid("", 0, 0, "knowledge", 2, scenario="turbulent_market",
                         against="learning_organization").splitlines()  # fmt: skip
    assert "knowledge: turbulent_market - learning_organization" in table[0]
    assert "environment.turbulence" not in seen[0] and seen[0]["environment.kind"] == "nk"
