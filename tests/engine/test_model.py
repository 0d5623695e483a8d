"""The engine: a Mesa model whose employees view rows of numpy arrays."""

import hashlib

import mesa
import numpy as np
import pandas as pd
import pytest

from orgabm import METRICS, Employee, OrgModel, load_scenario
from orgabm.engine.march import march_equilibrium


def march(**overrides):
    return load_scenario("march_1991", overrides)


def digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values).hexdigest()


def test_model_is_a_mesa_model_with_one_agent_per_node():
    model = OrgModel(march(), rng=1)
    assert isinstance(model, mesa.Model)
    assert len(model.agents) == 50
    assert all(isinstance(a, Employee) for a in model.agents)
    assert sorted(a.row for a in model.agents) == list(range(50))
    assert all(len(cell.agents) == 1 for cell in model.grid.all_cells)


def test_employee_views_its_row():
    model = OrgModel(march(), rng=1)
    employee = model.employee_list[7]
    assert np.shares_memory(employee.beliefs, model.beliefs)
    employee.beliefs[0] = 1
    assert model.beliefs[7, 0] == 1
    employee.beliefs = np.zeros(model.dimensions, dtype=np.int8)
    assert (model.beliefs[7] == 0).all()
    assert employee.knowledge == 0.0


def test_agentset_api_reads_the_arrays():
    model = OrgModel(march(**{"workforce.fast_learners.share": 0.2}), rng=2).run(steps=5)
    knowledge = np.array(model.agents.get("knowledge"))
    rows = np.array(model.agents.get("row"))
    expected = model.reality.score(model.beliefs) / model.dimensions
    assert np.allclose(knowledge, expected[rows])
    fast = model.agents.select(lambda a: a.fast_learner)
    assert len(fast) == 10
    assert {a.socialization for a in fast} == {0.9}
    assert model.agents.agg("performance", np.mean) == pytest.approx(
        model.performance.mean() / model.dimensions
    )


def test_same_scenario_and_seed_give_bit_identical_numbers():
    cfg = march(**{"workforce.turnover": 0.05, "environment.turbulence": 0.02, "steps": 60})
    a = OrgModel(cfg, rng=42).run().metrics_frame()
    b = OrgModel(cfg, rng=42).run().metrics_frame()
    assert digest(a) == digest(b)
    assert a.equals(b)
    c = OrgModel(cfg, rng=43).run().metrics_frame()
    assert not a.equals(c)


def test_metrics_are_recorded_every_step_from_step_zero():
    model = OrgModel(march(steps=12, stop_at_equilibrium=False), rng=3).run()
    frame = model.metrics_frame()
    assert frame["step"].tolist() == list(range(13))
    assert list(frame.columns) == ["step", *METRICS]
    assert np.isnan(frame["performance"].iloc[0]) and np.isnan(frame["productivity"].iloc[0])
    assert frame.drop(columns=["performance", "productivity"]).notna().all().all()
    assert model.datacollector.get_model_vars_dataframe().index.name == "step"


def test_metrics_match_their_definitions():
    model = OrgModel(march(), rng=4).run(steps=10)
    last = model.datacollector.latest()
    m = model.dimensions
    assert last["code_knowledge"] == float(model.code.astype(int) @ model.reality.values) / m
    assert last["knowledge"] == pytest.approx(
        (model.beliefs.astype(int) @ model.reality.values).mean() / m
    )
    assert last["alignment"] == pytest.approx((model.beliefs == model.code).mean())
    assert last["performance"] == pytest.approx(
        (model.actions.astype(int) @ model.reality.values).mean() / m
    )
    assert 0.0 <= last["diversity"] <= 1.0


def test_initial_state_is_marchs():
    model = OrgModel(march(), rng=5)
    last = model.datacollector.latest()
    assert last["code_knowledge"] == 0.0
    assert (model.code == 0).all()
    assert abs(last["knowledge"]) < 0.1
    assert last["diversity"] > 0.95


def test_runs_stop_at_equilibrium_and_equilibrium_holds():
    model = OrgModel(march(), rng=6).run()
    assert model.equilibrium and not model.running
    assert march_equilibrium(model.beliefs, model.code, model.reality)
    assert (model.beliefs == model.code).all()
    assert model.time < model.config.steps


