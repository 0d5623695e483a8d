"""orgabm's NK landscapes show what Kauffman's theory derives for every NK landscape, each
setting over 200 landscapes."""

import numpy as np
import pytest

from orgabm.engine.environments import NKLandscape
from orgabm.validation.landscape_theory import local_optima, theory_table, walk_ends


@pytest.mark.parametrize("interactions", ["random", "adjacent"])
@pytest.mark.parametrize("n", [4, 9, 12])
def test_k0_has_one_local_optimum_the_global_one(n, interactions):
    for stream in np.random.default_rng(n).spawn(200):
        land = NKLandscape(n, 0, interactions, 1, stream)
        fitness, optimum = local_optima(land)
        assert optimum.sum() == 1
        best = int(((land.values > 0) * (1 << np.arange(n - 1, -1, -1))).sum())
        assert np.flatnonzero(optimum)[0] == best == fitness.argmax()


def test_k0_optimum_is_the_mean_of_each_dimensions_better_state():
    # each dimension's better of two uniform draws: 2/3 on average
    row = theory_table(12, ks=[0], landscapes=200).iloc[0]
    assert abs(row["optimum_fitness"] - 2 / 3) < 3 * row["optimum_fitness_se"]


@pytest.mark.parametrize("interactions", ["random", "adjacent"])
def test_k_n_minus_1_has_2_to_the_n_over_n_plus_1_local_optima(interactions):
    full, fewer = theory_table(10, ks=[9, 7], landscapes=200, interactions=interactions).iloc
    assert full["theory"] == pytest.approx(1024 / 11)
    assert abs(full["local_optima"] - full["theory"]) < 3 * full["local_optima_se"]
    # the check can fail: with two partners fewer, neighbours' fitnesses are correlated
    # and there are clearly fewer local optima than independence would give
    assert fewer["local_optima"] < full["theory"] - 3 * fewer["local_optima_se"]


def test_greedy_walks_end_on_local_optima_and_k0_walks_on_the_global_one():
    land = NKLandscape(12, 3, "random", 1, np.random.default_rng(5))
    fitness, optimum = local_optima(land)
    ends = walk_ends(fitness, 12)
    assert optimum[ends].all() and (fitness[ends] >= fitness).all()
    assert (ends[optimum] == np.flatnonzero(optimum)).all()
    flat = NKLandscape(12, 0, "random", 1, np.random.default_rng(5))
    fitness, optimum = local_optima(flat)
    assert (walk_ends(fitness, 12) == fitness.argmax()).all()


def test_walks_reach_fitter_optima_as_k_grows_then_less_fit():
    table = theory_table(12, ks=[0, 1, 2, 11], landscapes=200).set_index("K")
    mean, se = table["walk_fitness"], table["walk_fitness_se"]
    peak = mean.loc[[1, 2]].idxmax()
    for low in (0, 11):
        assert mean[peak] - mean[low] > 3 * np.hypot(se[peak], se[low]), table
