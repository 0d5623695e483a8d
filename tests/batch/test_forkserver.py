"""Sweep workers forked from a preloaded server: the same numbers as fresh interpreters,
started in a fraction of the time, clean of the model's code, and gone with the sweep."""

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from sweep_processes import alive, children, command, sweep_workers

from orgabm.batch import forkserver

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_overhead import worker_start

from orgabm.batch.designs import grid_points
from orgabm.batch.sweep import Sweep, run_sweep, sweep

pytestmark = pytest.mark.skipif(not forkserver.AVAILABLE, reason="the fork server is Linux's")
SMALL = {"leadership.socialization": [0.1, 0.9]}
TINY = {"organization.employees": 12}


def _sweep(**options):
    given = {"vary": SMALL, "reps": 3, "seed": 2, "steps": 4, "workers": 2, "progress": False,
             "overrides": TINY} | options  # fmt: skip
    return sweep("march_1991", **given).sort_values("run_id").reset_index(drop=True)


def _servers() -> list[int]:
    return [pid for pid in children(os.getpid()) if b"orgabm.batch.forkserver" in command(pid)]


def _witnessed(path: Path) -> list[list[str]]:
    return [line.split(" ", 2) for line in path.read_text().splitlines()]


def test_forked_workers_give_the_numbers_fresh_ones_do(monkeypatch):
    forked = _sweep()
    assert _servers(), "the sweep started no fork server"
    monkeypatch.setattr(forkserver, "AVAILABLE", False)  # knocked out: fresh interpreters
    fresh = _sweep()
    assert forked["error"].isna().all() and len(forked) == 6
    pd.testing.assert_frame_equal(forked, fresh)


def test_a_forked_worker_starts_in_a_fraction_of_a_fresh_ones_time():
    start = worker_start(repeats=3)  # one-run sweeps side by side (benchmarks/)
    assert start["ratio"] < 0.5, start  # measured 0.1 to 0.2: a second of imports saved


def test_the_model_module_is_imported_by_each_worker_and_never_by_the_server(tmp_path, monkeypatch):
    witness = tmp_path / "witness"
    monkeypatch.setenv("ORGABM_TEST_WITNESS", str(witness))
    _sweep()  # the server may already run; the environment reaches each worker all the same
    monkeypatch.setenv("ORGABM_TEST_NOTE", "second")
    _sweep(model="sweep_models:WitnessModel")
    lines = [line for line in _witnessed(witness) if line[0] != str(os.getpid())]  # the sweep
    servers = {str(pid) for pid in _servers()}
    assert len(lines) == 2  # the two workers, once each (this process checks the model too)
    assert all(parent in servers and pid not in servers for pid, parent, _ in lines)
    assert [note for _, _, note in lines] == ["second", "second"]


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_a_background_sweep_gets_a_server_that_imports_at_its_priority(tmp_path):
    """A dashboard's sweeps run niced, and so does their server's start (seconds of imports
    that would otherwise slow the class's pages); a sweep at full priority keeps its own."""
    _sweep()
    (plain,) = _servers()
    built = Sweep.build("march_1991", grid_points(SMALL), reps=2, steps=4, overrides=TINY)
    run_sweep(built, tmp_path / "niced", workers=1, progress=False, nice=5)
    niced = [pid for pid in _servers() if pid != plain]
    assert len(niced) == 1 and plain in _servers()
    assert _niceness(niced[0]) == _niceness(os.getpid()) + 5 == _niceness(plain) + 5
    forkserver._close_servers()  # as at exit: the tests below count one server
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in (plain, *niced)) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_killed_server_is_started_again_and_the_sweep_runs():
    _sweep()
    (old,) = _servers()
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while alive(old) and time.monotonic() < deadline:
        time.sleep(0.05)
    again = _sweep()
    assert again["error"].isna().all() and len(again) == 6
    assert _servers() and old not in _servers()


def test_a_server_started_by_a_thread_outlives_it():
    # a dashboard job's thread starts the server; the next job, on another thread, uses it
    for server in _servers():
        os.kill(server, signal.SIGKILL)
    job = threading.Thread(target=_sweep)
    job.start()
    job.join()
    (started,) = _servers()
    time.sleep(0.5)  # a parent-death signal tied to the thread would have fired by now
    assert alive(started)
    assert _sweep()["error"].isna().all() and _servers() == [started]


def test_a_worker_runs_in_the_folder_its_sweep_runs_in(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    _sweep()  # the server starts here
    monkeypatch.chdir(tmp_path / "b")
    assert _sweep(out="out")["error"].isna().all()
    assert (tmp_path / "b" / "out" / "manifest.json").exists()
    assert not (tmp_path / "a" / "out").exists()


def _sweep_in_a_forked_child() -> None:
    _sweep()


def test_a_forked_copy_of_the_sweeping_process_leaves_its_server_alone():
    # a multiprocessing pool forks this process, server socket and all; the copy's own
    # sweep, and its exit, must not end the parent's server or its workers
    _sweep()
    (server,) = _servers()
    child = multiprocessing.get_context("fork").Process(target=_sweep_in_a_forked_child)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads running
        child.start()
    child.join(60)
    assert child.exitcode == 0
    assert alive(server) and _servers() == [server]
    assert _sweep()["error"].isna().all()


SWEEPER = """
import sys
from orgabm.batch.designs import grid_points
from orgabm.batch.sweep import Sweep, run_sweep, sweep
sweep("march_1991", vary={"leadership.socialization": [0.1, 0.9]}, reps=2, workers=2,
      steps=1000000, overrides={"stop_at_equilibrium": False}, progress=False)
"""


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_the_server_and_its_workers_end_with_the_sweep(how):
    with subprocess.Popen([sys.executable, "-c", SWEEPER]) as sweeper:
        try:
            deadline = time.monotonic() + 60
            while len(workers := sweep_workers(sweeper.pid)) < 2:
                assert time.monotonic() < deadline, "the sweep started no workers"
                time.sleep(0.05)
            (server,) = [p for p in children(sweeper.pid) if b"forkserver" in command(p)]
            sweeper.send_signal(how)
            sweeper.wait(timeout=30)
            deadline = time.monotonic() + 5
            while any(alive(p) for p in (server, *workers)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not any(alive(p) for p in (server, *workers))
        finally:
            sweeper.kill()
