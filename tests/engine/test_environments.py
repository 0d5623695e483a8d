"""The environments: March's reality and the NK landscape."""

import itertools

import numpy as np
import pytest

from orgabm import OrgModel, load_scenario
from orgabm.engine import landscape
from orgabm.engine.environments import NKLandscape, Reality, landscape_maximum


def rng(seed=0):
    return np.random.default_rng(seed)


def all_solutions(n: int) -> np.ndarray:
    return np.array(list(itertools.product([-1, 1], repeat=n)), dtype=np.int8)


@pytest.mark.parametrize("interactions", ["random", "adjacent"])
def test_nk_is_normalized_by_its_maximum_and_knows_its_best_solution(interactions):
    land = NKLandscape(10, 3, interactions, 1, rng(1))
    fitness = land.performance(all_solutions(10))
    assert fitness.max() == pytest.approx(1.0)
    assert (fitness <= 1.0 + 1e-12).all() and (fitness > 0).all()
    assert land.performance(land.values)[0] == pytest.approx(1.0)


@pytest.mark.parametrize(("n", "k"), [(1, 0), (2, 1), (7, 0), (7, 3), (9, 8), (12, 5)])
@pytest.mark.parametrize("interactions", ["random", "adjacent"])
def test_the_landscape_maximum_is_every_solutions_best_sum_exactly(n, k, interactions):
    """Against the plain way: each solution's contributions summed in dimension order."""
    land = NKLandscape(n, k, interactions, 1, rng(n * 31 + k))
    bits = (all_solutions(n) > 0).astype(np.int64)  # solution s is the integer s, MSB first
    index = bits[:, land.deps] @ (1 << np.arange(k, -1, -1))
    sums = np.zeros(len(bits))
    for i in range(n):
        sums += land.table[i][index[:, i]]
    best = int(sums.argmax())
    assert landscape_maximum(land.table, land.deps) == (float(sums[best]) / n, best)


@pytest.mark.parametrize(("n", "k", "turbulence"), [(8, 3, 0.3), (12, 5, 0.1), (16, 2, 0.05)])
def test_after_redraws_the_maximum_is_what_enumeration_finds(n, k, turbulence, monkeypatch):
    """Kept sums, updated by each redraw and rebuilt now and then, give the maximum and its
    solution that trying every solution gives, to the bit; with a shock among the drifts."""
    monkeypatch.setattr(landscape, "REBUILD_AFTER", 7)  # rebuilt during the test, too
    land, draws = NKLandscape(n, k, "random", 1, rng(n)), rng(n + 1)
    redrawn = 0
    for step in range(40):
        redrawn += land.shock(0.25, draws) if step == 20 else land.drift(turbulence, draws)
        maximum, arg = landscape_maximum(land.table, land.deps)
        bits = (arg >> (n - 1 - np.arange(n))) & 1
        assert land.maximum == maximum and land.values.tolist() == (bits * 2 - 1).tolist()
    assert redrawn > 10 and land._sums is not None and land._sums.redraws > 0


def test_kept_sums_near_the_top_are_summed_again_exactly():
    """The kept sums drift by rounding (here, by a planted error far above it): the answer
    comes from the exact sums of the solutions near the top, not from the kept ones."""
    land = NKLandscape(10, 2, "random", 1, rng(5))
    sums = landscape.SolutionSums(land.table, land.deps)
    best, arg = sums.maximum(land.table)
    sums.redraws = 1  # as if updated: the kept sums are no longer trusted to the bit
    sums.sums.ravel()[arg] += landscape.NEAR_TOP / 2  # a drifted kept sum
    assert sums.maximum(land.table) == (best, arg)


