"""Handing closed sessions' memory back (orgabm.dashboard.memory)."""

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from orgabm.dashboard.memory import (
    SERVER_ONLY_MALLOC,
    ReleaseAfterSessions,
    can_trim,
    leave_the_allocator_to_the_server,
    trim_delays,
)
from orgabm.dashboard.serve import server_env


class Sessions:
    """A stand-in for Solara's registry of open sessions: their ids."""

    def __init__(self, *ids: str) -> None:
        self.ids = set(ids)

    def __call__(self) -> set[str]:
        return set(self.ids)


def _drive(sessions: Sessions, changes: dict, after=(3, 10), until=60) -> list[int]:
    """The seconds (on a clock of whole seconds) at which the watcher trims, while
    ``changes[t](sessions)`` happens at second t: no thread, no sleeping."""
    trims: list[int] = []
    now = 0
    keeper = ReleaseAfterSessions(sessions, lambda: trims.append(now), after=after)
    for now in range(until + 1):
        if now in changes:
            changes[now](sessions)
        keeper.check(float(now))
    return trims


def _close(*ids):
    return lambda sessions: sessions.ids.difference_update(ids)


def _open(*ids):
    return lambda sessions: sessions.ids.update(ids)


def test_trims_after_sessions_close_at_each_delay_and_then_stops():
    # nothing closed in the first 5 s: nothing to hand back; then once per delay
    assert _drive(Sessions("a", "b", "c"), {5: _close("a", "b")}) == [8, 15]


def test_a_burst_of_closes_is_trimmed_after_its_last_close():
    burst = {t: _close(name) for t, name in zip(range(1, 6), "abcde", strict=True)}
    assert _drive(Sessions(*"abcdefghij"), burst, after=(3,)) == [8]


def test_opening_sessions_neither_triggers_nor_postpones_a_trim():
    arrivals = {t: _open(name) for t, name in zip(range(2, 9), "bcdefgh", strict=True)}
    assert _drive(Sessions("a"), {1: _close("a"), **arrivals}, after=(3,)) == [4]
    assert _drive(Sessions("a"), arrivals, after=(3,)) == []


def test_a_reload_counts_as_a_close():
    def reload(sessions):
        sessions.ids = {"a", "b2"}  # same number of sessions, one replaced

    assert _drive(Sessions("a", "b"), {2: reload}, after=(1,)) == [3]


def _until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_failing_trim_does_not_end_the_watcher():
    calls: list[float] = []

    def trim():
        calls.append(time.monotonic())
        raise RuntimeError("boom")

    sessions = Sessions("a", "b", "c")
    keeper = ReleaseAfterSessions(sessions, trim, every=0.01, after=(0.0,)).start()
    try:
        assert _until(lambda: keeper._seen == {"a", "b", "c"})  # its first pass
        sessions.ids.discard("a")
        assert _until(lambda: len(calls) == 1)
        sessions.ids.discard("b")  # the thread is still watching
        assert _until(lambda: len(calls) == 2)
    finally:
        keeper.stop()


@pytest.mark.skipif(not can_trim(), reason="the C library has no malloc_trim (not glibc)")
def test_the_server_runs_with_the_c_allocator_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("PYTHONMALLOC", raising=False)
    monkeypatch.delenv(SERVER_ONLY_MALLOC, raising=False)
    assert server_env()["PYTHONMALLOC"] == "malloc"
    monkeypatch.setenv("PYTHONMALLOC", "pymalloc")
    assert server_env()["PYTHONMALLOC"] == "pymalloc"
    assert SERVER_ONLY_MALLOC not in server_env()


def test_the_servers_workers_get_pythons_allocator_back_unless_the_user_chose(monkeypatch):
    monkeypatch.setenv("PYTHONMALLOC", "malloc")
    monkeypatch.setenv(SERVER_ONLY_MALLOC, "1")  # as the server starts, from server_env
    leave_the_allocator_to_the_server()
    assert "PYTHONMALLOC" not in os.environ and SERVER_ONLY_MALLOC not in os.environ
    monkeypatch.setenv("PYTHONMALLOC", "malloc")  # the user's own choice
    leave_the_allocator_to_the_server()
    assert os.environ["PYTHONMALLOC"] == "malloc"


# small objects freed while a few survivors stay, as after a class: the process keeps
# the memory unless the heap is trimmed, and under Python's own small-object allocator
# not even then (its arenas go back only when wholly empty)
FRAGMENTED = textwrap.dedent("""
    import gc, json, sys
    from orgabm.dashboard.memory import trim_heap

    def rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    start = rss()
    blocks = [bytes(100) + i.to_bytes(4, "little") for i in range(1_000_000)]
    survivors = blocks[::200]
    del blocks
    freed = rss()
    trim_heap() if sys.argv[1] == "trim" else gc.collect()
    print(json.dumps({"start": start, "freed": freed, "after": rss()}))
""")


@pytest.mark.skipif(not can_trim(), reason="the C library has no malloc_trim (not glibc)")
@pytest.mark.parametrize(
    "allocator, trim, handed_back",
    [("malloc", "trim", True), ("malloc", "collect only", False), ("pymalloc", "trim", False)],
)
def test_trimming_hands_back_freed_memory_that_survivors_pin(allocator, trim, handed_back):
    out = subprocess.run([sys.executable, "-c", FRAGMENTED, trim], capture_output=True,
                         text=True, env={**server_env(), "PYTHONMALLOC": allocator},
                         check=True)  # fmt: skip
    rss = json.loads(out.stdout)
    grown = rss["freed"] - rss["start"]
    assert grown > 80, rss  # about 140 MiB allocated, and kept after the del
    back = (rss["freed"] - rss["after"]) / grown
    assert back > 0.7 if handed_back else back < 0.2, rss


@pytest.mark.parametrize(
    "text, delays",
    [("", (3.0, 10.0, 30.0)), ("1, 5", (1.0, 5.0)), ("10,2", (2.0, 10.0)),
     ("soon", (3.0, 10.0, 30.0)), ("-1", (3.0, 10.0, 30.0))],
)  # fmt: skip
def test_the_trim_delays_come_from_the_environment(monkeypatch, text, delays):
    monkeypatch.setenv("ORGABM_TRIM_AFTER", text)
    assert trim_delays() == delays
