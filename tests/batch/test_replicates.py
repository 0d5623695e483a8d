"""Replicates of one scenario (``run_scenario``, behind ``orgabm run``)."""

import pytest

from orgabm import OrgModel, load_scenario
from orgabm.batch.replicates import run_scenario, simulate
from orgabm.batch.seeds import derive_seed
from orgabm.scenario.errors import ParameterError


def test_the_final_team_table_is_the_one_recorded_step_by_step():
    """Only the final step's team table is computed, and it is the last step of the
    table a model records every step (a team, a run stopped at equilibrium, a layoff)."""
    for name, changes in [("one_safe_team", {"steps": 30}), ("march_1991", {}),
                          ("new_ceo", {"steps": 90})]:  # fmt: skip
        cfg = load_scenario(name, changes)
        seed = derive_seed(4, 0)
        _, final, steps, _ = simulate(cfg, seed)
        teams = OrgModel(cfg, rng=seed).run().team_frame()
        last = teams[teams["step"] == teams["step"].max()].reset_index(drop=True)
        assert final.equals(last), name
        assert (final["step"] == steps).all()


def test_replicates_carry_their_run_and_seed_in_the_team_table():
    result = run_scenario("one_safe_team", reps=2, seed=3, steps=5)
    assert result.teams.groupby("run_id")["seed"].first().tolist() == [
        derive_seed(3, 0), derive_seed(3, 1)]  # fmt: skip
    assert len(result.teams) == 2 * result.scenario.organization.teams


@pytest.mark.parametrize("reps", [0, -1, 1.5, True])
def test_run_scenario_refuses_a_replicate_count_in_its_own_words(reps):
    with pytest.raises(ParameterError, match=r"^reps=.*: must be 1 or more$"):
        run_scenario("march_1991", reps=reps, steps=2)