def test_rows_kept_from_the_last_call_give_what_a_fresh_evaluation_gives():
    """``memo`` evaluates only the rows that changed since its last call, and a redraw
    forgets them all: every call equals a fresh evaluation, to the bit."""
    land, draws = NKLandscape(12, 4, "random", 2, rng(3)), rng(4)
    rows = np.where(draws.random((30, 12)) < 0.5, 1, -1).astype(np.int8)
    beliefs = np.where(draws.random((30, 12)) < 0.3, 0, rows).astype(np.int8)
    evaluated = []
    raw = land._raw
    land._raw = lambda actions: evaluated.append(len(actions)) or raw(actions)
    for step in range(12):
        changed = draws.choice(30, size=3, replace=False)
        rows[changed, draws.integers(0, 12, size=3)] *= -1
        beliefs[changed[:1], 0] = 0
        if step == 6:
            land.drift(1.0, draws)
        kept, fresh = land.performance(rows, memo="acted"), land.performance(rows)
        assert kept.tobytes() == fresh.tobytes()
        known = land.knowledge(beliefs)
        land._memo.clear()
        assert known.tobytes() == land.knowledge(beliefs).tobytes()
    land._memo.clear()
    evaluated.clear()
    land.performance(rows, memo="acted")
    rows[0, 0] *= -1
    land.performance(rows, memo="acted")
    assert evaluated == [30, 1]  # the second call evaluated the one row that changed


@pytest.mark.parametrize("power", [1, 8])
def test_nk_knowledge_is_the_fitness_of_the_solution_held(power):
    land = NKLandscape(10, 4, "random", power, rng(3))
    every = all_solutions(10)
    known = land.knowledge(every)
    assert np.allclose(known, land.performance(every))  # a full solution: its own fitness
    assert known.max() == pytest.approx(1.0) and land.knowledge(land.values)[0] == pytest.approx(1)
    # an undecided belief counts half for each value: every 0 read as +1, then as -1
    row = every[123].copy()
    row[[2, 7]] = 0
    up, down = np.where(row == 0, 1, row), np.where(row == 0, -1, row)
    assert land.knowledge(row)[0] == pytest.approx(
        (land.knowledge(up) + land.knowledge(down))[0] / 2
    )
    # not agreement with the best solution: on a rugged landscape the two orders disagree
    agreement = land.score(every)
    assert np.corrcoef(agreement, known)[0, 1] < 0.99
    worse_fit = (agreement[:, None] > agreement[None, :]) & (known[:, None] < known[None, :])
    assert worse_fit.any()


def test_nk_dependencies():
    adjacent = NKLandscape(8, 2, "adjacent", 1, rng())
    assert adjacent.deps[0].tolist() == [0, 1, 2] and adjacent.deps[7].tolist() == [7, 0, 1]
    random = NKLandscape(8, 3, "random", 1, rng())
    for i, row in enumerate(random.deps):
        assert row[0] == i and i not in row[1:] and len(set(row)) == 4


def test_nk_with_k_zero_is_additive_with_a_single_peak():
    land = NKLandscape(8, 0, "random", 1, rng(2))
    solutions = all_solutions(8)
    fitness = land.performance(solutions)
    # from any solution, flipping towards the best solution on one dimension never hurts
    for row in range(0, 256, 17):
        s = solutions[row].copy()
        differ = np.flatnonzero(s != land.values)
        if len(differ):
            better = s.copy()
            better[differ[0]] = land.values[differ[0]]
            assert land.performance(better)[0] >= fitness[row]


def test_nk_power_transform():
    plain = NKLandscape(8, 2, "random", 1, rng(3))
    powered = NKLandscape(8, 2, "random", 8, rng(3))
    s = all_solutions(8)[:50]
    assert np.allclose(powered.performance(s), plain.performance(s) ** 8)


def test_nk_same_seed_same_landscape():
    a, b = NKLandscape(9, 4, "random", 1, rng(5)), NKLandscape(9, 4, "random", 1, rng(5))
    assert (a.deps == b.deps).all() and (a.table == b.table).all()
    c = NKLandscape(9, 4, "random", 1, rng(6))
    assert not (a.table == c.table).all()


def test_nk_better_compares_a_value_with_its_opposite():
    land = NKLandscape(10, 4, "random", 1, rng(7))
    actions = all_solutions(10)[::97]
    rows = np.arange(len(actions))
    dims = rng(8).integers(0, 10, size=len(rows))
    values = np.where(rng(9).random(len(rows)) < 0.5, 1, -1).astype(np.int8)
    better = land.better(actions, rows, dims, values)
    for r in rows:
        with_v, against = actions[r].copy(), actions[r].copy()
        with_v[dims[r]], against[dims[r]] = values[r], -values[r]
        assert better[r] == (land.performance(with_v)[0] > land.performance(against)[0])
    trial = land.trial_performance(actions, rows, dims, values)
    assert trial[0] == pytest.approx(land.performance(np.where(
        np.arange(10) == dims[0], values[0], actions[0]))[0])  # fmt: skip


