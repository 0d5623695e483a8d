"""The validation suite beyond March: Lazer and Friedman (2007), Fang et al. (2010) and
Miller et al. (2006). Mechanism tests on small cases, then each published direction on
fixed-seed means over reduced run counts (the full counts: orgabm validate-suite). The
z-values the comments quote come from ``python tests/engine/power.py
tests/validation/test_canonical.py``."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orgabm.analysis.stats import mean_se, replicates
from orgabm.engine import sharing
from orgabm.engine.environments import NKLandscape
from orgabm.engine.model import OrgModel
from orgabm.scenario import ScenarioError, available_scenarios, load_scenario, scenario_dirs
from orgabm.validation import canonical
from orgabm.validation.canonical import COPY_ERROR, DENSITY, NETWORK, P5, REWIRE, VELOCITY

#: one sweep worker: pytest's own workers (-n) use the other CPUs
WORKERS = 1
VALIDATION = scenario_dirs()[0] / "validation"


# --------------------------------------------------------------------------- the files
def test_every_validation_scenario_loads_by_name():
    files = sorted(VALIDATION.glob("*.yaml"))
    assert len(files) >= 12
    for path in files:
        cfg = load_scenario(f"validation/{path.stem}")
        assert cfg.name == path.stem
        assert cfg.description


def test_validation_scenarios_stay_out_of_the_preset_list():
    assert not any(name.startswith("lazer") for name in available_scenarios())


def test_march_experiments_are_marchs_scenario():
    base = load_scenario("march_1991")
    fig1 = load_scenario("validation/march_figure1")
    assert fig1.model_dump(exclude={"name", "description"}) == base.model_dump(
        exclude={"name", "description"}
    )
    turb = load_scenario("validation/march_turbulence")
    assert turb.environment.turbulence == 0.02 and turb.leadership.socialization == 0.5
    assert turb.organization.network.kind == "none"


def test_lazer_friedman_scenarios_switch_the_extras_off():
    for name in canonical.LF_EXPERIMENTS:
        cfg = load_scenario(f"validation/{name}")
        assert cfg.environment.kind == "nk" and cfg.environment.dimensions == 20
        assert cfg.environment.power == 8 and cfg.organization.employees == 100
        assert cfg.leadership.socialization == 0 and cfg.leadership.code_learning == 0
        assert cfg.calibration.sharing_rule == "copy"
        for trait in ("skill", "openness", "safety", "risk_tolerance"):
            assert getattr(cfg.workforce, trait).mean == 1.0
        lev = cfg.leadership
        assert lev.recognition == lev.training == lev.mentoring == 0
        assert lev.after_action_reviews == 0 and lev.communities_of_practice == 0
    assert load_scenario("validation/lazer_friedman_k0").environment.k == 0
    assert load_scenario("validation/lazer_friedman_networks").environment.k == 5


# --------------------------------------------------------------------------- extends
def test_extends_merges_section_by_section(tmp_path: Path):
    (tmp_path / "base.yaml").write_text(
        "steps: 7\nleadership: {socialization: 0.3, code_learning: 0.2}\n"
        "organization: {employees: 40, network: {kind: small_world, rewire: 0.3}}\n"
    )
    (tmp_path / "child.yaml").write_text(
        "extends: base\nleadership: {socialization: 0.9}\norganization: {network: {kind: ring}}\n"
    )
    cfg = load_scenario(tmp_path / "child.yaml")
    assert cfg.steps == 7 and cfg.organization.employees == 40
    assert cfg.leadership.socialization == 0.9 and cfg.leadership.code_learning == 0.2
    # a section of another kind replaces the base's: no rewire carried into a ring
    assert cfg.organization.network.kind == "ring"


def test_extends_a_named_scenario(tmp_path: Path):
    (tmp_path / "mine.yaml").write_text("extends: march_1991\nsteps: 3\n")
    cfg = load_scenario(tmp_path / "mine.yaml")
    assert cfg.steps == 3 and cfg.organization.network.kind == "none"


def test_extends_errors_are_one_line(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("extends: b\n")
    (tmp_path / "b.yaml").write_text("extends: a\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("extends: march_191\n")
    with pytest.raises(ScenarioError, match=r"extends: .*did you mean 'march_1991'"):
        load_scenario(tmp_path / "c.yaml")
    (tmp_path / "d.yaml").write_text("extends: [1]\n")
    with pytest.raises(ScenarioError, match="extends"):
        load_scenario(tmp_path / "d.yaml")


# --------------------------------------------------------------------------- mechanisms
def test_nk_maximum_is_the_best_of_every_solution():
    land = NKLandscape(10, 3, "random", 1, np.random.default_rng(4))
    every = np.arange(1 << 10)
    solutions = np.where((every[:, None] >> (9 - np.arange(10))) & 1, 1, -1)
    scores = land.performance(solutions)
    assert scores.max() == pytest.approx(1.0)
    assert land.performance(land.values)[0] == pytest.approx(1.0)
    assert (scores <= 1.0 + 1e-12).all()


def test_decided_beliefs_have_no_zeros_and_newcomers_too():
    cfg = load_scenario("validation/lazer_friedman_networks",
                        {"workforce.turnover": 0.5, "steps": 3})  # fmt: skip
    model = OrgModel(cfg, rng=1)
    assert (model.beliefs != 0).all()
    model.run()
    assert model.hires.sum() > 0 and (model.beliefs != 0).all()


def test_same_seed_same_landscape_and_start_whatever_the_network():
    made = [OrgModel(load_scenario("validation/lazer_friedman_networks", {NETWORK: kind}), rng=9)
            for kind in ("line", "complete", "small_world", "random")]  # fmt: skip
    for model in made[1:]:
        assert np.array_equal(model.beliefs, made[0].beliefs)
        assert np.array_equal(model.reality.table, made[0].reality.table)


def _line_of_three(rule: str) -> OrgModel:
    """Three employees in a line (row 1 between rows 0 and 2), only knowledge sharing on."""
    cfg = load_scenario("validation/fang_2010", {
        "organization.employees": 3, "organization.teams": 1,
        "organization.network.kind": "line", "calibration.sharing_rule": rule,
        "leadership.knowledge_sharing": 1.0})  # fmt: skip
    return OrgModel(cfg, rng=0)


def _share(model: OrgModel, seed: int = 0):
    return sharing.share(model.state, model.levers, np.random.default_rng(seed))


def test_majority_rule_adopts_the_better_ties_majority_only():
    model = _line_of_three("majority")
    beliefs = np.zeros((3, model.dimensions), dtype=np.int8)
    beliefs[0, :3] = [1, -1, 1]
    beliefs[2, :3] = [1, 1, 1]
    model.beliefs = beliefs
    model.performance = np.array([5, 0, 5])
    _share(model)
    # both ties are better: they agree on dimensions 0 and 2 and split on 1 (left alone)
    assert list(model.beliefs[1, :3]) == [1, 0, 1]
    assert (model.beliefs[1, 3:] == 0).all()
    model.beliefs[1] = 0
    model.performance = np.array([5, 0, -5])  # only row 0 performs better
    _share(model)
    assert list(model.beliefs[1, :3]) == [1, -1, 1]
    model.beliefs[1] = 0
    model.performance = np.array([-5, 0, -5])  # nobody better: nothing moves
    _share(model)
    assert (model.beliefs[1] == 0).all()


def _pair(copy_error: float) -> OrgModel:
    cfg = load_scenario("validation/lazer_friedman_networks", {
        "organization.employees": 2, "environment.dimensions": 8, "environment.k": 2,
        "calibration.copy_error": copy_error})  # fmt: skip
    model = OrgModel(cfg, rng=3)
    best = model.reality.values
    model.beliefs[0] = best
    model.beliefs[1] = best
    model.beliefs[1, :4] *= -1  # row 1: four dimensions off the peak
    model.actions = model.beliefs.copy()
    model.performance = model.reality.performance(model.actions)
    return model


def test_copy_rule_copies_the_better_solution():
    model = _pair(0.0)
    copied = _share(model)
    assert copied.tolist() == [False, True]
    assert (model.beliefs[1] == model.reality.values).all()
    assert model.performance[1] == pytest.approx(1.0)


def test_copy_rule_with_errors_misses_some_and_never_ends_worse():
    ends = []
    for seed in range(30):
        model = _pair(0.5)
        before = model.performance[1]
        copied = _share(model, seed)
        assert copied[1]
        after = model.reality.performance(model.beliefs[1])[0]
        assert after >= before  # a worse copy is reverted
        ends.append(int((model.beliefs[1] != model.reality.values).sum()))
    assert 0 < np.mean(ends) < 4  # about half of the four differing values are missed


def test_copiers_do_not_experiment_and_the_rest_search_locally():
    cfg = load_scenario("validation/lazer_friedman_networks", {NETWORK: "complete"})
    model = OrgModel(cfg, rng=2)
    model.step()
    trial = model.last_trial
    # everyone either copied or searched: with v = 1 on a complete network only the
    # best (nobody to copy) and those whose better tie... all non-copiers experiment
    assert trial is not None and len(trial.rows) >= 1
    assert model.counts["shares"] > 0
    # copying error and velocity enter as settings; a velocity of 0 means only search
    still = OrgModel(load_scenario("validation/lazer_friedman_networks",
                                   {VELOCITY: 0.0}), rng=2)  # fmt: skip
    still.step()
    assert still.counts["shares"] == 0 and len(still.last_trial.rows) == 100


def test_tacit_dimensions_move_only_through_interpersonal_learning():
    cfg = load_scenario("validation/miller_2006", {"leadership.knowledge_sharing": 0.0,
                                                    "steps": 30})  # fmt: skip
    model = canonical.TacitModel(cfg, rng=1)
    start = model.beliefs[:, model.codifiable :].copy()
    model.run()
    assert np.array_equal(model.beliefs[:, model.codifiable :], start)
    assert (model.code[model.codifiable :] == 0).all()


# --------------------------------------------------------------------------- directions
def _holds(findings):
    failed = [f for f in findings if not f.holds]
    assert not failed, failed


def _clear(gap: np.ndarray, z: float = 3.0) -> bool:
    """Whether paired differences' mean stands ``z`` standard errors above 0."""
    mean, se = mean_se(_noted(gap))
    return mean > z * se


