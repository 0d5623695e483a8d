"""The engine's state: one documented object that the model shows as its attributes."""

import ast
import inspect
import itertools

import numpy as np

from orgabm import OrgModel
from orgabm.engine.model import OrgModel as Model
from orgabm.engine.state import FIELDS, EngineState, Levers, StateView


def test_every_state_field_is_documented_and_shown_on_the_model():
    skip = {"teams", "step"}  # the model has its own (the scenario's teams, Mesa's time)
    views = {name for name, value in vars(Model).items() if isinstance(value, StateView)}
    assert views == set(FIELDS) - skip
    body = ast.parse(inspect.getsource(EngineState)).body[0].body
    documented = {
        node.target.id
        for node, after in itertools.pairwise(body)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
    }  # fmt: skip
    assert documented == set(FIELDS)


def test_the_model_and_its_state_are_the_same_arrays():
    model = OrgModel("learning_organization", rng=1)
    model.run(steps=3)
    assert model.beliefs is model.state.beliefs
    model.safety = np.zeros(model.employees)
    assert model.state.safety.sum() == 0


def test_layoffs_keep_every_row_array_in_step():
    model = OrgModel("learning_organization", rng=2)
    model.run(steps=2)
    model.remove_employees(np.arange(10))
    for name in EngineState.ROWS:
        array = getattr(model.state, name)
        assert array is None or len(array) == model.employees == 90, name


def test_levers_read_a_teams_own_leadership():
    model = OrgModel("one_safe_team", rng=3)
    levers: Levers = model.levers
    by_team = levers.by_team("psychological_safety")
    assert len(set(by_team.tolist())) == 2
    assert np.array_equal(levers("psychological_safety"), by_team[model.team])
