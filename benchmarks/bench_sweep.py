"""Sweep throughput: runs per second with 1 and 2 local workers, and March's Figure 1 grid.

    .venv/bin/python benchmarks/bench_sweep.py              # throughput, then the Figure 1 grid
    .venv/bin/python benchmarks/bench_sweep.py --reps 500   # a shorter throughput sweep

The throughput sweep is March's scenario at four socialization rates with --reps
replicates each (4,000 runs by default), timed as a whole (worker start-up
included), each worker count --repeats times; the median is printed, and the
ratio of the medians. The Figure 1 grid is 27 points x 400 runs = 10,800 runs
with 2 workers. Each line also gives the sweeping process's peak memory and the
largest worker's: the results stream to disk, so neither grows with the sweep.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time

from orgabm.batch.designs import grid_points
from orgabm.batch.sweep import Sweep, run_sweep
from orgabm.validation.suite import P1_GRID, P2_GRID


def timed(sweep: Sweep, workers: int) -> tuple[float, float, float]:
    """(seconds, this process's peak MiB, the largest worker's peak MiB) for one sweep."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        run_sweep(sweep, folder, workers=workers, progress=False)
        seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, own, children


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-grid", action="store_true")
    args = parser.parse_args()
    points = grid_points({"leadership.socialization": [0.3, 0.5, 0.7, 0.9]})
    sweep = Sweep.build("march_1991", points, reps=args.reps, seed=1)
    rates = {}
    for workers in (1, 2):
        runs = [timed(sweep, workers) for _ in range(args.repeats)]
        rates[workers] = statistics.median(sweep.size / r[0] for r in runs)
        print(f"{sweep.size:,} runs, {workers} worker(s): median {rates[workers]:,.1f} runs/s "
              f"(of {args.repeats}); peak memory {max(r[1] for r in runs):,.0f} MiB here, "
              f"{max(r[2] for r in runs):,.0f} MiB in a worker", flush=True)  # fmt: skip
    print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")
    if not args.skip_grid:
        grid = [{"leadership.socialization": p1, "leadership.code_learning": p2}
                for p2 in P2_GRID for p1 in P1_GRID]  # fmt: skip
        figure = Sweep.build("march_1991", grid, reps=400, seed=1991)
        seconds, own, worker = timed(figure, 2)
        print(f"March's Figure 1 grid, {figure.size:,} runs, 2 workers: {seconds:.1f} s "
              f"({figure.size / seconds:,.1f} runs/s); peak memory {own:,.0f} MiB here, "
              f"{worker:,.0f} MiB in a worker")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
