"""March's rules, phase by phase, on small hand-made arrays."""

import numpy as np
import pytest

from orgabm.engine import march as mechanisms
from orgabm.engine import traits
from orgabm.engine.environments import Reality


def rng(seed=0):
    return np.random.default_rng(seed)


def test_random_beliefs_are_uniform_over_three_values():
    b = mechanisms.random_beliefs(300, 100, rng())
    assert b.dtype == np.int8 and set(np.unique(b)) == {-1, 0, 1}
    shares = np.bincount(b.ravel() + 1) / b.size
    assert np.allclose(shares, 1 / 3, atol=0.01)


def test_act_keeps_beliefs_and_flips_fair_coins_on_zeros():
    beliefs = np.array([[1, -1, 0, 0]] * 5000, dtype=np.int8)
    actions = mechanisms.act(beliefs, rng())
    assert (actions[:, :2] == beliefs[:, :2]).all()
    assert set(np.unique(actions[:, 2:])) == {-1, 1}
    assert abs(actions[:, 2:].mean()) < 0.03
    assert (beliefs[:, 2:] == 0).all()  # beliefs untouched


def test_socialization_moves_one_step_towards_a_nonzero_code():
    code = np.array([1, 1, 1, -1, 0, 0], dtype=np.int8)
    beliefs = np.array([[-1, 0, 1, 1, 1, -1]], dtype=np.int8)
    moved = mechanisms.socialize(beliefs, code, np.array([1.0]), rng())
    assert beliefs.tolist() == [[0, 1, 1, 0, 1, -1]]
    assert moved == 3


def test_socialization_rate_zero_changes_nothing():
    code = np.array([1, -1], dtype=np.int8)
    beliefs = np.array([[0, 0], [-1, 1]], dtype=np.int8)
    before = beliefs.copy()
    assert mechanisms.socialize(beliefs, code, np.zeros(2), rng()) == 0
    assert (beliefs == before).all()


def test_socialization_happens_at_each_employees_rate():
    n = 20_000
    code = np.array([1], dtype=np.int8)
    beliefs = np.zeros((n, 1), dtype=np.int8)
    rates = np.where(np.arange(n) < n // 2, 0.9, 0.1)
    mechanisms.socialize(beliefs, code, rates, rng())
    assert beliefs[: n // 2].mean() == pytest.approx(0.9, abs=0.015)
    assert beliefs[n // 2 :].mean() == pytest.approx(0.1, abs=0.015)


def test_code_learns_the_superior_majority_with_probability_1_minus_1_minus_p2_to_the_k():
    p2, trials = 0.3, 20_000
    # dimension 0: 3 superior act +1, 1 acts -1 -> k = 2; dimension 1: a tie, k = 0
    actions = np.array([[1, 1], [1, -1], [1, 1], [-1, -1], [-1, 1]], dtype=np.int8)
    superior = np.array([True, True, True, True, False])
    generator = rng(5)
    changed = np.zeros(2)
    for _ in range(trials):
        code = np.zeros(2, dtype=np.int8)
        mechanisms.codify(code, actions, superior, p2, generator)
        changed += code != 0
        assert code[0] in (0, 1)
    assert changed[0] / trials == pytest.approx(1 - (1 - p2) ** 2, abs=0.01)
    assert changed[1] == 0


def test_code_does_not_learn_from_inferior_employees_or_when_it_agrees():
    actions = np.array([[1, -1], [1, -1]], dtype=np.int8)
    code = np.array([0, -1], dtype=np.int8)
    assert mechanisms.codify(code, actions, np.array([False, False]), 1.0, rng()) == 0
    assert mechanisms.codify(code, actions, np.array([True, True]), 1.0, rng()) == 1
    assert code.tolist() == [1, -1]


def test_turnover_rate_zero_draws_no_random_numbers():
    generator = rng(9)
    state = generator.bit_generator.state
    assert len(mechanisms.turnover(0.0, 100, generator)) == 0
    assert generator.bit_generator.state == state


def test_turnover_picks_each_row_with_probability_p3():
    rows = mechanisms.turnover(0.2, 50_000, rng())
    assert len(rows) / 50_000 == pytest.approx(0.2, abs=0.01)


def test_reality_drifts_at_the_turbulence_rate_and_not_at_zero():
    reality = Reality(10_000, rng(1))
    before = reality.values.copy()
    assert reality.drift(0.0, rng()) == 0 and (reality.values == before).all()
    flipped = reality.drift(0.05, rng())
    assert (reality.values != before).sum() == flipped
    assert flipped / 10_000 == pytest.approx(0.05, abs=0.01)


def test_score_is_correct_minus_wrong():
    reality = Reality(4, rng())
    reality.values[:] = [1, -1, 1, 1]
    vectors = np.array([[1, -1, 1, 1], [0, 0, 0, 0], [1, 1, -1, 0]], dtype=np.int8)
    assert reality.score(vectors).tolist() == [4, 0, -1]


def test_equilibrium_needs_agreement_and_no_chance_to_beat_the_code():
    reality = Reality(3, rng())
    reality.values[:] = [1, 1, -1]
    code = np.array([1, -1, -1], dtype=np.int8)
    same = np.tile(code, (4, 1))
    assert mechanisms.march_equilibrium(same, code, reality)
    differing = same.copy()
    differing[2, 1] = 0
    assert not mechanisms.march_equilibrium(differing, code, reality)
    # everyone agrees with a code that has a zero: a lucky coin flip could beat the code
    code_with_zero = np.array([1, 0, -1], dtype=np.int8)
    assert not mechanisms.march_equilibrium(
        np.tile(code_with_zero, (4, 1)), code_with_zero, reality
    )


def test_traits_follow_a_beta_with_the_given_mean_and_sd():
    draws = traits.draw_trait(0.3, 0.1, 50_000, rng(3))
    assert draws.mean() == pytest.approx(0.3, abs=0.003)
    assert draws.std() == pytest.approx(0.1, abs=0.003)
    assert ((draws >= 0) & (draws <= 1)).all()
    assert (traits.draw_trait(0.7, 0.0, 5, rng()) == 0.7).all()
