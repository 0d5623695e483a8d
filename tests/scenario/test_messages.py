"""One-line errors: the path, the value, what is allowed, the closest key, long values
cut and many problems counted (orgabm/scenario/messages.py)."""

from pathlib import Path

from refusals import error_of, file_error

from orgabm.scenario import (
    TEAM_LEVERS,
)


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


def test_bad_network_kind_lists_kinds_and_suggests():
    msg = error_of({"organization": {"network": {"kind": "smallworld"}}})
    assert "organization.network.kind" in msg
    assert "'smallworld'" in msg
    assert "small_world" in msg
    assert "did you mean 'small_world'" in msg


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
