"""The engine's powers are products and scalar pows: the same bits on every CPU."""

import numpy as np
import pytest

from orgabm.engine.powers import scalar_powers, whole_power


@pytest.mark.parametrize("power", [1, 2, 3, 8, 13, 64])
def test_whole_power_is_the_product_of_squares(power):
    values = np.random.default_rng(power).random(1000)
    expected = []
    for v in values:  # Python floats: one rounding per product, on every CPU
        out, square, p = 1.0, float(v), power
        while p:
            if p & 1:
                out *= square
            square *= square
            p >>= 1
        expected.append(out)
    assert whole_power(values, power).tolist() == expected
    assert np.allclose(whole_power(values, power), values**power, rtol=1e-14, atol=0)


def test_scalar_powers_are_pythons_pow_of_each_count():
    counts = np.array([0, 3, 1, 0, 7, 2])
    assert scalar_powers(0.7, counts).tolist() == [0.7 ** int(k) for k in counts]
    assert scalar_powers(0.7, np.array([], dtype=np.int64)).shape == (0,)