def test_nk_turbulence_and_shock_redraw_contributions():
    land = NKLandscape(10, 2, "random", 1, rng(10))
    table = land.table.copy()
    assert land.drift(0.0, rng()) == 0 and (land.table == table).all()
    changed = land.shock(0.3, rng(11))
    assert changed == 3 and (land.table != table).any(axis=1).sum() == 3
    assert land.performance(land.values)[0] == pytest.approx(1.0)  # renormalized


def test_march_trial_and_codifiable_performance():
    reality = Reality(6, rng())
    reality.values[:] = [1, 1, 1, -1, -1, -1]
    actions = np.array([[1, 1, -1, -1, 1, 1], [-1, -1, -1, 1, 1, 1]], dtype=np.int8)
    trial = reality.trial_performance(actions, np.array([0, 1]), np.array([2, 0]),
                                      np.array([1, 1], dtype=np.int8))  # fmt: skip
    assert trial.tolist() == [2, -4]
    assert reality.codifiable_performance(actions, 3).tolist() == [1, -3]
    assert reality.better(actions, np.array([0]), np.array([3]), np.array([-1]))[0]


def _nk_rises(leadership: dict) -> np.ndarray:
    """Per run (8 seeds), performance over the last 5 of 20 steps minus the first 5, on
    an NK landscape of 10 dimensions with K = 3."""
    cfg = load_scenario({"environment": {"kind": "nk", "dimensions": 10, "k": 3, "power": 2.0},
                         "leadership": leadership, "steps": 20})  # fmt: skip
    rises = []
    for seed in range(8):
        done = OrgModel(cfg, rng=seed, team_table=False, metrics=["performance"]).run()
        performance = done.metrics_frame()["performance"]
        rises.append(performance.iloc[-5:].mean() - performance.iloc[1:6].mean())
    return np.array(rises)


def test_model_runs_on_an_nk_landscape():
    """Performance stays on [0, 1], the same seed gives the same run, and the organization
    learns: over 8 runs, performance in the last 5 steps beats the first 5 by 3 standard
    errors. Knocked out (nothing changes a belief: no experiments, no code, no sharing, no
    reviews), it does not rise."""
    cfg = load_scenario(
        {"environment": {"kind": "nk", "dimensions": 10, "k": 3, "power": 2.0},
         "leadership": {"experimentation": 0.5}, "steps": 20}
    )  # fmt: skip
    frame = OrgModel(cfg, rng=1).run().metrics_frame()
    assert frame["performance"].iloc[1:].between(0, 1).all()
    assert OrgModel(cfg, rng=1).run().metrics_frame().equals(frame)
    rise = _nk_rises({"experimentation": 0.5})
    assert rise.mean() > 3 * rise.std(ddof=1) / np.sqrt(len(rise)), rise
    still = _nk_rises({"experimentation": 0.0, "socialization": 0.0, "code_learning": 0.0,
                       "knowledge_sharing": 0.0, "after_action_reviews": 0})  # fmt: skip
    assert abs(still.mean()) <= 3 * still.std(ddof=1) / np.sqrt(len(still)), still


@pytest.mark.parametrize("kind", ["nk", "march"])
def test_trial_gives_better_and_trial_performance_at_once(kind):
    land = NKLandscape(10, 4, "random", 1, rng(7)) if kind == "nk" else Reality(10, rng(7))
    actions = all_solutions(10)[::97]
    rows = np.arange(len(actions))
    dims = rng(8).integers(0, 10, size=len(rows))
    values = np.where(rng(9).random(len(rows)) < 0.5, 1, -1).astype(np.int8)
    worked, acted = land.trial(actions, land.performance(actions), rows, dims, values)
    assert (worked == land.better(actions, rows, dims, values)).all()
    assert acted == pytest.approx(land.trial_performance(actions, rows, dims, values))
