"""The scenario schema: defaults, ranges and types, settings that must fit together,
switches and numbers (orgabm/scenario/schema.py and sections.py)."""

import pytest
from refusals import error_of

from orgabm.scenario import (
    MAX_TIES,
    load_scenario,
)


def test_march_scenario_holds_marchs_parameters():
    cfg = load_scenario("march_1991")
    assert cfg.organization.employees == 50
    assert cfg.environment.dimensions == 30
    assert cfg.leadership.socialization == 0.1
    assert cfg.leadership.code_learning == 0.5
    assert cfg.workforce.turnover == 0.0
    assert cfg.environment.turbulence == 0.0
    assert cfg.stop_at_equilibrium is True


def test_out_of_range_value_names_path_value_and_bound():
    msg = error_of({"leadership": {"socialization": 1.5}})
    assert "leadership.socialization" in msg
    assert "1.5" in msg
    assert "at most 1" in msg


def test_wrong_type_names_what_is_allowed():
    msg = error_of({"organization": {"employees": "many"}})
    assert "organization.employees" in msg and "'many'" in msg and "whole number" in msg


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


def test_lever_assignment_is_validated():
    cfg = load_scenario("march_1991")
    cfg.leadership.socialization = 0.9
    assert cfg.leadership.socialization == 0.9
    with pytest.raises(ValueError):
        cfg.leadership.socialization = 2.0


def test_switching_network_kind_drops_the_old_kinds_settings():
    cfg = load_scenario(
        "learning_organization",
        {"organization.network.neighbours": 6, "organization.network.kind": "ring"},
    )
    assert cfg.organization.network.kind == "ring"
    assert cfg.organization.network.neighbours == 6


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


def test_a_power_that_is_not_whole_is_refused():
    # whole powers are products, the same bits on every CPU (orgabm/engine/powers.py)
    msg = error_of({"environment": {"kind": "nk", "dimensions": 10, "k": 2, "power": 2.5}})
    assert "environment.power" in msg and "2.5" in msg and "whole number" in msg
