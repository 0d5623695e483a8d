"""Scripted events: new levers, shocks, layoffs and reorganizations, at their step."""

import networkx as nx
import numpy as np
import pytest
from effects import mean_se

from orgabm import OrgModel, ScenarioError, load_scenario
from orgabm.batch.seeds import derive_seed

BASE = {
    "steps": 30,
    "organization": {"employees": 60, "teams": 6,
                     "network": {"kind": "teams", "cross_team_ties": 0.05}},
    "leadership": {"experimentation": 0.5, "knowledge_sharing": 0.3,
                   "psychological_safety": 0.9},
}  # fmt: skip


def model_with(*events, **overrides):
    cfg = load_scenario({**BASE, "events": list(events)}, overrides)
    return OrgModel(cfg, rng=3)


def assert_consistent(model: OrgModel) -> None:
    """Rows, agents, Mesa cells, the graph and the vectorized ties all agree."""
    n = model.employees
    assert len(model.agents) == n == len(model.employee_list) == len(model.grid.G)
    for name in ("skill", "safety", "risk_tolerance", "openness", "team", "tenure", "is_leader"):
        assert len(getattr(model, name)) == n
    row_of = model.row_of_node()
    assert sorted(row_of.values()) == list(range(n))
    for employee in model.employee_list:
        ties = {row_of[c.coordinate] for c in employee.cell.connections.values()}
        start, end = model.ties.indptr[employee.row], model.ties.indptr[employee.row + 1]
        assert ties == set(model.ties.indices[start:end].tolist())
        assert ties == {row_of[v] for v in model.grid.G.neighbors(employee.cell.coordinate)}


def test_a_new_ceo_changes_levers_at_the_given_step():
    model = model_with({"at": 10, "set": {"leadership.psychological_safety": 0.1}})
    model.run(steps=9)
    assert model.config.leadership.psychological_safety == 0.9
    model.step()
    assert model.config.leadership.psychological_safety == 0.1
    assert model.event_log == [(10, "new settings: leadership.psychological_safety = 0.1")]


def _ceo_drops(metrics: list[str], changes: dict, reps: int = 6) -> dict[str, np.ndarray]:
    """Per replicate, each metric over steps 121 to 150 without the new CEO's event minus
    with it, ``changes`` applied to both; replicate r has the same seed in both."""
    with_ceo = load_scenario("new_ceo", changes)
    without = load_scenario("new_ceo", {**changes, "events": []})
    drops: dict[str, list[float]] = {m: [] for m in metrics}
    for r in range(reps):
        a = OrgModel(with_ceo, rng=derive_seed(2, r), team_table=False, metrics=metrics).run()
        b = OrgModel(without, rng=derive_seed(2, r), team_table=False, metrics=metrics).run()
        fa, fb = a.metrics_frame(), b.metrics_frame()
        assert fa[fa.step < 75].equals(fb[fb.step < 75])
        for m in metrics:
            drops[m].append(fb.loc[fb.step > 120, m].mean() - fa.loc[fa.step > 120, m].mean())
    return {m: np.array(values) for m, values in drops.items()}


def test_the_new_ceo_preset_loses_safety_and_reports():
    """The preset against itself without its event, paired by seed: after the new CEO
    (steps 121 to 150) safety, experiments, reported failures and knowledge are lower,
    each 3 standard errors clear. Before the event (to step 74) the runs are the same.
    Knocked out (no one experiments): the punishing CEO finds no failures to punish, so
    safety, experiments and reports do not move."""
    metrics = ["safety", "experiments", "reported_failures", "knowledge"]
    for m, values in _ceo_drops(metrics, {}).items():
        drop, se = mean_se(values)
        assert drop > 3 * se, (m, drop, se)
    idle = _ceo_drops(metrics[:3], {"leadership.experimentation": 0.0})
    assert (idle["experiments"] == 0).all() and (idle["reported_failures"] == 0).all(), idle
    drop, se = mean_se(idle["safety"])  # not exact: turnover picks others once training stops
    assert abs(drop) <= 3 * se, (drop, se)


def test_a_shock_flips_reality():
    model = model_with({"at": 5, "shock": 0.5})
    model.run(steps=4)
    before = model.reality.values.copy()
    model.step()
    assert (model.reality.values != before).sum() == 15


