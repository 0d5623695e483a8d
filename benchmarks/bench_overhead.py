"""What a sweep pays besides its runs: starting a worker, and a team table it never reads.

    .venv/bin/python benchmarks/bench_overhead.py
    .venv/bin/python benchmarks/bench_overhead.py --repeats 9

Worker start: a one-run sweep of March's scenario at 12 employees and 4 steps, with one
worker forked from the preloaded server (``orgabm.batch.forkserver``) against one fresh
interpreter, alternating, the server already up. Team table: a run of each scenario
with and without it (``OrgModel(team_table=False)``, as sweep workers make them). Each
figure is a median over --repeats, measured side by side; the ratios travel between
machines, the seconds do not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from unittest import mock

from orgabm.batch import forkserver
from orgabm.batch.sweep import sweep
from orgabm.engine.model import OrgModel
from orgabm.scenario import load_scenario
from orgabm.validation.canonical import SolutionModel

#: scenarios timed with and without the team table, and the model class each runs
TEAM_SCENARIOS = {"learning_organization": OrgModel,
                  "validation/lazer_friedman_networks": SolutionModel}  # fmt: skip


def _one_run_sweep() -> None:
    sweep("march_1991", vary={"leadership.socialization": [0.1]}, reps=1, steps=4,
          workers=1, overrides={"organization.employees": 12}, progress=False)  # fmt: skip


def worker_start(repeats: int = 5) -> dict[str, float]:
    """Median seconds of a one-run sweep with a forked and with a fresh worker."""
    _one_run_sweep()  # the server is up and has imported the worker's modules
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeats):
        for forked in (True, False):
            with mock.patch.object(forkserver, "AVAILABLE", forked and forkserver.AVAILABLE):
                started = time.perf_counter()
                _one_run_sweep()
                seconds[forked].append(time.perf_counter() - started)
    forked_s, fresh_s = statistics.median(seconds[True]), statistics.median(seconds[False])
    return {"forked_s": forked_s, "fresh_s": fresh_s, "ratio": forked_s / fresh_s}


def team_table(name: str, repeats: int = 5) -> dict[str, float]:
    """Median seconds of one run of ``name`` with and without its team table."""
    scenario, cls = load_scenario(name), TEAM_SCENARIOS.get(name, OrgModel)
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for rep in range(repeats):
        for teams in (True, False):
            started = time.perf_counter()
            cls(scenario, rng=rep, team_table=teams).run()
            seconds[teams].append(time.perf_counter() - started)
    with_s, without_s = statistics.median(seconds[True]), statistics.median(seconds[False])
    return {"with_s": with_s, "without_s": without_s, "ratio": without_s / with_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not forkserver.AVAILABLE:
        print("worker start: no fork server on this platform (workers start fresh)")
    else:
        start = worker_start(args.repeats)
        print(f"one-run sweep: forked worker {start['forked_s']:.2f} s, fresh worker "
              f"{start['fresh_s']:.2f} s, ratio {start['ratio']:.2f}")  # fmt: skip
    for name in TEAM_SCENARIOS:
        table = team_table(name, args.repeats)
        print(f"{name}: with the team table {table['with_s'] * 1000:.0f} ms, without "
              f"{table['without_s'] * 1000:.0f} ms, ratio {table['ratio']:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
