"""Scenario schema: defaults, loading, overrides and one-line errors."""

import os
from pathlib import Path

import pytest
from conftest import slower_than

from orgabm.scenario import (
    MAX_TIES,
    TEAM_LEVERS,
    Scenario,
    ScenarioError,
    apply_overrides,
    available_scenarios,
    load_scenario,
    parse_override,
    scenario_dirs,
)
from orgabm.scenario.errors import shown


def error_of(data=None, overrides=None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(data if data is not None else {}, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_march_scenario_holds_marchs_parameters():
    cfg = load_scenario("march_1991")
    assert cfg.organization.employees == 50
    assert cfg.environment.dimensions == 30
    assert cfg.leadership.socialization == 0.1
    assert cfg.leadership.code_learning == 0.5
    assert cfg.workforce.turnover == 0.0
    assert cfg.environment.turbulence == 0.0
    assert cfg.stop_at_equilibrium is True


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


def test_unknown_key_names_the_path_and_suggests_the_closest():
    msg = error_of({"leadership": {"socialisation": 0.5}})
    assert "leadership.socialisation" in msg
    assert "unknown key" in msg
    assert "did you mean 'socialization'" in msg


def test_unknown_top_level_key_suggests():
    msg = error_of({"organisation": {"employees": 10}})
    assert "organisation" in msg and "did you mean 'organization'" in msg


def test_unknown_network_setting_lists_that_kinds_settings():
    msg = error_of({"organization": {"network": {"kind": "ring", "neighbors": 4}}})
    assert "organization.network.neighbors" in msg
    assert "did you mean 'neighbours'" in msg


def test_out_of_range_value_names_path_value_and_bound():
    msg = error_of({"leadership": {"socialization": 1.5}})
    assert "leadership.socialization" in msg
    assert "1.5" in msg
    assert "at most 1" in msg


def test_wrong_type_names_what_is_allowed():
    msg = error_of({"organization": {"employees": "many"}})
    assert "organization.employees" in msg and "'many'" in msg and "whole number" in msg


def test_bad_network_kind_lists_kinds_and_suggests():
    msg = error_of({"organization": {"network": {"kind": "smallworld"}}})
    assert "organization.network.kind" in msg
    assert "'smallworld'" in msg
    assert "small_world" in msg
    assert "did you mean 'small_world'" in msg


def test_negative_steps_is_refused():
    msg = error_of({"steps": -3})
    assert "steps" in msg and "-3" in msg and "at least 0" in msg


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"organization": {"employees": 10, "teams": 11}}, "organization.teams"),
        (
            {"organization": {"employees": 10, "network": {"kind": "ring", "neighbours": 3}}},
            "organization.network.neighbours",
        ),
        (
            {"organization": {"employees": 50, "network": {"kind": "torus", "width": 7}}},
            "organization.network.width",
        ),
        (
            {"organization": {"employees": 7, "network": {"kind": "torus"}}},
            "organization.employees",
        ),
        (
            {"organization": {"employees": 100, "network": {"kind": "random", "density": 0.01}}},
            "organization.network.density",
        ),
        (
            {"organization": {"employees": 5, "network": {"kind": "scale_free", "attach": 5}}},
            "organization.network.attach",
        ),
        (
            {"organization": {"employees": 6, "teams": 3, "network": {"kind": "hierarchy"}}},
            "organization.teams",
        ),
        (
            {"organization": {"employees": 3000, "network": {"kind": "complete"}}},
            "organization.network.kind",
        ),
    ],
)
def test_settings_that_do_not_fit_together_name_the_key(data, path):
    msg = error_of(data)
    assert msg.startswith(f"scenario: {path}: ")
    assert "is not allowed: must be" in msg


def test_too_many_ties_says_how_many():
    msg = error_of({"organization": {"employees": 3000}})
    assert f"{MAX_TIES:,}" in msg and "4,498,500" in msg


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


def test_parse_override_reads_yaml_scalars():
    assert parse_override("leadership.socialization=0.5") == ("leadership.socialization", 0.5)
    assert parse_override("stop_at_equilibrium=false") == ("stop_at_equilibrium", False)
    assert parse_override("organization.network.kind=ring") == ("organization.network.kind", "ring")