def test_no_equilibrium_stop_with_turnover_or_turbulence():
    model = OrgModel(march(steps=150, **{"workforce.turnover": 0.01}), rng=6).run()
    assert not model.equilibrium and model.time == 150


def test_steps_cap_and_zero_steps():
    assert OrgModel(march(steps=3, stop_at_equilibrium=False), rng=1).run().time == 3
    model = OrgModel(march(steps=0), rng=1)
    assert not model.running
    assert model.run().time == 0
    assert len(model.metrics_frame()) == 1


def test_turnover_replaces_occupants_in_their_seats():
    cfg = march(steps=30, **{"workforce.turnover": 0.1})
    model = OrgModel(cfg, rng=7)
    agents_before = set(model.agents)
    model.run()
    assert set(model.agents) == agents_before
    hires = model.hires.sum()
    assert 0.05 * 50 * 30 < hires < 0.15 * 50 * 30
    assert (model.tenure[model.hires > 0] < 30).all()
    assert (model.tenure[model.hires == 0] == 30).all()


def test_newcomers_bring_fresh_beliefs():
    # at equilibrium everyone agrees with the code; newcomers do not
    model = OrgModel(march(), rng=8).run()
    model.config.workforce.turnover = 0.5
    model.config.stop_at_equilibrium = False
    model.config.steps = int(model.time) + 1
    model.running = True
    model.step()
    newcomers = model.hires > 0
    assert newcomers.any()
    assert (model.beliefs[~newcomers] == model.code).all()
    assert (model.beliefs[newcomers] != model.code).any()


def test_fast_learners_are_an_exact_share_and_newcomers_draw_it_afresh():
    model = OrgModel(march(**{"workforce.fast_learners.share": 0.3}), rng=9)
    assert model.fast_learner.sum() == 15
    assert sorted(set(model.socialization)) == [0.1, 0.9]
    cfg = march(
        steps=200,
        **{
            "workforce.fast_learners.share": 0.3,
            "workforce.turnover": 0.2,
            "organization.employees": 500,
        },
    )
    model = OrgModel(cfg, rng=9).run()
    assert model.fast_learner.mean() == pytest.approx(0.3, abs=0.05)


def test_a_lever_changed_mid_run_takes_effect_at_the_next_step():
    model = OrgModel(march(stop_at_equilibrium=False, steps=100), rng=10).run(steps=20)
    before = model.beliefs.copy()
    model.config.leadership.socialization = 0.0
    model.config.leadership.code_learning = 0.0
    code = model.code.copy()
    model.step()
    assert (model.beliefs == before).all() and (model.code == code).all()
    model.config.leadership.socialization = 1.0
    model.step()  # code learning is still off: every differing belief moves one step
    moves = (before != code) & (code != 0)
    assert moves.any()
    assert (model.beliefs == np.where(moves, before + code, before)).all()


def _changed_share(turbulence: float, steps: int = 10, reps: int = 12) -> np.ndarray:
    """Per run, the share of reality's dimensions that differ from the start after
    ``steps`` steps of turbulence."""
    shares = []
    for seed in range(reps):
        model = OrgModel(march(steps=steps, **{"environment.turbulence": turbulence}), rng=seed)
        start = model.reality.values.copy()
        model.run()
        shares.append((model.reality.values != start).mean())
    return np.array(shares)


def test_turbulence_changes_reality_over_time():
    """Each step flips each dimension with probability p4, so after t steps a share
    (1 - (1 - 2 p4)^t) / 2 differs from the start: 0.326 at p4 = 0.05, t = 10. Over 12
    runs the mean stands within 3 standard errors of it; with p4 = 0 nothing changes."""
    shares = _changed_share(0.05)
    mean, se = float(shares.mean()), float(shares.std(ddof=1) / np.sqrt(len(shares)))
    expected = (1 - (1 - 2 * 0.05) ** 10) / 2
    assert mean > 3 * se and abs(mean - expected) < 3 * se, (mean, se, expected)
    assert (_changed_share(0.0, reps=3) == 0).all()


@pytest.mark.parametrize("kind", ["none", "line", "ring", "small_world", "torus", "scale_free"])
def test_march_runs_on_any_network(kind):
    model = OrgModel(march(**{"organization.network.kind": kind}), rng=1).run(steps=5)
    assert model.time == 5