def _none(gap: np.ndarray) -> bool:
    """Whether paired differences' mean lies within 3 standard errors of 0 (both 0 when
    the runs are the same)."""
    mean, se = mean_se(_noted(gap))
    return abs(mean) <= 3 * se


def _noted(gap: np.ndarray) -> np.ndarray:
    """Under tests/engine/power.py (ORGABM_EFFECTS_LOG), note the paired differences a
    test weighs, so that the z-values its comments quote have a command."""
    path = os.environ.get("ORGABM_EFFECTS_LOG")
    if path and len(gap) > 1:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
        line = {"test": test, "metric": "paired differences", "window": [0, 0], "gap": True,
                "n": len(gap), "mean": float(np.mean(gap)), "var": float(np.var(gap, ddof=1)),
                "values": [float(v) for v in gap]}  # fmt: skip
        with open(path, "a") as out:
            out.write(json.dumps(line) + "\n")
    return gap


LINE, FULL = {"network": "line"}, {"network": "complete"}
#: the small-world and density experiments' networks, set on the smooth landscape
KNOCKOUT_NETWORKS = {
    REWIRE: {NETWORK: "small_world", "organization.network.neighbours": 4},
    DENSITY: {NETWORK: "random", "organization.network.connected": True},
}


def _smooth(points: list[dict], runs: int = 10) -> pd.DataFrame:
    """The knock-out of every Lazer and Friedman contrast: the same points on a smooth
    landscape (K = 0), where every search climbs to the one peak, however it is linked."""
    return canonical.lazer_friedman("lazer_friedman_k0", runs=runs, seed=5, workers=WORKERS,
                                    points=points)  # fmt: skip