@pytest.mark.parametrize("text", ["leadership.socialization", "=0.5", "a..b=1", ".a=1"])
def test_malformed_override_is_refused(text):
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_override(text)


def test_overrides_apply_before_validation_and_create_sections():
    cfg = load_scenario("march_1991", {"workforce.turnover": 0.1, "steps": 7})
    assert cfg.workforce.turnover == 0.1 and cfg.steps == 7
    data = apply_overrides({}, {"organization.network.kind": "line"})
    assert data == {"organization": {"network": {"kind": "line"}}}


def test_override_through_a_setting_is_refused():
    with pytest.raises(ScenarioError, match="steps is a single setting"):
        apply_overrides({"steps": 5}, {"steps.max": 3})


def test_override_with_an_unknown_path_suggests():
    msg = error_of({}, {"leadership.code_learnig": 0.2})
    assert "did you mean 'code_learning'" in msg


def test_lever_assignment_is_validated():
    cfg = load_scenario("march_1991")
    cfg.leadership.socialization = 0.9
    assert cfg.leadership.socialization == 0.9
    with pytest.raises(ValueError):
        cfg.leadership.socialization = 2.0


def test_yaml_round_trip():
    cfg = load_scenario("march_1991", {"organization.network.kind": "torus"})
    assert load_scenario(__import__("yaml").safe_load(cfg.to_yaml())) == cfg
    assert cfg.get("organization.network.kind") == "torus"


def test_switching_network_kind_drops_the_old_kinds_settings():
    cfg = load_scenario(
        "learning_organization",
        {"organization.network.neighbours": 6, "organization.network.kind": "ring"},
    )
    assert cfg.organization.network.kind == "ring"
    assert cfg.organization.network.neighbours == 6