def test_model_accepts_a_name_a_mapping_or_nothing():
    assert OrgModel("march_1991", rng=1).config == march()
    assert OrgModel(None, rng=1).config == load_scenario("learning_organization")
    assert OrgModel({"organization": {"employees": 9}}, rng=1).employees == 9


MARCH_COLUMNS = ["step", "code_knowledge", "knowledge", "performance", "diversity", "alignment"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "0e34d686109cec075a749a307aead62a60b27c1992a5565e953bb3b575d81a12"),
        (
            {"workforce.turnover": 0.05, "environment.turbulence": 0.02,
             "workforce.fast_learners.share": 0.3, "steps": 80},
            "d6cc6937aec31665fd32e943fac9ebd67a7d7146f291a75a43e9ea7026dbdf8d",
        ),
    ],
)  # fmt: skip
def test_march_output_is_pinned_bit_for_bit(overrides, expected):
    """March's numbers for a fixed seed, recorded when the engine was first validated.

    Mechanisms added later must leave them untouched when switched off: a change
    here means March's random stream or rules changed, and Figure 1 must be re-run.
    """
    frame = OrgModel(march(**overrides), rng=2026).run().metrics_frame()
    assert digest(frame[MARCH_COLUMNS]) == expected


def test_newcomers_are_not_fast_learners_once_the_share_is_zero():
    cfg = march(
        stop_at_equilibrium=False,
        steps=3,
        **{"workforce.fast_learners.share": 0.5, "workforce.turnover": 1.0,
           "organization.employees": 10},
    )  # fmt: skip
    model = OrgModel(cfg, rng=1)
    assert model.fast_learner.sum() == 5
    model.change({"workforce.fast_learners.share": 0.0})
    model.step()
    assert model.fast_learner.sum() == 0


def test_a_lever_every_team_sets_to_zero_is_not_in_use():
    cfg = march(**{"leadership.experimentation": 0.5,
                   "team_leadership": {0: {"experimentation": 0.0}}})  # fmt: skip
    model = OrgModel(cfg, rng=1)
    assert not model.lever_in_use("experimentation")
    state = model.streams["experiment"].bit_generator.state
    model.run(steps=3)
    assert model.streams["experiment"].bit_generator.state == state


def test_no_equilibrium_stop_with_tacit_knowledge():
    model = OrgModel(march(**{"environment.tacit": 0.1}), rng=1)
    assert not model.stops_at_equilibrium


def test_a_model_without_its_team_table_runs_the_same_numbers():
    scenario = load_scenario("learning_organization", {"steps": 20})
    full = OrgModel(scenario, rng=3).run()
    lean = OrgModel(scenario, rng=3, team_table=False).run()
    pd.testing.assert_frame_equal(full.metrics_frame(), lean.metrics_frame())
    assert len(full.team_frame()) == 21 * scenario.organization.teams
    with pytest.raises(ValueError, match="team_table=False"):
        lean.team_frame()


def test_recording_fewer_metrics_records_the_same_numbers():
    # a metric only reads the state, so leaving some out changes nothing else
    scenario = load_scenario("learning_organization", {"steps": 20})
    full = OrgModel(scenario, rng=4).run()
    chosen = ["safety", "knowledge"]
    lean = OrgModel(scenario, rng=4, metrics=chosen).run()
    assert list(lean.metrics_frame().columns) == ["step", *chosen]
    pd.testing.assert_frame_equal(full.metrics_frame()[["step", *chosen]], lean.metrics_frame())
    assert (full.beliefs == lean.beliefs).all() and full.time == lean.time


def test_an_unknown_metric_is_refused_with_the_choices():
    from orgabm.scenario.errors import ParameterError

    with pytest.raises(ParameterError, match=r"^metrics=know: not a metric of OrgModel; "
                                             r"choose from code_knowledge, knowledge"):  # fmt: skip
        OrgModel(metrics=["knowledge", "know"])
    with pytest.raises(ParameterError, match="name at least one"):
        OrgModel(metrics=[])
    assert list(OrgModel(metrics="skill").metrics_frame().columns) == ["step", "skill"]
