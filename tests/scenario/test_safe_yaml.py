"""Hostile YAML files refused at once in one line: alias bombs, deep nesting, keys given
twice, infinities (orgabm/scenario/safe_yaml.py)."""

from pathlib import Path

import pytest
from refusals import billion_laughs, file_error

from orgabm.scenario import (
    ScenarioError,
    load_scenario,
)


def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path):
    assert len(billion_laughs()) < 600
    message = file_error(tmp_path, billion_laughs())
    assert "alias *a0 is not allowed" in message and "line 2" in message


def test_an_alias_inside_an_event_is_refused(tmp_path: Path):
    text = ("events:\n  - {at: 1, set: {leadership.training: &t 0.1}}\n"
            "  - {at: 2, set: {leadership.training: *t}}\n")  # fmt: skip
    assert "alias *t is not allowed" in file_error(tmp_path, text)


def test_deep_nesting_is_a_one_line_error(tmp_path: Path):
    message = file_error(tmp_path, "events: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert "line 1, column 41: nested more than 32 levels deep" in message


def test_infinity_in_a_file_is_refused(tmp_path: Path):
    f = tmp_path / "inf.yaml"
    f.write_text("calibration: {training_cost: .inf}\n")
    with pytest.raises(ScenarioError, match=r"calibration.training_cost: inf .* finite number"):
        load_scenario(f)


def test_a_key_given_twice_is_refused_naming_both_lines(tmp_path: Path):
    path = tmp_path / "twice.yaml"
    path.write_text("name: x\nsteps: 5\norganization:\n  employees: 10\nsteps: 7\n")
    with pytest.raises(ScenarioError, match=r"'steps' is given twice, on lines 2 and 5"):
        load_scenario(path)


def test_a_nested_key_given_twice_is_refused(tmp_path: Path):
    path = tmp_path / "twice.yaml"
    path.write_text("leadership:\n  training: 0.1\n  training: 0.5\n")
    with pytest.raises(ScenarioError, match=r"'training' is given twice, on lines 2 and 3"):
        load_scenario(path)
