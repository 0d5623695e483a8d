"""Scenario schema: defaults, loading, overrides and one-line errors."""

from pathlib import Path

import pytest

from orgabm.scenario import (
    MAX_TIES,
    Scenario,
    ScenarioError,
    apply_overrides,
    available_scenarios,
    load_scenario,
    parse_override,
)


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
