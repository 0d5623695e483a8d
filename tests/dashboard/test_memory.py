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
)
from orgabm.dashboard.serve import server_env


class Sessions:
    """A stand-in for Solara's registry of open sessions: their ids."""

    def __init__(self, *ids: str) -> None:
        self.ids = set(ids)

    def __call__(self) -> set[str]:
        return set(self.ids)


def _watch(sessions: Sessions, after=(0.15, 0.4), trim=None):
    trims: list[float] = []
    keeper = ReleaseAfterSessions(sessions, trim or (lambda: trims.append(time.monotonic())),
                                  every=0.02, after=after).start()  # fmt: skip
    return keeper, trims


def test_trims_after_sessions_close_at_each_delay_and_then_stops():
    sessions = Sessions("a", "b", "c")
    keeper, trims = _watch(sessions)
    try:
        time.sleep(0.3)
        assert trims == []  # nothing closed, nothing to hand back
        sessions.ids -= {"a", "b"}
        closed = time.monotonic()
        time.sleep(0.8)
        assert len(trims) == 2  # once per delay, then it waits for the next close
        assert 0.1 < trims[0] - closed < 0.35
        assert 0.35 < trims[1] - closed < 0.7
    finally:
        keeper.stop()


def test_a_burst_of_closes_is_trimmed_after_its_last_close():
    sessions = Sessions(*"abcdefghij")
    keeper, trims = _watch(sessions, after=(0.3,))
    try:
        time.sleep(0.1)
        for name in "abcde":  # one session closes every 0.1 s
            sessions.ids.discard(name)
            last = time.monotonic()
            time.sleep(0.1)
        time.sleep(0.6)
        assert len(trims) == 1 and trims[0] - last >= 0.25
    finally:
        keeper.stop()


def test_opening_sessions_neither_triggers_nor_postpones_a_trim():
    sessions = Sessions("a")
    keeper, trims = _watch(sessions, after=(0.3,))
    try:
        time.sleep(0.1)
        sessions.ids.discard("a")
        closed = time.monotonic()
        for name in "bcdefgh":  # students keep arriving
            sessions.ids.add(name)
            time.sleep(0.1)
        assert len(trims) == 1 and trims[0] - closed < 0.5
    finally:
        keeper.stop()


def test_a_reload_counts_as_a_close():
    sessions = Sessions("a", "b")
    keeper, trims = _watch(sessions, after=(0.1,))
    try:
        time.sleep(0.1)
        sessions.ids = {"a", "b2"}  # same number of sessions, one replaced
        time.sleep(0.4)
        assert len(trims) == 1
    finally:
        keeper.stop()


def test_a_failing_trim_does_not_end_the_watcher():
    calls: list[float] = []

    def trim():
        calls.append(time.monotonic())
        raise RuntimeError("boom")

    sessions = Sessions("a", "b", "c")
    keeper, _ = _watch(sessions, after=(0.05,), trim=trim)
    try:
        time.sleep(0.1)
        sessions.ids.discard("a")
        time.sleep(0.3)
        sessions.ids.discard("b")
        time.sleep(0.3)
        assert len(calls) == 2
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