@pytest.mark.slow
def test_lazer_friedman_networks_cross_and_k0_removes_the_advantage():
    # at 40 runs the paired differences stood 8.8 (round 5) and 7.5 (round 100) standard
    # errors clear: 20 keep them above 5
    tables = {name: canonical.lazer_friedman(name, runs=20, seed=5, workers=WORKERS)
              for name in ("lazer_friedman_networks", "lazer_friedman_k0")}  # fmt: skip
    findings = canonical.lf_findings(tables)
    assert len(findings) == 3
    _holds(findings)
    rugged, smooth = tables["lazer_friedman_networks"], tables["lazer_friedman_k0"]
    assert _clear(canonical.paired_gaps(rugged, 5, FULL, LINE), 5)
    assert _clear(canonical.paired_gaps(rugged, 100, LINE, FULL), 5)
    assert _none(canonical.paired_gaps(smooth, 100, LINE, FULL))


@pytest.mark.slow
def test_lazer_friedman_velocity_and_copy_error_raise_the_long_run():
    """Paired, low velocity's gain stood 6.2 standard errors clear at 40 runs, 4.7 at 20;
    copying error's is small: +0.036, 3.4 at 200 runs (2.6 at 100; 4 would take 273).
    On the complete network every copying-error run has stopped moving by round 30 (the
    agents share one solution no single change improves), so its runs end at round 50,
    with the same numbers as at round 100, and the test checks that none moved after 30."""
    for name, column, slow, fast, runs, late in (
        ("lazer_friedman_velocity", VELOCITY, 0.1, 1.0, 20, 100),
        ("lazer_friedman_copy_error", COPY_ERROR, 0.2, 0.0, 200, 50),
    ):
        points = [{NETWORK: "complete", column: value, "steps": late} for value in (fast, slow)]
        table = canonical.lazer_friedman(name, runs=runs, seed=5, workers=WORKERS, points=points)
        findings = canonical.lf_findings({name: table}, late=late)
        assert len(findings) == 1
        _holds(findings)
        said = canonical.LF_TITLES[name][0].split()[1]
        a, b = {**FULL, said: slow}, {**FULL, said: fast}
        assert _clear(canonical.paired_gaps(table, late, a, b))
        assert _none(canonical.paired_gaps(_smooth(points), late, a, b))
        if late < 100:
            scores = table.attrs["runs"].pivot_table(index="run_id", columns="step",
                                                     values="solution_score")  # fmt: skip
            assert (scores[late] == scores[30]).all()