# --------------------------------------------------------------------------- hostile files
def billion_laughs(levels: int = 9) -> str:
    """A few hundred bytes that expand to 9^levels list items through aliases."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def file_error(tmp_path: Path, text: str) -> str:
    f = tmp_path / "hostile.yaml"
    f.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)

    def refuse() -> None:
        with pytest.raises(ScenarioError):
            load_scenario(f)

    # refused about as fast as a benign file of its size is read (a bomb took a minute)
    benign = tmp_path / "benign.yaml"
    benign.write_text("name: " + "a" * max(len(text), 2000) + "\n")
    assert slower_than(refuse, lambda: load_scenario(benign)) < 10
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message[:1000]
    return message


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


def test_deep_nesting_in_an_override_is_not_a_traceback():
    message = error_of({}, dict([parse_override("steps=" + "[" * 20_000 + "]" * 20_000)]))
    assert message.startswith("scenario: steps: ") and len(message) < 400


def test_a_huge_value_is_cut_in_the_message(tmp_path: Path):
    message = file_error(tmp_path, 'leadership: {training: "' + "x" * 200_000 + '"}\n')
    assert message.startswith(f"{tmp_path / 'hostile.yaml'}: leadership.training: 'xxx")
    assert "...xxx" in message and "must be a number" in message


def test_a_huge_event_is_cut_in_the_message():
    huge = {"leadership.training": [[list(range(100))] * 100] * 100}
    message = error_of({"events": [{"at": 1, "set": huge}]})
    assert message.startswith("scenario: events.0.set: {'leadership.training': [[[")
    assert len(message) < 600


def test_many_problems_are_counted_not_all_listed():
    message = error_of({"leadership": {name: 5 for name in TEAM_LEVERS}})
    assert "leadership.socialization: 5 is not allowed" in message
    assert f"and {len(TEAM_LEVERS) - 6} more" in message


# --------------------------------------------------------------------------- bools, infinities
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"steps": True}, "steps: true is not allowed: must be a whole number"),
        ({"organization": {"employees": True}}, "organization.employees: true is not allowed"),
        ({"calibration": {"training_cost": False}}, "calibration.training_cost: false is not"),
        ({"leadership": {"training": True}}, "leadership.training: true is not allowed"),
        ({"events": [{"at": True, "shock": 0.1}]}, "events.0.at: true is not allowed"),
        ({"team_leadership": {0: {"training": True}}}, "team_leadership.0.training: true"),
        ({"team_leadership": {True: {}}}, "team_leadership.true: true is not allowed"),
        ({"events": [{"at": 2, "set": {"steps": True}}]}, "(steps: true is not allowed"),
        ({"assignment": {"title": "t", "instructions": "i", "questions": ["q"],
                         "open": {"training": [True, 0.5]}}},
         "assignment.open.training.0: true is not allowed"),
    ],
)  # fmt: skip
def test_true_and_false_are_not_numbers(data, fragment):
    message = error_of(data)
    assert fragment in message and "not true or false" in message


def test_true_and_false_still_set_switches():
    assert load_scenario({"stop_at_equilibrium": True}).stop_at_equilibrium is True
    assert load_scenario({"organization": {"network": {"kind": "random", "density": 0.5,
                                                       "connected": False}}})  # fmt: skip


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"calibration": {"training_cost": float("inf")}}, "calibration.training_cost: inf"),
        ({"calibration": {"review_cost": float("nan")}}, "calibration.review_cost: nan"),
        ({"leadership": {"training": float("nan")}}, "leadership.training: nan"),
        ({"assignment": {"title": "t", "instructions": "i", "questions": ["q"],
                         "open": {"training": [0.0, float("inf")]}}}, "assignment.open"),
    ],
)  # fmt: skip
def test_infinite_and_nan_numbers_are_refused(data, path):
    message = error_of(data)
    assert path in message and "finite" in message


def test_infinity_in_a_file_is_refused(tmp_path: Path):
    f = tmp_path / "inf.yaml"
    f.write_text("calibration: {training_cost: .inf}\n")
    with pytest.raises(ScenarioError, match=r"calibration.training_cost: inf .* finite number"):
        load_scenario(f)


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


# --------------------------------------------------------------------------- memory
LARGEST = {"organization.employees": 1_000_000, "environment.dimensions": 10_000,
           "organization.network.kind": "none"}  # fmt: skip


def test_the_largest_scenario_is_refused_before_anything_is_built(monkeypatch):
    from orgabm.engine.model import OrgModel
    from orgabm.scenario import memory as module

    monkeypatch.setattr(module, "available_memory", lambda: 16 * 2**30)
    cfg = load_scenario("march_1991", LARGEST)
    with pytest.raises(ScenarioError) as info:
        OrgModel(cfg, rng=1)

    def refuse() -> None:
        with pytest.raises(ScenarioError):
            OrgModel(cfg, rng=1)

    # refused before anything is built: faster than building the 50-employee original
    assert slower_than(refuse, lambda: OrgModel("march_1991", rng=1)) < 1
    message = str(info.value)
    assert "organization.employees=1,000,000, environment.dimensions=10,000" in message
    assert "more than the 16.0 GiB available" in message and "GiB of memory" in message


def test_memory_estimate_grows_with_the_arrays_and_allows_small_runs():
    from orgabm.scenario import available_memory, check_memory, memory_estimate

    small = load_scenario("march_1991")
    assert memory_estimate(small) < 64 * 2**20
    assert memory_estimate(load_scenario("march_1991", LARGEST)) > 1e6 * 1e4  # int8 beliefs
    check_memory(small, available=2**30)
    with pytest.raises(ScenarioError, match=r"organization\.employees=50,"):
        check_memory(small, available=2**20)
    available = available_memory()
    assert available is None or available > 0


def test_only_a_run_that_needs_much_memory_reads_what_the_system_has(monkeypatch):
    from orgabm.scenario import memory as module

    asked = []
    monkeypatch.setattr(module, "available_memory", lambda: asked.append(1) or 2**20)
    module.check_memory(load_scenario("march_1991"))  # 4 MiB: not worth reading /proc
    assert asked == [] and module.memory_estimate(load_scenario("march_1991")) < module.SMALL_RUN
    with pytest.raises(ScenarioError, match=r"more than the 1\.0 MiB available"):
        module.check_memory(load_scenario("march_1991", LARGEST))
    assert asked == [1]


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


def test_a_power_that_is_not_whole_is_refused():
    # whole powers are products, the same bits on every CPU (orgabm/engine/powers.py)
    msg = error_of({"environment": {"kind": "nk", "dimensions": 10, "k": 2, "power": 2.5}})
    assert "environment.power" in msg and "2.5" in msg and "whole number" in msg
