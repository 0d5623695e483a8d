"""The server-wide budget of played steps."""

import itertools
import threading
import time

from orgabm.dashboard.pacing import Pacer


def test_steps_are_spread_over_the_budget_whoever_asks():
    pacer = Pacer(rate=50)  # one step every 20 ms
    stamps: list[float] = []
    lock = threading.Lock()

    def player() -> None:
        for _ in range(5):
            pacer.wait()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=player) for _ in range(4)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert len(stamps) == 20
    assert stamps[-1] - started >= 19 * 0.02 * 0.9  # 20 steps took the budget's time
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) > 0.01  # never two at once


def test_a_lone_player_is_not_slowed_below_the_budget():
    pacer = Pacer(rate=1000)
    started = time.monotonic()
    for _ in range(10):
        pacer.wait()
    assert time.monotonic() - started < 0.1


def test_players_slow_down_while_background_work_runs():
    pacer = Pacer(rate=1000, busy_rate=20)
    pacer.working(True)
    started = time.monotonic()
    for _ in range(5):
        pacer.wait()
    assert time.monotonic() - started >= 4 * 0.05 * 0.9
    pacer.working(False)
    started = time.monotonic()
    pacer.wait()  # the slot booked while busy
    for _ in range(5):
        pacer.wait()
    assert time.monotonic() - started < 0.1
