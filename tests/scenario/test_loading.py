"""Loading a scenario: named ones and files, `extends`, the teacher's own folder, and
files that cannot be read (orgabm/scenario/loading.py)."""

import os
from pathlib import Path

import pytest

from orgabm.scenario import (
    Scenario,
    ScenarioError,
    available_scenarios,
    load_scenario,
    scenario_dirs,
)
from orgabm.scenario.errors import shown


def test_default_scenario_is_the_learning_organization():
    assert load_scenario(None) == load_scenario("learning_organization")


def test_every_named_scenario_validates():
    named = available_scenarios()
    assert "march_1991" in named
    for name in named:
        assert isinstance(load_scenario(name), Scenario)


def test_a_file_path_loads(tmp_path: Path):
    f = tmp_path / "mine.yaml"
    f.write_text("organization: {employees: 12}\nleadership: {socialization: 0.3}\n")
    cfg = load_scenario(f)
    assert cfg.organization.employees == 12
    assert cfg.leadership.socialization == 0.3
    assert cfg.leadership.code_learning == 0.5  # default


def test_broken_yaml_says_where(tmp_path: Path):
    f = tmp_path / "broken.yaml"
    f.write_text("leadership:\n  socialization: 0.5\n    code_learning: [\n")
    with pytest.raises(ScenarioError, match=r"broken.yaml: not valid YAML at line \d+"):
        load_scenario(f)


def test_non_mapping_yaml_is_refused(tmp_path: Path):
    f = tmp_path / "list.yaml"
    f.write_text("- 1\n- 2\n")
    with pytest.raises(ScenarioError, match=r"expected a mapping of settings.*got a list"):
        load_scenario(f)


def test_binary_file_is_refused(tmp_path: Path):
    f = tmp_path / "image.yaml"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(ScenarioError, match=r"image\.yaml: "):
        load_scenario(f)


def test_missing_scenario_suggests_a_name():
    with pytest.raises(ScenarioError, match=r"no scenario 'march_1990'.*did you mean 'march_1991'"):
        load_scenario("march_1990")


def test_yaml_round_trip():
    cfg = load_scenario("march_1991", {"organization.network.kind": "torus"})
    assert load_scenario(__import__("yaml").safe_load(cfg.to_yaml())) == cfg
    assert cfg.get("organization.network.kind") == "torus"


# --------------------------------------------------------------------------- extends
def test_extends_may_not_leave_the_files_folder(tmp_path: Path):
    (tmp_path / "base.yaml").write_text("steps: 3\n")
    (tmp_path / "mine").mkdir()
    for ref in ("../base", str(tmp_path / "base.yaml"), "/etc/hostname"):
        (tmp_path / "mine" / "up.yaml").write_text(f"extends: {ref}\n")
        with pytest.raises(ScenarioError) as info:
            load_scenario(tmp_path / "mine" / "up.yaml")
        message = str(info.value)
        # a long temporary path is shown cut in the middle, as every long value is
        assert f"extends: {shown(ref)} is not allowed" in message
        assert f"must be a file in {(tmp_path / 'mine').resolve()} (or a folder" in message


def test_extends_may_not_leave_through_a_link(tmp_path: Path):
    (tmp_path / "secret.yaml").write_text("steps: 3\n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "base.yaml").symlink_to(tmp_path / "secret.yaml")
    (tmp_path / "mine" / "a.yaml").write_text("extends: base\n")
    with pytest.raises(ScenarioError, match=r"extends: 'base' is not allowed: names .*secret"):
        load_scenario(tmp_path / "mine" / "a.yaml")


def test_extends_may_name_a_file_below_or_a_named_scenario(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.yaml").write_text("extends: march_1991\nsteps: 4\n")
    (tmp_path / "mine.yaml").write_text("extends: sub/base\n")
    cfg = load_scenario(tmp_path / "mine.yaml")
    assert cfg.steps == 4 and cfg.organization.network.kind == "none"


def test_a_dangling_link_says_so(tmp_path: Path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere" / "x.yaml")
    with pytest.raises(ScenarioError, match=r"gone.yaml: a symbolic link to .*x.yaml, which does"):
        load_scenario(tmp_path / "gone.yaml")


def test_a_teachers_own_folder_adds_scenarios_and_assignments(tmp_path, monkeypatch, caplog):
    (tmp_path / "assignments").mkdir()
    (tmp_path / "mine.yaml").write_text("extends: march_1991\nsteps: 3\n")
    (tmp_path / "march_1991.yaml").write_text("steps: 1\n")  # a shipped name wins
    (tmp_path / "assignments" / "own.yaml").write_text(
        (scenario_dirs()[0] / "assignments" / "exploration_exploitation.yaml").read_text()
    )
    monkeypatch.setenv("ORGABM_SCENARIOS", f"{tmp_path}{os.pathsep}{tmp_path / 'gone'}")
    assert scenario_dirs()[1:] == [tmp_path]
    assert "skipped" in caplog.text and "gone" in caplog.text
    assert load_scenario("mine").steps == 3
    assert load_scenario("march_1991").steps != 1
    assert load_scenario("assignments/own").assignment is not None
