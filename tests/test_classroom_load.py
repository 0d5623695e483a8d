"""A class on one server: 30 browser sessions (loopback only) each play their own run
while 5 of them start sweeps at once (benchmarks/bench_classroom.py does the work)."""

import sys
from pathlib import Path

import pytest

from orgabm.dashboard.serve import CHROMIUM_PATH, serving

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from bench_classroom import run


def test_thirty_sessions_and_five_sweeps_on_one_server(tmp_path):
    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM_PATH}: ./dev.sh test installs it")
    with serving(log=tmp_path / "server.log") as (url, process):
        result = run(url, process.pid, sessions=30, sweepers=5, probes=3, log=lambda *_: None)
    print(result)
    assert result["advanced"], result  # every session's step count advanced
    assert result["isolated"], result  # the probes moved only by their own clicks
    assert result["done_only_where_run"], result  # no session sees another's sweep
    assert result["queued_seen"] >= 1, result  # the server queued sweeps, and said so
    assert result["latency_while_sweeping"] >= result["latency_samples"] // 2, result
    assert result["latency_median_ms"] < 1000, result
    # memory comes back near its baseline once the sessions close
    assert result["rss_after"] <= result["rss_baseline"] * 1.25, result