def test_layoffs_remove_employees_and_keep_everything_consistent():
    model = model_with({"at": 5, "layoffs": 0.25})
    model.run(steps=5)
    assert model.employees == 45
    assert_consistent(model)
    model.run()
    assert model.time == 30 and model.metrics_frame()["knowledge"].notna().all()
    assert (model.team_frame().query("step == 30")["employees"].sum()) == 45


def test_leaders_are_replaced_when_laid_off():
    model = model_with({"at": 1, "layoffs": 0.5})
    leaders = model.leaders.copy()
    model.step()
    assert (model.leaders >= 0).sum() == 6 or (np.bincount(model.team, minlength=6) == 0).any()
    for team, leader in enumerate(model.leaders):
        if leader >= 0:
            assert model.team[leader] == team and model.is_leader[leader]
    assert model.is_leader.sum() == (model.leaders >= 0).sum()
    assert leaders.shape == model.leaders.shape


def test_reorganization_moves_employees_and_rewires_their_ties():
    model = model_with({"at": 3, "reorganize": 0.4})
    model.run(steps=2)
    teams = model.team.copy()
    model.step()
    moved = np.flatnonzero(model.team != teams)
    assert len(moved) == round(0.4 * (60 - 6))
    assert not model.is_leader[moved].any()
    row_of = model.row_of_node()
    for row in moved:
        cell = model.employee_list[row].cell
        assert {model.team[row_of[c.coordinate]] for c in cell.connections.values()} == {
            model.team[row]
        }
    assert_consistent(model)
    assert nx.number_of_nodes(model.grid.G) == 60


def test_events_are_validated_with_their_path():
    with pytest.raises(ScenarioError, match=r"events\.0\.set\.organization\.employees"):
        model_with({"at": 2, "set": {"organization.employees": 10}})
    with pytest.raises(ScenarioError, match=r"events\.0\.set.*leadership\.safety: unknown key"):
        model_with({"at": 2, "set": {"leadership.safety": 0.5}})
    with pytest.raises(ScenarioError, match=r"events\.1: .*exactly one"):
        model_with({"at": 2, "shock": 0.1}, {"at": 3})


def test_change_during_a_run_is_validated():
    model = OrgModel(load_scenario(BASE), rng=1)
    model.change({"leadership.training": 0.3})
    assert model.config.leadership.training == 0.3
    with pytest.raises(ScenarioError, match="cannot change during a run"):
        model.change({"organization.employees": 5})
    with pytest.raises(ScenarioError, match="at most 1"):
        model.change({"leadership.training": 3})


def test_layoffs_are_validated_cumulatively():
    events = [{"at": a, "layoffs": 0.6} for a in (1, 2, 3)]
    with pytest.raises(ScenarioError, match=r"events\.1\.layoffs.*after all earlier layoffs"):
        load_scenario({"organization": {"employees": 6}, "events": events})


def test_reorganization_gives_a_mover_their_former_number_of_ties():
    cfg = load_scenario(
        {"organization": {"employees": 40, "teams": 2,
                          "network": {"kind": "teams", "cross_team_ties": 0.0}},
         "events": [{"at": 1, "reorganize": 0.03}]}
    )  # fmt: skip
    model = OrgModel(cfg, rng=5)
    before = model.ties.degree.copy()
    teams = model.team.copy()
    model.step()
    (mover,) = np.flatnonzero(model.team != teams)
    assert model.ties.degree[mover] == before[mover] == 19


def test_reorganization_never_moves_anyone_into_an_empty_team_and_fills_leaders():
    model = OrgModel(
        load_scenario({"organization": {"employees": 9, "teams": 3,
                                        "network": {"kind": "teams"}}}), rng=1
    )  # fmt: skip
    model.remove_employees(np.array([6, 7, 8]))  # team 2 is now empty
    from orgabm.engine.events import reorganize

    reorganize(model, 1.0, model.streams["events"])
    assert 2 not in set(model.team.tolist())
    assert (model.ties.degree > 0).all()
    for team in set(model.team.tolist()):
        leader = model.leaders[team]
        assert leader >= 0 and model.team[leader] == team and model.is_leader[leader]
    assert_consistent(model)


def test_the_hierarchys_head_stays_put_in_a_reorganization():
    cfg = load_scenario({"organization": {"employees": 31, "teams": 3,
                                          "network": {"kind": "hierarchy"}},
                         "events": [{"at": 1, "reorganize": 1.0}]})  # fmt: skip
    model = OrgModel(cfg, rng=2)
    model.step()
    assert model.head == 0
    assert sorted(model.grid.G.neighbors(0)) == [1, 2, 3]
