"""The server-wide budget of played steps (on the pacer's own clock: no sleeping)."""

import itertools
import threading

import pytest

from orgabm.dashboard.pacing import Pacer


def test_steps_are_spread_over_the_budget_whoever_asks():
    pacer = Pacer(rate=50)  # one step every 20 ms
    slots: list[float] = []
    lock = threading.Lock()

    def player() -> None:
        for _ in range(5):
            slot = pacer.book(0.0)  # everyone asks at once
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=player) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slots.sort()
    assert len(slots) == 20
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert min(gaps) >= 0.02 - 1e-9  # never two in one interval
    assert slots[-1] - slots[0] < 19 * 0.02 + 1e-9  # and no slot wasted


def test_a_lone_player_is_not_slowed_below_the_budget():
    pacer = Pacer(rate=10)
    # asking less often than the budget: every step runs when asked
    assert [pacer.book(t) for t in (0.0, 0.5, 1.0, 1.5)] == [0.0, 0.5, 1.0, 1.5]


def test_players_slow_down_while_background_work_runs():
    pacer = Pacer(rate=1000, busy_rate=20)
    pacer.working(True)
    busy = [pacer.book(0.0) for _ in range(5)]
    assert busy == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2])
    pacer.working(False)
    after = [pacer.book(1.0) for _ in range(3)]  # the work has ended: full speed again
    assert after == pytest.approx([1.0, 1.001, 1.002])


def test_waiting_sleeps_until_the_booked_slot():
    pacer = Pacer(rate=5)
    assert pacer.wait() == 0  # a free slot: no wait
    assert pacer.wait() > 0  # the next one is an interval (0.2 s) later