@pytest.mark.slow
def test_lazer_friedman_more_ties_faster_early_worse_late():
    # the long-run costs of shortcuts and density stand 3.4 and 3.9 standard errors clear
    # at 40 runs (4 would take 57)
    for name, column, sparse, dense in (
        ("lazer_friedman_small_world", REWIRE, 0.0, 1.0),
        ("lazer_friedman_density", DENSITY, 0.02, 1.0),
    ):
        points = [{column: value} for value in (sparse, dense)]
        table = canonical.lazer_friedman(name, runs=40, seed=5, workers=WORKERS, points=points)
        findings = canonical.lf_findings({name: table})
        assert len(findings) == 1
        _holds(findings)
        said = canonical.LF_TITLES[name][0]
        a, b = {said: sparse}, {said: dense}
        assert _clear(canonical.paired_gaps(table, 5, b, a))
        assert _clear(canonical.paired_gaps(table, 100, a, b))
        smooth = _smooth([{**KNOCKOUT_NETWORKS[column], **p} for p in points])
        assert _none(canonical.paired_gaps(smooth, 100, a, b))


def _fang_gaps(table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per variant, replicate by replicate, the middle level's knowledge minus that at the
    lowest and at the highest cross-group level (a table of three levels, common seeds)."""
    runs = table.attrs["runs"]
    out = {}
    for name, part in runs.groupby("variant", sort=False):
        wide = replicates(part, "cross_group_ties", "knowledge").to_numpy()
        assert wide.shape[1] == 3
        out[name] = (wide[:, 1] - wide[:, 0], wide[:, 1] - wide[:, 2])
    return out


@pytest.mark.slow
def test_fang_moderate_cross_group_linking_is_best():
    # paired, at 10 runs with 100 dimensions, the moderate level's lead stands 42 standard
    # errors clear of the silos and 17 of full linking
    levels = (0.0001, 0.01, 1.0)
    table = canonical.fang(runs=10, seed=5, cross=levels, workers=WORKERS, common_seeds=True)
    _holds(canonical.fang_findings(table))
    over_silos, over_full = _fang_gaps(table)["March's reality, m = 100"]
    assert _clear(over_silos) and _clear(over_full)
    # knocked out, interpersonal learning: ties carry nothing, so how many cross the
    # groups changes nothing, to the last bit
    off = canonical.fang(runs=10, seed=5, cross=levels, workers=WORKERS, common_seeds=True,
                         changes={P5: 0.0})  # fmt: skip
    assert all((gap == 0).all() for gaps in _fang_gaps(off).values() for gap in gaps)


@pytest.mark.slow
def test_fangs_inverted_u_survives_turnover_and_a_rugged_task():
    # paired, at 10 runs the moderate level leads the silos by 10 (NK) and 30 (turnover)
    # standard errors and full linking by 5.1 and 7.7
    table = canonical.fang(runs=10, seed=5, cross=(0.0001, 0.03, 1.0), workers=WORKERS,
                           variants=["NK, N = 16, K = 5", "turnover p3 = 0.01"],
                           common_seeds=True)  # fmt: skip
    findings = canonical.fang_findings(table)
    assert [f.experiment for f in findings] == [
        "subgroups, NK, N = 16, K = 5",
        "subgroups, turnover p3 = 0.01",
    ]
    _holds(findings)
    assert all(_clear(gap) for gaps in _fang_gaps(table).values() for gap in gaps)


@pytest.mark.slow
def test_miller_tacit_knowledge_spreads_only_between_people():
    # paired, the fastest rate's shortfall (0.026 below p5 = 0.3) stands 4 standard errors
    # clear at 80 runs (2.9 at 40). Every run has stopped moving by period 120 (checked
    # below), so 140 periods give the numbers of the scenario's 200
    table = canonical.miller(runs=80, seed=5, rates=(0.0, 0.3, 0.9), workers=WORKERS,
                             common_seeds=True, changes={"steps": 140})  # fmt: skip
    steps = table.attrs["steps"].pivot(index="run_id", columns="step", values="tacit_knowledge")
    assert steps.columns.max() == 140 and (steps[140] == steps[120]).all()
    _holds(canonical.miller_findings(table))
    runs = table.attrs["runs"]
    tacit = replicates(runs, "p5", "tacit_knowledge")
    # knocked out (p5 = 0): tacit know-how has no other way to move, so it stays as it began
    still = runs[runs["p5"] == 0.0]
    assert (still["tacit_knowledge"] == still["tacit_start"]).all()
    assert _clear((tacit[0.3] - tacit[0.0]).to_numpy(), 10)
    # a moderate rate beats the fastest: fast learners converge before anyone finds better
    assert _clear((tacit[0.3] - tacit[0.9]).to_numpy())
