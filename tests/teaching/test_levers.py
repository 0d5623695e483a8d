"""The one rule for moving a lever, as the sidebar, a link and an experiment apply it."""

import pytest

from orgabm.dashboard.links import Config
from orgabm.scenario import load_scenario
from orgabm.teaching.experiments import ExperimentSpec
from orgabm.teaching.levers import LEVERS, allowed_range, check_lever

TASK = load_scenario("assignments/exploration_exploitation").assignment


def test_a_free_scenario_allows_every_lever_over_its_slider():
    assert {name: allowed_range(None, name) for name in LEVERS}["after_action_reviews"] == (0, 20)
    assert check_lever(None, "training", 0.0, 1.0) == (0.0, 1.0)
    with pytest.raises(ValueError, match=r"training 1\.5: the slider runs from 0 to 1"):
        check_lever(None, "training", 1.5)


def test_an_assignment_allows_its_open_levers_over_their_ranges_only():
    name, (low, high) = next(iter(TASK.open.items()))
    assert check_lever(TASK, name, low, high) == (low, high)
    with pytest.raises(ValueError, match=rf"{name} 1\.5: the assignment allows"):
        check_lever(TASK, name, 1.5)
    locked = next(n for n in LEVERS if n not in TASK.open)
    with pytest.raises(ValueError, match=f"{locked} is locked in this assignment"):
        check_lever(TASK, locked, 0.5)
    with pytest.raises(ValueError, match="unknown lever 'joy'"):
        check_lever(TASK, "joy", 0.5)


def test_a_link_and_an_experiment_give_the_same_refusal():
    locked = next(n for n in LEVERS if n not in TASK.open)
    scenario = "assignments/exploration_exploitation"
    with pytest.raises(ValueError) as link:
        Config(scenario=scenario, levers={locked: 0.5}).check()
    with pytest.raises(ValueError) as experiment:
        ExperimentSpec(scenario=scenario, lever=locked, low=0.1, high=0.5, points=3,
                       replicates=2, metric="knowledge").check()  # fmt: skip
    assert str(link.value) == str(experiment.value)
