"""What a sweep pays besides its runs: starting a worker, a team table it never reads,
and metrics it does not need.

    .venv/bin/python benchmarks/bench_overhead.py
    .venv/bin/python benchmarks/bench_overhead.py --repeats 9

Worker start: a one-run sweep of March's scenario at 12 employees and 4 steps, with one
worker forked from the preloaded server (``orgabm.batch.forkserver``) against one fresh
interpreter, alternating, the server already up. Team table: a run of each scenario
with and without it (``OrgModel(team_table=False)``, as sweep workers make them).
Metrics: a run recording all 17 metrics against one recording only what the validation
table reads (``OrgModel(metrics=[...])``): Figure 1's middle point, and Lazer and
Friedman's copying-error scenario. Each
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


#: scenario, its model class, overrides, and the one metric its validation table reads
METRIC_SCENARIOS = {
    "march_1991 (p1 = p2 = 0.5)": ("march_1991", OrgModel, {"leadership.socialization": 0.5,
                                   "leadership.code_learning": 0.5}, "code_knowledge"),
    "validation/lazer_friedman_copy_error": ("validation/lazer_friedman_copy_error",
                                             SolutionModel, {}, "solution_score"),
}  # fmt: skip


def fewer_metrics(label: str, repeats: int = 5) -> dict[str, float]:
    """Median seconds of runs of a METRIC_SCENARIOS entry with all metrics and with one."""
    name, cls, sets, metric = METRIC_SCENARIOS[label]
    scenario = load_scenario(name, sets)
    runs = 20 if cls is OrgModel else 2  # a March run takes milliseconds: time twenty
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for rep in range(repeats):
        for every in (True, False):
            started = time.perf_counter()
            for run in range(runs):
                cls(scenario, rng=rep * runs + run, team_table=False,
                    metrics=None if every else [metric]).run()  # fmt: skip
            seconds[every].append((time.perf_counter() - started) / runs)
    all_s, one_s = statistics.median(seconds[True]), statistics.median(seconds[False])
    return {"all_s": all_s, "one_s": one_s, "ratio": one_s / all_s, "metric": metric}


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
    for label in METRIC_SCENARIOS:
        m = fewer_metrics(label, args.repeats)
        print(f"{label}: all metrics {m['all_s'] * 1000:.1f} ms a run, only {m['metric']} "
              f"{m['one_s'] * 1000:.1f} ms, ratio {m['ratio']:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
