"""`--set`-style overrides: parsed as YAML scalars, applied before validation, refused
with the closest path (orgabm/scenario/overrides.py)."""

import pytest
from refusals import error_of

from orgabm.scenario import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_override,
)


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


def test_deep_nesting_in_an_override_is_not_a_traceback():
    message = error_of({}, dict([parse_override("steps=" + "[" * 20_000 + "]" * 20_000)]))
    assert message.startswith("scenario: steps: ") and len(message) < 400
